//! OAuth2 authorization-code flow, MailChimp-v1.3 style: no refresh tokens, and
//! `expires_in: 0` means the token never expires.

use base64::Engine;
use rand::RngExt;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::client::{ClientOptions, excerpt, parse_json, read_limited, send_error, status_error};
use super::{AccessToken, ApiBase, Error};

/// The client credentials an organisation is issued.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    /// The public client id.
    pub client_id: String,
    /// The client secret (never shown).
    pub client_secret: String,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .finish()
    }
}

/// Why a code exchange failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// The code was refused: used already, expired, or for another redirect URI.
    #[error("Floktu refused the authorization code ({0}); start the login again")]
    InvalidGrant(String),
    /// The client id or secret is wrong.
    #[error("Floktu does not accept this client id and secret ({0})")]
    InvalidClient(String),
    /// The token endpoint answered with a redirect. It is never followed: the
    /// request carries the client secret and the code.
    #[error(
        "the token endpoint answered {status} with a redirect to {to}; floktu does not follow \
         redirects on the token request (it carries the client secret). Check the API base"
    )]
    Redirected {
        /// The HTTP status (301, 302, 303, 307, 308).
        status: u16,
        /// Where it pointed: the host (and port), or what the `Location` header said.
        to: String,
    },
    /// The token endpoint answered something else, or could not be reached.
    #[error(transparent)]
    Api(#[from] Error),
}

/// A PKCE (RFC 7636) code verifier: 32 random bytes, base64url (43 characters).
/// It stays on this machine until the token request; the authorize URL carries
/// only its S256 challenge.
#[derive(Clone, PartialEq, Eq)]
pub struct CodeVerifier(String);

impl std::fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeVerifier(***)")
    }
}

impl CodeVerifier {
    /// A fresh random verifier.
    pub fn random() -> CodeVerifier {
        let bytes: [u8; 32] = rand::rng().random();
        CodeVerifier(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The verifier as sent in the token request.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `BASE64URL(SHA256(verifier))`: the `code_challenge` for `code_challenge_method=S256`.
    pub fn challenge(&self) -> String {
        s256_challenge(&self.0)
    }
}

/// The S256 challenge of `verifier` (also what a server checks).
pub fn s256_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A fresh random `state` value (128 bits, hex) to tie the redirect to this login.
pub fn random_state() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

/// The URL the user opens to approve access; with a verifier, it carries its
/// S256 challenge.
pub fn authorize_url(
    base: &ApiBase,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    pkce: Option<&CodeVerifier>,
) -> Result<url::Url, Error> {
    let mut url = base.join("authorize")?;
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state);
        if let Some(verifier) = pkce {
            query
                .append_pair("code_challenge", &verifier.challenge())
                .append_pair("code_challenge_method", "S256");
        }
    }
    Ok(url)
}

/// An HTTP client that follows no redirect at all: the token request carries
/// the client secret and the code, and must reach only the host it was sent to.
fn token_client(opts: &ClientOptions) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .connect_timeout(opts.connect_timeout)
        .timeout(opts.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("floktu/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Network(format!("could not set up HTTP: {e}")))
}

/// Where a redirect answer pointed, for the error: its host and port, or the
/// `Location` header as sent (sanitized) when it is not an absolute URL.
fn redirect_target(request: &url::Url, headers: &reqwest::header::HeaderMap) -> String {
    let Some(location) = headers.get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()) else {
        return "an address it did not give".to_string();
    };
    match request.join(location) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            (None, _) => crate::text::sanitize(location).into_owned(),
        },
        Err(_) => crate::text::sanitize(location).into_owned(),
    }
}

/// Exchanges an authorization code for an access token (form POST to `token`),
/// with the PKCE verifier when the authorize URL carried its challenge. A
/// redirect answer is an error, never followed.
pub async fn exchange_code(
    base: &ApiBase,
    credentials: &ClientCredentials,
    code: &str,
    redirect_uri: &str,
    pkce: Option<&CodeVerifier>,
    opts: &ClientOptions,
) -> Result<AccessToken, OAuthError> {
    let http = token_client(opts)?;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", credentials.client_id.as_str()),
        ("client_secret", credentials.client_secret.as_str()),
        ("code", code.trim()),
        ("redirect_uri", redirect_uri),
    ];
    if let Some(verifier) = pkce {
        form.push(("code_verifier", verifier.as_str()));
    }
    let url = base.join("token")?;
    let response = http
        .post(url.clone())
        .form(&form)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| send_error(&e, opts))?;
    let status = response.status();
    let headers = response.headers().clone();
    if status.is_redirection() {
        return Err(OAuthError::Redirected { status: status.as_u16(), to: redirect_target(&url, &headers) });
    }
    let body = read_limited(response, 1024 * 1024, opts).await?;
    if !status.is_success() {
        let code = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string));
        let err = status_error(status, &headers, &body);
        let detail = match &err {
            Error::Unauthorized(m) | Error::NotFound(m) | Error::Server { message: m, .. } => m.clone(),
            other => other.to_string(),
        };
        return Err(match code.as_deref() {
            Some("invalid_grant") => OAuthError::InvalidGrant(detail),
            Some("invalid_client" | "unauthorized_client") => OAuthError::InvalidClient(detail),
            _ => OAuthError::Api(err),
        });
    }
    let v = parse_json(&body)?;
    match v.get("access_token").and_then(Value::as_str).filter(|t| !t.trim().is_empty()) {
        Some(token) => Ok(AccessToken::new(token)),
        None => Err(OAuthError::Api(Error::Decode {
            message: "the token endpoint's answer has no access_token".into(),
            excerpt: excerpt(b"(body withheld: it may hold secrets)"),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_url_carries_every_parameter_encoded() {
        let base = ApiBase::parse("https://floktu.com/api/v2").unwrap();
        let url = authorize_url(&base, "my client", "http://127.0.0.1:8765/callback", "abc", None).unwrap();
        assert_eq!(url.path(), "/api/v2/authorize");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            vec![
                ("response_type".into(), "code".into()),
                ("client_id".into(), "my client".into()),
                ("redirect_uri".into(), "http://127.0.0.1:8765/callback".into()),
                ("state".into(), "abc".into()),
            ]
        );
    }

    #[test]
    fn with_pkce_the_authorize_url_carries_the_s256_challenge_and_not_the_verifier() {
        let base = ApiBase::parse("https://floktu.com/api/v2").unwrap();
        let verifier = CodeVerifier::random();
        let url = authorize_url(&base, "id", "http://127.0.0.1:8765/callback", "s", Some(&verifier)).unwrap();
        let param = |k: &str| url.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
        assert_eq!(param("code_challenge_method").as_deref(), Some("S256"));
        assert_eq!(param("code_challenge"), Some(verifier.challenge()));
        assert!(!url.as_str().contains(verifier.as_str()));
    }

    #[test]
    fn the_s256_challenge_matches_rfc_7636() {
        // RFC 7636, appendix B.
        let challenge = s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let verifier = CodeVerifier::random();
        assert_eq!(verifier.as_str().len(), 43);
        assert_ne!(verifier, CodeVerifier::random());
        assert!(!format!("{verifier:?}").contains(verifier.as_str()));
    }

    #[test]
    fn states_are_random_and_long() {
        let (a, b) = (random_state(), random_state());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn credentials_debug_hides_the_secret() {
        let c = ClientCredentials { client_id: "id".into(), client_secret: "hunter2".into() };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
