//! A throwaway `redis-server` on a free loopback port: started by the tests and benches that need a
//! real Redis, killed when dropped. A missing `redis-server` is installed on first use the way
//! `.ci/run` does (Debian's package, with apt-get as root or through `sudo -n`), so
//! `cargo test --workspace` needs no manual step; when that cannot be done the test fails loudly:
//! these tests never skip.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server`.
pub struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// Starts `redis-server` on a free port of 127.0.0.1 without persistence and waits until it
    /// answers PING.
    pub fn start() -> RedisServer {
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port();
            let mut server = RedisServer {
                child: spawn(port),
                port,
            };
            match server.wait_for_ping(Duration::from_secs(5)) {
                Ok(()) => return server,
                Err(e) => last = e,
            }
        }
        panic!("redis-server did not answer PING: {last}");
    }

    /// Kills the server and starts a new, empty one on the same port.
    #[allow(dead_code)]
    pub fn restart(&mut self) {
        self.stop();
        self.resume();
    }

    /// Kills the server; [`RedisServer::resume`] starts it again on the same port.
    #[allow(dead_code)]
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts a new, empty server on the same port after [`RedisServer::stop`].
    #[allow(dead_code)]
    pub fn resume(&mut self) {
        self.child = spawn(self.port);
        if let Err(e) = self.wait_for_ping(Duration::from_secs(5)) {
            panic!("redis-server did not come back: {e}");
        }
    }

    fn wait_for_ping(&mut self, within: Duration) -> Result<(), String> {
        let until = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("redis-server exited: {status}"));
            }
            if let Ok(reply) = self.command_raw("PING\r\n") {
                if reply.starts_with("+PONG") {
                    return Ok(());
                }
            }
            if Instant::now() > until {
                return Err("no PONG within the time".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn command_raw(&self, line: &str) -> std::io::Result<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        s.write_all(line.as_bytes())?;
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf)?;
        Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
    }

    /// The port.
    #[allow(dead_code)]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:<port>/<db>`.
    pub fn url(&self, db: u32) -> String {
        format!("redis://127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `redis-server` runs.
fn installed() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs Debian's `redis-server` when it is missing (once per test binary): apt-get as root,
/// else through `sudo -n`.
fn ensure_installed() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if installed() {
            return;
        }
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let apt = |args: &[&str]| {
            let mut cmd = if root {
                Command::new("apt-get")
            } else {
                let mut c = Command::new("sudo");
                c.args(["-n", "apt-get"]);
                c
            };
            cmd.args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdout(Stdio::null())
                .status()
        };
        let _ = apt(&["update", "-qq"]);
        let _ = apt(&["install", "-y", "-qq", "redis-server"]);
    });
}

fn spawn(port: u16) -> Child {
    ensure_installed();
    Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start redis-server ({e}), and installing it (`apt-get install \
                 redis-server`, as root or through `sudo -n`) did not work: install it yourself \
                 (`bash .ci/run` does) — the limiter tests need a real Redis"
            )
        })
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local addr").port()
}
