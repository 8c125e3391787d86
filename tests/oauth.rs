//! The OAuth code exchange against the demo server's authorize and token endpoints.

use floktu_tui::api::oauth::{self, ClientCredentials, OAuthError};
use floktu_tui::api::{ApiBase, ClientOptions, FloktuClient};
use floktu_tui::demo::{DemoOptions, DemoServer};

const REDIRECT: &str = "http://127.0.0.1:1/callback";

fn credentials(opts: &DemoOptions) -> ClientCredentials {
    ClientCredentials { client_id: opts.client_id.clone(), client_secret: opts.client_secret.clone() }
}

/// Follows the authorize URL as a script would and returns the code from the redirect.
async fn approve(base: &ApiBase, client_id: &str, state: &str) -> String {
    let url = oauth::authorize_url(base, client_id, REDIRECT, state).unwrap();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap();
    let location = url::Url::parse(location).unwrap();
    assert!(location.as_str().starts_with(REDIRECT), "{location}");
    let param = |k: &str| location.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
    assert_eq!(param("state").as_deref(), Some(state));
    param("code").expect("a code in the redirect")
}

#[tokio::test]
async fn a_code_exchanges_for_a_working_token() {
    let opts = DemoOptions { events: 2, orders: 10, ..DemoOptions::default() };
    let server = DemoServer::start(opts.clone()).await.unwrap();
    let base = ApiBase::parse(&server.base_url()).unwrap();
    let state = oauth::random_state();
    let code = approve(&base, &opts.client_id, &state).await;
    let token = oauth::exchange_code(&base, &credentials(&opts), &code, REDIRECT, &ClientOptions::default())
        .await
        .unwrap();
    assert_ne!(token.expose(), opts.token, "a fresh token is issued");
    let events = FloktuClient::new(base, token).unwrap().events().await.unwrap();
    assert_eq!(events.items.len(), 2);
}

#[tokio::test]
async fn a_used_code_is_an_invalid_grant() {
    let opts = DemoOptions { events: 1, orders: 5, ..DemoOptions::default() };
    let server = DemoServer::start(opts.clone()).await.unwrap();
    let base = ApiBase::parse(&server.base_url()).unwrap();
    let code = approve(&base, &opts.client_id, "s1").await;
    let first =
        oauth::exchange_code(&base, &credentials(&opts), &code, REDIRECT, &ClientOptions::default()).await;
    assert!(first.is_ok());
    let again =
        oauth::exchange_code(&base, &credentials(&opts), &code, REDIRECT, &ClientOptions::default()).await;
    assert!(matches!(again, Err(OAuthError::InvalidGrant(_))), "{again:?}");
}

#[tokio::test]
async fn a_made_up_code_is_an_invalid_grant() {
    let opts = DemoOptions { events: 1, orders: 5, ..DemoOptions::default() };
    let server = DemoServer::start(opts.clone()).await.unwrap();
    let base = ApiBase::parse(&server.base_url()).unwrap();
    let result =
        oauth::exchange_code(&base, &credentials(&opts), "nope", REDIRECT, &ClientOptions::default()).await;
    let err = result.unwrap_err();
    assert!(matches!(err, OAuthError::InvalidGrant(_)), "{err:?}");
    assert!(err.to_string().contains("start the login again"), "{err}");
}

#[tokio::test]
async fn a_wrong_secret_is_an_invalid_client() {
    let opts = DemoOptions { events: 1, orders: 5, ..DemoOptions::default() };
    let server = DemoServer::start(opts.clone()).await.unwrap();
    let base = ApiBase::parse(&server.base_url()).unwrap();
    let code = approve(&base, &opts.client_id, "s2").await;
    let wrong = ClientCredentials { client_id: opts.client_id.clone(), client_secret: "wrong".into() };
    let result = oauth::exchange_code(&base, &wrong, &code, REDIRECT, &ClientOptions::default()).await;
    assert!(matches!(result, Err(OAuthError::InvalidClient(_))), "{result:?}");
}

#[tokio::test]
async fn a_code_for_another_redirect_uri_is_an_invalid_grant() {
    let opts = DemoOptions { events: 1, orders: 5, ..DemoOptions::default() };
    let server = DemoServer::start(opts.clone()).await.unwrap();
    let base = ApiBase::parse(&server.base_url()).unwrap();
    let code = approve(&base, &opts.client_id, "s3").await;
    let result = oauth::exchange_code(
        &base,
        &credentials(&opts),
        &code,
        "http://127.0.0.1:2/other",
        &ClientOptions::default(),
    )
    .await;
    assert!(matches!(result, Err(OAuthError::InvalidGrant(_))), "{result:?}");
}
