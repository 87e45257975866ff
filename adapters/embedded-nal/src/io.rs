//! One request and its response over a non-blocking socket, every wait bounded, and what
//! the socket saw when it failed.

use core::net::SocketAddr;

use apify_core::call::{Cause, Stage, TransportFailure};
use apify_core::client::Receive;
use apify_core::encode::Request;
use embedded_hal::delay::DelayNs;
use embedded_nal::{TcpClientStack, TcpError, TcpErrorKind, nb};

use crate::Clock;

/// How an exchange failed, with the stack's error when it gave one.
pub(crate) type Failed<E> = (TransportFailure, Option<E>);

/// The stack and the means to wait on it, until `deadline`.
pub(crate) struct Link<'l, S, C, D> {
    pub(crate) stack: &'l mut S,
    pub(crate) clock: &'l mut C,
    pub(crate) delay: &'l mut D,
    /// Pause while a socket would block.
    pub(crate) poll_ms: u32,
    /// Clock reading after which the exchange gives up.
    pub(crate) deadline: u64,
}

/// Why a socket operation did not complete: the stack's error, or the deadline.
enum Stop<E> {
    Failed(E),
    Deadline,
}

impl<E: TcpError> Stop<E> {
    fn at(self, stage: Stage) -> Failed<E> {
        match self {
            Stop::Deadline => (TransportFailure::new(stage, Cause::Timeout), None),
            Stop::Failed(e) => {
                let cause = match e.kind() {
                    TcpErrorKind::PipeClosed => Cause::Closed,
                    _ => Cause::Other,
                };
                (TransportFailure::new(stage, cause), Some(e))
            }
        }
    }
}

impl<S: TcpClientStack, C: Clock, D: DelayNs> Link<'_, S, C, D> {
    /// Connects, sends `request` (head in pieces through `buffer`, then the body), and reads
    /// the response into `reader` until it is complete, the reader refuses it, or the peer
    /// closes. The reader is reset only when the first response bytes arrive: until then it
    /// keeps the last complete response. The socket is closed on every path.
    pub(crate) fn exchange(
        &mut self,
        remote: SocketAddr,
        request: &Request<'_>,
        buffer: &mut [u8],
        reader: &mut impl Receive,
    ) -> Result<(), Failed<S::Error>> {
        let mut socket = self.stack.socket().map_err(|e| Stop::Failed(e).at(Stage::Connect))?;
        let result = self.talk(&mut socket, remote, request, buffer, reader);
        // Close whatever happened; a failing close cannot change the outcome.
        let _ = self.stack.close(socket);
        result
    }

    fn talk(
        &mut self,
        socket: &mut S::TcpSocket,
        remote: SocketAddr,
        request: &Request<'_>,
        buffer: &mut [u8],
        reader: &mut impl Receive,
    ) -> Result<(), Failed<S::Error>> {
        self.block(|stack| stack.connect(socket, remote)).map_err(|e| e.at(Stage::Connect))?;
        let mut sent = 0;
        loop {
            let n = request.write_head_at(sent, buffer);
            if n == 0 {
                break;
            }
            self.send_all(socket, &buffer[..n], &mut sent)?;
        }
        self.send_all(socket, request.body(), &mut sent)?;
        let mut started = false;
        loop {
            // Also when data keeps coming: a peer that never stops sending (an endless
            // body) must not keep the exchange going past the deadline.
            self.check_deadline().map_err(|e| e.at(Stage::Read))?;
            let received = match self.block(|stack| stack.receive(socket, buffer)) {
                Ok(n) => n,
                // A peer that closed: the reader decides whether the response was whole.
                Err(Stop::Failed(e)) if e.kind() == TcpErrorKind::PipeClosed => 0,
                Err(e) => return Err(e.at(Stage::Read)),
            };
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

    /// Retries a non-blocking operation until it completes, fails, or the deadline passes.
    fn block<T>(
        &mut self,
        mut op: impl FnMut(&mut S) -> nb::Result<T, S::Error>,
    ) -> Result<T, Stop<S::Error>> {
        loop {
            match op(self.stack) {
                Ok(v) => return Ok(v),
                Err(nb::Error::Other(e)) => return Err(Stop::Failed(e)),
                Err(nb::Error::WouldBlock) => self.wait()?,
            }
        }
    }

    fn check_deadline(&mut self) -> Result<(), Stop<S::Error>> {
        if self.clock.now_ms() >= self.deadline { Err(Stop::Deadline) } else { Ok(()) }
    }

    /// Pauses once, unless the deadline has passed.
    fn wait(&mut self) -> Result<(), Stop<S::Error>> {
        self.check_deadline()?;
        self.delay.delay_ms(self.poll_ms);
        Ok(())
    }

    /// Sends all of `bytes`, across short sends and `WouldBlock`; `sent` counts the request's
    /// bytes written so far.
    fn send_all(
        &mut self,
        socket: &mut S::TcpSocket,
        mut bytes: &[u8],
        sent: &mut usize,
    ) -> Result<(), Failed<S::Error>> {
        while !bytes.is_empty() {
            let stage = Stage::Write { any_written: *sent > 0 };
            let n = self.block(|stack| stack.send(socket, bytes)).map_err(|e| e.at(stage))?;
            if n == 0 {
                // A stack that accepts nothing without saying it would block: do not spin.
                self.wait().map_err(|e| e.at(stage))?;
            }
            let n = n.min(bytes.len());
            *sent += n;
            bytes = &bytes[n..];
        }
        Ok(())
    }
}
