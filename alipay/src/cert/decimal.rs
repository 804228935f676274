//! Numbers written as Java writes them into Alipay's SNs: the decimal serial number
//! (`BigInteger.toString()`) and the dotted OID of an attribute type without an RFC 2253
//! keyword.
//!
//! Kept here rather than taken from `const-oid` (which `der` and `x509-cert` use): its
//! `ObjectIdentifier` holds arcs of at most 32 bits and 39 bytes of encoding, while Java writes
//! any OID, e.g. the 128-bit UUID arcs under `2.25`, and the SN's MD5 covers what Java writes.

/// The dotted-decimal form of an OBJECT IDENTIFIER's content (e.g. `1.2.840.113549.1.1.11`).
///
/// Arcs of any size are written (UUID arcs under `2.25` exceed 64 bits); the encoding must be
/// minimal (no `0x80` padding), complete and at most 4096 bytes long.
pub(super) fn oid_to_string(content: &[u8]) -> Result<String, &'static str> {
    if content.is_empty() {
        return Err("empty OBJECT IDENTIFIER");
    }
    // The JDK's limit; it also bounds the (quadratic) decimal conversion.
    if content.len() > 4096 {
        return Err("OBJECT IDENTIFIER longer than 4096 bytes");
    }
    let mut out = String::with_capacity(content.len() * 3);
    let mut first = true;
    let mut rest = content;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|b| b & 0x80 == 0)
            .ok_or("truncated OBJECT IDENTIFIER")?;
        let (arc, tail) = rest.split_at(end + 1);
        rest = tail;
        if arc.first() == Some(&0x80) {
            return Err("non-minimal OBJECT IDENTIFIER");
        }
        if first {
            first = false;
            // The first subidentifier packs the first two arcs: 40 * X + Y, X in 0..=2.
            let value = arc
                .iter()
                .try_fold(0u128, |acc, b| {
                    acc.checked_mul(128).map(|v| v | u128::from(b & 0x7f))
                })
                .ok_or("OBJECT IDENTIFIER arc too large")?;
            let (x, y) = match value {
                0..40 => (0, value),
                40..80 => (1, value - 40),
                _ => (2, value - 80),
            };
            out.push_str(&format!("{x}.{y}"));
        } else {
            out.push('.');
            let digits: Vec<u8> = arc.iter().map(|b| b & 0x7f).collect();
            out.push_str(&to_decimal(&digits, 128));
        }
    }
    Ok(out)
}

/// The base-10 form of a big-endian number given as `digits` in `base` (at most 256).
///
/// Schoolbook long division by 10^9: quadratic, so callers bound the input (serial numbers
/// and OID arcs are short).
pub(super) fn to_decimal(digits: &[u8], base: u32) -> String {
    const CHUNK: u64 = 1_000_000_000;
    let mut number: Vec<u8> = digits.iter().copied().skip_while(|&d| d == 0).collect();
    let mut chunks = Vec::new();
    while !number.is_empty() {
        let mut remainder = 0u64;
        let mut quotient = Vec::with_capacity(number.len());
        for &digit in &number {
            // remainder < 10^9 and base <= 256: the value fits easily in a u64.
            let value = remainder * u64::from(base) + u64::from(digit);
            let q = value / CHUNK;
            remainder = value % CHUNK;
            if !(quotient.is_empty() && q == 0) {
                // q < base <= 256.
                quotient.push(u8::try_from(q).unwrap_or(u8::MAX));
            }
        }
        chunks.push(remainder);
        number = quotient;
    }
    let mut out = String::with_capacity(chunks.len() * 9 + 1);
    match chunks.split_last() {
        None => out.push('0'),
        Some((most, rest)) => {
            out.push_str(&most.to_string());
            for chunk in rest.iter().rev() {
                out.push_str(&format!("{chunk:09}"));
            }
        }
    }
    out
}
