//! Field dispatch: JSON events in, run or error model filled in place.
//!
//! A small stack of contexts says which object of the model the parser is in; a key selects
//! the field of [the list](crate::model) its value belongs to; a value is checked against the
//! field's kind and stored by kind. No code here names a field: adding one to the list is
//! enough. Anything not modelled is skipped by counting its nesting, whatever its size.

use super::{DecodeError, JsonKind};
use crate::json::{Event, Fragment, Number, SyntaxError, Visitor};
use crate::model::fields::FIELDS;
use crate::model::table::{Ctx, Kind, Marker, lookup, mask_of};
use crate::model::{FieldPath, Run, Text, Timestamp};

/// Known containers nest at most this deep (`data.metamorphs[].…`).
const MAX_CTX: usize = 4;

/// What the body has turned out to be so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Body {
    /// Neither `data` nor `error` yet (zero bits: a new decoder).
    Empty,
    Run,
    Error,
}

/// The visitor that fills the model. All zero bits is a new one.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub(crate) body: Body,
    /// The run's fields, or the error's: one storage, reused in place (never built anew on
    /// the stack, where a new value would take 1.3 KB first).
    pub(crate) store: Run,
    /// Known containers open, innermost last (`ctx[..ctx_len]`).
    ctx: [Ctx; MAX_CTX],
    ctx_len: u8,
    /// `ctx[ctx_len - 1]`, or `Root` when none is open (read on every key and value).
    current: Ctx,
    /// While skipping a container: its nesting so far (0 when not skipping).
    skip_depth: u32,
    /// The field the next value belongs to, or a [`Marker`].
    pending: u8,
    /// A key, or a timestamp or error type, across fragments. Known keys are at most 33
    /// bytes and valid timestamps at most 35; as long as the error type's catch-all, so a
    /// cut value is cut where a whole one would be.
    scratch: Text<48>,
}

/// The kind of `field`, or `None` for a marker.
#[inline]
fn kind(field: u8) -> Option<Kind> {
    FIELDS.get(field as usize).map(|f| f.kind)
}

impl Fields {
    pub(crate) const fn new() -> Self {
        Self {
            body: Body::Empty,
            store: Run::EMPTY,
            ctx: [Ctx::Root; MAX_CTX],
            ctx_len: 0,
            current: Ctx::Root,
            skip_depth: 0,
            pending: Marker::DOCUMENT,
            scratch: Text::new(),
        }
    }

    /// Starts over, in place (a whole new value would be built on the stack first).
    pub(crate) fn reset(&mut self) {
        self.body = Body::Empty;
        self.ctx_len = 0;
        self.current = Ctx::Root;
        self.skip_depth = 0;
        self.pending = Marker::DOCUMENT;
        self.scratch.clear();
    }

    /// Applies `f` to the storage of the run or error being decoded (fields are only looked
    /// up inside `data` or `error`, which start it).
    #[inline]
    fn with_run(&mut self, f: impl FnOnce(&mut Run)) {
        f(&mut self.store);
    }

    /// After a value: back to "a key comes next", or to "another element" in an array.
    #[inline]
    fn value_done(&mut self) {
        self.pending = match self.current {
            // The document is complete; the parser refuses more values.
            _ if self.ctx_len == 0 => Marker::SKIP,
            Ctx::Metamorphs => element(Ctx::Metamorphs),
            _ => Marker::NONE,
        };
    }

    fn mismatch(&self, field: u8, found: JsonKind) -> DecodeError {
        let expected = kind(field).map_or("a known value", Kind::expected);
        DecodeError::UnexpectedType { field: FieldPath(field), expected, found }
    }

    /// `error.data`'s presence is recorded whatever its type (`null` is absence).
    fn error_data(&mut self, field: u8) {
        self.store.set(field, false);
    }

