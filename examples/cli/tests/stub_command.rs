//! `apify-run stub` as a test server, run as a user runs it: its tokens, its request log, its
//! special names, a port in use, strict framing, and bounded memory under load.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// A running `apify-run stub`, its stderr collected; killed when dropped.
struct StubProcess {
    child: Child,
    base_url: String,
    /// What it said on stdout at start.
    banner: String,
    stderr: Arc<Mutex<String>>,
    reader: Option<JoinHandle<()>>,
}

impl StubProcess {
    fn start(args: &[&str]) -> StubProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_apify-run"))
            .arg("stub")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut banner = String::new();
        for _ in 0..2 {
            stdout.read_line(&mut banner).unwrap();
        }
        let base_url = banner
            .split_whitespace()
            .find(|word| word.starts_with("http://") || word.starts_with("https://"))
            .unwrap_or_else(|| panic!("no address in {banner:?}"))
            .to_string();
        let stderr = Arc::new(Mutex::new(String::new()));
        let reader = {
            let (stderr, mut pipe) = (stderr.clone(), child.stderr.take().unwrap());
            thread::spawn(move || {
                let mut buf = [0; 4096];
                while let Ok(n @ 1..) = pipe.read(&mut buf) {
                    stderr.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            })
        };
        StubProcess { child, base_url, banner, stderr, reader: Some(reader) }
    }

    fn addr(&self) -> String {
        self.base_url.split("://").nth(1).unwrap_or_default().to_string()
    }

    /// Its stderr so far, after waiting for `expected` to show up (bounded).
    fn stderr_with(&self, expected: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = self.stderr.lock().unwrap().clone();
            if text.contains(expected) || Instant::now() > deadline {
                return text;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Resident memory, from /proc, in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    fn threads(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("Threads:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

impl Drop for StubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// Sends `request` (with `Connection: close` added to its head) and returns the status and
/// the whole answer.
fn exchange(addr: &str, head: &str, body: &[u8]) -> (u16, String) {
    let mut socket = TcpStream::connect(addr).unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = head.trim_end_matches("\r\n");
    // The server may answer (and close) before the whole body is written: that is fine.
    let _ = socket.write_all(format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes());
    let _ = socket.write_all(body);
    let mut answer = Vec::new();
    let _ = socket.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer)
}

fn apify_run(args: &[&str], token: Option<&str>, base_url: &str) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_apify-run"));
    command.args(args).env("APIFY_BASE_URL", base_url).env_remove("APIFY_TOKEN");
    if let Some(token) = token {
        command.env("APIFY_TOKEN", token);
    }
    command.output().unwrap()
}

#[test]
fn help_lists_the_special_names() {
    let out = Command::new(env!("CARGO_BIN_EXE_apify-run")).args(["stub", "--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for name in ["missing", "fails", "aborts", "times-out", "runs-long", "rate-limited", "busy", "drops"] {
        assert!(help.contains(&format!("  {name} ")), "{name} in {help}");
    }
}

#[test]
fn any_token_by_default_and_only_given_ones_with_token() {
    let open = StubProcess::start(&[]);
    assert!(open.banner.contains("any token is accepted"), "{}", open.banner);
    let out = apify_run(&["task", "janedoe~my-task"], Some("apify_api_whatever"), &open.base_url);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    let strict = StubProcess::start(&["--token", "apify_api_one", "--token", "apify_api_two"]);
    assert!(strict.banner.contains("accepting 2 token(s)"), "{}", strict.banner);
    let out = apify_run(&["task", "janedoe~my-task"], Some("apify_api_two"), &strict.base_url);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = apify_run(&["task", "janedoe~my-task", "--json"], Some("apify_api_three"), &strict.base_url);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["type"], "invalid-token");
    assert_eq!(json["error"]["status"], 401);
    let out = apify_run(&["task", "janedoe~my-task", "--json"], None, &strict.base_url);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["type"], "token-not-provided");
}

#[test]
fn one_log_line_per_request_unless_quiet() {
    let stub = StubProcess::start(&[]);
    let (status, _) = exchange(&stub.addr(), "GET /v2/actor-runs/NoSuchRun?waitForFinish=0 HTTP/1.1", b"");
    assert_eq!(status, 404);
    let log = stub.stderr_with("NoSuchRun");
    let line = log.lines().find(|l| l.contains("NoSuchRun")).unwrap_or_else(|| panic!("{log:?}"));
    assert!(line.starts_with("GET /v2/actor-runs/NoSuchRun?waitForFinish=0 404 "), "{line}");
    assert!(line.ends_with(" ms"), "{line}");

    let quiet = StubProcess::start(&["--quiet"]);
    let (status, _) = exchange(&quiet.addr(), "GET /v2/actor-runs/NoSuchRun HTTP/1.1", b"");
    assert_eq!(status, 404);
    let (status, _) = exchange(&quiet.addr(), "GET /v2/actor-runs/Second HTTP/1.1", b"");
    assert_eq!(status, 404);
    drop(quiet.stderr_with("never"));
    assert_eq!(quiet.stderr.lock().unwrap().as_str(), "", "--quiet logs nothing");
}

#[test]
fn special_names_fail_as_listed() {
    let stub = StubProcess::start(&["--quiet"]);
    let out = apify_run(&["task", "janedoe~rate-limited"], None, &stub.base_url);
    assert_eq!(out.status.code(), Some(0), "a retry gets through");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // `Retry-After: 1`, then the first backoff (0.5 to 1 s) on top.
    let after = stderr.split("retrying in ").nth(1).and_then(|rest| rest.split(" s (attempt 2 of").next());
    let secs: f64 = after.and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{stderr}"));
    assert!(stderr.contains("429") && (1.5..=2.0).contains(&secs), "{stderr}");
    let out = apify_run(&["task", "janedoe~drops"], None, &stub.base_url);
    assert_eq!(out.status.code(), Some(8), "{}", String::from_utf8_lossy(&out.stderr));
    let out = apify_run(&["task", "~missing"], None, &stub.base_url);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_port_in_use_is_a_usage_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_apify-run")).args(["stub", "--port", &port]).output().unwrap();
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("port {port} is in use")), "{stderr}");
    assert!(!stderr.contains("transport"), "{stderr}");
}

