//! A dataset's items, streamed: each item's bytes are cut out of the body as it arrives and
//! handed on alone (to serde_json for [`Items`]), so memory holds one item and one read
//! buffer, whatever the dataset's size.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::ops::Range;

use apify_core::http::{ResponseHead, ResponseReader};
use apify_core::items::{Item, ItemVisitor, ItemsError, ItemsReader};
use apify_core::json::Event;
use serde::de::DeserializeOwned;

use apify_core::encode::{DatasetId, Endpoint, ItemsOptions, RunId};

use crate::transport::{self, Source};
use crate::{Client, Error};

/// Bytes read from the body per call.
const READ_BUFFER: usize = 16 << 10;

/// The items of a dataset, each as its own JSON bytes, in order (see
/// [`Client::dataset_items_raw`](crate::Client::dataset_items_raw)). A dataset's or a run's
/// items whose body is cut midway are asked for again from the first missing item (as the
/// retry policy allows: its attempts without progress), so none is skipped or repeated;
/// otherwise a failure mid-stream is the last thing yielded.
pub struct RawItems<'c> {
    head: ResponseHead,
    body: ureq::BodyReader<'static>,
    reader: Box<ItemsReader<64>>,
    /// Body bytes from offset `base` on: the items not yet handed out.
    buf: Vec<u8>,
    base: u64,
    ended: VecDeque<Range<u64>>,
    done: bool,
    resume: Option<Resume<'c>>,
}

/// How to ask again for the rest of a cut stream.
pub(crate) struct Resume<'c> {
    pub(crate) client: &'c Client,
    pub(crate) source: Stream<'c>,
    pub(crate) options: ItemsOptions<'c>,
    /// Items the earlier responses of this stream held.
    pub(crate) before: u64,
    /// Cuts in a row without a new item.
    pub(crate) stalls: u8,
}

/// What a resumable stream reads: a dataset, or a run's dataset.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream<'c> {
    Dataset(DatasetId<'c>),
    Run(RunId<'c>),
}

impl<'c> Stream<'c> {
    pub(crate) fn endpoint(self, options: &'c ItemsOptions<'c>) -> Endpoint<'c> {
        match self {
            Stream::Dataset(dataset) => Endpoint::dataset_items(dataset, options),
            Stream::Run(run) => Endpoint::run_dataset_items(run, options),
        }
    }
}

impl std::fmt::Debug for RawItems<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawItems")
            .field("status", &self.head.status)
            .field("read", &self.reader.count())
            .finish()
    }
}

/// Collects the ranges of the items that ended in a chunk.
struct Ends<'a>(&'a mut VecDeque<Range<u64>>);

impl ItemVisitor for Ends<'_> {
    type Error = std::convert::Infallible;

    fn event(&mut self, _: Event<'_>) -> Result<(), Self::Error> {
        Ok(())
    }

    fn item_end(&mut self, item: Item) -> Result<(), Self::Error> {
        self.0.push_back(item.start..item.end);
        Ok(())
    }
}

impl<'c> RawItems<'c> {
    pub(crate) fn new(head: ResponseHead, body: ureq::BodyReader<'static>) -> Self {
        let reader = Box::new(ItemsReader::new());
        Self {
            head,
            body,
            reader,
            buf: Vec::new(),
            base: 0,
            ended: VecDeque::new(),
            done: false,
            resume: None,
        }
    }

    /// Makes a cut stream ask again for its rest (see the type's docs).
    pub(crate) fn resumable(mut self, resume: Resume<'c>) -> Self {
        self.resume = Some(resume);
        self
    }

    /// After a cut: the same request for the items not yet read, if the stream can resume.
    fn resume(&mut self, cut: Error) -> Result<(), Error> {
        let Some(mut resume) = self.resume.take() else { return Err(cut) };
        let read = self.reader.count();
        resume.stalls = if read == 0 { resume.stalls + 1 } else { 0 };
        if resume.stalls >= resume.client.policy().max_attempts {
            return Err(cut);
        }
        resume.before += read;
        let (offset, limit) = resume.options.window();
        let mut options = resume.options.offset(offset.unwrap_or(0) + resume.before);
        if let Some(limit) = limit {
            if limit <= resume.before {
                self.done = true;
                return Ok(());
            }
            options = options.limit(limit - resume.before);
        }
        let fresh = resume.client.open_items(resume.source.endpoint(&options), None)?;
        *self = fresh;
        self.resume = Some(resume);
        Ok(())
    }

