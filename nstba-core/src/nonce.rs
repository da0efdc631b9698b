//! Nonce generation.

use rand::Rng;

/// Length of generated nonces (NetSuite recommends at least 20).
pub const NONCE_LEN: usize = 24;

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A fresh 24-character alphanumeric nonce.
///
/// Drawn from `rand`'s thread-local generator: a ChaCha CSPRNG seeded from the operating system once
/// per thread and reseeded periodically, so producing a nonce makes no system call. Each character is
/// a 6-bit draw, redrawn when it is 62 or 63, so all 62 characters are equally likely (~143 bits).
pub fn random_nonce() -> String {
    let mut out = [0u8; NONCE_LEN];
    fill_nonce(&mut out);
    String::from_utf8(out.to_vec()).expect("the alphabet is ASCII")
}

/// Fills `out` with characters drawn as [`random_nonce`] draws them.
pub(crate) fn fill_nonce(out: &mut [u8]) {
    let mut rng = rand::rng();
    let mut len = 0;
    while len < out.len() {
        // Ten 6-bit draws per word, each kept only if below 62 (one in 32 is not: a branch that
        // is nearly always taken), written straight into its place.
        let mut bits = rng.next_u64();
        for _ in 0..10 {
            let i = (bits & 63) as usize;
            bits >>= 6;
            if i < ALPHABET.len() {
                let Some(slot) = out.get_mut(len) else {
                    return;
                };
                *slot = ALPHABET[i];
                len += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_character_is_drawn_and_none_else() {
        let mut seen = [0u32; 256];
        for _ in 0..2000 {
            for b in super::random_nonce().bytes() {
                seen[b as usize] += 1;
            }
        }
        for (b, n) in seen.iter().enumerate() {
            assert_eq!(*n > 0, super::ALPHABET.contains(&(b as u8)), "byte {b}");
        }
        // 48 000 draws over 62 symbols: each near 774; a skewed draw would stand out.
        let counts: Vec<u32> = super::ALPHABET.iter().map(|&b| seen[b as usize]).collect();
        assert!(
            counts.iter().all(|&n| (600..950).contains(&n)),
            "{counts:?}"
        );
    }
}
