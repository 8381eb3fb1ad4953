//! Servers on this machine for the remote probing tests: an HTTP server on 127.0.0.1 that
//! serves files (with byte ranges), status codes and answers that never come, and a local
//! S3-compatible server (moto).
//!
//! ```
//! use nucleus_testdata::media_server::{MediaServer, Route};
//!
//! let server = MediaServer::start(vec![("/a.bin".into(), Route::File(b"0123456789".to_vec()))]);
//! let url = server.url("/a.bin");
//! assert!(url.starts_with("http://127.0.0.1:"));
//! ```

// Test helpers: a failure is how they report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the HTTP server answers for a path.
#[derive(Debug, Clone)]
pub enum Route {
    /// The file's bytes: all of them (200), or the range asked for (206, or 416 past the end).
    File(Vec<u8>),
    /// This status, with no body.
    Status(u16),
    /// No answer at all, until the server stops: a request to it times out.
    Hang,
}

/// A request the HTTP server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// `GET` or `HEAD`.
    pub method: String,
    /// The path and query asked for.
    pub url: String,
    /// The `Range` header, when there was one.
    pub range: Option<String>,
    /// Bytes of body sent.
    pub bytes: u64,
}

/// An HTTP/1.1 server on 127.0.0.1 (a free port), answering each path by its [`Route`] (404
/// for others), until it is dropped.
pub struct MediaServer {
    port: u16,
    served: Arc<Mutex<Vec<Served>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MediaServer {
    /// Starts the server with `routes` (path without query, route).
    #[must_use]
    pub fn start(routes: Vec<(String, Route)>) -> MediaServer {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        let served = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (served, stop) = (Arc::clone(&served), Arc::clone(&stop));
            std::thread::spawn(move || {
                // Requests to a `Hang` route, held unanswered until the server stops.
                let mut held = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(50)) else {
                        continue;
                    };
                    let url = request.url().to_owned();
                    let path = url.split('?').next().unwrap_or_default();
                    let route = routes
                        .iter()
                        .find(|(route, _)| route == path)
                        .map_or(Route::Status(404), |(_, route)| route.clone());
                    let range = request
                        .headers()
                        .iter()
                        .find(|header| header.field.equiv("Range"))
                        .map(|header| header.value.as_str().to_owned());
                    let method = request.method().as_str().to_owned();
                    let (response, bytes) = match route {
                        Route::Hang => {
                            held.push(request);
                            continue;
                        }
                        Route::Status(code) => (
                            tiny_http::Response::from_data(Vec::new()).with_status_code(code),
                            0,
                        ),
                        Route::File(data) => answer(&data, range.as_deref()),
                    };
                    let bytes = if method == "HEAD" { 0 } else { bytes };
                    // A Content-Length on every answer, as file servers and S3 send it (tiny_http
                    // would send large bodies chunked).
                    let response = response.with_chunked_threshold(usize::MAX);
                    served.lock().unwrap().push(Served {
                        method,
                        url,
                        range,
                        bytes,
                    });
                    let _ = request.respond(response);
                }
                drop(held);
            })
        };
        MediaServer {
            port,
            served,
            stop,
            thread: Some(thread),
        }
    }

    /// The URL of `path` (which starts with `/`) on this server.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The requests answered so far, in order.
    #[must_use]
    pub fn served(&self) -> Vec<Served> {
        self.served.lock().unwrap().clone()
    }
}

impl Drop for MediaServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type Answer = (tiny_http::Response<std::io::Cursor<Vec<u8>>>, u64);

/// The answer to a request for `data` with the `Range` header `range`.
fn answer(data: &[u8], range: Option<&str>) -> Answer {
    let size = data.len() as u64;
    let header = |name: &str, value: String| {
        tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap()
    };
    let Some(spec) = range.and_then(|range| range.strip_prefix("bytes=")) else {
        return (tiny_http::Response::from_data(data.to_vec()), size);
    };
    let (start, end) = spec.split_once('-').unwrap();
    let start: u64 = start.parse().unwrap();
    let end: u64 = if end.is_empty() {
        size.saturating_sub(1)
    } else {
        end.parse().unwrap()
    };
    if start >= size {
        let response = tiny_http::Response::from_data(Vec::new())
            .with_status_code(416)
            .with_header(header("Content-Range", format!("bytes */{size}")));
        return (response, 0);
    }
    let end = end.min(size - 1);
    let part = data[start as usize..=end as usize].to_vec();
    let sent = part.len() as u64;
    let response = tiny_http::Response::from_data(part)
        .with_status_code(206)
        .with_header(header(
            "Content-Range",
            format!("bytes {start}-{end}/{size}"),
        ))
        .with_header(header("Accept-Ranges", "bytes".to_owned()));
    (response, sent)
}

/// The environment variable that names a running S3-compatible server for the tests
/// (`.ci/run` starts moto and sets it).
pub const S3_ENDPOINT_VAR: &str = "NUCLEUS_TEST_S3_ENDPOINT";

/// A local S3-compatible server: the one [`S3_ENDPOINT_VAR`] names, or a `moto_server` started
/// here on a free port of 127.0.0.1 (stopped when this is dropped).
pub struct S3Server {
    endpoint: String,
    child: Option<Child>,
}

impl S3Server {
    /// The server, or `None` (with a message on standard error) when there is none and
    /// `moto_server` is not installed. Under `CI=true` it panics instead: CI must test S3.
    #[must_use]
    pub fn start() -> Option<S3Server> {
        if let Ok(endpoint) = std::env::var(S3_ENDPOINT_VAR) {
            return Some(S3Server {
                endpoint: endpoint.trim_end_matches('/').to_owned(),
                child: None,
            });
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let spawned = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(error) => {
                let message = format!(
                    "no S3-compatible server: {S3_ENDPOINT_VAR} is not set and moto_server cannot be started ({error}); install it with `pip install 'moto[server]'`"
                );
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "{message} (CI=true: the S3 tests must run)"
                );
                eprintln!("SKIPPED: {message}");
                return None;
            }
        };
        let server = S3Server {
            endpoint: format!("http://127.0.0.1:{port}"),
            child: Some(child),
        };
        // moto takes a second or two to listen.
        for _ in 0..300 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(server);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto_server did not listen on 127.0.0.1:{port} within 30 s");
    }

    /// The endpoint, `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Creates `bucket` (an unsigned request: moto does not check signatures).
    pub fn create_bucket(&self, bucket: &str) {
        self.request("PUT", &format!("/{bucket}"), &[]);
    }

    /// Writes `bytes` to `bucket`/`key`.
    pub fn put(&self, bucket: &str, key: &str, bytes: &[u8]) {
        self.request("PUT", &format!("/{bucket}/{key}"), bytes);
    }

    fn request(&self, method: &str, path: &str, body: &[u8]) {
        let host = self.endpoint.trim_start_matches("http://");
        let mut stream = TcpStream::connect(host).unwrap();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response);
        let status = response.split_whitespace().nth(1).unwrap_or_default();
        assert_eq!(status, "200", "{method} {path}: {response}");
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
