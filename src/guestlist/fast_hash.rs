//! The hasher of the guest list's maps (ids, ticket names).
//!
//! std's SipHash was a tenth of opening a cached list of 100,000 guests: half
//! a million lookups and inserts, each key hashed with a cryptographic-strength
//! function. This is a folded multiply (the construction of `foldhash`):
//! a few instructions per 8 bytes. Ids come from Floktu, which could pick ones
//! that collide under a fixed function, so the seed is random per process.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

/// A map with [`FastHash`].
pub(super) type FastMap<K, V> = HashMap<K, V, FastHash>;

/// An odd constant with no structure (the fractional part of π).
const MULTIPLIER: u64 = 0x243f_6a88_85a3_08d3;

/// Builds [`FastHasher`]s with this process's seed.
#[derive(Clone, Copy, Debug)]
pub(super) struct FastHash {
    seed: u64,
}

impl Default for FastHash {
    fn default() -> FastHash {
        static SEED: OnceLock<u64> = OnceLock::new();
        FastHash { seed: *SEED.get_or_init(rand::random) }
    }
}

impl BuildHasher for FastHash {
    type Hasher = FastHasher;

    fn build_hasher(&self) -> FastHasher {
        FastHasher { state: self.seed }
    }
}

/// Folds each word into the state by a 64 × 64 → 128-bit multiply whose halves
/// are xor-ed: every input bit reaches every output bit.
#[derive(Clone, Copy, Debug)]
pub(super) struct FastHasher {
    state: u64,
}

impl FastHasher {
    fn mix(&mut self, word: u64) {
        let full = u128::from(self.state ^ word) * u128::from(MULTIPLIER);
        self.state = (full as u64) ^ ((full >> 64) as u64);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    fn finish(&self) -> u64 {
        // One more round, so that the last word also reaches the low bits the
        // table picks its bucket by.
        let mut last = *self;
        last.mix(0);
        last.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(value: impl std::hash::Hash) -> u64 {
        FastHash { seed: 7 }.hash_one(value)
    }

    #[test]
    fn ids_that_share_their_low_bits_land_in_different_buckets() {
        let buckets: std::collections::HashSet<u64> = (0..1024u64).map(|i| hash(i << 32) & 0xfff).collect();
        assert!(buckets.len() > 600, "{} distinct buckets of 1024 ids", buckets.len());
    }

    #[test]
    fn strings_that_differ_only_in_length_or_tail_hash_apart() {
        assert_ne!(hash("Weekend"), hash("Weekend "));
        assert_ne!(hash("Weekend Pass 1"), hash("Weekend Pass 2"));
        assert_ne!(hash(Some("VIP")), hash(None::<&str>));
        assert_ne!(hash(""), hash("\0"));
    }
}
