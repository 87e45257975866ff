//! The simulation's randomness: SplitMix64, seeded, so that a seed gives the same run bit for
//! bit on every machine.

/// A SplitMix64 generator (Steele, Lea, Flood 2014): tiny, fast, and good enough for
/// arrival times and fault draws.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `[low, high]`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    /// `true` with probability `p` (0 to 1).
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && ((self.next_u64() >> 11) as f64) / ((1u64 << 53) as f64) < p
    }
}

/// Device `index`'s seed for its call's jitter: distinct and well mixed for every index.
pub fn device_seed(index: u32) -> u32 {
    (Rng::new(index as u64 ^ 0xa5a5_5a5a_0000_0000).next_u64() >> 32) as u32
}
