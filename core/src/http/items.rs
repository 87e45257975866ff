//! Dataset items over HTTP: the head and the framing as for a run, a successful body to an
//! [`ItemsReader`], an error status's body to the run decoder (for the API's error).

use core::fmt;

use super::{ReadError, ResponseReader, Stage};
use crate::Status;
use crate::items::{ItemVisitor, ItemsError, ItemsReader};

/// Why a dataset items response could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ItemsReadError<E> {
    /// The HTTP head or framing.
    Http(ReadError),
    /// The items (or the visitor).
    Items(ItemsError<E>),
}

impl<E: fmt::Display> fmt::Display for ItemsReadError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http(e) => e.fmt(f),
            Self::Items(e) => e.fmt(f),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for ItemsReadError<E> {}

impl<const DEPTH: usize> ResponseReader<DEPTH> {
    /// Reads the next bytes of a dataset items response (see [`items`](crate::items)): the
    /// head and the framing as [`feed`](Self::feed) reads them; a successful status's body
    /// goes to `items` and `visitor` as it arrives, an error status's to this reader's own
    /// decoder, so that [`finish`](Self::finish) shows the API's error. Errors are final.
    ///
    /// ```
    /// use apify_core::http::ResponseReader;
    /// use apify_core::items::{Item, ItemVisitor, ItemsReader};
    /// use apify_core::json::Event;
    ///
    /// struct Count(u64);
    /// impl ItemVisitor for Count {
    ///     type Error = core::convert::Infallible;
    ///     fn event(&mut self, _: Event<'_>) -> Result<(), Self::Error> { Ok(()) }
    ///     fn item_end(&mut self, _: Item) -> Result<(), Self::Error> { self.0 += 1; Ok(()) }
    /// }
    ///
    /// let response = b"HTTP/1.1 200 OK\r\nX-Apify-Pagination-Total: 2\r\nTransfer-Encoding: chunked\r\n\r\n\
    ///                  5\r\n[1, {\r\n7\r\n\"a\":2}]\r\n0\r\n\r\n";
    /// let (mut reader, mut items, mut count) = (ResponseReader::<8>::new(), ItemsReader::<8>::new(), Count(0));
    /// for chunk in response.chunks(7) {
    ///     reader.feed_items(chunk, &mut items, &mut count).unwrap();
    /// }
    /// assert_eq!(reader.finish_items(&mut items, &mut count).unwrap(), 2);
    /// assert_eq!(count.0, 2);
    /// assert_eq!(reader.head().unwrap().pagination.total, Some(2));
    /// ```
    pub fn feed_items<const D: usize, V: ItemVisitor>(
        &mut self,
        mut input: &[u8],
        items: &mut ItemsReader<D>,
        visitor: &mut V,
    ) -> Result<Status, ItemsReadError<V::Error>> {
        self.started |= !input.is_empty();
        while !input.is_empty() {
            match self.stage {
                Stage::Head => match self.head.feed(input, &self.limits()) {
                    Ok((used, complete)) => {
                        input = &input[used..];
                        if complete {
                            self.start_body();
                        }
                    }
                    Err(e) => return Err(ItemsReadError::Http(self.fail(e))),
                },
                // An error status: its body is the API's error, read as ever.
                Stage::Body if !self.head.head.is_success() => {
                    return self.feed(input).map_err(ItemsReadError::Http);
                }
                Stage::Body => {
                    let limits = self.limits();
                    let mut refused = None;
                    let Self { framing, received, .. } = self;
                    let used = framing.feed(input, &limits, |bytes| {
                        *received += bytes.len() as u64;
                        items.feed(bytes, visitor).map(|_| ()).map_err(|e| {
                            refused = Some(e);
                            ReadError::Failed
                        })
                    });
                    match (used, refused) {
                        (Ok(used), _) => input = &input[used..],
                        // The items reader keeps its error (and refuses more); the head
                        // stays readable, for its status and pagination.
                        (Err(_), Some(e)) => return Err(ItemsReadError::Items(e)),
                        (Err(e), None) => return Err(ItemsReadError::Http(self.fail(e))),
                    }
                    if self.framing.is_done() {
                        self.stage = Stage::Done;
                    }
                }
                Stage::Done | Stage::Finished => {
                    return Err(ItemsReadError::Http(self.fail(ReadError::TrailingData)));
                }
                Stage::Failed => return Err(ItemsReadError::Http(self.error)),
            }
        }
        Ok(if self.stage == Stage::Done { Status::Complete } else { Status::Partial })
    }

    /// The connection has closed: checks that the response and its array were whole, and
    /// returns how many items it held. (After an error status, use [`finish`](Self::finish).)
    pub fn finish_items<const D: usize, V: ItemVisitor>(
        &mut self,
        items: &mut ItemsReader<D>,
        visitor: &mut V,
    ) -> Result<u64, ItemsReadError<V::Error>> {
        self.check_ended().map_err(ItemsReadError::Http)?;
        self.stage = Stage::Done;
        items.finish(visitor).map_err(ItemsReadError::Items)
    }
}
