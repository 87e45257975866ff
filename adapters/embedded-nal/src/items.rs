//! A dataset's items, streamed through the caller's visitor: core's items reader fed from the
//! one I/O buffer, no item ever held.

use apify_core::client::{Clock, Error, ItemsReport, ItemsSink};
use apify_core::encode::{DatasetId, Endpoint, Input, ItemsOptions, RunId, RunOptions, TaskId};
use apify_core::items::ItemVisitor;
use embedded_hal::delay::DelayNs;
use embedded_nal::TcpClientStack;

use crate::Client;
use crate::io;

/// Nesting the items may have (the outer array included): deeper is refused, never a crash.
pub const ITEMS_DEPTH: usize = 16;

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

    /// Runs `task` and streams its dataset's items in one request
    /// (`run-sync-get-dataset-items`): the API waits up to 300 s for the run, then answers 408
    /// `run-timeout-exceeded` ([`Error::Api`]), the run going
    /// on. It starts a run, so it is sent once: a failure after it may have arrived is
    /// [`Error::OutcomeUnknown`]. The attempt's
    /// deadline is the policy's attempt timeout plus those 300 s.
    pub fn run_task_sync_items<V: ItemVisitor>(
        &mut self,
        task: &str,
        options: RunOptions<'_>,
        input: Option<&[u8]>,
        items: &ItemsOptions<'_>,
        visitor: &mut V,
    ) -> Result<ItemsReport, Error<S::Error>> {
        let input = input.map_or(Ok(Input::EMPTY), Input::from_json)?;
        self.items(Endpoint::run_task_sync_items(TaskId::new(task)?, &options, input, items), visitor)
    }

    fn items<V: ItemVisitor>(
        &mut self,
        endpoint: Endpoint<'_>,
        visitor: &mut V,
    ) -> Result<ItemsReport, Error<S::Error>> {
        let request = apify_core::client::request(self.base, self.token, endpoint)?;
        let now = self.clock.now_ms();
        let mut link = io::Link {
            stack: &mut self.stack,
            clock: &mut self.clock,
            delay: &mut self.delay,
            poll_ms: self.poll_ms,
            deadline: now + self.policy.attempt_timeout_ms as u64 + endpoint.server_wait_ms() as u64,
        };
        let mut sink = ItemsSink::<V, ITEMS_DEPTH>::new(&mut *self.reader, visitor);
        let result = link.exchange(self.remote, &request, self.buffer, &mut sink);
        sink.conclude(result, !endpoint.is_idempotent())
    }
}