    // Kept out of line: the per-event hot path (keys, text, numbers) stays small.
    #[inline(never)]
    fn open(&mut self, array: bool) -> Result<(), DecodeError> {
        if self.skip_depth > 0 {
            self.skip_depth += 1;
            return Ok(());
        }
        let field = self.pending;
        let ctx = match (kind(field), array) {
            (Some(Kind::Object(ctx)), false) | (Some(Kind::Array(ctx)), true) => ctx,
            (None, _) => {
                self.skip_depth = 1;
                return Ok(());
            }
            (Some(Kind::ErrorData), _) => {
                self.error_data(field);
                self.skip_depth = 1;
                return Ok(());
            }
            _ => return Err(self.mismatch(field, if array { JsonKind::Array } else { JsonKind::Object })),
        };
        match ctx {
            Ctx::Root => {}
            Ctx::Run | Ctx::Error => {
                self.store.clear();
                self.body = if ctx == Ctx::Run { Body::Run } else { Body::Error };
            }
            _ => self.with_run(|run| {
                if ctx == Ctx::Metamorphs {
                    // A new list of metamorphs: none seen yet.
                    run.metamorph_opened(true);
                    run.unset_all(&mask_of(Ctx::Metamorphs));
                } else if ctx == Ctx::Metamorph {
                    // The last element wins: it starts empty.
                    run.metamorph_opened(false);
                    run.unset_all(&mask_of(Ctx::Metamorph));
                }
                run.set(field, false);
            }),
        }
        // At most MAX_CTX known containers nest, so there is always room.
        if let Some(slot) = self.ctx.get_mut(self.ctx_len as usize) {
            *slot = ctx;
            self.ctx_len += 1;
            self.current = ctx;
        }
        self.pending = if array { element(ctx) } else { Marker::NONE };
        Ok(())
    }

