//! Reading the OAuth redirect the user pasted (src/auth/loopback.rs).

use super::*;
use floktu_tui::auth::loopback::{CallbackError, read_pasted};

/// An authorization code as servers issue them: URL-safe, non-empty.
fn code() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._~-]{1,64}"
}

/// Every byte as %XX.
fn percent_all(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Form encoding (what browsers send), or every byte percent-encoded.
fn encode(s: &str, every_byte: bool) -> String {
    if every_byte { percent_all(s) } else { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() }
}

/// Parameters other than code, state and error.
fn extra_params() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (
            any_text()
                .prop_filter("not a parameter read", |k| !["code", "state", "error"].contains(&k.as_str())),
            any_text(),
        ),
        0..4,
    )
}

/// The state the redirect carries: the expected one, another, or none.
#[derive(Clone, Debug)]
enum Sent {
    Expected,
    Other(String),
    Missing,
}

proptest! {
    #![proptest_config(config(256))]

    /// Nothing pasted panics the reader.
    #[test]
    fn reading_any_paste_never_panics(
        input in prop_oneof![any_text(), any_text().prop_map(|s| format!("http://127.0.0.1:8765/cb?{s}")), any_text().prop_map(|s| format!("?code={s}"))],
        state in any_text(),
    ) {
        let _ = read_pasted(&input, &state);
    }

    /// A pasted redirect gives its code exactly when its state is the one this
    /// login sent, whatever else it carries, in any order, however encoded.
    #[test]
    fn a_pasted_redirect_gives_its_code_only_with_the_expected_state(
        code in code(),
        expected in any_text(),
        sent in prop_oneof![2 => Just(Sent::Expected), 1 => any_text().prop_map(Sent::Other), 1 => Just(Sent::Missing)],
        params in extra_params(),
        every_byte in any::<bool>(),
        order in prop::collection::vec(any::<u32>(), 8),
        port in 1u16..=65535,
        host in prop::sample::select(vec!["127.0.0.1", "localhost"]),
        padding in "[ \t\n]{0,2}",
    ) {
        let state = match &sent {
            Sent::Expected => Some(expected.clone()),
            Sent::Other(s) => Some(s.clone()),
            Sent::Missing => None,
        };
        let mut pairs: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k, every_byte), encode(v, every_byte)))
            .collect();
        pairs.push(format!("code={}", encode(&code, every_byte)));
        if let Some(s) = &state {
            pairs.push(format!("state={}", encode(s, every_byte)));
        }
        // Parameters come in any order.
        let mut keyed: Vec<(u32, String)> = order.into_iter().zip(pairs).collect();
        keyed.sort();
        let pairs: Vec<String> = keyed.into_iter().map(|(_, p)| p).collect();
        let url = format!("{padding}http://{host}:{port}/callback?{}{padding}", pairs.join("&"));
        let want = if state.as_deref() == Some(expected.as_str()) {
            Ok(code.clone())
        } else {
            Err(CallbackError::StateMismatch)
        };
        prop_assert_eq!(read_pasted(&url, &expected), want.clone(), "{}", url);
        // The query string alone says the same.
        let query = format!("?{}", pairs.join("&"));
        prop_assert_eq!(read_pasted(&query, &expected), want, "{}", query);
    }

    /// A bare code is taken as it is.
    #[test]
    fn a_bare_code_is_taken_as_it_is(code in code(), state in any_text()) {
        prop_assert_eq!(read_pasted(&code, &state), Ok(code.clone()));
    }

    /// So is anything without spaces that cannot be an address or a query
    /// string (no `:`, no `code=`/`state=`).
    #[test]
    fn any_one_word_that_is_not_an_address_is_taken_as_the_code(
        word in "[^\\s\\p{Cc}:]{1,80}".prop_filter("not a query", |w| !w.contains("code=") && !w.contains("state=")),
        state in any_text(),
    ) {
        prop_assert_eq!(read_pasted(&word, &state), Ok(word.clone()));
    }
}
