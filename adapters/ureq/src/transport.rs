//! One request over ureq, its response streamed into core's reader, and what the socket saw
//! when it failed.
//!
//! Core decides what a failure means from how far the exchange got ([`Stage`]): whether the
//! name was resolved, the connection opened, TLS set up, and whether request bytes were
//! written. ureq's errors do not say that (a reset is an `Io` error whether it came while
//! writing or reading), so the agent's resolver and connector chain are wrapped to record each
//! step as it happens, on the calling thread, where ureq runs the whole exchange.

use std::cell::Cell;
use std::io::{ErrorKind, Read};
use std::time::Duration;

use apify_core::call::{Cause, Stage, TransportFailure};
use apify_core::encode::{Method, Request};
use apify_core::http::{ResponseHead, ResponseReader};
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, NextTimeout, RustlsConnector, TcpConnector, Transport,
};

/// An underlying error, kept for the caller's `Error::Transport`.
pub(crate) type Source = Box<dyn std::error::Error + Send + Sync>;

/// A failed exchange: what core needs, and the underlying error for people.
pub(crate) type Failed = (TransportFailure, Source);

/// How far the current exchange on this thread has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reached {
    Nothing,
    Resolved,
    Connected,
    /// TLS set up, or not needed: the connection is ready for the request.
    Ready,
    /// A write of the request failed; `any` bytes had gone out before.
    WriteFailed {
        any: bool,
    },
    /// Request bytes went out.
    Written,
    /// The response was awaited: the request is whole.
    Reading,
}

thread_local! {
    static REACHED: Cell<Reached> = const { Cell::new(Reached::Nothing) };
}

fn reached() -> Reached {
    REACHED.with(Cell::get)
}

fn reach(step: Reached) {
    REACHED.with(|r| r.set(step));
}

/// The agent: ureq's own resolver and connectors (TCP, then rustls for `https`), each step
/// recorded.
pub(crate) fn agent(config: Config) -> ureq::Agent {
    let connector =
        ().chain(TcpConnector::default()).chain(Opened).chain(RustlsConnector::default()).chain(Watch);
    ureq::Agent::with_parts(config, connector, Resolving(DefaultResolver::default()))
}

#[derive(Debug)]
struct Resolving(DefaultResolver);

impl Resolver for Resolving {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = self.0.resolve(uri, config, timeout)?;
        reach(Reached::Resolved);
        Ok(addrs)
    }
}

/// After TCP: the connection is open (TLS, if any, comes next).
#[derive(Debug)]
struct Opened;

impl<In: Transport> Connector<In> for Opened {
    type Out = In;

    fn connect(&self, _: &ConnectionDetails<'_>, chained: Option<In>) -> Result<Option<In>, ureq::Error> {
        if chained.is_some() {
            reach(Reached::Connected);
        }
        Ok(chained)
    }
}

/// Last: the connection is ready for the request; its bytes are watched from here on.
#[derive(Debug)]
struct Watch;

impl<In: Transport> Connector<In> for Watch {
    type Out = Watched<In>;

    fn connect(
        &self,
        _: &ConnectionDetails<'_>,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(inner) = chained else { return Ok(None) };
        reach(Reached::Ready);
        Ok(Some(Watched(inner)))
    }
}

/// A transport that records when request bytes go out and when the response is awaited.
#[derive(Debug)]
struct Watched<T>(T);

impl<T: Transport> Transport for Watched<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.0.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let any = reached() == Reached::Written;
        match self.0.transmit_output(amount, timeout) {
            Ok(()) => {
                reach(Reached::Written);
                Ok(())
            }
            Err(e) => {
                reach(Reached::WriteFailed { any });
                Err(e)
            }
        }
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        if reached() == Reached::Written {
            reach(Reached::Reading);
        }
        self.0.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.0.is_open()
    }

    fn is_tls(&self) -> bool {
        self.0.is_tls()
    }
}

/// Bytes read from the socket per call; the body is decoded as it arrives.
const READ_BUFFER: usize = 4096;

/// A response whose head has arrived: its head, and its body to read.
pub(crate) type HeadAndBody = (ResponseHead, ureq::BodyReader<'static>);

/// How long an exchange may take: one deadline over all of it, or (for a stream of items)
/// one until the head and another for the body.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Deadline {
    Whole(Duration),
    HeadThenBody { head: Duration, body: Duration },
}

