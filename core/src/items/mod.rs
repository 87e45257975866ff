//! A dataset's items, streamed one by one from the bare JSON array the API sends
//! (`GET /v2/datasets/{id}/items`, a run's dataset, `run-sync-get-dataset-items`).
//!
//! [`ItemsReader::feed`] takes the body in chunks of any size and hands an [`ItemVisitor`]
//! each item's JSON events (as a document of its own: the outer array is not shown) and, when
//! an item ends, its index and its byte range in the body ([`Item`]). No item is ever held:
//! memory is the JSON parser's fixed state and a few counters, whatever the item count, item
//! size or nesting (up to `DEPTH` levels, the array included). The same bytes give the same
//! calls for any chunking, except that a string may come in more fragments.
//!
//! A body that is not an array (a run-sync answer that carries a run or an error object, for
//! example) is refused at its first byte with [`ItemsError::NotAnArray`]: nothing is misread
//! as items.
//!
//! ```
//! use apify_core::items::{Item, ItemVisitor, ItemsReader};
//! use apify_core::json::Event;
//!
//! /// Collects each item's byte range.
//! #[derive(Default)]
//! struct Ranges(Vec<(u64, u64)>);
//! impl ItemVisitor for Ranges {
//!     type Error = core::convert::Infallible;
//!     fn event(&mut self, _: Event<'_>) -> Result<(), Self::Error> {
//!         Ok(())
//!     }
//!     fn item_end(&mut self, item: Item) -> Result<(), Self::Error> {
//!         self.0.push((item.start, item.end));
//!         Ok(())
//!     }
//! }
//!
//! let body = br#"[{"title": "a,b"}, 42, ["]"]]"#;
//! let mut reader = ItemsReader::<8>::new();
//! let mut ranges = Ranges::default();
//! for chunk in body.chunks(3) {
//!     reader.feed(chunk, &mut ranges)?;
//! }
//! assert_eq!(reader.finish(&mut ranges)?, 3);
//! assert_eq!(ranges.0, [(1, 17), (19, 21), (23, 28)]);
//! # Ok::<(), apify_core::items::ItemsError<core::convert::Infallible>>(())
//! ```

mod pager;

pub use pager::Pager;

use core::fmt;

use crate::Status;
use crate::json::{Event, Parser, SyntaxError, Visitor};

/// One item of the stream, when it has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// Its position in the array, from 0.
    pub index: u64,
    /// The offset in the body of its first byte.
    pub start: u64,
    /// The offset in the body just past its last byte.
    pub end: u64,
}

/// Receives the items of a stream (see the module docs).
pub trait ItemVisitor {
    /// What a visitor may stop the stream with.
    type Error;

    /// One event of the current item, as if the item were a document of its own. A string may
    /// come in several fragments; refuse it on its last one for a result that does not depend
    /// on the chunking (see [`json::Visitor`](crate::json::Visitor)).
    fn event(&mut self, event: Event<'_>) -> Result<(), Self::Error>;

    /// The current item ended: every event of it has been seen.
    fn item_end(&mut self, item: Item) -> Result<(), Self::Error>;
}

/// Why an items stream stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ItemsError<E> {
    /// The body is not a JSON array (a run-sync answer with a run or an error object in it,
    /// for example): read it as a run or an error instead.
    NotAnArray,
    /// The body is not JSON, or was cut.
    Json(SyntaxError),
    /// The visitor stopped the stream.
    Visitor(E),
}

impl<E> From<SyntaxError> for ItemsError<E> {
    fn from(error: SyntaxError) -> Self {
        Self::Json(error)
    }
}

impl<E: fmt::Display> fmt::Display for ItemsError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnArray => f.write_str("the body is not a JSON array of items"),
            Self::Json(error) => write!(f, "the items are not valid JSON: {error}"),
            Self::Visitor(error) => write!(f, "stopped at an item: {error}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for ItemsError<E> {}

/// Where the byte scanner stands: it finds the items' boundaries (a `,` or the closing `]` of
/// the outer array) and their first and last bytes, so that the parser can be fed up to each
/// boundary and the item's end reported with its range. The parser validates everything; the
/// scanner only needs to know strings (a `,` or `]` inside one is text) and depth.
#[derive(Debug, Clone, Copy)]
struct Scanner {
    /// Open arrays and objects, the outer array included.
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// An item has begun and not ended.
    open: bool,
    start: u64,
    /// Just past the item's last byte that was not whitespace.
    last: u64,
}

/// Forwards the parser's events inside the outer array to the caller's visitor.
struct Inner<'v, V> {
    visitor: &'v mut V,
    /// Open containers as the events show them (1: inside the outer array).
    depth: u32,
}

