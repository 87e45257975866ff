//! Body framing: Content-Length, chunked (with extensions and trailers) and close-delimited.

use super::{Limits, ReadError};

/// Longest chunk-size accepted, in hex digits (16 digits already exceed any real body).
pub const MAX_CHUNK_SIZE_DIGITS: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chunk {
    /// Hex digits of the size.
    Size,
    /// After the size: extensions or whitespace up to CR.
    Extension,
    /// CR seen after the size line.
    SizeLf,
    /// Chunk data.
    Data,
    /// After the data: CR, then LF.
    DataCr,
    DataLf,
    /// After the last chunk: a trailer field, or the blank line that ends the message.
    TrailerStart,
    Trailer,
    TrailerLf {
        blank: bool,
    },
    Done,
}

/// How the body's end is known, and how far the reader is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// Neither length nor chunked: the body ends when the connection closes. (First: a new
    /// reader's framing, zero bits.)
    UntilClose,
    /// No body (204, 304, …).
    Empty,
    /// `Content-Length`: this many bytes are still to come.
    Length {
        remaining: u64,
    },
    Chunked {
        part: Chunk,
        remaining: u64,
        digits: usize,
        line_len: usize,
    },
}

impl Framing {
    pub(crate) const fn chunked() -> Self {
        Self::Chunked { part: Chunk::Size, remaining: 0, digits: 0, line_len: 0 }
    }

    /// Whether the body has ended (close-delimited bodies end at end of input only).
    pub(crate) const fn is_done(&self) -> bool {
        matches!(self, Self::Empty | Self::Length { remaining: 0 } | Self::Chunked { part: Chunk::Done, .. })
    }

    /// Reads framing from `input`, handing body bytes to `body` as slices of `input`;
    /// returns the bytes used. Stops where the body ends.
    pub(crate) fn feed(
        &mut self,
        input: &[u8],
        limits: &Limits,
        mut body: impl FnMut(&[u8]) -> Result<(), ReadError>,
    ) -> Result<usize, ReadError> {
        match self {
            Self::Empty => Ok(0),
            Self::Length { remaining } => {
                let n = (*remaining).min(input.len() as u64) as usize;
                *remaining -= n as u64;
                body(&input[..n])?;
                Ok(n)
            }
            Self::UntilClose => {
                body(input)?;
                Ok(input.len())
            }
            Self::Chunked { part, remaining, digits, line_len } => {
                let mut i = 0;
                while i < input.len() && *part != Chunk::Done {
                    let b = input[i];
                    if *part == Chunk::Data {
                        let n = (*remaining).min((input.len() - i) as u64) as usize;
                        body(&input[i..i + n])?;
                        *remaining -= n as u64;
                        i += n;
                        if *remaining == 0 {
                            *part = Chunk::DataCr;
                        }
                        continue;
                    }
                    i += 1;
                    *line_len += 1;
                    if *line_len > limits.max_line {
                        return Err(ReadError::LineTooLong { limit: limits.max_line });
                    }
                    match *part {
                        Chunk::Size => match b {
                            b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F' => {
                                *digits += 1;
                                if *digits > MAX_CHUNK_SIZE_DIGITS {
                                    return Err(ReadError::ChunkSizeTooLong { limit: MAX_CHUNK_SIZE_DIGITS });
                                }
                                let d = (b as char).to_digit(16).unwrap_or(0) as u64;
                                *remaining = *remaining << 4 | d;
                            }
                            _ if *digits == 0 => return Err(ReadError::InvalidChunkSize),
                            b';' | b' ' | b'\t' => *part = Chunk::Extension,
                            b'\r' => *part = Chunk::SizeLf,
                            _ => return Err(ReadError::InvalidChunkSize),
                        },
                        Chunk::Extension => match b {
                            b'\r' => *part = Chunk::SizeLf,
                            b'\n' => return Err(ReadError::BareLf),
                            _ => {}
                        },
                        Chunk::SizeLf => {
                            if b != b'\n' {
                                return Err(ReadError::BareCr);
                            }
                            *line_len = 0;
                            *digits = 0;
                            *part = if *remaining == 0 { Chunk::TrailerStart } else { Chunk::Data };
                        }
                        Chunk::DataCr if b == b'\r' => *part = Chunk::DataLf,
                        Chunk::DataLf if b == b'\n' => {
                            *line_len = 0;
                            *part = Chunk::Size;
                        }
                        Chunk::DataCr | Chunk::DataLf => return Err(ReadError::ChunkNotTerminated),
                        Chunk::TrailerStart => match b {
                            b'\r' => *part = Chunk::TrailerLf { blank: true },
                            b'\n' => return Err(ReadError::BareLf),
                            _ => *part = Chunk::Trailer,
                        },
                        Chunk::Trailer => match b {
                            b'\r' => *part = Chunk::TrailerLf { blank: false },
                            b'\n' => return Err(ReadError::BareLf),
                            _ => {}
                        },
                        Chunk::TrailerLf { blank } => {
                            if b != b'\n' {
                                return Err(ReadError::BareCr);
                            }
                            *line_len = 0;
                            *part = if blank { Chunk::Done } else { Chunk::TrailerStart };
                        }
                        Chunk::Data | Chunk::Done => {}
                    }
                }
                Ok(i)
            }
        }
    }
}
