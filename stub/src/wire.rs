//! Raw HTTP/1.1 responses, for the answers tiny_http's `Response` cannot give: chunked in
//! several chunks, or bytes to be mangled by a fault.

use std::time::SystemTime;

use crate::bodies::{Reply, reason};
use crate::time::http_date;

/// The `Server` header of every answer.
pub(crate) const SERVER: &str = "apify-stub";

/// How many chunks a chunked body is cut into (fewer only if it is shorter).
const CHUNKS: usize = 4;

/// A response as bytes: the head, and the body as framed on the wire.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub(crate) head: Vec<u8>,
    pub(crate) body: Vec<u8>,
}

impl Raw {
    /// Frames `reply` with `Content-Length`, or with `Transfer-Encoding: chunked`.
    pub(crate) fn encode(reply: &Reply, chunked: bool) -> Raw {
        let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
        head += &format!("Server: {SERVER}\r\nDate: {}\r\n", http_date(SystemTime::now()));
        for (name, value) in &reply.headers {
            head += &format!("{name}: {value}\r\n");
        }
        let body = if chunked {
            head += "Transfer-Encoding: chunked\r\n\r\n";
            chunk(&reply.body)
        } else {
            head += &format!("Content-Length: {}\r\n\r\n", reply.body.len());
            reply.body.clone()
        };
        Raw { head: head.into_bytes(), body }
    }

    /// Head and body together.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        [self.head.as_slice(), self.body.as_slice()].concat()
    }
}

/// The chunked coding of `body`, in up to [`CHUNKS`] chunks, then the last chunk.
fn chunk(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 64);
    for piece in body.chunks(body.len().div_ceil(CHUNKS).max(1)) {
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks() {
        assert_eq!(chunk(b""), b"0\r\n\r\n");
        assert_eq!(chunk(b"abcdefghij"), b"3\r\nabc\r\n3\r\ndef\r\n3\r\nghi\r\n1\r\nj\r\n0\r\n\r\n");
    }

    #[test]
    fn head() {
        let reply = Reply::error(429, "rate-limit-exceeded", "slow down").with_header("Retry-After", "2");
        let raw = Raw::encode(&reply, false);
        let head = String::from_utf8(raw.head).unwrap_or_default();
        assert!(head.starts_with("HTTP/1.1 429 Too Many Requests\r\n"), "{head}");
        assert!(head.contains("\r\nRetry-After: 2\r\n"));
        assert!(head.ends_with(&format!("\r\nContent-Length: {}\r\n\r\n", raw.body.len())));
    }
}