impl<V: ItemVisitor> Visitor for Inner<'_, V> {
    type Error = ItemsError<V::Error>;

    fn event(&mut self, event: Event<'_>) -> Result<(), Self::Error> {
        match (self.depth, event) {
            (0, Event::ArrayStart) => {
                self.depth = 1;
                return Ok(());
            }
            // A top-level string is refused on its last fragment, as a visitor should (see
            // `json::Visitor`): whatever the chunking, a fault later in it then comes first.
            (0, Event::Str(fragment)) if !fragment.last => return Ok(()),
            (0, _) => return Err(ItemsError::NotAnArray),
            (1, Event::ArrayEnd) => {
                self.depth = 0;
                return Ok(());
            }
            (_, Event::ArrayStart | Event::ObjectStart) => self.depth += 1,
            (_, Event::ArrayEnd | Event::ObjectEnd) => self.depth -= 1,
            _ => {}
        }
        self.visitor.event(event).map_err(ItemsError::Visitor)
    }
}

/// Reads a stream of items (see the module docs). `DEPTH` bounds the nesting, the outer
/// array included.
#[derive(Debug, Clone)]
pub struct ItemsReader<const DEPTH: usize = { crate::json::DEFAULT_DEPTH }> {
    parser: Parser<DEPTH>,
    scanner: Scanner,
    /// The visitor's depth, kept between chunks.
    depth: u32,
    /// Items ended so far.
    count: u64,
    /// Body bytes seen so far.
    offset: u64,
}

impl<const DEPTH: usize> Default for ItemsReader<DEPTH> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const DEPTH: usize> ItemsReader<DEPTH> {
    /// A reader at the start of a body.
    pub const fn new() -> Self {
        Self {
            parser: Parser::new(),
            scanner: Scanner { depth: 0, in_string: false, escaped: false, open: false, start: 0, last: 0 },
            depth: 0,
            count: 0,
            offset: 0,
        }
    }

    /// Items ended so far.
    pub const fn count(&self) -> u64 {
        self.count
    }

    /// Reads the next chunk of the body; the whole chunk is always consumed. Returns
    /// [`Status::Complete`] once the array has closed. Errors are final.
    pub fn feed<V: ItemVisitor>(
        &mut self,
        input: &[u8],
        visitor: &mut V,
    ) -> Result<Status, ItemsError<V::Error>> {
        let mut from = 0;
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            let at = self.offset + i as u64;
            i += 1;
            let s = &mut self.scanner;
            if s.in_string {
                if s.escaped {
                    s.escaped = false;
                } else if b == b'\\' {
                    s.escaped = true;
                } else if b == b'"' {
                    s.in_string = false;
                    s.last = at + 1;
                }
                continue;
            }
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => continue,
                // The end of an item: a `,` or the `]` of the outer array.
                b',' | b']' if s.depth == 1 => {
                    if b == b']' {
                        s.depth = 0;
                    }
                    // Everything up to here goes to the parser first: the item's last event
                    // (a number ends at its delimiter) comes before its end, and nothing is
                    // reported of bytes the parser refused.
                    self.parse(&input[from..i], visitor)?;
                    from = i;
                    if core::mem::take(&mut self.scanner.open) {
                        let item =
                            Item { index: self.count, start: self.scanner.start, end: self.scanner.last };
                        self.count += 1;
                        visitor.item_end(item).map_err(ItemsError::Visitor)?;
                    }
                    continue;
                }
                b'[' | b'{' => s.depth += 1,
                b']' | b'}' => s.depth = s.depth.saturating_sub(1),
                b'"' => s.in_string = true,
                _ => {}
            }
            // Any other byte inside the outer array is an item's (its opening `[` is not).
            if s.depth >= 1 && !(s.depth == 1 && b == b'[') {
                if !s.open {
                    s.open = true;
                    s.start = at;
                }
                s.last = at + 1;
            }
        }
        let status = self.parse(&input[from..], visitor)?;
        self.offset += input.len() as u64;
        Ok(status)
    }

    fn parse<V: ItemVisitor>(
        &mut self,
        input: &[u8],
        visitor: &mut V,
    ) -> Result<Status, ItemsError<V::Error>> {
        let mut inner = Inner { visitor, depth: self.depth };
        let status = self.parser.feed(input, &mut inner);
        self.depth = inner.depth;
        status
    }

    /// Ends the body: checks that the array was whole, and returns how many items it held.
    pub fn finish<V: ItemVisitor>(&mut self, visitor: &mut V) -> Result<u64, ItemsError<V::Error>> {
        let mut inner = Inner { visitor, depth: self.depth };
        self.parser.finish(&mut inner)?;
        Ok(self.count)
    }
}

#[cfg(test)]
mod tests;
