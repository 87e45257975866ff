//! An in-memory `TcpConnect`: each connection takes the request and answers with the canned
//! HTTP 201 response in small segments, each read an await point, as a Wi-Fi stack's socket
//! would deliver it.

use core::cell::Cell;
use core::convert::Infallible;
use core::net::SocketAddr;

use embedded_io_async::{ErrorType, Read, Write};
use embedded_nal_async::TcpConnect;

use crate::canned::{BODY, HEAD};

/// Serves one exchange per connection; counts the request's bytes.
pub struct Pipe {
    segment: usize,
    pub request_len: Cell<usize>,
}

impl Pipe {
    pub const fn new(segment: usize) -> Self {
        Self { segment, request_len: Cell::new(0) }
    }
}

pub struct Connection<'p> {
    pipe: &'p Pipe,
    served: usize,
}

impl TcpConnect for Pipe {
    type Error = Infallible;
    type Connection<'p> = Connection<'p>;

    async fn connect(&self, _: SocketAddr) -> Result<Connection<'_>, Infallible> {
        self.request_len.set(0);
        Ok(Connection { pipe: self, served: 0 })
    }
}

impl ErrorType for Connection<'_> {
    type Error = Infallible;
}

impl Write for Connection<'_> {
    async fn write(&mut self, buffer: &[u8]) -> Result<usize, Infallible> {
        self.pipe.request_len.set(self.pipe.request_len.get() + buffer.len());
        Ok(buffer.len())
    }

    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl Read for Connection<'_> {
    async fn read(&mut self, buffer: &mut [u8]) -> Result<usize, Infallible> {
        let total = HEAD.len() + BODY.len();
        let n = self.pipe.segment.min(buffer.len()).min(total - self.served);
        for (i, byte) in buffer[..n].iter_mut().enumerate() {
            let at = self.served + i;
            *byte = if at < HEAD.len() { HEAD[at] } else { BODY[at - HEAD.len()] };
        }
        self.served += n;
        Ok(n)
    }
}
