//! Writing the model back out as JSON, with the API's field names and exact numbers.

use core::fmt::{self, Display, Write};

use super::fields::FIELDS;
use super::table::{COUNT, Ctx, Kind};
use super::{ApiError, Run};
use crate::Decimal;

/// Writes `value` as a JSON string.
fn string(out: &mut impl Write, value: &dyn Display) -> fmt::Result {
    struct Escape<'w, W>(&'w mut W);
    impl<W: Write> Write for Escape<'_, W> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let mut plain = 0;
            for (i, c) in s.char_indices() {
                let escaped = match c {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    c if (c as u32) < 0x20 => "",
                    _ => continue,
                };
                self.0.write_str(&s[plain..i])?;
                if escaped.is_empty() {
                    write!(self.0, "\\u{:04x}", c as u32)?;
                } else {
                    self.0.write_str(escaped)?;
                }
                plain = i + c.len_utf8();
            }
            self.0.write_str(&s[plain..])
        }
    }
    out.write_char('"')?;
    write!(Escape(out), "{value}")?;
    out.write_char('"')
}

/// An object being written: members are separated by commas, absent values left out.
struct Object<'w, W> {
    out: &'w mut W,
    empty: bool,
}

impl<'w, W: Write> Object<'w, W> {
    fn open(out: &'w mut W) -> Result<Self, fmt::Error> {
        out.write_char('{')?;
        Ok(Self { out, empty: true })
    }

    fn key(&mut self, key: &str) -> fmt::Result {
        if !core::mem::take(&mut self.empty) {
            self.out.write_char(',')?;
        }
        string(self.out, &key)?;
        self.out.write_char(':')
    }

    /// A string member; a truncated [`Text`] ends in `…` (its `Display`).
    fn str(&mut self, key: &str, value: Option<&dyn Display>) -> fmt::Result {
        match value {
            Some(v) => {
                self.key(key)?;
                string(self.out, v)
            }
            None => Ok(()),
        }
    }

    /// A number or boolean member, written as its `Display` (exact for `Decimal`).
    fn raw(&mut self, key: &str, value: Option<&dyn Display>) -> fmt::Result {
        match value {
            Some(v) => {
                self.key(key)?;
                write!(self.out, "{v}")
            }
            None => Ok(()),
        }
    }

    fn object(&mut self, key: &str, body: impl FnOnce(&mut Object<'_, W>) -> fmt::Result) -> fmt::Result {
        self.key(key)?;
        let mut inner = Object::open(self.out)?;
        body(&mut inner)?;
        inner.close()
    }

    fn close(self) -> fmt::Result {
        self.out.write_char('}')
    }
}

fn shown<T: Display>(v: &Option<T>) -> Option<&dyn Display> {
    v.as_ref().map(|v| v as &dyn Display)
}

impl Run {
    /// Writes the run as `{"data": {...}}` with the API's field names, in the list's order,
    /// fields that are absent left out, numbers exact. A truncated text ends in `…`. Only the
    /// last metamorph is kept, so `metamorphs` holds at most one entry.
    ///
    /// ```
    /// use apify_core::decode::{Decoded, ResponseDecoder};
    ///
    /// let mut decoder = ResponseDecoder::<16>::new();
    /// decoder.feed(br#"{"data":{"status":"RUNNING","extra":[1],"exitCode":null,"stats":{"computeUnits":0.5}}}"#)?;
    /// let Decoded::Run(run) = decoder.finish()? else { panic!() };
    /// let mut out = String::new();
    /// run.write_json(&mut out).unwrap();
    /// assert_eq!(out, r#"{"data":{"status":"RUNNING","stats":{"computeUnits":0.5}}}"#);
    /// # Ok::<(), apify_core::decode::DecodeError>(())
    /// ```
    pub fn write_json(&self, out: &mut impl Write) -> fmt::Result {
        out.write_str("{\"data\":")?;
        let mut o = Object::open(out)?;
        self.members(&mut o, Ctx::Run, true)?;
        o.close()?;
        out.write_char('}')
    }

    /// The members of `ctx` present in this run; with `nested`, its objects and arrays too
    /// (the list nests two deep: the run, then its objects).
    fn members<W: Write>(&self, o: &mut Object<'_, W>, ctx: Ctx, nested: bool) -> fmt::Result {
        for i in 0..COUNT as u8 {
            let field = &FIELDS[i as usize];
            if field.ctx != ctx {
                continue;
            }
            match field.kind {
                Kind::Object(inner) if nested && self.is_present(i) => {
                    o.object(field.key, |o| self.members(o, inner, false))?;
                }
                Kind::Array(inner) if nested && self.is_present(i) => {
                    o.key(field.key)?;
                    o.out.write_char('[')?;
                    if let Some(element) = element_of(inner).filter(|&e| self.is_present(e)) {
                        let mut item = Object::open(o.out)?;
                        if let Kind::Object(of) = FIELDS[element as usize].kind {
                            self.members(&mut item, of, false)?;
                        }
                        item.close()?;
                    }
                    o.out.write_char(']')?;
                }
                Kind::Text { .. } => o.str(field.key, self.text(i).as_ref().map(|t| t as &dyn Display))?,
                Kind::Timestamp => o.str(field.key, shown(&self.timestamp(i)))?,
                Kind::Decimal => o.raw(field.key, shown(&self.number(i).map(Decimal::from_bits)))?,
                Kind::I32 => o.raw(field.key, shown(&self.number(i).map(|n| n as i32)))?,
                Kind::U32 | Kind::U64 => o.raw(field.key, shown(&self.number(i)))?,
                Kind::Bool => o.raw(field.key, shown(&self.boolean(i)))?,
                _ => {}
            }
        }
        Ok(())
    }
}

/// The element field of an array context.
fn element_of(array: Ctx) -> Option<u8> {
    (0..COUNT as u8).find(|&i| FIELDS[i as usize].ctx == array)
}

impl ApiError<'_> {
    /// Writes the error as `{"error": {"type", "message"}}`, plus `"hasData": true` when
    /// the body carried `error.data` (whose contents are not kept).
    pub fn write_json(&self, out: &mut impl Write) -> fmt::Result {
        out.write_str("{\"error\":")?;
        let mut o = Object::open(out)?;
        o.str("type", shown(&self.error_type()))?;
        o.str("message", shown(&self.message()))?;
        if self.has_data() {
            o.raw("hasData", Some(&true))?;
        }
        o.close()?;
        out.write_char('}')
    }
}
