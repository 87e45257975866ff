//! Where encoders write: one rendering routine serves sizing, whole-buffer and windowed output.

/// Receives rendered bytes. Encoders render through this trait only, so "how long is it",
/// "write it into this buffer" and "write bytes N.. into this small buffer" cannot disagree.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);

    fn put_str(&mut self, s: &str) {
        self.put(s.as_bytes());
    }

    fn put_u64(&mut self, mut value: u64) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        self.put(&digits[start..]);
    }
}

/// Counts the bytes and copies those at offsets `skip..skip + buf.len()` into `buf`.
#[derive(Debug)]
pub(crate) struct Window<'b> {
    skip: usize,
    buf: &'b mut [u8],
    total: usize,
}

impl<'b> Window<'b> {
    pub(crate) fn new(skip: usize, buf: &'b mut [u8]) -> Self {
        Self { skip, buf, total: 0 }
    }

    /// A sink that only counts.
    pub(crate) fn counter() -> Window<'static> {
        Window { skip: 0, buf: &mut [], total: 0 }
    }

    /// Bytes rendered in all.
    pub(crate) fn total(&self) -> usize {
        self.total
    }

    /// Bytes copied into the buffer.
    pub(crate) fn copied(&self) -> usize {
        self.total.saturating_sub(self.skip).min(self.buf.len())
    }
}

impl Sink for Window<'_> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        let start = self.total;
        self.total += bytes.len();
        let end = self.skip + self.buf.len();
        if self.total <= self.skip || start >= end {
            return;
        }
        let from = self.skip.max(start);
        let to = end.min(self.total);
        self.buf[from - self.skip..to - self.skip].copy_from_slice(&bytes[from - start..to - start]);
    }
}

/// Renders into `buf` from its start; a short buffer is an error carrying the needed length.
pub(crate) fn write_whole(
    buf: &mut [u8],
    render: impl FnOnce(&mut Window<'_>),
) -> Result<usize, super::EncodeError> {
    let mut window = Window::new(0, buf);
    render(&mut window);
    if window.total() > window.buf.len() {
        return Err(super::EncodeError::BufferTooSmall { needed: window.total() });
    }
    Ok(window.total())
}

/// Length of what `render` produces.
pub(crate) fn measure(render: impl FnOnce(&mut Window<'_>)) -> usize {
    let mut window = Window::counter();
    render(&mut window);
    window.total()
}

/// RFC 3986 unreserved characters; everything else in a path segment or query value is
/// percent-encoded, which also keeps CR, LF, spaces and other controls out of the head.
pub(crate) const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Writes `bytes` percent-encoded (`%XX`, uppercase hex) except unreserved characters.
pub(crate) fn put_percent_encoded(sink: &mut impl Sink, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut rest = bytes;
    while !rest.is_empty() {
        let plain = rest.iter().position(|&b| !is_unreserved(b)).unwrap_or(rest.len());
        sink.put(&rest[..plain]);
        if let Some(&b) = rest.get(plain) {
            sink.put(&[b'%', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
            rest = &rest[plain + 1..];
        } else {
            rest = &[];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(s: &mut Window<'_>) {
        s.put_str("GET /");
        put_percent_encoded(s, "a b/é~".as_bytes());
        s.put_u64(1234);
    }

    #[test]
    fn windows_cover_the_same_bytes() {
        let total = measure(render);
        let mut whole = [0u8; 64];
        assert_eq!(write_whole(&mut whole, render).unwrap(), total);
        assert_eq!(&whole[..total], b"GET /a%20b%2F%C3%A9~1234");
        for size in 1..=total + 1 {
            let mut pieces = [0u8; 64];
            let mut offset = 0;
            loop {
                let mut small = [0u8; 64];
                let mut window = Window::new(offset, &mut small[..size]);
                render(&mut window);
                let n = window.copied();
                if n == 0 {
                    break;
                }
                pieces[offset..offset + n].copy_from_slice(&small[..n]);
                offset += n;
            }
            assert_eq!(&pieces[..offset], &whole[..total], "window {size}");
        }
        let mut short = [0u8; 5];
        assert_eq!(
            write_whole(&mut short, render),
            Err(super::super::EncodeError::BufferTooSmall { needed: total })
        );
    }
}
