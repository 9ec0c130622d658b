//! Graceful shutdown of a real `gapmap serve`: on SIGTERM it stops accepting connections,
//! finishes the request in flight (an upload whose body is still arriving) and exits 0.

use crate::support;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "shutdown-test-token-0123456789";

#[test]
fn sigterm_drains_a_slow_upload_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("durham.snapshot");
    gapmap::snapshot::write_atomic(&snapshot, support::durham()).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .args([
            "serve",
            "--quiet",
            "--workers",
            "1",
            "--bind",
            "127.0.0.1:0",
        ])
        .arg("--snapshot")
        .arg(&snapshot)
        .arg("--web-dir")
        .arg(dir.path())
        .env("GAPMAP_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();

    let d = support::durham();
    let mut body = String::from("area_code,indicator_id,period,count,denominator\n");
    for area in &d.layer(d.meta.default_level).unwrap().areas {
        body.push_str(&format!("{},slow-upload,2024/25,30,400\n", area.code));
    }
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /api/indicators HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(first.as_bytes()).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));

    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(server.id() as i32, libc::SIGTERM) }, 0);
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        TcpStream::connect(&addr).is_err(),
        "a new connection was accepted after SIGTERM"
    );

    stream.write_all(rest.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("slow-upload"), "{response}");

    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "server did not exit"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    // The drained upload was persisted.
    assert!(dir.path().join("durham.uploads").is_file());
}
