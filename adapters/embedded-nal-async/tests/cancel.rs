//! A call's future dropped at every await point of a scripted exchange: no connection stays
//! open, and the next call on the same client starts clean and gets the right run.

use std::cell::Cell;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use apify_nal_async::{Client, Finish, ResponseReader, RunOptions, RunStatus};
use embedded_io_async::{ErrorKind, ErrorType, Read, Write};
use embedded_nal_async::TcpConnect;

/// Pending once, then ready: an await point.
struct Once(bool);

impl Future for Once {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn await_point() -> Once {
    Once(false)
}

#[derive(Debug)]
struct ScriptError;

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("script error")
    }
}

impl std::error::Error for ScriptError {}

impl embedded_io_async::Error for ScriptError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Other
    }
}

/// A server in memory: a run start gets `201` with a READY run, anything else `200` with the
/// run SUCCEEDED. Counts open connections and run starts.
#[derive(Default)]
struct Script {
    open: Cell<usize>,
    starts: Cell<usize>,
}

struct Connection<'a> {
    script: &'a Script,
    request: Vec<u8>,
    answer: Option<Vec<u8>>,
    at: usize,
}

fn response(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

impl TcpConnect for Script {
    type Error = ScriptError;
    type Connection<'a> = Connection<'a>;

    async fn connect(&self, _: SocketAddr) -> Result<Connection<'_>, ScriptError> {
        await_point().await;
        self.open.set(self.open.get() + 1);
        Ok(Connection { script: self, request: Vec::new(), answer: None, at: 0 })
    }
}

impl Drop for Connection<'_> {
    fn drop(&mut self) {
        self.script.open.set(self.script.open.get() - 1);
    }
}

impl ErrorType for Connection<'_> {
    type Error = ScriptError;
}

impl Write for Connection<'_> {
    async fn write(&mut self, bytes: &[u8]) -> Result<usize, ScriptError> {
        await_point().await;
        // A few bytes at a time, for more await points.
        let n = bytes.len().min(100);
        self.request.extend_from_slice(&bytes[..n]);
        Ok(n)
    }

    async fn flush(&mut self) -> Result<(), ScriptError> {
        await_point().await;
        Ok(())
    }
}

impl Read for Connection<'_> {
    async fn read(&mut self, buffer: &mut [u8]) -> Result<usize, ScriptError> {
        await_point().await;
        let script = self.script;
        let request = &self.request;
        let answer = self.answer.get_or_insert_with(|| {
            if request.starts_with(b"POST ") {
                script.starts.set(script.starts.get() + 1);
                response("201 Created", r#"{"data":{"id":"RUN1","status":"READY"}}"#)
            } else {
                response("200 OK", r#"{"data":{"id":"RUN1","status":"SUCCEEDED"}}"#)
            }
        });
        let n = (answer.len() - self.at).min(buffer.len()).min(16);
        buffer[..n].copy_from_slice(&answer[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Time that passes only when the client sleeps.
#[derive(Clone, Default)]
struct FakeTime(Rc<Cell<u64>>);

struct FakeDelay(FakeTime);

impl embedded_hal_async::delay::DelayNs for FakeDelay {
    async fn delay_ns(&mut self, ns: u32) {
        // Two await points, so that an operation racing this delay always finishes first.
        await_point().await;
        await_point().await;
        let time = &self.0.0;
        time.set(time.get() + (ns as u64).div_ceil(1_000_000));
    }
}

/// Polls `fut` at most `polls` times; whether it finished.
fn poll_n<F: Future>(fut: F, polls: usize) -> bool {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    (0..polls).any(|_| fut.as_mut().poll(&mut cx).is_ready())
}

fn run_to_end<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
    panic!("the call did not finish");
}

#[test]
fn dropping_a_call_at_any_await_point_leaves_nothing_half_open() {
    let script = Script::default();
    let time = FakeTime::default();
    let mut buffer = [0u8; 64];
    let mut reader = Box::new(ResponseReader::new());
    let clock = {
        let time = time.clone();
        move || time.0.get()
    };
    let mut client = Client::builder(SocketAddr::from(([127, 0, 0, 1], 80)))
        .base_url("http://127.0.0.1")
        .token("apify_api_x")
        .build(&script, clock, FakeDelay(time.clone()), &mut buffer, &mut reader)
        .unwrap();
    let wait = Duration::from_secs(60);
    let mut await_points = 0;
    for polls in 1.. {
        let finished = poll_n(client.call_task("janedoe~my-task", RunOptions::new(), None, wait), polls);
        assert_eq!(script.open.get(), 0, "dropped after {polls} polls: its connection was closed");
        // The next call on the same client starts clean.
        let report = run_to_end(client.get_run("RUN1")).unwrap();
        assert_eq!(report.run.status(), Some(RunStatus::Succeeded), "after {polls} polls");
        if finished {
            await_points = polls;
            break;
        }
    }
    assert!(await_points > 20, "the scripted exchange has {await_points} await points");
    // After each dropped call, a whole one still gets the right run, started once more.
    let starts = script.starts.get();
    let report = run_to_end(client.call_task("janedoe~my-task", RunOptions::new(), None, wait)).unwrap();
    assert_eq!((report.finish, report.run.status()), (Finish::Terminal, Some(RunStatus::Succeeded)));
    assert_eq!(report.run.id().unwrap().as_str(), "RUN1");
    assert_eq!(script.starts.get(), starts + 1);
    assert_eq!(script.open.get(), 0);
}
