//! Where a `no_std` client's response bytes go: the run reader, or a dataset items stream.

use crate::Status;
use crate::http::ResponseReader;
#[cfg(feature = "items")]
pub use items::{ItemsReport, ItemsSink};

/// What a client's exchange feeds the response's bytes to, as they arrive. (Public only
/// because the adapters' connection traits name it; a user never implements it.)
pub trait Receive {
    /// The first bytes of a new response have arrived: start over (until then the previous
    /// response is kept).
    fn restart(&mut self);

    /// The next bytes; `true` once the response is complete, or refused (stop reading: the
    /// receiver keeps the error).
    fn take(&mut self, bytes: &[u8]) -> bool;
}

impl<const DEPTH: usize> Receive for ResponseReader<DEPTH> {
    fn restart(&mut self) {
        self.reset();
    }

    fn take(&mut self, bytes: &[u8]) -> bool {
        !matches!(self.feed(bytes), Ok(Status::Partial))
    }
}

#[cfg(feature = "items")]
mod items {
    use super::Receive;
    use crate::call::{Attempts, Cause, Decision, Failure, Finish, RetryPolicy, Stage, TransportFailure};
    use crate::client::{Error, conclude};
    use crate::http::{ItemsReadError, Pagination, ResponseReader};
    use crate::items::{ItemVisitor, ItemsError, ItemsReader};

    /// What a dataset items request read.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[non_exhaustive]
    pub struct ItemsReport {
        /// Items handed to the visitor, each to its end.
        pub items: u64,
        /// The `X-Apify-Pagination-*` headers.
        pub pagination: Pagination,
        /// The visitor stopped the stream (its error is the visitor's to keep).
        pub stopped: bool,
    }

    /// A dataset items response on its way: the client's reader (head, framing, an error
    /// status's body), an items reader nesting up to `DEPTH` levels, the caller's visitor.
    #[derive(Debug)]
    pub struct ItemsSink<'r, V: ItemVisitor, const DEPTH: usize> {
        reader: &'r mut ResponseReader,
        items: ItemsReader<DEPTH>,
        visitor: &'r mut V,
        refused: Option<ItemsReadError<V::Error>>,
    }

    impl<'r, V: ItemVisitor, const DEPTH: usize> ItemsSink<'r, V, DEPTH> {
        /// A sink over the client's `reader`, handing items to `visitor`.
        pub fn new(reader: &'r mut ResponseReader, visitor: &'r mut V) -> Self {
            Self { reader, items: ItemsReader::new(), visitor, refused: None }
        }

        /// The client's result, from how its exchange ended (`result`): the report, the API's
        /// error, or what went wrong on the way.
        ///
        /// For a request that starts a run (`starts_run`: run-sync), a failure after the
        /// request may have arrived, or a 5xx, is [`Error::OutcomeUnknown`]: the run may
        /// exist, and the request is not repeated.
        pub fn conclude<E>(
            self,
            result: Result<(), (TransportFailure, Option<E>)>,
            starts_run: bool,
        ) -> Result<ItemsReport, Error<E>> {
            let Self { reader, mut items, visitor, refused } = self;
            // Whether a start's outcome is unknown is the retry table's rule, as for any start.
            let unknown = |failure| {
                let history = Attempts::first(!starts_run);
                RetryPolicy::NONE.decide(failure, &history) == Decision::OutcomeUnknown
            };
            match result {
                Err((failure, _)) if unknown(Failure::Transport(failure)) => {
                    return Err(Error::OutcomeUnknown { status: None, failure: Some(failure) });
                }
                Err((failure, source)) => return Err(Error::Transport { failure, source }),
                Ok(()) => {}
            }
            let failure =
                |cause| Error::Transport { failure: TransportFailure::new(Stage::Read, cause), source: None };
            let Some(head) = reader.head() else {
                return Err(failure(Cause::Malformed));
            };
            let pagination = head.pagination;
            if unknown(Failure::Status { head, error_type: None }) {
                return Err(Error::OutcomeUnknown { status: Some(head.status), failure: None });
            }
            if !head.is_success() {
                // An error status: the API's error, read by the run decoder.
                return match conclude(Finish::ApiError.conclude(reader.finish()), None, None) {
                    Err(e) => Err(e),
                    Ok(_) => Err(failure(Cause::Malformed)),
                };
            }
            match refused {
                Some(ItemsReadError::Items(ItemsError::Visitor(_))) => {
                    Ok(ItemsReport { items: items.count(), pagination, stopped: true })
                }
                Some(_) => Err(failure(Cause::Malformed)),
                None => match reader.finish_items(&mut items, visitor) {
                    Ok(count) => Ok(ItemsReport { items: count, pagination, stopped: false }),
                    // The connection closed before the body's end.
                    Err(ItemsReadError::Http(_)) => Err(failure(Cause::Closed)),
                    Err(_) => Err(failure(Cause::Malformed)),
                },
            }
        }
    }

    impl<V: ItemVisitor, const DEPTH: usize> Receive for ItemsSink<'_, V, DEPTH> {
        fn restart(&mut self) {
            self.reader.reset();
            self.items = ItemsReader::new();
        }

        fn take(&mut self, bytes: &[u8]) -> bool {
            match self.reader.feed_items(bytes, &mut self.items, self.visitor) {
                Ok(status) => status.is_complete(),
                Err(e) => {
                    self.refused = Some(e);
                    true
                }
            }
        }
    }
}
