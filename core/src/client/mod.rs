//! The face every `no_std` client of this project shows: its error, its report, its clock.
//!
//! `apify-nal` (blocking, `embedded-nal` sockets) and `apify-nal-async` (async,
//! `embedded-nal-async` connections, optional TLS) drive the same [`Call`](crate::call::Call)
//! and return the same [`Error`] and [`RunReport`]; they re-export these types, so a user
//! never names this module. `apify-ureq` (std) has the same variants with owned payloads.
//!
//! Nothing here does I/O: [`conclude`] turns the machine's [`Conclusion`](crate::call::Conclusion)
//! into a client's result, and [`Clock`] is how a client reads the time it hands the machine.

mod clock;
mod error;
mod receive;

pub use clock::{Clock, CounterClock};
pub use error::{Error, conclude};
pub use receive::Receive;
#[cfg(feature = "items")]
pub use receive::{ItemsReport, ItemsSink};

use crate::call::Finish;
use crate::encode::{BaseUrl, EncodeError, Endpoint, Request, Scheme, Token};
use crate::model::Run;

/// How a call ended, with the run as last seen (held by the client's reader until the next
/// call).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RunReport<'r> {
    /// The run.
    pub run: &'r Run,
    /// Why the call stopped.
    pub finish: Finish,
}

/// The request for `endpoint` at `base`, with `token` when there is one: how every `no_std`
/// client builds each request it sends.
#[inline(always)]
pub fn request<'a>(
    base: BaseUrl<'a>,
    token: Option<Token<'a>>,
    endpoint: Endpoint<'a>,
) -> Result<Request<'a>, EncodeError> {
    let request = Request::new(base, endpoint)?;
    Ok(match token {
        Some(token) => request.with_token(token),
        None => request,
    })
}

/// The smallest I/O buffer a client takes: it must hold a response's status line start and
/// the head's pieces.
pub const MIN_BUFFER: usize = 64;

/// Checks a client's settings as every `no_std` client's `build()` does: the base URL, the
/// token, that an `https://` URL has TLS under it (`carries_tls`), and the buffer's size.
///
/// ```
/// use apify_core::client::{Error, check_settings};
///
/// assert!(check_settings::<()>("http://192.168.1.10:8080", Some("apify_api_x"), false, 128).is_ok());
/// assert!(matches!(check_settings::<()>("https://api.apify.com", None, false, 128), Err(Error::TlsRequired)));
/// ```
pub fn check_settings<'b, E>(
    base_url: &'b str,
    token: Option<&'b str>,
    carries_tls: bool,
    buffer_len: usize,
) -> Result<(BaseUrl<'b>, Option<Token<'b>>), Error<E>> {
    let base = BaseUrl::parse(base_url)?;
    if base.scheme() == Scheme::Https && !carries_tls {
        return Err(Error::TlsRequired);
    }
    let token = token.map(Token::new).transpose()?;
    if buffer_len < MIN_BUFFER {
        return Err(Error::InvalidInput(EncodeError::BufferTooSmall { needed: MIN_BUFFER }));
    }
    Ok((base, token))
}
