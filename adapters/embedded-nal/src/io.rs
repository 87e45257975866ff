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

impl<S: TcpClientStack, C: Clock, D: Delay> Link<'_, S, C, D> {
    /// Connects, sends `request` (head in pieces through `buffer`, then the body), and reads
    /// the response into `reader` (reset first) until it is complete or the peer closes. The
    /// socket is closed on every path.
    pub(crate) fn exchange(
        &mut self,
        remote: SocketAddr,
        request: &Request<'_>,
        buffer: &mut [u8],
        reader: &mut ResponseReader,
    ) -> Result<(), Failed<S::Error>> {
        reader.reset();
        let mut socket = self.stack.socket().map_err(|e| (TransportFailure::Connect, Some(e)))?;
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
        reader: &mut ResponseReader,
    ) -> Result<(), Failed<S::Error>> {
        self.block(|stack| stack.connect(socket, remote)).map_err(|e| (TransportFailure::Connect, e))?;
        let send_failed = |e| (TransportFailure::Send, e);
        let mut sent = 0;
        loop {
            let n = request.write_head_at(sent, buffer);
            if n == 0 {
                break;
            }
            self.send_all(socket, &buffer[..n]).map_err(send_failed)?;
            sent += n;
        }
        self.send_all(socket, request.body()).map_err(send_failed)?;
        let after_send = |e| (TransportFailure::AfterSend, e);
        loop {
            // Also when data keeps coming: a peer that never stops sending (an endless
            // body) must not keep the exchange going past the deadline.
            self.check_deadline().map_err(after_send)?;
            let received = match self.block(|stack| stack.receive(socket, buffer)) {
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

    /// Retries a non-blocking operation until it completes, fails, or the deadline passes
    /// (`Err(None)`).
    fn block<T>(
        &mut self,
        mut op: impl FnMut(&mut S) -> nb::Result<T, S::Error>,
    ) -> Result<T, Option<S::Error>> {
        loop {
            match op(self.stack) {
                Ok(v) => return Ok(v),
                Err(nb::Error::Other(e)) => return Err(Some(e)),
                Err(nb::Error::WouldBlock) => self.wait()?,
            }
        }
    }

    fn check_deadline(&mut self) -> Result<(), Option<S::Error>> {
        if self.clock.now_ms() >= self.deadline { Err(None) } else { Ok(()) }
    }

    /// Pauses once, unless the deadline has passed.
    fn wait(&mut self) -> Result<(), Option<S::Error>> {
        self.check_deadline()?;
        self.delay.delay_ms(self.poll_ms);
        Ok(())
    }

    /// Sends all of `bytes`, across short sends and `WouldBlock`.
    fn send_all(&mut self, socket: &mut S::TcpSocket, mut bytes: &[u8]) -> Result<(), Option<S::Error>> {
        while !bytes.is_empty() {
            let n = self.block(|stack| stack.send(socket, bytes))?;
            if n == 0 {
                // A stack that accepts nothing without saying it would block: do not spin.
                self.wait()?;
            }
            bytes = &bytes[n.min(bytes.len())..];
        }
        Ok(())
    }
}
