//! Numbers as people read them: thousands separators (`2,131`) and press
//! style (`nine warrants`, `80 visits`). Plain text, no format's escaping:
//! the briefing phrases, the measures and every renderer use these, so a
//! figure reads the same wherever it appears.

/// Thousands separators, as the briefing and tables print figures: 2,131.
pub fn thousands(n: i64) -> String {
    let digits = thousands_unsigned(n.unsigned_abs());
    if n < 0 {
        format!("-{digits}")
    } else {
        digits
    }
}

/// `thousands` for a magnitude, such as a sum of pence.
pub fn thousands_unsigned(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Press style: one to nine in words, 10 and over in figures with thousands
/// separators ("nine warrants", "80 visits", "2,131 arrests").
pub fn press_number(n: i64) -> String {
    const WORDS: [&str; 10] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    match usize::try_from(n) {
        Ok(i) if i < WORDS.len() => WORDS[i].to_string(),
        _ => thousands(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(80), "80");
        assert_eq!(thousands(2131), "2,131");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(-1234), "-1,234");
        assert_eq!(thousands(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(thousands_unsigned(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn numbers_in_press_style() {
        assert_eq!(press_number(0), "no");
        assert_eq!(press_number(1), "one");
        assert_eq!(press_number(9), "nine");
        assert_eq!(press_number(10), "10");
        assert_eq!(press_number(80), "80");
        assert_eq!(press_number(2131), "2,131");
        assert_eq!(press_number(-3), "-3");
    }
}
