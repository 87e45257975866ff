//! Where requests go: scheme, host, port and an optional path prefix.

use super::EncodeError;
use super::sink::{Sink, is_unreserved};

/// `http` or `https`. The core only records which one; the adapter (or the stack under it)
/// provides TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain TCP, for a local gateway or the local API stand-in.
    Http,
    /// TLS; the default for the Apify API.
    Https,
}

impl Scheme {
    /// The scheme's port when the URL names none.
    pub const fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }

    /// `"http"` or `"https"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }
}

/// The API's address: `https://api.apify.com` unless a proxy, gateway or the local stand-in
/// sits in between. Parsed once, validated, then copied into every request.
///
/// ```
/// use apify_core::encode::{BaseUrl, Scheme};
///
/// let url = BaseUrl::parse("http://127.0.0.1:8080/apify/")?;
/// assert_eq!((url.scheme(), url.host(), url.port(), url.path_prefix()), (Scheme::Http, "127.0.0.1", 8080, "/apify"));
/// assert_eq!(BaseUrl::APIFY.port(), 443);
/// # Ok::<(), apify_core::encode::EncodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaseUrl<'a> {
    scheme: Scheme,
    host: &'a str,
    port: u16,
    explicit_port: bool,
    prefix: &'a str,
}

/// The default API address.
pub const APIFY_API: &str = "https://api.apify.com";

impl<'a> BaseUrl<'a> {
    /// `https://api.apify.com`.
    pub const APIFY: BaseUrl<'static> =
        BaseUrl { scheme: Scheme::Https, host: "api.apify.com", port: 443, explicit_port: false, prefix: "" };

    /// Parses `http[s]://host[:port][/prefix]`. The host may be a name, an IPv4 address or a
    /// bracketed IPv6 address; user info, query and fragment are refused; a trailing `/` is
    /// dropped, and so is one trailing `/v2` (the form the API's documentation prints,
    /// `https://api.apify.com/v2`): requests add `/v2` themselves.
    ///
    /// ```
    /// use apify_core::encode::BaseUrl;
    ///
    /// assert_eq!(BaseUrl::parse("https://api.apify.com/v2/")?, BaseUrl::APIFY);
    /// assert_eq!(BaseUrl::parse("http://10.0.0.2/apify/v2")?.path_prefix(), "/apify");
    /// # Ok::<(), apify_core::encode::EncodeError>(())
    /// ```
    pub fn parse(url: &'a str) -> Result<Self, EncodeError> {
        let bad = EncodeError::InvalidBaseUrl;
        let (scheme, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
            (Scheme::Https, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
            (Scheme::Http, rest)
        } else {
            return Err(bad("must start with http:// or https://"));
        };
        let (authority, prefix) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.contains('@') {
            return Err(bad("user info (user@host) is not supported; pass the token separately"));
        }
        let (host, port) =
            split_host_port(authority).ok_or(bad("the port must be a number from 1 to 65535"))?;
        if host.is_empty() {
            return Err(bad("the host is empty"));
        }
        let host_ok = if let Some(inner) = host.strip_prefix('[') {
            inner.strip_suffix(']').is_some_and(|ip| {
                !ip.is_empty() && ip.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            })
        } else {
            host.bytes().all(|b| is_unreserved(b) && b != b'~')
        };
        if !host_ok {
            return Err(bad(
                "the host may hold only letters, digits, '-', '.', '_' or a bracketed IPv6 address",
            ));
        }
        let prefix = prefix.trim_end_matches('/');
        let prefix = prefix.strip_suffix("/v2").unwrap_or(prefix);
        if !prefix.bytes().all(is_path_byte) {
            return Err(bad("the path may hold only URL path characters (no spaces, '?' or '#')"));
        }
        // Each `%` must start an escape: two hex digits.
        let escapes_ok = prefix
            .split('%')
            .skip(1)
            .all(|after| after.len() >= 2 && after.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit));
        if !escapes_ok {
            return Err(bad("a '%' in the path must be followed by two hex digits"));
        }
        Ok(Self {
            scheme,
            host,
            port: port.unwrap_or(scheme.default_port()),
            explicit_port: port.is_some(),
            prefix,
        })
    }

    /// `http` or `https`.
    pub const fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host, as written (IPv6 addresses keep their brackets).
    pub const fn host(&self) -> &'a str {
        self.host
    }

    /// The TCP port: the one given, or the scheme's default.
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// The path that precedes `/v2/…`, without a trailing slash (often empty).
    pub const fn path_prefix(&self) -> &'a str {
        self.prefix
    }

    /// Writes the `Host` header value: the host, plus `:port` when one was given.
    pub(crate) fn put_authority(&self, sink: &mut impl Sink) {
        sink.put_str(self.host);
        if self.explicit_port {
            sink.put_str(":");
            sink.put_u64(self.port as u64);
        }
    }

    /// Writes `scheme://authority`.
    pub(crate) fn put_origin(&self, sink: &mut impl Sink) {
        sink.put_str(self.scheme.as_str());
        sink.put_str("://");
        self.put_authority(sink);
    }
}

impl Default for BaseUrl<'_> {
    fn default() -> Self {
        BaseUrl::APIFY
    }
}

fn strip_prefix_ignore_case<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

/// `host[:port]`; `None` when the port is not a number in 1..=65535.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let port_sep = match authority.rfind(':') {
        // A colon inside `[…]` belongs to an IPv6 address.
        Some(i) if !authority[i..].contains(']') => i,
        _ => return Some((authority, None)),
    };
    let digits = &authority[port_sep + 1..];
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let port: u32 = digits.bytes().fold(0, |n, b| n * 10 + (b - b'0') as u32);
    if port == 0 || port > 65535 {
        return None;
    }
    Some((&authority[..port_sep], Some(port as u16)))
}

/// RFC 3986 `pchar` plus `/` (and `%` for already-encoded bytes).
const fn is_path_byte(b: u8) -> bool {
    is_unreserved(b)
        || matches!(
            b,
            b'/' | b'%'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses() {
        let u = BaseUrl::parse("https://api.apify.com").unwrap();
        assert_eq!(u, BaseUrl::APIFY);
        let u = BaseUrl::parse("HTTP://[::1]:3000").unwrap();
        assert_eq!((u.scheme(), u.host(), u.port(), u.path_prefix()), (Scheme::Http, "[::1]", 3000, ""));
        let u = BaseUrl::parse("https://gw.local/x/y/").unwrap();
        assert_eq!((u.port(), u.path_prefix()), (443, "/x/y"));
        assert_eq!(BaseUrl::parse("https://gw.local/a%20b%2F").unwrap().path_prefix(), "/a%20b%2F");
    }

    #[test]
    fn refuses_what_it_cannot_send() {
        for bad in [
            "api.apify.com",
            "ftp://x",
            "https://",
            "https://user:pw@host",
            "https://host:0",
            "https://host:65536",
            "https://host:80a",
            "https://ho st",
            "https://host/a b",
            "https://host/?q",
            "https://host/#f",
            "https://host\r\nX: y",
            "https://[zz]",
            "https://host/a%",
            "https://host/a%2",
            "https://host/a%zz/b",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
