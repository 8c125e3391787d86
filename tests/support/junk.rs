//! A server on loopback whose every list is millions of junk items (`[0,0,0,…]`)
//! just under the client's 32 MB body limit; an order's details carry the same
//! junk as attendees.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

/// The client's body limit: the junk is one byte under it.
pub const LIMIT: usize = 32 * 1024 * 1024;

/// `[0, 0, …, 0]` of at most `bytes` bytes (four a zero: 8 million in 32 MB),
/// and how many zeros it holds.
pub fn zeros(bytes: usize) -> (Vec<u8>, usize) {
    let items = (bytes - 2) / 4;
    let mut body = Vec::with_capacity(bytes);
    body.push(b'[');
    for i in 0..items {
        body.extend_from_slice(if i == 0 { b"0   " } else { b", 0 " });
    }
    body.push(b']');
    (body, items)
}

/// What [`start`] serves.
pub struct Junk {
    /// The API base.
    pub base: String,
    /// Junk items in a list (events, orders).
    pub list_items: usize,
    /// Junk attendees in an order's details.
    pub order_items: usize,
}

/// Serves junk on 127.0.0.1 until the test ends.
pub fn start() -> Junk {
    let (list, list_items) = zeros(LIMIT - 1);
    let list = Arc::new(list);
    // `{"id":1,"attendees":[0,…]}` of the same size.
    let prefix = br#"{"id":1,"attendees":"#;
    let (inner, order_items) = zeros(LIMIT - 1 - prefix.len() - 1);
    let mut order = prefix.to_vec();
    order.extend_from_slice(&inner);
    order.push(b'}');
    let order = Arc::new(order);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/api/v2", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let (list, order) = (Arc::clone(&list), Arc::clone(&order));
            std::thread::spawn(move || {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&request);
                let path = line.split_whitespace().nth(1).unwrap_or("");
                let body = if path.matches('/').count() >= 6 { &order } else { &list };
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = conn.write_all(head.as_bytes()).and_then(|()| conn.write_all(body));
            });
        }
    });
    Junk { base, list_items, order_items }
}
