//! Nonce generation.

use rand::Rng;

/// Length of generated nonces (NetSuite recommends at least 20).
pub const NONCE_LEN: usize = 24;

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A fresh 24-character alphanumeric nonce.
///
/// Drawn from `rand`'s thread-local generator: a ChaCha CSPRNG seeded from the operating system once
/// per thread and reseeded periodically, so producing a nonce makes no system call. Each 64-bit draw
/// `x` gives eight characters: the base-62 digits of `⌊x · 62⁸ / 2⁶⁴⌋`, read off one at a time by
/// multiplying by 62 and taking what carries out of the low 64 bits. Each of the 62⁸ eight-character
/// strings comes from 84 486 or 84 487 of the 2⁶⁴ draws, so they are equally likely to within
/// 1.2 × 10⁻⁵ of each other (the nonce carries ~143 bits, as 62²⁴ equally likely nonces would), and no
/// draw is thrown away.
pub fn random_nonce() -> String {
    let mut out = [0u8; NONCE_LEN];
    fill_nonce(&mut out);
    String::from_utf8(out.to_vec()).expect("the alphabet is ASCII")
}

/// Fills `out` with characters drawn as [`random_nonce`] draws them.
pub(crate) fn fill_nonce(out: &mut [u8]) {
    let mut rng = rand::rng();
    for chunk in out.chunks_mut(8) {
        write_digits(rng.next_u64(), chunk);
    }
}

/// Writes the first `out.len()` (at most eight) base-62 digits of `⌊x · 62⁸ / 2⁶⁴⌋`, most
/// significant first, as characters of [`ALPHABET`].
#[inline]
fn write_digits(x: u64, out: &mut [u8]) {
    let mut fraction = x;
    for slot in out {
        let product = u128::from(fraction) * ALPHABET.len() as u128;
        *slot = ALPHABET[(product >> 64) as usize];
        fraction = product as u64;
    }
}

#[cfg(test)]
mod tests {
    /// The characters of a draw are the base-62 digits of the draw scaled to `62⁸`, computed here
    /// with one wide multiplication and divisions instead.
    #[test]
    fn a_draw_gives_the_base62_digits_of_its_scaled_value() {
        let draws = [
            0,
            1,
            u64::MAX,
            1 << 63,
            0x0123_4567_89ab_cdef,
            0xfedc_ba98_7654_3210,
        ];
        for x in draws
            .into_iter()
            .chain((1..1000u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
        {
            let mut scaled = (u128::from(x) * 62u128.pow(8)) >> 64;
            let mut expected = [0u8; 8];
            for slot in expected.iter_mut().rev() {
                *slot = super::ALPHABET[(scaled % 62) as usize];
                scaled /= 62;
            }
            let mut ours = [0u8; 8];
            super::write_digits(x, &mut ours);
            assert_eq!(ours, expected, "{x:#x}");
            // A shorter slot takes the leading digits.
            let mut short = [0u8; 3];
            super::write_digits(x, &mut short);
            assert_eq!(short, expected[..3], "{x:#x}");
        }
    }

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
