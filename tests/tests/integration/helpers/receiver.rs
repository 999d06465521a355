//! A webhook receiver on loopback for the notification tests: it keeps every request (headers and
//! body) and answers 500 to the first `failures` of them, 200 after.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{KeyInit, Mac};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request as received; header names lower-cased.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// True when `X-Berth-Signature` is `v1=` HMAC-SHA256(secret, "{X-Berth-Timestamp}.{body}")
    /// and the timestamp is within the 5-minute replay window.
    pub fn signed_with(&self, secret: &str) -> bool {
        let (Some(timestamp), Some(signature)) =
            (self.headers.get("x-berth-timestamp"), self.headers.get("x-berth-signature"))
        else {
            return false;
        };
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let Ok(at) = timestamp.parse::<i64>() else { return false };
        if (now - at).abs() > 300 {
            return false;
        }
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(&self.body);
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        *signature == format!("v1={hex}")
    }
}

pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// Listens on 127.0.0.1 at a free port; `path` is the URL's path (e.g. `/hooks/berth`).
    pub async fn start(path: &str, failures: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}{path}", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let left = Arc::new(AtomicUsize::new(failures));
        let kept = got.clone();
        let own = Arc::new(format!("POST {path} "));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (kept, left, own) = (kept.clone(), left.clone(), own.clone());
                tokio::spawn(async move { serve(stream, kept, left, &own).await });
            }
        });
        Self { url, got }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `n` requests came (panics after 30 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..300 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{n} requests never came; got {:?}", self.received());
    }
}

/// Keeps a POST to the receiver's path; anything else (a stray connection to this port, which
/// another test's server may have had before: its retries still come) is answered 404, not kept.
async fn serve(
    mut stream: tokio::net::TcpStream,
    kept: Arc<Mutex<Vec<Received>>>,
    left: Arc<AtomicUsize>,
    own_request_line: &str,
) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let headers: BTreeMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while buffer.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    let body = buffer[head_end..head_end + length].to_vec();
    if !head.starts_with(own_request_line) {
        let answer = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        let _ = stream.write_all(answer.as_bytes()).await;
        return;
    }
    kept.lock().unwrap().push(Received { headers, body });
    let fail = left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    let status = if fail { "500 Internal Server Error" } else { "200 OK" };
    let answer = format!("HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
}
