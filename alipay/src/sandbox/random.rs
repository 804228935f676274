//! Random ids (trade tokens, certify ids, access tokens, image ids, …) from the SDK's one random
//! source, [`crypto::random_u64`](crate::crypto::random_u64).

pub(crate) use crate::crypto::random_u64;

/// `len` random characters of `alphabet`.
fn random_of(alphabet: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut bits = 0u64;
    for i in 0..len {
        if i % 8 == 0 {
            bits = random_u64();
        }
        let index = usize::try_from(bits % alphabet.len() as u64).unwrap_or(0);
        out.push(char::from(alphabet.get(index).copied().unwrap_or(b'0')));
        bits /= alphabet.len() as u64;
    }
    out
}

/// `len` random lower-case hex digits.
pub(crate) fn random_hex(len: usize) -> String {
    random_of(b"0123456789abcdef", len)
}

/// `len` random decimal digits.
pub(crate) fn random_digits(len: usize) -> String {
    random_of(b"0123456789", len)
}

/// `len` random letters and digits.
pub(crate) fn random_alnum(len: usize) -> String {
    random_of(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        len,
    )
}

/// A random UUID-shaped id: `8-4-4-4-12` hex digits.
pub(crate) fn uuid_like() -> String {
    let hex = random_hex(32);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn random_ids() {
        let a = random_hex(32);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, random_hex(32));
        assert!(random_digits(20).bytes().all(|b| b.is_ascii_digit()));
        assert!(random_alnum(40).bytes().all(|b| b.is_ascii_alphanumeric()));
        let uuid = uuid_like();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.matches('-').count(), 4);
    }
}
