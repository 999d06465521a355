//! HTTP/1.1 by hand over one TCP connection, for tests about what a client library hides: when a
//! request's body arrives, and whether the server keeps or drops the connection afterwards.
//! Blocking std sockets: call from `spawn_blocking`, never on the runtime the server runs on.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub struct RawConnection {
    reader: BufReader<TcpStream>,
}

/// One response: status, lower-cased headers, body.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

impl RawConnection {
    /// Connects to `address` (`http://host:port`).
    pub fn open(address: &str) -> std::io::Result<Self> {
        let stream = TcpStream::connect(address.trim_start_matches("http://"))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(Self { reader: BufReader::new(stream) })
    }

    pub fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.reader.get_mut().write_all(bytes)?;
        self.reader.get_mut().flush()
    }

    /// Reads one response with a `Content-Length` body; `Err` when the connection ends first.
    pub fn read_response(&mut self) -> std::io::Result<RawResponse> {
        let mut status_line = String::new();
        if self.reader.read_line(&mut status_line)? == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed"));
        }
        let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_lowercase(), value.trim().to_string()));
            }
        }
        let length: usize =
            headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok(RawResponse { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
    }

    /// Whether the server has answered something already, waiting at most `wait`.
    pub fn has_answer_within(&mut self, wait: Duration) -> bool {
        let stream = self.reader.get_ref();
        let _ = stream.set_read_timeout(Some(wait));
        let answered = !self.reader.buffer().is_empty() || self.reader.fill_buf().is_ok_and(|b| !b.is_empty());
        let _ = self.reader.get_ref().set_read_timeout(Some(Duration::from_secs(10)));
        answered
    }
}
