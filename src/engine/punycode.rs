//! Punycode (RFC 3492) encoding of a single domain label.
//!
//! Webmail shows internationalised domains either in Unicode (`bücher.de`) or in
//! their ASCII form (`xn--bcher-kva.de`). Both spellings are the same domain, so
//! the engine compares domains in their ASCII form. Only the encoder is needed:
//! labels that already start with `xn--` are kept as they are.
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
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
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
    use super::encode_label;

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
}