    /// Reads until the body's first byte that is not whitespace, so that a body that is not
    /// items (a run, an error) is an error of the request, not of its first item.
    pub(crate) fn start(mut self) -> Result<Self, Error> {
        let mut chunk = vec![0u8; READ_BUFFER];
        while self.buf.iter().all(u8::is_ascii_whitespace) {
            let n = transport::read_body(&mut self.body, &mut chunk).map_err(transport_error)?;
            if n == 0 {
                break;
            }
            self.buf.extend_from_slice(&chunk[..n]);
            self.reader.feed(&chunk[..n], &mut Ends(&mut self.ended)).map_err(|e| self.refused(e))?;
        }
        Ok(self)
    }

    /// The response's head: status and `X-Apify-Pagination-*` ([`ResponseHead::pagination`]).
    pub fn head(&self) -> &ResponseHead {
        &self.head
    }

    /// Reads until an item has ended, or the body has (a cut body is resumed where it can be).
    fn fill(&mut self) -> Result<(), Error> {
        let mut chunk = vec![0u8; READ_BUFFER];
        while self.ended.is_empty() && !self.done {
            let n = match transport::read_body(&mut self.body, &mut chunk) {
                Ok(n) => n,
                Err(failed) => {
                    self.resume(transport_error(failed))?;
                    continue;
                }
            };
            if n == 0 {
                match self.reader.finish(&mut Ends(&mut self.ended)) {
                    Ok(_) => return Ok(()),
                    // The body ended before its array did: cut, as by a reset.
                    Err(ItemsError::Json(e)) if self.resume.is_some() => {
                        self.resume(Error::Transport {
                            failure: apify_core::call::TransportFailure::new(
                                apify_core::call::Stage::Read,
                                apify_core::call::Cause::Closed,
                            ),
                            source: Some(e.to_string().into()),
                        })?;
                        continue;
                    }
                    Err(e) => return Err(self.refused(e)),
                }
            }
            self.buf.extend_from_slice(&chunk[..n]);
            self.reader.feed(&chunk[..n], &mut Ends(&mut self.ended)).map_err(|e| self.refused(e))?;
        }
        Ok(())
    }

    /// What a body that is not items is: a run or the API's error (read from its start, still
    /// in `buf`, and its rest), or malformed JSON.
    fn refused(&mut self, error: ItemsError<std::convert::Infallible>) -> Error {
        let ItemsError::NotAnArray = error else {
            let failure = apify_core::call::TransportFailure::new(
                apify_core::call::Stage::Read,
                apify_core::call::Cause::Malformed,
            );
            return Error::Transport { failure, source: Some(error.to_string().into()) };
        };
        let mut reader = ResponseReader::<64>::with_head(self.head.clone());
        if reader.feed(&self.buf).is_ok() {
            if let Err(failed) = transport::read_rest(&mut self.body, &mut reader) {
                return transport_error(failed);
            }
        }
        crate::not_items(self.head.status, reader.finish())
    }
}

fn transport_error((failure, source): (apify_core::call::TransportFailure, Source)) -> Error {
    Error::Transport { failure, source: Some(source) }
}

impl Iterator for RawItems<'_> {
    type Item = Result<Vec<u8>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended.is_empty() && !self.done {
            if let Err(e) = self.fill() {
                self.done = true;
                return Some(Err(e));
            }
        }
        let Some(range) = self.ended.pop_front() else {
            self.done = true;
            return None;
        };
        let (start, end) = ((range.start - self.base) as usize, (range.end - self.base) as usize);
        let item = self.buf[start..end].to_vec();
        // What is before the next item is no longer needed; compact once it is most of the
        // buffer, so that many small items do not each move the rest.
        if end * 2 >= self.buf.len() || self.ended.is_empty() {
            self.buf.drain(..end);
            self.base += end as u64;
        }
        Some(Ok(item))
    }
}

/// The items of a dataset as `T`, each deserialized alone with serde_json (see
/// [`Client::dataset_items`](crate::Client::dataset_items)).
pub struct Items<'c, T> {
    raw: RawItems<'c>,
    item: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Items<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Items").field(&self.raw).finish()
    }
}

impl<'c, T> Items<'c, T> {
    pub(crate) fn new(raw: RawItems<'c>) -> Self {
        Self { raw, item: PhantomData }
    }

    /// The response's head: status and `X-Apify-Pagination-*`.
    pub fn head(&self) -> &ResponseHead {
        self.raw.head()
    }
}

impl<T: DeserializeOwned> Iterator for Items<'_, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = match self.raw.next()? {
            Ok(bytes) => bytes,
            Err(e) => return Some(Err(e)),
        };
        Some(serde_json::from_slice(&bytes).map_err(|e| Error::ItemType { message: e.to_string() }))
    }
}
