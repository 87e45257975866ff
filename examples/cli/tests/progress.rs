//! What a person sees while `apify-run task --wait` follows a run: on a terminal a line that
//! ticks and shows RUNNING as soon as the run runs; into a pipe plain lines; with `--quiet`
//! nothing.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use apify_stub::Stub;

fn stub(running_for: Duration) -> Stub {
    common::stub_with_times(200, running_for.as_millis() as u64)
}

fn command(stub: &Stub, extra: &[&str]) -> Command {
    let mut command = common::command(&["task", "janedoe~my-task", "--base-url", &stub.base_url()]);
    command.args(extra);
    command
}

/// Runs `command` with stderr on a pseudo-terminal and returns what the terminal received.
fn on_a_terminal(mut command: Command) -> (Option<i32>, String) {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let terminal = std::fs::OpenOptions::new().read(true).write(true).open(name.to_str().unwrap()).unwrap();
    let mut child = command.stdout(Stdio::null()).stderr(terminal).spawn().unwrap();
    // The command holds its copy of the terminal side until dropped.
    drop(command);
    // Once the child (the last holder of the terminal side) exits, reading ends with EIO.
    let mut screen = Vec::new();
    let mut master = std::fs::File::from(master);
    let reader = std::thread::spawn(move || {
        let mut buf = [0; 1024];
        while let Ok(n @ 1..) = master.read(&mut buf) {
            screen.extend_from_slice(&buf[..n]);
        }
        screen
    });
    let code = child.wait().unwrap().code();
    let screen = reader.join().unwrap();
    (code, String::from_utf8_lossy(&screen).into_owned())
}

/// The elapsed seconds of each redraw of the line that shows `status`.
fn redraws(screen: &str, status: &str) -> Vec<f32> {
    screen
        .split("\r\x1b[2K")
        .filter_map(|draw| {
            let mut words = draw.split_whitespace().skip(1);
            (words.next() == Some(status)).then(|| words.next()?.trim_end_matches('s').parse().ok()).flatten()
        })
        .collect()
}

#[test]
fn on_a_terminal_the_line_ticks_and_shows_running_at_once() {
    // RUNNING for 4 s while --wait is 60: the server is asked for short waits, and the line
    // is redrawn while each one lasts.
    let stub = stub(Duration::from_secs(4));
    let (code, screen) = on_a_terminal(command(&stub, &["--wait", "60"]));
    assert_eq!(code, Some(0), "{screen:?}");
    let running = redraws(&screen, "RUNNING");
    assert!(running.len() >= 4, "the line ticks while the run runs: {running:?} in {screen:?}");
    let distinct = running.windows(2).filter(|w| w[1] > w[0]).count();
    assert!(distinct >= 3, "the elapsed time moves: {running:?}");
    // RUNNING shows long before the run ends, not only when the wait does.
    assert!(running[0] < 10.0, "{running:?}");
    assert!(screen.contains("SUCCEEDED"), "{screen:?}");
}

#[test]
fn into_a_pipe_plain_lines_per_status() {
    let stub = stub(Duration::from_millis(2500));
    let out = command(&stub, &["--wait", "60"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains('\x1b') && !stderr.contains('\r'), "{stderr:?}");
    let statuses: Vec<&str> = stderr.lines().filter_map(|l| l.split_whitespace().nth(1)).collect();
    assert_eq!(statuses, ["READY", "RUNNING", "SUCCEEDED"], "{stderr}");
    assert!(stderr.lines().all(|l| l.contains(" after ")), "{stderr}");
}

#[test]
fn quiet_shows_nothing_on_stderr() {
    let stub = stub(Duration::from_millis(500));
    let out = command(&stub, &["--wait", "60", "--quiet"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(" SUCCEEDED"));
    let (code, screen) = on_a_terminal(command(&stub, &["--wait", "60", "-q"]));
    assert_eq!(code, Some(0));
    assert_eq!(screen, "", "nothing on a terminal either");
}

#[test]
fn items_are_counted_on_a_terminal_as_they_come() {
    let stub = stub(Duration::from_millis(300));
    let mut command = common::command(&["items", "items-400000", "--base-url", &stub.base_url()]);
    command.stdout(Stdio::null());
    let (code, screen) = on_a_terminal(command);
    assert_eq!(code, Some(0), "{screen}");
    let counts: Vec<u64> =
        screen.split("\r\x1b[2K").filter_map(|draw| draw.strip_suffix(" items")?.parse().ok()).collect();
    assert!(!counts.is_empty(), "no count was drawn: {screen:?}");
    assert!(counts.windows(2).all(|w| w[0] < w[1]), "{counts:?}");
    assert!(screen.ends_with("400000 items (of 400000 in the dataset)\r\n"), "{screen:?}");
}
