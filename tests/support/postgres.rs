//! A throw-away PostgreSQL server with PostGIS for one test: `initdb` into a temporary
//! directory, `postgres` on a free loopback port (trust authentication, no fsync), stopped and
//! deleted on drop (also when the test panics).
//!
//! PostgreSQL refuses to run as root, so as root every server command runs as the `postgres`
//! system user (`runuser -u postgres --`, which Debian's `postgresql` package creates) and the
//! temporary directory is opened to it. The binaries are Debian's `/usr/lib/postgresql/<N>/bin`
//! (highest N) or the `PATH`'s; `scripts/setup` installs `postgresql` and `postgis`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct TempPostgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    server: Child,
    /// Connection string for the `postgres` database as the `postgres` user.
    pub url: String,
}

/// Directory holding `initdb` and `postgres`, or `None` when PostgreSQL is not installed.
fn bin_dir() -> Option<PathBuf> {
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file())
        .collect();
    debian.sort_by_key(|b| {
        b.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(b) = debian.pop() {
        return Some(b);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|p| p.join("initdb").is_file() && p.join("postgres").is_file())
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `program args…`, as the `postgres` user when we are root.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl TempPostgres {
    /// Start a server with PostGIS, or `None` (after a loud message) when PostgreSQL's binaries
    /// are missing. Any other failure panics with the server's log.
    pub fn start() -> Option<TempPostgres> {
        let Some(bin) = bin_dir() else {
            eprintln!(
                "\n\n*** SKIPPED: PostgreSQL binaries not found (/usr/lib/postgresql/*/bin or PATH); \
                 run scripts/setup to install postgresql and postgis ***\n"
            );
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("gapmap-pg")
            .tempdir()
            .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let data = dir.path().join("data");
        let out = as_server_user(&bin.join("initdb"))
            .args([
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let server = as_server_user(&bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(dir.path())
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .args(["-c", "full_page_writes=off", "-c", "synchronous_commit=off"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let url = format!("host=127.0.0.1 port={port} user=postgres dbname=postgres");
        let pg = TempPostgres {
            bin,
            dir,
            server,
            url,
        };
        let started = Instant::now();
        let mut client = loop {
            match postgres::Client::connect(&pg.url, postgres::NoTls) {
                Ok(c) => break c,
                Err(e) if started.elapsed() > Duration::from_secs(60) => {
                    panic!("postgres did not start: {e}\n{}", pg.log())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        };
        client
            .batch_execute("CREATE EXTENSION postgis")
            .unwrap_or_else(|e| {
                panic!(
                    "CREATE EXTENSION postgis: {e} (install postgis)\n{}",
                    pg.log()
                )
            });
        Some(pg)
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// A client on the test database.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).unwrap()
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let _ = as_server_user(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["stop", "-m", "immediate", "-w"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}
