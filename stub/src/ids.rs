//! Run, task and storage IDs: 17 alphanumeric characters, like the API's.

use std::hash::{BuildHasher, RandomState};

/// 17-character alphanumeric IDs, unique within a stub and unlike those of other stubs.
#[derive(Debug)]
pub(crate) struct IdGen {
    seed: u64,
    counter: u64,
}

impl IdGen {
    pub(crate) fn new() -> IdGen {
        IdGen { seed: RandomState::new().hash_one(0u8), counter: 0 }
    }

    pub(crate) fn next(&mut self) -> String {
        self.counter += 1;
        // `mix` is a bijection, so distinct counters give distinct values.
        let unique = mix(self.seed.wrapping_add(self.counter));
        let mut id = base62(mix(unique ^ self.seed), 6);
        id.push_str(&base62(unique, 11));
        id
    }
}

/// The splitmix64 finaliser.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// `len` base-62 digits of `n` (the low ones if `n` needs more).
fn base62(mut n: u64, len: usize) -> String {
    const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; len];
    for digit in out.iter_mut().rev() {
        *digit = DIGITS[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_17_alphanumerics_and_unique() {
        let mut ids = IdGen::new();
        let all: Vec<String> = (0..1000).map(|_| ids.next()).collect();
        assert!(all.iter().all(|id| id.len() == 17 && id.bytes().all(|b| b.is_ascii_alphanumeric())));
        let mut sorted = all.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), all.len());
    }
}
