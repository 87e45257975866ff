//! One request over ureq, its response streamed into core's reader.

use std::io::{ErrorKind, Read};
use std::time::Duration;

use apify_core::call::TransportFailure;
use apify_core::encode::{Method, Request};
use apify_core::http::{ResponseHead, ResponseReader};

/// An underlying error, kept for the caller's `Error::Transport`.
pub(crate) type Source = Box<dyn std::error::Error + Send + Sync>;

/// A failed exchange: when it failed, and why.
pub(crate) type Failed = (TransportFailure, Source);

/// The attempt's time limits on a request's config. Not `timeout_global`: with it ureq
/// resolves the host name on a thread of its own to bound that too, about 100 µs per
/// request; connecting has the client's connect timeout. (A macro: ureq's config scope types
/// are sealed, so no function can be generic over them.)
macro_rules! with_timeouts {
    ($config:expr, $timeout:expr) => {
        $config
            .timeout_send_request(Some($timeout))
            .timeout_send_body(Some($timeout))
            .timeout_recv_response(Some($timeout))
            .timeout_recv_body(Some($timeout))
    };
}

/// Bytes read from the socket per call; the body is decoded as it arrives.
const READ_BUFFER: usize = 4096;

/// Sends `request` and streams the response into `reader` (reset first). The reader then
/// holds a finished response, unless this returns an error.
pub(crate) fn exchange(
    agent: &ureq::Agent,
    request: &Request<'_>,
    timeout: Duration,
    reader: &mut ResponseReader<64>,
) -> Result<(), Failed> {
    // Whatever this exchange ends in, the previous response must not be taken for its answer.
    reader.reset();
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
    let response = match request.method() {
        Method::Get => {
            let mut builder = agent.get(&url);
            for (name, value) in &headers {
                builder = builder.header(*name, value);
            }
            with_timeouts!(builder.config(), timeout).build().call()
        }
        Method::Post => {
            let mut builder = agent.post(&url);
            for (name, value) in &headers {
                builder = builder.header(*name, value);
            }
            with_timeouts!(builder.config(), timeout).build().send(request.body())
        }
    };
    let response = response.map_err(classify)?;
    let mut head = ResponseHead::new(response.status().as_u16());
    for (name, value) in response.headers() {
        let value = String::from_utf8_lossy(value.as_bytes());
        head.apply_header(name.as_str(), &value)
            .map_err(|e| (TransportFailure::AfterSend, Box::new(e) as Source))?;
    }
    *reader = ResponseReader::with_head(head);
    let mut body = response.into_body().into_reader();
    let mut buf = [0u8; READ_BUFFER];
    loop {
        let n = body.read(&mut buf).map_err(|e| (TransportFailure::AfterSend, Box::new(e) as Source))?;
        if n == 0 {
            return Ok(());
        }
        reader.feed(&buf[..n]).map_err(|e| (TransportFailure::AfterSend, Box::new(e) as Source))?;
    }
}

/// Sorts ureq's errors by whether the server can have seen the whole request: only then is a
/// run start's outcome unknown.
fn classify(e: ureq::Error) -> Failed {
    use ureq::Timeout;
    let failure = match &e {
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::BadUri(_)
        | ureq::Error::Tls(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::TlsRequired
        | ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect) => TransportFailure::Connect,
        // ureq reports a refused connection as plain I/O; these kinds only occur on connect.
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::AddrNotAvailable
                    | ErrorKind::HostUnreachable
                    | ErrorKind::NetworkUnreachable
                    | ErrorKind::NetworkDown
            ) =>
        {
            TransportFailure::Connect
        }
        ureq::Error::Timeout(
            Timeout::SendRequest | Timeout::SendBody | Timeout::Await100 | Timeout::PerWrite,
        ) => TransportFailure::Send,
        // Anything else (a read timeout, a reset, a malformed answer) may come after the
        // server received the request.
        _ => TransportFailure::AfterSend,
    };
    (failure, Box::new(e))
}