/// Sends `request` and waits for the response's head.
pub(crate) fn open(
    agent: &ureq::Agent,
    request: &Request<'_>,
    deadline: Deadline,
) -> Result<HeadAndBody, Failed> {
    reach(Reached::Nothing);
    let mut url = vec![0; request.url_len()];
    // Sized by `url_len`, and the URL is ASCII: neither step can fail.
    let _ = request.write_url(&mut url);
    let url = String::from_utf8_lossy(&url).into_owned();
    let headers: Vec<(&str, String)> = request
        .headers()
        .map(|h| {
            let mut value = String::new();
            // Writing into a String cannot fail.
            let _ = h.value.write_to(&mut value);
            (h.name, value)
        })
        .collect();
    // A macro, not a closure: the builder's type differs for requests with and without a body.
    macro_rules! timed {
        ($config:expr) => {
            match deadline {
                Deadline::Whole(timeout) => $config.timeout_global(Some(timeout)),
                Deadline::HeadThenBody { head, body } => {
                    $config.timeout_recv_response(Some(head)).timeout_recv_body(Some(body))
                }
            }
        };
    }
    let response = match request.method() {
        Method::Get => {
            let mut builder = agent.get(&url);
            for (name, value) in &headers {
                builder = builder.header(*name, value);
            }
            timed!(builder.config()).build().call()
        }
        Method::Post => {
            let mut builder = agent.post(&url);
            for (name, value) in &headers {
                builder = builder.header(*name, value);
            }
            timed!(builder.config()).build().send(request.body())
        }
    };
    let response = response.map_err(|e| (classify(&e), Box::new(e) as Source))?;
    let mut head = ResponseHead::new(response.status().as_u16());
    for (name, value) in response.headers() {
        if let Err(e) = head.apply_header(name.as_str().as_bytes(), value.as_bytes()) {
            return Err((TransportFailure::new(Stage::Read, Cause::Malformed), Box::new(e)));
        }
    }
    Ok((head, response.into_body().into_reader()))
}

/// Reads the next bytes of a body into `buf`; a failure is a read failure for core.
pub(crate) fn read_body(body: &mut impl Read, buf: &mut [u8]) -> Result<usize, Failed> {
    body.read(buf).map_err(|e| {
        let cause = io_cause(e.kind(), Cause::Other);
        (TransportFailure::new(Stage::Read, cause), Box::new(e) as Source)
    })
}

/// Sends `request` with one deadline, `timeout`, over the whole exchange, and streams the
/// response into `reader`. The reader is reset only once a response head has arrived: until
/// then it keeps the last complete response.
pub(crate) fn exchange(
    agent: &ureq::Agent,
    request: &Request<'_>,
    timeout: Duration,
    reader: &mut ResponseReader<64>,
) -> Result<(), Failed> {
    let (head, mut body) = open(agent, request, Deadline::Whole(timeout))?;
    *reader = ResponseReader::with_head(head);
    read_rest(&mut body, reader)
}

/// Feeds the rest of `body` to `reader`, until the body ends or the reader refuses it (the
/// reader then keeps the error for core).
pub(crate) fn read_rest(body: &mut impl Read, reader: &mut ResponseReader<64>) -> Result<(), Failed> {
    let mut buf = [0u8; READ_BUFFER];
    loop {
        let n = read_body(body, &mut buf)?;
        if n == 0 || reader.feed(&buf[..n]).is_err() {
            return Ok(());
        }
    }
}

/// Where the exchange stood when ureq failed, and why.
fn classify(e: &ureq::Error) -> TransportFailure {
    let stage = match reached() {
        // The resolver runs first (a pooled connection goes straight to `Watched`).
        Reached::Nothing => Stage::Resolve,
        Reached::Resolved => Stage::Connect,
        Reached::Connected => Stage::Tls,
        Reached::Ready => Stage::Write { any_written: false },
        Reached::WriteFailed { any } => Stage::Write { any_written: any },
        // Bytes went out and the failure was not a write: whether the request was whole is
        // not known, so the server may have it.
        Reached::Written | Reached::Reading => Stage::Read,
    };
    let cause = match e {
        ureq::Error::HostNotFound => Cause::HostNotFound,
        ureq::Error::Timeout(_) => Cause::Timeout,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => Cause::TlsRejected,
        ureq::Error::Io(io) if stage == Stage::Tls && io.kind() == ErrorKind::InvalidData => {
            Cause::TlsRejected
        }
        ureq::Error::Io(io) => io_cause(io.kind(), Cause::Other),
        ureq::Error::Protocol(_) | ureq::Error::Http(_) => Cause::Other,
        _ => Cause::Other,
    };
    let cause = if stage == Stage::Resolve && cause == Cause::Other { Cause::HostNotFound } else { cause };
    TransportFailure::new(stage, cause)
}

fn io_cause(kind: ErrorKind, otherwise: Cause) -> Cause {
    match kind {
        ErrorKind::ConnectionRefused => Cause::Refused,
        ErrorKind::ConnectionReset
        | ErrorKind::ConnectionAborted
        | ErrorKind::BrokenPipe
        | ErrorKind::UnexpectedEof
        | ErrorKind::NotConnected => Cause::Closed,
        ErrorKind::TimedOut | ErrorKind::WouldBlock => Cause::Timeout,
        _ => otherwise,
    }
}
