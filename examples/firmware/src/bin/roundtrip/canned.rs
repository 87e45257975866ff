//! An in-memory `TcpClientStack`: takes the request, answers with a canned HTTP 201 response
//! in small segments, as a modem's socket would deliver it.

use embedded_nal::{TcpClientStack, TcpError, TcpErrorKind, nb};

/// The body: the shared fixture `run-task-201.json` without whitespace.
pub const BODY: &[u8] = include_bytes!("../../../../../fixtures/run-task-201.compact.json");

pub const HEAD: &[u8] = b"HTTP/1.1 201 Created\r\nContent-Type: application/json; charset=utf-8\r\n\
Location: https://api.apify.com/v2/actor-tasks/KJHSKHausidyaJKHs/runs/HG7ML7M8z78YcAPEB\r\n\
Content-Length: 1929\r\nConnection: close\r\n\r\n";

const _: () = assert!(BODY.len() == 1929, "the Content-Length above must match the fixture");

/// Flash the canned response takes: test data standing in for the network, subtracted from
/// the footprint figures.
pub const CANNED_BYTES: usize = HEAD.len() + BODY.len();

/// The stack cannot fail; this type only satisfies the trait.
#[derive(Debug)]
pub enum Never {}

impl TcpError for Never {
    fn kind(&self) -> TcpErrorKind {
        match *self {}
    }
}

/// Serves one exchange: records the start of the request, answers `segment` bytes at a time.
pub struct Canned {
    segment: usize,
    served: usize,
    /// The first bytes of the request, to check what was sent.
    pub request_start: [u8; 64],
    pub request_len: usize,
}

impl Canned {
    pub const fn new(segment: usize) -> Self {
        Self { segment, served: 0, request_start: [0; 64], request_len: 0 }
    }
}

impl TcpClientStack for Canned {
    type TcpSocket = ();
    type Error = Never;

    fn socket(&mut self) -> Result<(), Never> {
        self.served = 0;
        self.request_len = 0;
        Ok(())
    }

    fn connect(&mut self, _: &mut (), _: core::net::SocketAddr) -> nb::Result<(), Never> {
        Ok(())
    }

    fn send(&mut self, _: &mut (), buffer: &[u8]) -> nb::Result<usize, Never> {
        let start = self.request_len.min(64);
        let n = (64 - start).min(buffer.len());
        self.request_start[start..start + n].copy_from_slice(&buffer[..n]);
        self.request_len += buffer.len();
        Ok(buffer.len())
    }

    fn receive(&mut self, _: &mut (), buffer: &mut [u8]) -> nb::Result<usize, Never> {
        let total = HEAD.len() + BODY.len();
        let n = self.segment.min(buffer.len()).min(total - self.served);
        for (i, byte) in buffer[..n].iter_mut().enumerate() {
            let at = self.served + i;
            *byte = if at < HEAD.len() { HEAD[at] } else { BODY[at - HEAD.len()] };
        }
        self.served += n;
        Ok(n)
    }

    fn close(&mut self, _: ()) -> Result<(), Never> {
        Ok(())
    }
}
