//! One request and its response over an async connection, every await bounded by the
//! attempt's deadline, and what the connection saw when it failed.

use core::future::Future;
use core::net::SocketAddr;

use apify_core::call::{Cause, Stage, TransportFailure};
use apify_core::client::Clock;
use apify_core::client::Receive;
use apify_core::encode::Request;
use embassy_futures::select::{Either, select};
use embedded_hal_async::delay::DelayNs;
use embedded_io_async::{ErrorKind, Read, Write};
use embedded_nal_async::TcpConnect;

/// How an exchange failed, with the stack's error when it gave one.
pub(crate) type Failed<E> = (TransportFailure, Option<E>);

/// The clock and the delay, and the clock reading after which the exchange gives up.
/// (Public only because the sealed [`Link`] names it.)
#[derive(Debug)]
pub struct Deadline<'l, C, D> {
    pub(crate) clock: &'l mut C,
    pub(crate) delay: &'l mut D,
    pub(crate) at: u64,
}

impl<C: Clock, D: DelayNs> Deadline<'_, C, D> {
    /// `fut`'s output, or `None` when the deadline comes first (`fut` is then dropped, which
    /// for a connection's operation closes nothing by itself: the caller drops the connection).
    pub(crate) async fn within<F: Future>(&mut self, fut: F) -> Option<F::Output> {
        let now = self.clock.now_ms();
        if now >= self.at {
            return None;
        }
        let left = (self.at - now).min(u32::MAX as u64) as u32;
        match select(fut, self.delay.delay_ms(left)).await {
            Either::First(output) => Some(output),
            Either::Second(()) => None,
        }
    }

    fn passed(&mut self) -> bool {
        self.clock.now_ms() >= self.at
    }
}

/// What ended an operation at `stage`: the deadline (`None`) or the stack's error.
pub(crate) fn failed<E: embedded_io_async::Error>(stage: Stage, error: Option<E>) -> Failed<E> {
    let Some(e) = error else { return (TransportFailure::new(stage, Cause::Timeout), None) };
    let cause = match e.kind() {
        ErrorKind::ConnectionRefused => Cause::Refused,
        ErrorKind::ConnectionReset
        | ErrorKind::ConnectionAborted
        | ErrorKind::BrokenPipe
        | ErrorKind::NotConnected
        | ErrorKind::WriteZero => Cause::Closed,
        ErrorKind::TimedOut => Cause::Timeout,
        _ => Cause::Other,
    };
    (TransportFailure::new(stage, cause), Some(e))
}

/// What a connection reported: the stack's error, or (feature `tls`) the TLS session's.
#[derive(Debug)]
#[non_exhaustive]
pub enum NetError<E> {
    /// The network stack's error.
    Tcp(E),
    /// The TLS session's error: why the handshake failed (a certificate that does not verify
    /// or names another host, no TLS 1.3, an alert from the server) or a record did not decrypt.
    #[cfg(feature = "tls")]
    Tls(embedded_tls::TlsError),
}

/// How a client's connections are carried: [`Plain`] TCP, or (feature `tls`)
/// `Tls` over it. Sealed: the crate provides both.
pub trait Link: sealed::Sealed {
    /// Whether an `https://` base URL is served (the token then never travels in clear).
    const SECURE: bool;

    /// Connects to `remote` through `connector` and exchanges `request` for a response fed to
    /// `reader` (the run reader, or a dataset items sink); `host` is the base URL's host (the name a certificate must carry).
    // Sealed: only this crate's futures, awaited by this crate; the arguments are the
    // exchange's, handed on as they are.
    #[allow(async_fn_in_trait, clippy::too_many_arguments)]
    #[doc(hidden)]
    async fn exchange<T: TcpConnect, C: Clock, D: DelayNs, Rx: Receive>(
        &mut self,
        connector: &T,
        remote: SocketAddr,
        host: &str,
        deadline: &mut Deadline<'_, C, D>,
        request: &Request<'_>,
        buffer: &mut [u8],
        reader: &mut Rx,
    ) -> Result<(), Failed<NetError<T::Error>>>;
}

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// Plain TCP: the default. For `http://` base URLs, or `https://` over a stack that carries
/// TLS itself ([`ClientBuilder::stack_provides_tls`](crate::ClientBuilder::stack_provides_tls)).
#[derive(Debug, Clone, Copy, Default)]
pub struct Plain;

impl sealed::Sealed for Plain {}

impl Link for Plain {
    const SECURE: bool = false;

