//! A dataset's items, streamed through the caller's visitor: core's items reader fed from the
//! one I/O buffer, no item ever held.

use apify_core::call::{Cause, Finish, Stage, TransportFailure};
use apify_core::client::{Clock, Error, conclude};
use apify_core::encode::{DatasetId, Endpoint, ItemsOptions, Request, RunId};
use apify_core::http::{ItemsReadError, Pagination, ResponseReader};
use apify_core::items::{ItemVisitor, ItemsError, ItemsReader};
use embedded_hal::delay::DelayNs;
use embedded_nal::TcpClientStack;

use crate::Client;
use crate::io::{self, Receive};

/// Nesting the items may have (the outer array included): deeper is refused, never a crash.
pub const ITEMS_DEPTH: usize = 16;

/// What a dataset items request read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemsReport {
    /// Items handed to the visitor, each to its end.
    pub items: u64,
    /// The `X-Apify-Pagination-*` headers.
    pub pagination: Pagination,
    /// The visitor stopped the stream (its error is the visitor's to keep).
    pub stopped: bool,
}

/// The response's bytes into the reader (head, framing) and the items reader.
struct Items<'r, V: ItemVisitor> {
    reader: &'r mut ResponseReader,
    items: ItemsReader<ITEMS_DEPTH>,
    visitor: &'r mut V,
    refused: Option<ItemsReadError<V::Error>>,
}

impl<V: ItemVisitor> Receive for Items<'_, V> {
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

impl<S: TcpClientStack, C: Clock, D: DelayNs> Client<'_, S, C, D> {
    /// Streams the items of dataset `dataset` (an ID, such as a run's `defaultDatasetId`, or
    /// `username~name`) through `visitor`: each item's JSON events, then its end with its
    /// index and byte range (pick values with [`apify_core::json::Select`] inside the
    /// visitor). One request, within the policy's attempt timeout; not retried (ask again
    /// from `offset` + the items read, see [`apify_core::items::Pager`]).
    pub fn dataset_items<V: ItemVisitor>(
        &mut self,
        dataset: &str,
        options: &ItemsOptions<'_>,
        visitor: &mut V,
    ) -> Result<ItemsReport, Error<S::Error>> {
        self.items(Endpoint::dataset_items(DatasetId::new(dataset)?, options), visitor)
    }

    /// The items of run `run`'s default dataset (see [`dataset_items`](Self::dataset_items)).
    pub fn run_dataset_items<V: ItemVisitor>(
        &mut self,
        run: &str,
        options: &ItemsOptions<'_>,
        visitor: &mut V,
    ) -> Result<ItemsReport, Error<S::Error>> {
        self.items(Endpoint::run_dataset_items(RunId::new(run)?, options), visitor)
    }

    fn items<V: ItemVisitor>(
        &mut self,
        endpoint: Endpoint<'_>,
        visitor: &mut V,
    ) -> Result<ItemsReport, Error<S::Error>> {
        let mut request = Request::new(self.base, endpoint)?;
        if let Some(token) = self.token {
            request = request.with_token(token);
        }
        let now = self.clock.now_ms();
        let mut link = io::Link {
            stack: &mut self.stack,
            clock: &mut self.clock,
            delay: &mut self.delay,
            poll_ms: self.poll_ms,
            deadline: now + self.policy.attempt_timeout_ms as u64,
        };
        let mut items =
            Items { reader: &mut *self.reader, items: ItemsReader::new(), visitor, refused: None };
        let result = link.exchange(self.remote, &request, self.buffer, &mut items);
        let Items { reader, items: mut reader_items, visitor, refused } = items;
        if let Err((failure, source)) = result {
            return Err(Error::Transport { failure, source });
        }
        let malformed =
            Error::Transport { failure: TransportFailure::new(Stage::Read, Cause::Malformed), source: None };
        let success = reader.head().is_some_and(|head| head.is_success());
        if !success {
            // An error status: the API's error, read by the run decoder.
            return match conclude(Finish::ApiError.conclude(reader.finish()), None, None) {
                Err(e) => Err(e),
                Ok(_) => Err(malformed),
            };
        }
        let pagination = reader.head().map(|head| head.pagination).unwrap_or_default();
        match refused {
            Some(ItemsReadError::Items(ItemsError::Visitor(_))) => {
                Ok(ItemsReport { items: reader_items.count(), pagination, stopped: true })
            }
            Some(_) => Err(malformed),
            None => match reader.finish_items(&mut reader_items, visitor) {
                Ok(items) => Ok(ItemsReport { items, pagination, stopped: false }),
                Err(ItemsReadError::Http(_)) => Err(Error::Transport {
                    failure: TransportFailure::new(Stage::Read, Cause::Closed),
                    source: None,
                }),
                Err(_) => Err(malformed),
            },
        }
    }
}