#[test]
fn broken_framing_is_400_and_large_bodies_413() {
    let stub = StubProcess::start(&["--quiet"]);
    let start = "POST /v2/actor-tasks/janedoe~my-task/runs HTTP/1.1";
    for length in ["-1", "99999999999999999999999", "abc", "2abc", "+2", "0x2"] {
        let (status, answer) = exchange(&stub.addr(), &format!("{start}\r\nContent-Length: {length}"), b"{}");
        assert_eq!(status, 400, "Content-Length: {length}: {answer}");
    }
    let chunked = format!("{start}\r\nTransfer-Encoding: chunked");
    let (status, answer) = exchange(&stub.addr(), &chunked, b"zz\r\n{}\r\n0\r\n\r\n");
    assert_eq!(status, 400, "bad chunk size: {answer}");
    let big = vec![b' '; (2 << 20) + 1];
    let (status, answer) = exchange(&stub.addr(), &format!("{start}\r\nContent-Length: {}", big.len()), &big);
    assert_eq!(status, 413, "{answer}");
    let (status, answer) = exchange(&stub.addr(), &format!("{start}\r\nContent-Length: 2"), b"{}");
    assert_eq!(status, 201, "a good request still starts a run: {answer}");
}

/// 200 clients for 10 s, each starting runs with 64 KiB bodies and reading them back: every
/// request is answered, and afterwards the stand-in's memory is back under 64 MiB.
#[test]
fn bounded_memory_under_load() {
    const CLIENTS: usize = 200;
    const BOUND_KIB: u64 = 64 << 10;
    let stub = StubProcess::start(&["--quiet"]);
    let addr = stub.addr();
    let until = Instant::now() + Duration::from_secs(10);
    let body = Arc::new(format!("{{\"pad\":\"{}\"}}", "x".repeat(64 << 10)));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (addr, body) = (addr.clone(), body.clone());
            thread::spawn(move || {
                let mut answered = 0;
                while Instant::now() < until {
                    let head = format!(
                        "POST /v2/actor-tasks/janedoe~load/runs HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}",
                        body.len()
                    );
                    let (status, answer) = exchange(&addr, &head, body.as_bytes());
                    assert_eq!(status, 201, "{answer}");
                    let id = answer.split("\"id\":\"").nth(1).unwrap().split('"').next().unwrap().to_string();
                    let (status, answer) = exchange(&addr, &format!("GET /v2/actor-runs/{id} HTTP/1.1"), b"");
                    assert_eq!(status, 200, "{answer}");
                    answered += 2;
                }
                answered
            })
        })
        .collect();
    let mut peak_threads = 0;
    while Instant::now() < until {
        peak_threads = peak_threads.max(stub.threads());
        thread::sleep(Duration::from_millis(200));
    }
    let answered: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
    assert!(answered >= CLIENTS * 2, "every client was answered at least once: {answered}");
    // Connections wind down (their threads end) before memory is read.
    thread::sleep(Duration::from_millis(500));
    let rss = stub.rss_kib();
    eprintln!("{answered} requests answered; peak {peak_threads} threads; {rss} KiB resident afterwards");
    assert!(rss < BOUND_KIB, "{rss} KiB resident after the load");
    assert!(peak_threads <= 3 * apify_stub::MAX_CONNECTIONS as u64 + 16, "{peak_threads} threads");
}

#[test]
fn tls_serves_https_and_writes_its_ca() {
    let ca_file = std::env::temp_dir().join(format!("apify-run-test-ca-{}.pem", std::process::id()));
    let stub = StubProcess::start(&["--tls", "--quiet", "--ca-file", ca_file.to_str().unwrap()]);
    assert!(stub.base_url.starts_with("https://127.0.0.1:"), "{}", stub.banner);
    assert!(
        stub.banner
            .contains(&format!("CA certificate (trust it to verify the stand-in): {}", ca_file.display()))
    );
    let pem = std::fs::read_to_string(&ca_file).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    // Plain HTTP to the HTTPS port gets no HTTP answer.
    let (status, _) = exchange(&stub.addr(), "GET /v2/actor-runs/x HTTP/1.1", b"");
    assert_eq!(status, 0);
    let _ = std::fs::remove_file(ca_file);
    let out =
        Command::new(env!("CARGO_BIN_EXE_apify-run")).args(["stub", "--ca-file", "x.pem"]).output().unwrap();
    assert_eq!(out.status.code(), Some(64), "--ca-file needs --tls");
}