    async fn exchange<T: TcpConnect, C: Clock, D: DelayNs, Rx: Receive>(
        &mut self,
        connector: &T,
        remote: SocketAddr,
        _host: &str,
        deadline: &mut Deadline<'_, C, D>,
        request: &Request<'_>,
        buffer: &mut [u8],
        reader: &mut Rx,
    ) -> Result<(), Failed<NetError<T::Error>>> {
        let mut connection = connect(connector, remote, deadline).await?;
        talk(&mut connection, deadline, request, buffer, reader)
            .await
            .map_err(|(f, e)| (f, e.map(NetError::Tcp)))
    }
}

/// A connection to `remote`, within the deadline. Dropped (closed) on every later path, also
/// when the caller's future is dropped.
pub(crate) async fn connect<'t, T: TcpConnect, C: Clock, D: DelayNs>(
    connector: &'t T,
    remote: SocketAddr,
    deadline: &mut Deadline<'_, C, D>,
) -> Result<T::Connection<'t>, Failed<NetError<T::Error>>> {
    match deadline.within(connector.connect(remote)).await {
        Some(Ok(connection)) => Ok(connection),
        Some(Err(e)) => {
            let (failure, e) = failed(Stage::Connect, Some(e));
            Err((failure, e.map(NetError::Tcp)))
        }
        None => Err((TransportFailure::new(Stage::Connect, Cause::Timeout), None)),
    }
}

/// Sends `request` (head in pieces through `buffer`, then the body) and reads the response
/// into `reader` until it is complete, the reader refuses it, or the peer closes. The reader
/// is reset only when the first response bytes arrive: until then it keeps the last complete
/// response.
pub(crate) async fn talk<S: Read + Write, C: Clock, D: DelayNs>(
    connection: &mut S,
    deadline: &mut Deadline<'_, C, D>,
    request: &Request<'_>,
    buffer: &mut [u8],
    reader: &mut impl Receive,
) -> Result<(), Failed<S::Error>> {
    let mut sent = 0;
    loop {
        let n = request.write_head_at(sent, buffer);
        if n == 0 {
            break;
        }
        send_all(connection, deadline, &buffer[..n], &mut sent).await?;
    }
    send_all(connection, deadline, request.body(), &mut sent).await?;
    let stage = Stage::Write { any_written: true };
    match deadline.within(connection.flush()).await {
        Some(Ok(())) => {}
        Some(Err(e)) => return Err(failed(stage, Some(e))),
        None => return Err(failed(stage, None)),
    }
    let mut started = false;
    loop {
        // Also when data keeps coming: a peer that never stops sending must not keep the
        // exchange going past the deadline.
        if deadline.passed() {
            return Err(failed(Stage::Read, None));
        }
        let received = match deadline.within(connection.read(buffer)).await {
            Some(Ok(n)) => n,
            Some(Err(e)) => return Err(failed(Stage::Read, Some(e))),
            None => return Err(failed(Stage::Read, None)),
        };
        // The peer closed: the reader decides whether the response was whole.
        if received == 0 {
            if !started {
                // Closed without a byte of answer: the reader keeps the last response.
                return Err((TransportFailure::new(Stage::Read, Cause::Closed), None));
            }
            return Ok(());
        }
        if !core::mem::replace(&mut started, true) {
            reader.restart();
        }
        // A response the reader refuses ends the exchange: the reader keeps the error.
        if reader.take(&buffer[..received]) {
            return Ok(());
        }
    }
}

/// Writes all of `bytes`; `sent` counts the request's bytes written so far.
async fn send_all<S: Write, C: Clock, D: DelayNs>(
    connection: &mut S,
    deadline: &mut Deadline<'_, C, D>,
    mut bytes: &[u8],
    sent: &mut usize,
) -> Result<(), Failed<S::Error>> {
    while !bytes.is_empty() {
        let stage = Stage::Write { any_written: *sent > 0 };
        let n = match deadline.within(connection.write(bytes)).await {
            // `Write::write` returns 0 only for an empty buffer; from a connection it means
            // the peer takes nothing more.
            Some(Ok(0)) => return Err((TransportFailure::new(stage, Cause::Closed), None)),
            Some(Ok(n)) => n.min(bytes.len()),
            Some(Err(e)) => return Err(failed(stage, Some(e))),
            None => return Err(failed(stage, None)),
        };
        *sent += n;
        bytes = &bytes[n..];
    }
    Ok(())
}
