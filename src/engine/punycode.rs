//! Punycode (RFC 3492) encoding of a single domain label.
//!
//! Webmail shows internationalised domains either in Unicode (`bücher.de`) or in
//! their ASCII form (`xn--bcher-kva.de`). Both spellings are the same domain, so
//! the engine compares domains in their ASCII form. Labels that already start
//! with `xn--` are kept as they are once the decoder has shown that they
//! encode a valid label (`super::uts46::check_punycode`).
//!
//! This file is also compiled by `build.rs`, which converts the Unicode rules of
//! the Public Suffix List with the same code the engine uses at run time.

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 0x80;

/// Encodes one label (without the `xn--` prefix) as Punycode.
///
/// Returns `None` only when the label is so long that the RFC's arithmetic would
/// overflow, which no valid domain label (63 octets at most) can cause.
pub fn encode_label(label: &str) -> Option<String> {
    let code_points: Vec<u32> = label.chars().map(u32::from).collect();
    let mut output: String = label.chars().filter(char::is_ascii).collect();
    let basic_count = u32::try_from(output.len()).ok()?;
    let total = u32::try_from(code_points.len()).ok()?;
    if basic_count > 0 {
        output.push('-');
    }

    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    let mut handled = basic_count;
    while handled < total {
        // The smallest code point not yet handled; it exists because handled < total.
        let next = code_points.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((next - n).checked_mul(handled + 1)?)?;
        n = next;
        for &c in &code_points {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k, bias);
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic_count);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(output)
}

/// Decodes one label's Punycode (without the `xn--` prefix). `None` when it
/// is not Punycode: a digit that is not one, an overflow, or a value that is
/// no character.
pub fn decode_label(input: &str) -> Option<String> {
    let (basic, encoded) = match input.rfind('-') {
        Some(dash) => (input.get(..dash)?, input.get(dash + 1..)?),
        None => ("", input),
    };
    if !basic.is_ascii() {
        return None;
    }
    let mut output: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (INITIAL_N, 0u32, INITIAL_BIAS);
    let mut digits = encoded.bytes().peekable();
    while digits.peek().is_some() {
        let old_i = i;
        let (mut weight, mut k) = (1u32, BASE);
        loop {
            let digit = match digits.next()? {
                byte @ b'a'..=b'z' => byte - b'a',
                byte @ b'A'..=b'Z' => byte - b'A',
                byte @ b'0'..=b'9' => byte - b'0' + 26,
                _ => return None,
            };
            let digit = u32::from(digit);
            i = i.checked_add(digit.checked_mul(weight)?)?;
            let t = threshold(k, bias);
            if digit < t {
                break;
            }
            weight = weight.checked_mul(BASE - t)?;
            k += BASE;
        }
        let length = u32::try_from(output.len()).ok()? + 1;
        bias = adapt(i - old_i, length, old_i == 0);
        n = n.checked_add(i / length)?;
        i %= length;
        output.insert(usize::try_from(i).ok()?, char::from_u32(n)?);
        i += 1;
    }
    Some(output.into_iter().collect())
}

fn threshold(k: u32, bias: u32) -> u32 {
    if k <= bias {
        T_MIN
    } else if k >= bias + T_MAX {
        T_MAX
    } else {
        k - bias
    }
}

fn adapt(delta: u32, num_points: u32, first_time: bool) -> u32 {
    let mut delta = if first_time { delta / DAMP } else { delta / 2 };
    delta += delta / num_points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + ((BASE - T_MIN + 1) * delta) / (delta + SKEW)
}

fn digit(d: u32) -> char {
    // d is always below BASE (36): 0..=25 are a..=z, 26..=35 are 0..=9.
    let byte = u8::try_from(d).unwrap_or(0);
    if byte < 26 {
        char::from(b'a' + byte)
    } else {
        char::from(b'0' + (byte - 26))
    }
}

#[cfg(test)]
mod tests {
    use super::{decode_label, encode_label};

    #[test]
    fn encodes_rfc_and_common_labels() {
        assert_eq!(encode_label("bücher").as_deref(), Some("bcher-kva"));
        assert_eq!(encode_label("münchen").as_deref(), Some("mnchen-3ya"));
        assert_eq!(encode_label("日本").as_deref(), Some("wgv71a"));
        assert_eq!(encode_label("例え").as_deref(), Some("r8jz45g"));
        // RFC 3492 section 7.1 (L): Japanese with ASCII.
        assert_eq!(
            encode_label("3年b組金八先生").as_deref(),
            Some("3b-ww4c5e180e575a65lsy2b")
        );
        assert_eq!(encode_label("abc").as_deref(), Some("abc-"));
    }

    #[test]
    fn decodes_what_it_encodes() {
        for label in [
            "bücher",
            "münchen",
            "日本",
            "例え",
            "3年b組金八先生",
            "テスト",
        ] {
            let encoded = encode_label(label).unwrap();
            assert_eq!(decode_label(&encoded).as_deref(), Some(label), "{encoded}");
        }
        assert_eq!(decode_label("BCHER-kva").as_deref(), Some("BüCHER"));
        assert_eq!(decode_label("abc-").as_deref(), Some("abc"));
        // Not Punycode: a symbol, an overflow.
        assert_eq!(decode_label("bcher-kv!"), None);
        assert_eq!(decode_label("99999999999"), None);
    }
}
