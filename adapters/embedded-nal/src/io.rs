//! One request and its response over a non-blocking socket, every wait bounded.

use core::net::SocketAddr;

use apify_core::Status;
use apify_core::call::TransportFailure;
use apify_core::encode::Request;
use apify_core::http::ResponseReader;
use embedded_nal::{TcpClientStack, TcpError, TcpErrorKind, nb};

use crate::{Clock, Delay};

/// How an exchange failed, with the stack's error when it gave one.
pub(crate) type Failed<E> = (TransportFailure, Option<E>);

/// Retries a non-blocking operation until it completes, fails, or `deadline` passes.
fn block<T, E>(
    clock: &mut impl Clock,
    delay: &mut impl Delay,
    poll_ms: u32,
    deadline: u64,
    mut op: impl FnMut() -> nb::Result<T, E>,
) -> Result<T, Option<E>> {
    loop {
        match op() {
            Ok(v) => return Ok(v),
            Err(nb::Error::Other(e)) => return Err(Some(e)),
            Err(nb::Error::WouldBlock) => {
                if clock.now_ms() >= deadline {
                    return Err(None);
                }
                delay.delay_ms(poll_ms);
            }
        }
    }
}

/// Connects, sends `request` (head in pieces through `buffer`, then the body), and reads the
/// response into `reader` (reset first) until it is complete or the peer closes. The socket
/// is closed on every path.
#[allow(clippy::too_many_arguments)]
pub(crate) fn exchange<S: TcpClientStack>(
    stack: &mut S,
    clock: &mut impl Clock,
    delay: &mut impl Delay,
    poll_ms: u32,
    remote: SocketAddr,
    request: &Request<'_>,
    buffer: &mut [u8],
    reader: &mut ResponseReader,
    deadline: u64,
) -> Result<(), Failed<S::Error>> {
    reader.reset();
    let mut socket = stack.socket().map_err(|e| (TransportFailure::Connect, Some(e)))?;
    let result = talk(stack, &mut socket, clock, delay, poll_ms, remote, request, buffer, reader, deadline);
    // Close whatever happened; a failing close cannot change the outcome.
    let _ = stack.close(socket);
    result
}

#[allow(clippy::too_many_arguments)]
fn talk<S: TcpClientStack>(
    stack: &mut S,
    socket: &mut S::TcpSocket,
    clock: &mut impl Clock,
    delay: &mut impl Delay,
    poll_ms: u32,
    remote: SocketAddr,
    request: &Request<'_>,
    buffer: &mut [u8],
    reader: &mut ResponseReader,
    deadline: u64,
) -> Result<(), Failed<S::Error>> {
    block(clock, delay, poll_ms, deadline, || stack.connect(socket, remote))
        .map_err(|e| (TransportFailure::Connect, e))?;
    let send_failed = |e| (TransportFailure::Send, e);
    let mut sent = 0;
    loop {
        let n = request.write_head_at(sent, buffer);
        if n == 0 {
            break;
        }
        send_all(stack, socket, clock, delay, poll_ms, deadline, &buffer[..n]).map_err(send_failed)?;
        sent += n;
    }
    send_all(stack, socket, clock, delay, poll_ms, deadline, request.body()).map_err(send_failed)?;
    let after_send = |e| (TransportFailure::AfterSend, e);
    loop {
        let received = match block(clock, delay, poll_ms, deadline, || stack.receive(socket, buffer)) {
            Ok(n) => n,
            // A peer that closed: the reader decides whether the response was whole.
            Err(Some(e)) if e.kind() == TcpErrorKind::PipeClosed => 0,
            Err(e) => return Err(after_send(e)),
        };
        if received == 0 {
            return Ok(());
        }
        match reader.feed(&buffer[..received]) {
            Ok(Status::Complete) => return Ok(()),
            Ok(Status::Partial) => {}
            Err(_) => return Err(after_send(None)),
        }
    }
}

/// Sends all of `bytes`, across short sends and `WouldBlock`.
#[allow(clippy::too_many_arguments)]
fn send_all<S: TcpClientStack>(
    stack: &mut S,
    socket: &mut S::TcpSocket,
    clock: &mut impl Clock,
    delay: &mut impl Delay,
    poll_ms: u32,
    deadline: u64,
    mut bytes: &[u8],
) -> Result<(), Option<S::Error>> {
    while !bytes.is_empty() {
        let n = block(clock, delay, poll_ms, deadline, || stack.send(socket, bytes))?;
        if n == 0 {
            // A stack that accepts nothing without saying it would block: do not spin.
            if clock.now_ms() >= deadline {
                return Err(None);
            }
            delay.delay_ms(poll_ms);
        }
        bytes = &bytes[n.min(bytes.len())..];
    }
    Ok(())
}
