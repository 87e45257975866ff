//! A raw HTTP/1.1 client over `std::net::TcpStream`, just enough to test the stub.

#![allow(dead_code, unreachable_pub)]

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use apify_stub::{Stub, StubConfig};
use serde_json::Value;

/// A stub whose runs are quick: READY 100 ms, RUNNING 200 ms.
pub fn quick(token: Option<&str>) -> Stub {
    let config = StubConfig {
        tokens: token.map(str::to_owned).into_iter().collect(),
        ready_for: Duration::from_millis(100),
        running_for: Duration::from_millis(200),
        ..StubConfig::default()
    };
    Stub::start(config).expect("stub starts")
}

/// A parsed response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// How many data chunks a chunked body came in (0 with `Content-Length`).
    pub chunks: usize,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    /// `data` of a `{"data": ...}` body.
    pub fn data(&self) -> Value {
        let json = self.json();
        assert!(json.get("data").is_some(), "no data in {json}");
        json["data"].clone()
    }

    /// `(error.type, error.message)` of an error body, with the status checked.
    pub fn error(&self, status: u16) -> (String, String) {
        let json = self.json();
        assert_eq!(self.status, status, "{json}");
        assert_eq!(self.header("content-type"), Some("application/json; charset=utf-8"));
        let kind = json["error"]["type"].as_str().unwrap_or_else(|| panic!("no error.type in {json}"));
        let message = json["error"]["message"].as_str().unwrap_or_else(|| panic!("no message in {json}"));
        (kind.to_owned(), message.to_owned())
    }
}

/// A keep-alive connection to the stub with a 10 s read timeout.
pub fn connect(stub: &Stub) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", stub.port())).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    stream
}

/// Writes one request; `Content-Length` is added when there is a body or the method is POST.
pub fn send(stream: &mut TcpStream, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut request = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (name, value) in headers {
        request += &format!("{name}: {value}\r\n");
    }
    if method == "POST" || !body.is_empty() {
        request += &format!("Content-Length: {}\r\n", body.len());
    }
    request += "\r\n";
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).expect("send request");
}

/// One request on a new connection, and its response.
pub fn call(stub: &Stub, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let mut stream = connect(stub);
    send(&mut stream, method, target, headers, body);
    read_response(&mut stream)
}

/// `POST /v2/actor-tasks/{task}/runs{query}` with a `{}` body.
pub fn start(stub: &Stub, task: &str, query: &str, headers: &[(&str, &str)]) -> Response {
    call(stub, "POST", &format!("/v2/actor-tasks/{task}/runs{query}"), headers, b"{}")
}

/// Reads one response, framed by `Content-Length` or chunked.
pub fn read_response(stream: &mut TcpStream) -> Response {
    let mut data = Vec::new();
    let head_end = loop {
        if let Some(at) = find(&data, b"\r\n\r\n") {
            break at + 4;
        }
        fill(stream, &mut data);
    };
    let head = String::from_utf8(data[..head_end - 4].to_vec()).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    assert!(status_line.starts_with("HTTP/1.1 "), "{status_line}");
    let status = status_line[9..12].parse().expect("status code");
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("header line");
            (name.trim().to_owned(), value.trim().to_owned())
        })
        .collect();
    let mut response = Response { status, headers, body: Vec::new(), chunks: 0 };
    if response.header("transfer-encoding").is_some_and(|te| te.eq_ignore_ascii_case("chunked")) {
        let mut at = head_end;
        loop {
            let line_end = loop {
                if let Some(end) = find(&data[at..], b"\r\n") {
                    break at + end;
                }
                fill(stream, &mut data);
            };
            let size_text = std::str::from_utf8(&data[at..line_end]).expect("chunk size");
            let size = usize::from_str_radix(size_text.trim(), 16).expect("hex chunk size");
            while data.len() < line_end + 2 + size + 2 {
                fill(stream, &mut data);
            }
            let chunk = &data[line_end + 2..line_end + 2 + size];
            assert_eq!(&data[line_end + 2 + size..line_end + 4 + size], b"\r\n");
            at = line_end + 4 + size;
            if size == 0 {
                break;
            }
            response.body.extend_from_slice(chunk);
            response.chunks += 1;
        }
    } else {
        let length: usize =
            response.header("content-length").expect("Content-Length").parse().expect("length");
        while data.len() < head_end + length {
            fill(stream, &mut data);
        }
        assert_eq!(data.len(), head_end + length, "bytes after the response");
        response.body = data[head_end..].to_vec();
    }
    response
}

/// Everything that arrives until the peer closes, with the size of each read; panics if
/// the connection is still open after `within`.
pub fn read_until_closed(stream: &mut TcpStream, within: Duration) -> (Vec<u8>, Vec<usize>) {
    let deadline = Instant::now() + within;
    let (mut data, mut reads) = (Vec::new(), Vec::new());
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        stream.set_read_timeout(Some(left)).expect("timeout");
        match stream.read(&mut buf) {
            Ok(0) => return (data, reads),
            Ok(n) => {
                data.extend_from_slice(&buf[..n]);
                reads.push(n);
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("still open after {within:?}, {} bytes so far", data.len())
            }
            Err(e) => panic!("read: {e}"),
        }
    }
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

fn fill(stream: &mut TcpStream, data: &mut Vec<u8>) {
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).expect("read");
    assert!(n > 0, "connection closed after {} bytes: {}", data.len(), String::from_utf8_lossy(data));
    data.extend_from_slice(&buf[..n]);
}

/// Standard base64 with `+`, `/` and `=` percent-encoded for a query string.
pub fn webhooks_param(json: &str) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(json);
    encoded.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
}
