//! Money: exact, in cents (src/api/model.rs).

use super::*;
use floktu_tui::api::Money;
use serde_json::json;

/// Digits with a comma between groups of three: 1234567 → "1,234,567".
fn with_thousands(whole: u64) -> String {
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Strings made of what amounts are made of, in any order.
fn amount_like() -> impl Strategy<Value = String> {
    "[ +-]?[0-9,.]{0,24}[ ]?"
}

proptest! {
    #![proptest_config(config(256))]

    /// What Money prints, it reads back (every amount but i64::MIN, whose
    /// magnitude has no positive i64).
    #[test]
    fn money_reads_back_what_it_prints(cents in (i64::MIN + 1)..=i64::MAX) {
        prop_assert_eq!(Money::parse(&Money(cents).to_string()), Ok(Money(cents)));
    }

    /// "W.DD" is W*100 + DD cents, with or without a sign, with or without
    /// thousands separators.
    #[test]
    fn whole_and_two_decimals_are_exact(
        whole in prop_oneof![0u64..1000, 0u64..90_000_000_000_000_000],
        frac in 0u64..100,
        negative: bool,
    ) {
        let cents = whole as i64 * 100 + frac as i64;
        let expected = Money(if negative { -cents } else { cents });
        let sign = if negative { "-" } else { "" };
        prop_assert_eq!(Money::parse(&format!("{sign}{whole}.{frac:02}")), Ok(expected));
        prop_assert_eq!(Money::parse(&format!("{sign}{}.{frac:02}", with_thousands(whole))), Ok(expected));
        if !negative {
            prop_assert_eq!(Money::parse(&format!("+{whole}.{frac:02}")), Ok(expected));
        }
    }

    /// A third decimal rounds half away from zero.
    #[test]
    fn a_third_decimal_rounds_half_away_from_zero(
        whole in 0u64..1_000_000_000,
        frac in 0u64..100,
        third in 0u64..10,
        noise in "[0-9]{0,6}",
        negative: bool,
    ) {
        let cents = whole as i64 * 100 + frac as i64 + i64::from(third >= 5);
        let sign = if negative { "-" } else { "" };
        let parsed = Money::parse(&format!("{sign}{whole}.{frac:02}{third}{noise}"));
        prop_assert_eq!(parsed, Ok(Money(if negative { -cents } else { cents })));
    }

    /// A JSON number with two decimals is read exactly, not through f64 arithmetic.
    #[test]
    fn a_json_number_is_exact(cents in -1_000_000_000_000i64..1_000_000_000_000) {
        let v = json!(cents as f64 / 100.0);
        prop_assert_eq!(Money::from_json(Some(&v)), Ok(Some(Money(cents))), "{}", v);
    }

    /// No string panics the parser, and whatever it accepts prints as an
    /// amount it reads back the same.
    #[test]
    fn any_string_parses_or_is_rejected(s in prop_oneof![amount_like(), any_text()]) {
        if let Ok(m) = Money::parse(&s) {
            prop_assert_eq!(Money::parse(&m.to_string()), Ok(m), "{:?}", s);
        }
    }
}
