//! Everything the tool writes goes through here, for two promises: a closed stdout or stderr
//! (`apify-run task … | head -1`, `2>&-`) never ends the program early, so a started run is
//! still followed and its outcome still sets the exit code; and the token never reaches either
//! stream, even when a server echoes it back.

use std::fmt::Display;
use std::io::Write;
use std::sync::OnceLock;

/// The token in use, masked in all output.
static TOKEN: OnceLock<String> = OnceLock::new();

/// Masks `token` in everything written from now on.
pub(crate) fn hide(token: &str) {
    if !token.is_empty() {
        let _ = TOKEN.set(token.to_owned());
    }
}

fn masked(text: String) -> String {
    match TOKEN.get() {
        Some(token) if text.contains(token.as_str()) => text.replace(token.as_str(), "<redacted>"),
        _ => text,
    }
}

/// `bytes` with the token masked, for output written as bytes (dataset items).
pub(crate) fn masked_bytes(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    match TOKEN.get() {
        Some(token) if bytes.windows(token.len()).any(|w| w == token.as_bytes()) => {
            std::borrow::Cow::Owned(masked(String::from_utf8_lossy(bytes).into_owned()).into_bytes())
        }
        _ => std::borrow::Cow::Borrowed(bytes),
    }
}

/// A line on stdout. A failed write (a closed pipe) is ignored: see the module docs.
pub(crate) fn line(text: impl Display) {
    let _ = writeln!(std::io::stdout().lock(), "{}", masked(text.to_string()));
}

/// Text on stdout, as is (no newline added).
pub(crate) fn raw(text: impl Display) {
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{}", masked(text.to_string()));
    let _ = out.flush();
}

/// A line on stderr.
pub(crate) fn note(text: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "{}", masked(text.to_string()));
}

/// Text on stderr without a newline (a progress line rewritten in place).
pub(crate) fn note_raw(text: impl Display) {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{}", masked(text.to_string()));
    let _ = err.flush();
}
