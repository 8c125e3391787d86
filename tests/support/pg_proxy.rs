//! A TCP proxy to PostgreSQL on 127.0.0.1 that can refuse new connections, so
//! that the server seems away and back without stopping it (the ledger's queue
//! tests, and the door's end to end).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::{TcpListener, TcpStream};

pub struct Proxy {
    url: String,
    down: Arc<AtomicBool>,
}

impl Proxy {
    pub async fn start(url: &str) -> Proxy {
        let parsed = url::Url::parse(url).unwrap();
        let target = format!("{}:{}", parsed.host_str().unwrap(), parsed.port().unwrap_or(5432));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&down);
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if flag.load(Ordering::SeqCst) {
                    continue;
                }
                let target = target.clone();
                tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        let mut proxied = parsed;
        proxied.set_port(Some(port)).unwrap();
        Proxy { url: proxied.to_string(), down }
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}
