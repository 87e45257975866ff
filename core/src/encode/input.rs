//! The body of "Run task": input overrides as a JSON object.

use serde::Serialize;

use super::EncodeError;
use crate::json::{Event, Parser, SyntaxError, Visitor};

/// Nesting accepted in raw input JSON (the check runs on the caller's stack: 64 bytes).
pub const MAX_INPUT_DEPTH: usize = 64;

/// Input overrides merged over the task's saved input: a JSON object.
///
/// ```
/// use apify_core::encode::Input;
///
/// #[derive(serde::Serialize)]
/// struct Overrides<'a> { url: &'a str, max_pages: u32 }
///
/// let mut buf = [0u8; 64];
/// let input = Input::serialize(&Overrides { url: "https://example.com", max_pages: 3 }, &mut buf)?;
/// assert_eq!(input.json(), br#"{"url":"https://example.com","max_pages":3}"#);
/// assert_eq!(Input::EMPTY.json(), b"{}");
/// assert!(Input::from_json(b"[1, 2]").is_err());
/// # Ok::<(), apify_core::encode::EncodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input<'a> {
    json: &'a [u8],
}

impl Default for Input<'_> {
    fn default() -> Self {
        Input::EMPTY
    }
}

impl<'a> Input<'a> {
    /// No overrides: sends `{}`, which the API accepts everywhere (some proxies refuse a POST
    /// without a body).
    pub const EMPTY: Input<'static> = Input { json: b"{}" };

    /// JSON the caller already has; checked to be exactly one valid JSON object.
    pub fn from_json(json: &'a [u8]) -> Result<Self, EncodeError> {
        struct FirstIsObject(Option<bool>);
        impl Visitor for FirstIsObject {
            type Error = SyntaxError;
            fn event(&mut self, event: Event<'_>) -> Result<(), SyntaxError> {
                self.0.get_or_insert(event == Event::ObjectStart);
                Ok(())
            }
        }
        let mut parser = Parser::<MAX_INPUT_DEPTH>::new();
        let mut first = FirstIsObject(None);
        parser
            .feed(json, &mut first)
            .and_then(|_| parser.finish(&mut first))
            .map_err(EncodeError::InputNotJson)?;
        if first.0 != Some(true) {
            return Err(EncodeError::InputNotObject);
        }
        Ok(Self { json })
    }

    /// JSON that [`from_json`](Self::from_json) accepted before, not checked again: for a
    /// binding that checks its input once when the program makes it (the C ABI's
    /// `apify_input_from_json`), so that code which only starts runs without input does not
    /// carry the check (2.4 KB of flash on a Cortex-M3). Bytes that are not one JSON object get
    /// the API's 400 `invalid-input`.
    ///
    /// ```
    /// use apify_core::encode::Input;
    ///
    /// let json = br#"{"url":"https://example.com"}"#;
    /// let checked = Input::from_json(json)?; // once, where the input is made
    /// assert_eq!(Input::from_checked_json(checked.json()), checked);
    /// # Ok::<(), apify_core::encode::EncodeError>(())
    /// ```
    pub const fn from_checked_json(json: &'a [u8]) -> Self {
        Self { json }
    }

    /// Serializes `value` with serde-json-core into `buf`; it must serialize to an object.
    ///
    /// serde-json-core cannot say how much room it would have needed, so a full buffer gives
    /// [`EncodeError::InputTooLarge`] with the capacity that was not enough.
    pub fn serialize<T: Serialize + ?Sized>(value: &T, buf: &'a mut [u8]) -> Result<Self, EncodeError> {
        let capacity = buf.len();
        let n = serde_json_core::to_slice(value, buf).map_err(|_| EncodeError::InputTooLarge { capacity })?;
        if buf.first() != Some(&b'{') {
            return Err(EncodeError::InputNotObject);
        }
        Ok(Self { json: &buf[..n] })
    }

    /// The body bytes.
    pub const fn json(&self) -> &'a [u8] {
        self.json
    }
}
