//! The fast path for object members as compact JSON writes them.

use super::strings::{plain_run, str_fragment, valid_prefix};
use super::{Container, Event, Number, Parser, State, Visitor};

impl<const DEPTH: usize> Parser<DEPTH> {
    /// Object members as compact JSON writes them (`"key":value,"key":value}`), from the first
    /// byte of a key, with no state stored between tokens. Emits exactly the events of the
    /// general path; at anything else (whitespace, an escape, an array, the chunk's end, an
    /// error) it stores the state for that point and returns it, and the general path goes on.
    ///
    /// `at_value` enters at a member's value (`input[i]` is `"`, `{`, `-` or a digit) rather
    /// than at a key's first byte, so that the fast path resumes right after a key that a
    /// chunk boundary cut.
    pub(super) fn members<'i, V: Visitor>(
        &mut self,
        input: &'i [u8],
        text: &mut Option<&'i str>,
        mut i: usize,
        mut at_value: bool,
        v: &mut V,
    ) -> Result<usize, V::Error> {
        let chunk = *text.get_or_insert_with(|| valid_prefix(input));
        'member: loop {
            if !at_value {
                i = match self.member_key(input, text, chunk, i, v)? {
                    Ok(i) => i,
                    Err(stopped) => return Ok(stopped),
                };
            }
            at_value = false;
            match input.get(i) {
                Some(b'"') => {
                    let start = i + 1;
                    let end = plain_run(input, start);
                    let value = match (input.get(end), chunk.get(start..end)) {
                        (Some(b'"'), Some(value)) => value,
                        // Cut by the chunk's end: held whole if it fits, else the general path.
                        _ if end == input.len() && self.hold_start(chunk.get(start..end), false) => {
                            return Ok(end);
                        }
                        _ => {
                            self.state = State::Str { key: false, first: true };
                            return Ok(start);
                        }
                    };
                    str_fragment(v, false, value, true, true)?;
                    i = end + 1;
                }
                Some(b'-' | b'0'..=b'9') => match Number::read_simple(input, i) {
                    Some((n, end)) => {
                        v.event(Event::Number(n))?;
                        i = end;
                    }
                    // The general path reads it (the chunk's end, an exponent, an error).
                    None => return self.value_start(input, i, v),
                },
                Some(b'{') => {
                    self.push(Container::Object, i)?;
                    v.event(Event::ObjectStart)?;
                    i += 1;
                    if input.get(i) == Some(&b'"') {
                        i += 1;
                        continue 'member;
                    }
                    self.state = State::ObjectFirst;
                    return Ok(i);
                }
                Some(&b) if matches!(b, b't' | b'f' | b'n') && input.len() > i + 5 => {
                    let (literal, event) = match b {
                        b't' => (&b"true"[..], Event::Bool(true)),
                        b'f' => (&b"false"[..], Event::Bool(false)),
                        _ => (&b"null"[..], Event::Null),
                    };
                    if !input[i..].starts_with(literal) {
                        self.state = State::Value;
                        return Ok(i);
                    }
                    v.event(event)?;
                    i += literal.len();
                }
                _ => {
                    self.state = State::Value;
                    return Ok(i);
                }
            }
            // After a member's value: the next key, or the object's end (perhaps several).
            loop {
                let in_object = self.depth > 0 && self.stack[self.depth - 1] == Container::Object;
                match input.get(i) {
                    Some(b',') if in_object && input.get(i + 1) == Some(&b'"') => {
                        i += 2;
                        continue 'member;
                    }
                    Some(b'}') if in_object => {
                        self.depth -= 1;
                        v.event(Event::ObjectEnd)?;
                        i += 1;
                    }
                    _ => {
                        self.state = self.after_value();
                        return Ok(i);
                    }
                }
            }
        }
    }

    /// A member's key and the `:` after it, from the key's first byte. `Ok(Ok(i))` is where its
    /// value starts; `Ok(Err(i))` is where the general path goes on, in the state stored.
    fn member_key<'i, V: Visitor>(
        &mut self,
        input: &'i [u8],
        text: &mut Option<&'i str>,
        chunk: &'i str,
        i: usize,
        v: &mut V,
    ) -> Result<Result<usize, usize>, V::Error> {
        let end = plain_run(input, i);
        let key = match (input.get(end), chunk.get(i..end)) {
            (Some(b'"'), Some(key)) => key,
            // Cut by the chunk's end: held whole if it fits.
            _ if end == input.len() && self.hold_start(chunk.get(i..end), true) => return Ok(Err(end)),
            // The general path reads this key (an escape, the chunk's end, an error).
            _ => return self.string(input, text, i, true, true, v).map(Err),
        };
        str_fragment(v, true, key, true, true)?;
        if input.get(end + 1) != Some(&b':') {
            self.state = State::Colon;
            return Ok(Err(end + 1));
        }
        Ok(Ok(end + 2))
    }
}
