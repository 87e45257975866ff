//! The C API from C: `tests/c/abi_test.c` and `examples/c/run_task.c` compiled with the
//! system's C compiler (`cc`, or `$CC`) as C99 and C++17 with every warning an error, linked
//! against this crate's static library, and run: every fixture read through C gives what the
//! Rust decoder reads; every misuse gets its error code; the example follows a run on the
//! local stand-in over real sockets.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use apify_core::http::{Outcome, ResponseReader};
use apify_core::model::{FieldPath, FieldValue, RunStatus};
use apify_stub::{Fault, FaultKind, Match, Stub, StubConfig};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The static library, built once per run of these tests. `cargo test` builds a library's
/// `rlib` only, so this runs `cargo build` for the `staticlib`, in a target directory of its
/// own (the test's own is locked by the `cargo test` that runs it).
fn static_lib() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ffi-staticlib");
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "apify-ffi", "--lib", "--target-dir"])
            .arg(&target)
            .current_dir(ROOT)
            .status()
            .unwrap();
        assert!(status.success(), "cargo build -p apify-ffi: {status}");
        target.join("debug/libapify_ffi.a")
    })
}

/// Compiles `source` as C99 (or C++17) with every warning an error; returns the program.
fn compile(source: &str, name: &str, cxx: bool) -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let (compiler, std) = match cxx {
        false => (std::env::var("CC").unwrap_or_else(|_| "cc".into()), "-std=c99"),
        true => (std::env::var("CXX").unwrap_or_else(|_| "c++".into()), "-std=c++17"),
    };
    let mut cmd = Command::new(&compiler);
    cmd.args([std, "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"]);
    if cxx {
        cmd.args(["-x", "c++"]);
    }
    cmd.arg(format!("-I{ROOT}/ffi/include")).arg(format!("{ROOT}/{source}"));
    if cxx {
        cmd.args(["-x", "none"]);
    }
    // What the Rust standard library needs on Linux (`--print native-static-libs`).
    cmd.arg(static_lib()).args(["-lpthread", "-ldl", "-lm", "-o"]).arg(&out);
    let result = cmd.output().unwrap_or_else(|e| panic!("{compiler}: {e}"));
    assert!(
        result.status.success(),
        "{compiler} {source}:\n{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    out
}

fn run(program: &Path, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{} {args:?}: {:?}\n{stdout}\n{}",
        program.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
#[cfg_attr(miri, ignore = "runs a C compiler")]
fn misuse_gets_its_error_code_from_c_and_cxx() {
    for cxx in [false, true] {
        let program = compile("ffi/tests/c/abi_test.c", if cxx { "abi_test_cxx" } else { "abi_test_c" }, cxx);
        let out = run(&program, &["misuse"]);
        assert!(out.trim_end().ends_with(", 0 failed"), "{out}");
    }
}

/// Every run and error fixture as an HTTP response (run bodies 201, errors their status).
fn responses() -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(format!("{ROOT}/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json") && !n.starts_with("items_"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let body = std::fs::read(format!("{ROOT}/fixtures/{name}")).unwrap();
            let status = name.strip_prefix("error_").map_or("201", |rest| &rest[..3]);
            let mut bytes =
                format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
            bytes.extend_from_slice(&body);
            let path = dir.join(name.replace(".json", ".http"));
            std::fs::write(&path, &bytes).unwrap();
            (path, bytes)
        })
        .collect()
}

/// What the C harness prints for one response, from the Rust decoder directly.
fn rust_dump(bytes: &[u8]) -> String {
    let mut reader = ResponseReader::<16>::new();
    reader.feed(bytes).unwrap();
    let response = reader.finish().unwrap();
    let (outcome, run) = match response.outcome {
        Outcome::Run(run) => (0, Some(run)),
        Outcome::ApiError(_) => (1, None),
        _ => (2, None),
    };
    let mut out = format!("status={} outcome={outcome}", response.head.status);
    if let Some(status) = run.and_then(|r| r.status()) {
        let code = [
            RunStatus::Ready,
            RunStatus::Running,
            RunStatus::Succeeded,
            RunStatus::Failed,
            RunStatus::TimingOut,
            RunStatus::TimedOut,
            RunStatus::Aborting,
            RunStatus::Aborted,
        ]
        .iter()
        .position(|s| *s == status)
        .map_or(0, |i| i + 1);
        write!(out, " run_status={code} terminal={}", status.is_terminal() as u8).unwrap();
    }
    out.push('\n');
    for field in FieldPath::all() {
        let value = match response.outcome {
            Outcome::Run(run) => run.get(field),
            Outcome::ApiError(error) => error.get(field),
            _ => None,
        };
        let Some(value) = value else { continue };
        write!(out, "{field}=").unwrap();
        match value {
            FieldValue::Text(t) => {
                out.push('"');
                for b in t.as_str().bytes() {
                    match b {
                        0x20..0x7f if b != b'\\' => out.push(b as char),
                        _ => write!(out, "\\x{b:02x}").unwrap(),
                    }
                }
                out.push('"');
                if t.is_truncated() {
                    out.push_str(" (truncated)");
                }
            }
            FieldValue::Timestamp(t) => {
                write!(out, "@{}.{:09}{:+}", t.unix_seconds(), t.nanos(), t.offset_minutes()).unwrap();
            }
            FieldValue::Unsigned(n) => write!(out, "{n}").unwrap(),
            FieldValue::Signed(n) => write!(out, "{n}").unwrap(),
            FieldValue::Bool(b) => write!(out, "{b}").unwrap(),
            FieldValue::Decimal(d) => {
                let text = d.to_string();
                write!(out, "{text} e6={}", scaled_by_text(&text)).unwrap();
            }
            other => panic!("a kind the C harness does not print: {other:?}"),
        }
        out.push('\n');
    }
    out
}

