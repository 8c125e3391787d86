//! The OAuth code exchange against the demo server's authorize and token endpoints.

use std::sync::{Arc, Mutex};

use floktu_tui::api::oauth::{self, ClientCredentials, CodeVerifier, OAuthError};
use floktu_tui::api::{ApiBase, ClientOptions, FloktuClient};
use floktu_tui::demo::{DemoOptions, DemoServer};

const REDIRECT: &str = "http://127.0.0.1:1/callback";

fn credentials(opts: &DemoOptions) -> ClientCredentials {
    ClientCredentials { client_id: opts.client_id.clone(), client_secret: opts.client_secret.clone() }
}

/// Follows the authorize URL as a script would and returns the code from the redirect.
async fn approve(base: &ApiBase, client_id: &str, state: &str) -> String {
    approve_with(base, client_id, state, None).await
}

/// [`approve`], with a PKCE challenge in the authorize URL.
async fn approve_with(base: &ApiBase, client_id: &str, state: &str, pkce: Option<&CodeVerifier>) -> String {
    let url = oauth::authorize_url(base, client_id, REDIRECT, state, pkce).unwrap();
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
    let token =
        oauth::exchange_code(&base, &credentials(&opts), &code, REDIRECT, None, &ClientOptions::default())
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
        oauth::exchange_code(&base, &credentials(&opts), &code, REDIRECT, None, &ClientOptions::default())
            .await;
    assert!(first.is_ok());
    let again =
        oauth::exchange_code(&base, &credentials(&opts), &code, REDIRECT, None, &ClientOptions::default())
            .await;
    assert!(matches!(again, Err(OAuthError::InvalidGrant(_))), "{again:?}");
}

#[tokio::test]
async fn a_made_up_code_is_an_invalid_grant() {
    let opts = DemoOptions { events: 1, orders: 5, ..DemoOptions::default() };
    let server = DemoServer::start(opts.clone()).await.unwrap();
    let base = ApiBase::parse(&server.base_url()).unwrap();
    let result =
        oauth::exchange_code(&base, &credentials(&opts), "nope", REDIRECT, None, &ClientOptions::default())
            .await;
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
    let result = oauth::exchange_code(&base, &wrong, &code, REDIRECT, None, &ClientOptions::default()).await;
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
        None,
        &ClientOptions::default(),
    )
    .await;
    assert!(matches!(result, Err(OAuthError::InvalidGrant(_))), "{result:?}");
}

#[tokio::test]
async fn a_code_issued_with_a_pkce_challenge_needs_its_verifier() {
    let opts = DemoOptions { events: 1, orders: 5, ..DemoOptions::default() };
    let server = DemoServer::start(opts.clone()).await.unwrap();
    let base = ApiBase::parse(&server.base_url()).unwrap();
    let verifier = CodeVerifier::random();
    let exchange = |code: String, pkce: Option<CodeVerifier>| {
        let (base, credentials) = (base.clone(), credentials(&opts));
        async move {
            oauth::exchange_code(
                &base,
                &credentials,
                &code,
                REDIRECT,
                pkce.as_ref(),
                &ClientOptions::default(),
            )
            .await
        }
    };
    let code = approve_with(&base, &opts.client_id, "p1", Some(&verifier)).await;
    let without = exchange(code, None).await;
    assert!(matches!(without, Err(OAuthError::InvalidGrant(_))), "{without:?}");
    let code = approve_with(&base, &opts.client_id, "p2", Some(&verifier)).await;
    let wrong = exchange(code, Some(CodeVerifier::random())).await;
    assert!(matches!(wrong, Err(OAuthError::InvalidGrant(_))), "{wrong:?}");
    let code = approve_with(&base, &opts.client_id, "p3", Some(&verifier)).await;
    assert!(exchange(code, Some(verifier)).await.is_ok());
}

/// What a server received: one line per request, with its body.
type Received = Arc<Mutex<Vec<String>>>;

/// A server on 127.0.0.1 that records every request and answers 404.
async fn recording_server() -> (String, Received) {
    let received: Received = Arc::default();
    let log = Arc::clone(&received);
    let app = axum::Router::new().fallback(
        move |method: axum::http::Method, uri: axum::http::Uri, body: String| {
            let log = Arc::clone(&log);
            async move {
                log.lock().unwrap().push(format!("{method} {uri} {body}"));
                axum::http::StatusCode::NOT_FOUND
            }
        },
    );
    (serve(app).await, received)
}

/// A token endpoint that answers every request with `307` to `location`.
async fn redirecting_token_endpoint(location: String) -> String {
    let app = axum::Router::new().fallback(move || {
        let location = location.clone();
        async move { (axum::http::StatusCode::TEMPORARY_REDIRECT, [(axum::http::header::LOCATION, location)]) }
    });
    serve(app).await
}

/// Serves `app` on a free loopback port; returns `127.0.0.1:PORT`.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

#[tokio::test]
async fn the_token_request_follows_no_redirect_and_names_where_it_pointed() {
    let (thief, received) = recording_server().await;
    let token_host = redirecting_token_endpoint(format!("http://{thief}/api/v2/token")).await;
    let base = ApiBase::parse(&format!("http://{token_host}/api/v2")).unwrap();
    let secret = ClientCredentials { client_id: "id".into(), client_secret: "the-secret".into() };
    let verifier = CodeVerifier::random();
    let result = oauth::exchange_code(
        &base,
        &secret,
        "the-code",
        REDIRECT,
        Some(&verifier),
        &ClientOptions::default(),
    )
    .await;
    let err = result.unwrap_err();
    assert!(matches!(err, OAuthError::Redirected { status: 307, .. }), "{err:?}");
    assert!(err.to_string().contains(&thief), "the message names the host: {err}");
    // The exchange has returned: a followed redirect would have reached the thief by now.
    assert_eq!(*received.lock().unwrap(), Vec::<String>::new(), "the second server received the request");
}
