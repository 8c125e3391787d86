//! OAuth2 authorization-code flow, MailChimp-v1.3 style: no refresh tokens, and
//! `expires_in: 0` means the token never expires.

use rand::RngExt;
use serde_json::Value;

use super::client::{
    ClientOptions, excerpt, http_client, parse_json, read_limited, send_error, status_error,
};
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
    /// The token endpoint answered something else, or could not be reached.
    #[error(transparent)]
    Api(#[from] Error),
}

/// A fresh random `state` value (128 bits, hex) to tie the redirect to this login.
pub fn random_state() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

/// The URL the user opens to approve access.
pub fn authorize_url(
    base: &ApiBase,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
) -> Result<url::Url, Error> {
    let mut url = base.join("authorize")?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state);
    Ok(url)
}

/// Exchanges an authorization code for an access token (form POST to `token`).
pub async fn exchange_code(
    base: &ApiBase,
    credentials: &ClientCredentials,
    code: &str,
    redirect_uri: &str,
    opts: &ClientOptions,
) -> Result<AccessToken, OAuthError> {
    let http = http_client(opts)?;
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", credentials.client_id.as_str()),
        ("client_secret", credentials.client_secret.as_str()),
        ("code", code.trim()),
        ("redirect_uri", redirect_uri),
    ];
    let response = http
        .post(base.join("token")?)
        .form(&form)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| send_error(&e, opts))?;
    let status = response.status();
    let headers = response.headers().clone();
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
        let url = authorize_url(&base, "my client", "http://127.0.0.1:8765/callback", "abc").unwrap();
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