    // Kept out of line: the per-event hot path (keys, text, numbers) stays small.
    #[inline(never)]
    fn close(&mut self) {
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
        } else {
            self.ctx_len = self.ctx_len.saturating_sub(1);
            self.current = match self.ctx_len.checked_sub(1) {
                Some(i) => self.ctx[i as usize],
                None => Ctx::Root,
            };
        }
        if self.skip_depth == 0 {
            self.value_done();
        }
    }

    // Inlined into the parser: keys are the most frequent event, and little more than a lookup.
    #[inline(always)]
    fn key(&mut self, f: Fragment<'_>) {
        if self.skip_depth > 0 {
            return;
        }
        let ctx = self.current;
        if let Some(key) = f.whole() {
            self.pending = lookup(ctx, key);
            return;
        }
        if f.first {
            self.scratch.clear();
        }
        self.scratch.push_truncating(f.text);
        if f.last {
            // A key longer than the scratch is no key the model knows.
            self.pending = self.scratch.complete().map_or(Marker::SKIP, |key| lookup(ctx, key));
        }
    }

    /// The whole of a string that is read when complete (a timestamp, an error type), from
    /// the fragment itself or from the scratch it was gathered in; `None` until the last
    /// fragment. The flag says whether the scratch cut it.
    fn gathered<'s>(&'s mut self, f: Fragment<'s>) -> Option<(&'s str, bool)> {
        if let Some(whole) = f.whole() {
            return Some((whole, false));
        }
        if f.first {
            self.scratch.clear();
        }
        self.scratch.push_truncating(f.text);
        f.last.then(|| (self.scratch.as_str(), self.scratch.is_truncated()))
    }

    #[inline(never)]
    fn string(&mut self, f: Fragment<'_>) -> Result<(), DecodeError> {
        if self.skip_depth > 0 {
            return Ok(());
        }
        let field = self.pending;
        match kind(field) {
            None => {}
            Some(Kind::Text { cap }) => self.with_run(|run| run.push_text(field, cap, f.text, f.first)),
            Some(Kind::Timestamp) => {
                if let Some((text, cut)) = self.gathered(f) {
                    // A timestamp longer than the scratch cannot be one the API writes.
                    let parsed = if cut { None } else { Timestamp::parse(text) };
                    self.with_run(|run| match parsed {
                        Some(t) => run.set_timestamp(field, t),
                        None => run.unset(field, true),
                    });
                }
            }
            Some(Kind::ErrorData) if f.first => self.error_data(field),
            Some(Kind::ErrorData) => {}
            // Reported on the last fragment, where a one-shot parse would report it: a syntax
            // error later in the string must win whatever the chunking.
            Some(_) if f.last => return Err(self.mismatch(field, JsonKind::String)),
            Some(_) => {}
        }
        if f.last {
            self.value_done();
        }
        Ok(())
    }

    #[inline(never)]
    fn number(&mut self, n: Number) -> Result<(), DecodeError> {
        if self.skip_depth > 0 {
            return Ok(());
        }
        let field = self.pending;
        // A number that does not fit its field is flagged on it; the rest of the run stays.
        let value = match kind(field) {
            None => None,
            Some(Kind::U32) => Some(n.to_u64().filter(|&v| v <= u32::MAX as u64)),
            Some(Kind::U64) => Some(n.to_u64()),
            Some(Kind::I32) => {
                Some(n.to_i64().filter(|v| i32::try_from(*v).is_ok()).map(|v| v as i32 as u32 as u64))
            }
            Some(Kind::Decimal) => Some(n.to_decimal().map(|d| d.to_bits())),
            Some(Kind::ErrorData) => {
                self.error_data(field);
                None
            }
            Some(_) => return Err(self.mismatch(field, JsonKind::Number)),
        };
        if let Some(value) = value {
            self.with_run(|run| match value {
                Some(v) => run.set_number(field, v),
                None => run.unset(field, true),
            });
        }
        self.value_done();
        Ok(())
    }

    // Kept out of line: the per-event hot path (keys, text, numbers) stays small.
    #[inline(never)]
    fn boolean(&mut self, b: bool) -> Result<(), DecodeError> {
        if self.skip_depth > 0 {
            return Ok(());
        }
        let field = self.pending;
        match kind(field) {
            None => {}
            Some(Kind::Bool) => self.with_run(|run| run.set(field, b)),
            Some(Kind::ErrorData) => self.error_data(field),
            Some(_) => return Err(self.mismatch(field, JsonKind::Bool)),
        }
        self.value_done();
        Ok(())
    }

    /// `null` means "not set", whatever the field's type; for an object, none of its
    /// members.
    // Kept out of line: the per-event hot path (keys, text, numbers) stays small.
    #[inline(never)]
    fn null(&mut self) -> Result<(), DecodeError> {
        if self.skip_depth > 0 {
            return Ok(());
        }
        let field = self.pending;
        match kind(field) {
            None | Some(Kind::ErrorData) => {}
            Some(Kind::Object(Ctx::Root)) => return Err(self.mismatch(field, JsonKind::Null)),
            // A `null` element of `metamorphs` is no metamorph.
            Some(Kind::Object(Ctx::Metamorph)) => {}
            Some(Kind::Object(Ctx::Run | Ctx::Error)) => {}
            Some(Kind::Object(ctx) | Kind::Array(ctx)) => self.with_run(|run| {
                run.unset(field, false);
                run.unset_all(&mask_of(ctx));
                if ctx == Ctx::Metamorphs {
                    run.metamorph_opened(true);
                    run.unset_all(&mask_of(Ctx::Metamorph));
                }
            }),
            Some(_) => self.with_run(|run| run.unset(field, false)),
        }
        self.value_done();
        Ok(())
    }
}

/// The element field of an array context (its entry with no key).
fn element(array: Ctx) -> u8 {
    (0..FIELDS.len()).find(|&i| FIELDS[i].ctx == array).map_or(Marker::SKIP, |i| i as u8)
}

impl Visitor for Fields {
    type Error = DecodeError;

    // Inlined so that each call site, which knows its event's kind, calls the one handler.
    #[inline(always)]
    fn event(&mut self, event: Event<'_>) -> Result<(), DecodeError> {
        match event {
            Event::ObjectStart => self.open(false),
            Event::ArrayStart => self.open(true),
            Event::ObjectEnd | Event::ArrayEnd => {
                self.close();
                Ok(())
            }
            Event::Key(f) => {
                self.key(f);
                Ok(())
            }
            Event::Str(f) => self.string(f),
            Event::Number(n) => self.number(n),
            Event::Bool(b) => self.boolean(b),
            Event::Null => self.null(),
        }
    }
}

impl From<SyntaxError> for DecodeError {
    fn from(e: SyntaxError) -> Self {
        DecodeError::Json(e)
    }
}
