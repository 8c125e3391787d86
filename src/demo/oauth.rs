//! The demo's OAuth side: `authorize` (an approval page for browsers, an
//! immediate redirect for scripts), `token` (the code exchange), and the access
//! tokens the API routes accept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::Shared;
use super::faults::json_error;

/// Client credentials, outstanding codes and accepted tokens.
#[derive(Debug)]
pub(crate) struct OAuth {
    client_id: String,
    client_secret: String,
    /// Codes not yet exchanged.
    codes: Mutex<HashMap<String, Grant>>,
    /// Accepted access tokens and the revocation generation they were issued in.
    tokens: Mutex<HashMap<String, u64>>,
}

#[derive(Debug)]
struct Grant {
    client_id: String,
    redirect_uri: String,
    /// The PKCE S256 challenge sent with the authorize request, if any.
    code_challenge: Option<String>,
}

impl OAuth {
    pub(crate) fn new(client_id: &str, client_secret: &str, start_token: &str) -> OAuth {
        let mut tokens = HashMap::new();
        tokens.insert(start_token.to_string(), 0);
        OAuth {
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            codes: Mutex::new(HashMap::new()),
            tokens: Mutex::new(tokens),
        }
    }

    /// Whether `token` was issued and not revoked (issued in `generation`).
    pub(crate) fn accepts(&self, token: &str, generation: u64) -> bool {
        lock(&self.tokens).get(token) == Some(&generation)
    }

    fn issue_code(&self, client_id: &str, redirect_uri: &str, code_challenge: Option<&str>) -> String {
        let code = format!("{:032x}", rand::random::<u128>());
        let grant = Grant {
            client_id: client_id.to_string(),
            redirect_uri: redirect_uri.to_string(),
            code_challenge: code_challenge.map(str::to_string),
        };
        lock(&self.codes).insert(code.clone(), grant);
        code
    }

    fn issue_token(&self, generation: u64) -> String {
        let token = format!("{:032x}{:016x}", rand::random::<u128>(), rand::random::<u64>());
        lock(&self.tokens).insert(token.clone(), generation);
        token
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Form or query pairs; the first of a repeated name wins.
fn pairs(input: &[u8]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(input) {
        map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    map
}

/// `GET authorize?response_type=code&client_id=…&redirect_uri=…&state=…`
///
/// A browser (`Accept` has `text/html`) gets an approval page whose Approve
/// button POSTs `code` and `state` to the redirect URI; anything else is
/// approved at once with `302 Found` to `redirect_uri?code=…&state=…`.
/// A PKCE `code_challenge` (S256 only) is kept with the code and checked at `token`.
pub(super) async fn authorize(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = pairs(query.unwrap_or_default().as_bytes());
    let get = |name: &str| params.get(name).map(String::as_str);
    let client_id = get("client_id").unwrap_or_default();
    if client_id != shared.oauth.client_id {
        return error_page(&format!(
            "Unknown client id “{client_id}”. Check the client id floktu was given for this server."
        ));
    }
    if get("response_type") != Some("code") {
        return error_page("This server only supports response_type=code.");
    }
    let Some(redirect_uri) = get("redirect_uri") else {
        return error_page("The redirect_uri parameter is missing.");
    };
    let mut location = match url::Url::parse(redirect_uri) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        _ => {
            return error_page(&format!("The redirect_uri “{redirect_uri}” is not an http(s) URL."));
        }
    };
    let challenge = get("code_challenge");
    if challenge.is_some() && get("code_challenge_method") != Some("S256") {
        return error_page("This server only supports code_challenge_method=S256.");
    }
    let state = get("state");
    let code = shared.oauth.issue_code(client_id, redirect_uri, challenge);

    let wants_html =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    if wants_html {
        return Html(approval_page(client_id, redirect_uri, &code, state)).into_response();
    }
    {
        let mut query = location.query_pairs_mut();
        query.append_pair("code", &code);
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    match HeaderValue::from_str(location.as_str()) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => error_page("The redirect_uri cannot be used in a Location header."),
    }
}

/// `POST token` with a form body: exchanges a code for an access token.
pub(super) async fn token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    shared.counters.count_token_request();
    let params = pairs(&body);
    let get = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    let oauth = &shared.oauth;
    if get("client_id") != oauth.client_id || get("client_secret") != oauth.client_secret {
        return json_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Unknown client id or wrong client secret.",
        );
    }
    if get("grant_type") != "authorization_code" {
        return json_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "grant_type must be authorization_code.",
        );
    }
    // A code is spent by any attempt to use it, as real servers do.
    let Some(grant) = lock(&oauth.codes).remove(get("code")) else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The code is unknown or has already been used.",
        );
    };
    if grant.client_id != get("client_id") || grant.redirect_uri != get("redirect_uri") {
        return json_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The redirect_uri does not match the one the code was issued for.",
        );
    }
    if let Some(challenge) = &grant.code_challenge
        && crate::api::oauth::s256_challenge(get("code_verifier")) != *challenge
    {
        return json_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "PKCE verification failed: the code_verifier is missing or does not match the code_challenge.",
        );
    }
    let token = oauth.issue_token(shared.knobs.token_generation());
    let body = serde_json::json!({ "access_token": token, "expires_in": 0, "scope": null });
    ([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")], body.to_string())
        .into_response()
}

fn error_page(message: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Floktu demo — cannot authorize</title></head>\n<body>\
         <h1>Cannot authorize</h1>\n<p>{}</p>\n</body></html>\n",
        escape(message)
    );
    (StatusCode::BAD_REQUEST, Html(page)).into_response()
}

fn approval_page(client_id: &str, redirect_uri: &str, code: &str, state: Option<&str>) -> String {
    let state_input = state
        .map(|s| format!("<input type=\"hidden\" name=\"state\" value=\"{}\">", escape(s)))
        .unwrap_or_default();
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Floktu demo — authorize floktu</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 34em; margin: 4em auto; padding: 0 1em; }}
form {{ display: inline-block; margin-right: 1em; }}
button {{ font-size: 1.1em; padding: .4em 1.4em; }}
</style>
</head>
<body>
<h1>Allow floktu to read your events?</h1>
<p>The application with client id <strong>{client}</strong> asks to read the events,
orders and attendees of this Floktu demo account. It cannot change anything.</p>
<p>After you answer, your browser goes back to <code>{uri}</code>.</p>
<form method="post" action="{uri}">
<input type="hidden" name="code" value="{code}">
{state}
<button type="submit">Approve</button>
</form>
<form method="post" action="{uri}">
<input type="hidden" name="error" value="access_denied">
{state}
<button type="submit">Deny</button>
</form>
</body>
</html>
"#,
        client = escape(client_id),
        uri = escape(redirect_uri),
        code = escape(code),
        state = state_input,
    )
}

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn approval_page_escapes_what_the_client_sent() {
        let page = approval_page("<script>", "http://127.0.0.1:1/cb?a=1&b=2", "c0de", Some("\"x"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("action=\"http://127.0.0.1:1/cb?a=1&amp;b=2\""));
        assert!(page.contains("value=\"&quot;x\""));
    }
}