/// `text` (a plain decimal) times 10^6, by moving its point: independent of the library's
/// arithmetic.
fn scaled_by_text(text: &str) -> String {
    let (negative, digits) = text.strip_prefix('-').map_or((false, text), |d| (true, d));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let kept: String = frac.chars().chain(std::iter::repeat('0')).take(6).collect();
    let dropped = frac.len() > 6 && frac[6..].bytes().any(|b| b != b'0');
    let Ok(magnitude) = format!("{int}{kept}").parse::<i128>() else { return "out-of-range".into() };
    let value = if negative { -magnitude } else { magnitude };
    match i64::try_from(value) {
        Ok(v) => format!("{v}{}", if dropped { " (inexact)" } else { "" }),
        Err(_) => "out-of-range".into(),
    }
}

#[test]
#[cfg_attr(miri, ignore = "runs a C compiler")]
fn every_fixture_reads_through_c_in_any_chunks_as_the_rust_decoder_reads_it() {
    let program = compile("ffi/tests/c/abi_test.c", "abi_test_dump", false);
    let responses = responses();
    assert!(responses.len() >= 15, "{} fixtures", responses.len());
    let args: Vec<&str> = responses.iter().map(|(p, _)| p.to_str().unwrap()).collect();
    let got = run(&program, &std::iter::once("dump").chain(args.iter().copied()).collect::<Vec<_>>());
    let mut expected = String::new();
    for (path, bytes) in &responses {
        let dump = rust_dump(bytes);
        assert!(dump.lines().count() > 2, "{}: {dump}", path.display());
        for chunk in [0, 64, 7, 1] {
            writeln!(expected, "== {} chunk={chunk}", path.display()).unwrap();
            expected.push_str(&dump);
        }
    }
    if got != expected {
        let first = got.lines().zip(expected.lines()).position(|(a, b)| a != b);
        panic!(
            "C and Rust differ at line {first:?}:\nC:    {:?}\nRust: {:?}",
            first.map(|i| got.lines().nth(i)),
            first.map(|i| expected.lines().nth(i))
        );
    }
}

#[test]
#[cfg_attr(miri, ignore = "runs a C compiler and a server")]
fn the_c_example_follows_a_run_on_the_stand_in_through_faults() {
    let program = compile("examples/c/run_task.c", "run_task", false);
    let stub = Stub::start(StubConfig {
        tokens: vec!["secret".into()],
        ready_for: Duration::from_millis(100),
        running_for: Duration::from_millis(400),
        ..StubConfig::default()
    })
    .unwrap();
    let base = stub.base_url();
    let follow = |task: &str| {
        Command::new(&program)
            .args(["--base-url", &base, "--wait", "20", task])
            .env("APIFY_TOKEN", "secret")
            .output()
            .unwrap()
    };

    // A 429 before the start, a poll cut mid-body, the next answered one byte at a time.
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::RateLimited { retry_after_secs: None }));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::CloseMidBody));
    stub.push_fault(Fault::new(Match::GetRun, FaultKind::OneBytePerWrite));
    let out = follow("janedoe~my-task");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let id = stub.last_run_id().unwrap();
    assert!(stdout.contains(&format!("{id} READY")), "{stdout}");
    // Each fault cost one retry, and said why.
    assert_eq!(stdout.matches("retry 2/6 in").count(), 2, "{stdout}");
    assert!(stdout.contains("rate-limit-exceeded") && stdout.contains("no complete response"), "{stdout}");
    assert!(stdout.trim_end().ends_with(&format!("run {id} SUCCEEDED")), "{stdout}");
    assert!(stdout.contains("retry 2/"), "{stdout}");
    assert_eq!(stub.runs_started(), 1, "{stdout}");
    assert!(stub.requests().iter().all(|r| r.header("authorization") == Some("Bearer secret")));

    // The start's answer lost after the run was created: never sent again.
    stub.push_fault(Fault::new(Match::StartRun, FaultKind::CloseWithoutResponse));
    let out = follow("janedoe~my-task");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("may or may not have created a run"), "{stdout}");
    assert_eq!(stub.runs_started(), 2, "{stdout}");

    // A wrong token: the API's error, said as the Rust adapters say it.
    let out = Command::new(&program)
        .args(["--base-url", &base, "janedoe~my-task"])
        .env("APIFY_TOKEN", "wrong")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("API error 401"), "{stdout}");
}
