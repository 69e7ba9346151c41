//! Items 3, 5, 6 and 7: output that cannot be written, FIFOs and devices named as files, one
//! deadline for the AWS lookups, slow clients of the simulator.

use super::*;

// ---------------------------------------------------------------------------------------------
// Item 3: output that cannot be written

pub(super) fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
}

#[test]
pub(super) fn check_into_a_full_disk_exits_2_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = scenario_json("rest-healthy");
    doc.as_object_mut()
        .unwrap()
        .remove("x-cors-doctor-scenario");
    let file = write_json(dir.path(), "export.json", &doc);
    let mut c = command();
    c.args(["check", "--openapi"])
        .arg(&file)
        .args(["--path", "/bookings", "--origin", "https://app.example.com"])
        .stdout(dev_full())
        .stderr(Stdio::piped());
    let child = c.spawn().expect("start");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("cannot write to standard output") && err.contains("No space left"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
pub(super) fn demo_list_into_a_full_disk_exits_2() {
    let mut c = command();
    c.args(["demo", "--list"])
        .stdout(dev_full())
        .stderr(Stdio::piped());
    let out = c.spawn().unwrap().wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cannot write to standard output"));
}

#[test]
pub(super) fn completions_and_man_into_a_full_disk_exit_2() {
    for args in [&["completions", "bash"][..], &["man"]] {
        let mut c = command();
        c.args(args).stdout(dev_full()).stderr(Stdio::piped());
        let out = c.spawn().unwrap().wait_with_output().unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("cannot write to standard output"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
pub(super) fn serve_with_unwritable_stdout_exits_2_instead_of_panicking() {
    // A full disk.
    let mut c = command();
    c.args(["serve", "rest-healthy"])
        .stdout(dev_full())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let stderr = drain(child.stderr.take());
    let status = wait_within(&mut child, Duration::from_secs(20)).unwrap_or_else(|| {
        let _ = child.kill();
        panic!("serve kept running with stdout on a full disk");
    });
    let err = text(&stderr.join().unwrap());
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write to standard output"), "{err}");
    // A closed pipe (the reader went away).
    let mut c = command();
    c.args(["serve", "rest-healthy"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    drop(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_within(&mut child, Duration::from_secs(20)).unwrap_or_else(|| {
        let _ = child.kill();
        panic!("serve kept running with a closed stdout");
    });
    let err = text(&stderr.join().unwrap());
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write to standard output"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Item 5: FIFOs and devices named as files

#[test]
pub(super) fn fifos_and_devices_as_openapi_or_config_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("export.fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo")
        .success());
    for (flag, path, expect) in [
        (
            "--openapi",
            fifo.as_path(),
            "named pipe (FIFO), not a regular file",
        ),
        (
            "--config",
            fifo.as_path(),
            "named pipe (FIFO), not a regular file",
        ),
        (
            "--openapi",
            Path::new("/dev/zero"),
            "a device, not a regular file",
        ),
        (
            "--config",
            Path::new("/dev/zero"),
            "a device, not a regular file",
        ),
        ("--openapi", dir.path(), "a directory, not a regular file"),
    ] {
        let mut c = command();
        c.arg("check").arg(flag).arg(path).args([
            "--path",
            "/x",
            "--origin",
            "https://app.example.com",
        ]);
        let started = Instant::now();
        let out = run_within(c, Duration::from_secs(20));
        let err = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag} {}: {err}",
            path.display()
        );
        assert!(err.contains(expect), "{flag} {}: {err}", path.display());
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    // A scenario file for `serve` too.
    let mut c = command();
    c.args(["serve"]).arg(dir.path().join("x.json"));
    let fifo_json = dir.path().join("x.json");
    assert!(Command::new("mkfifo")
        .arg(&fifo_json)
        .status()
        .unwrap()
        .success());
    let out = run_within(c, Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("named pipe"),
        "{}",
        text(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// Item 6: one deadline for the AWS lookups

/// Accepts connections and never answers (an unresponsive endpoint).
pub(super) fn black_hole() -> (String, Arc<std::sync::atomic::AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s = stop.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            if s.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            if let Ok(c) = conn {
                held.push(c);
            }
        }
    });
    (addr, stop)
}

#[test]
pub(super) fn aws_lookups_stop_at_the_timeout_and_say_so() {
    let (addr, _stop) = black_hole();
    let mut c = command();
    c.args([
        "check",
        "--api-id",
        "abc123defg",
        "--stage",
        "prod",
        "--path",
        "/items",
        "--region",
        "us-east-1",
        "--origin",
        "https://app.example.com",
        "--timeout",
        "2",
        "--endpoint-url",
    ])
    .arg(format!("http://{addr}"))
    .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    .env("AWS_SECRET_ACCESS_KEY", "secret-example")
    .env_remove("AWS_PROFILE")
    .env("AWS_CONFIG_FILE", "/nonexistent")
    .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    .env("AWS_EC2_METADATA_DISABLED", "true");
    let started = Instant::now();
    let out = run_within(c, Duration::from_secs(30));
    let elapsed = started.elapsed();
    let err = text(&out.stderr);
    assert!(
        elapsed < Duration::from_secs(8),
        "took {elapsed:?} with --timeout 2: {err}"
    );
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("did not finish within the --timeout of 2.0 s"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Item 7: slow clients of the simulator

#[test]
pub(super) fn trickling_clients_cannot_exhaust_the_simulator() {
    // 256 descriptors: the simulator serves at most 192 connections at once; 300 trickling
    // clients would otherwise exhaust them (as 1100 did with the usual 1024).
    let mut served = Served::start(Path::new("rest-healthy"), Some("ulimit -n 256"));
    let addr = served.addr();
    let mut slow = Vec::new();
    for i in 0..300 {
        match TcpStream::connect(&addr) {
            Ok(mut s) => {
                let _ = s.write_all(if i % 2 == 0 {
                    b"GET /prod/bookings HTTP/1.1\r\nHost: x\r\n".as_slice()
                } else {
                    b"POST /prod/bookings HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab"
                        .as_slice()
                });
                slow.push(s);
            }
            Err(_) => break,
        }
    }
    assert!(slow.len() >= 250, "only {} connections", slow.len());
    // Trickle a byte now and then, as a slow-loris client does.
    let started = Instant::now();
    let fds = || {
        std::fs::read_dir(format!("/proc/{}/fd", served.child.id()))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    let mut most = 0;
    while started.elapsed() < Duration::from_secs(3) {
        for s in &mut slow {
            let _ = s.write_all(b"x");
        }
        most = most.max(fds());
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(most <= 250, "{most} descriptors open in the simulator");
    // A well-behaved client is answered once the trickling ones time out (10 s).
    let status = {
        let mut s = TcpStream::connect(&addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(25))).unwrap();
        s.write_all(
            b"OPTIONS /prod/bookings HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        let mut line = String::new();
        let _ = BufReader::new(s).read_line(&mut line);
        line
    };
    assert!(status.starts_with("HTTP/1.1 200"), "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(25));
    assert!(served.alive());
}

#[test]
pub(super) fn a_trickled_body_gets_408() {
    let served = Served::start(Path::new("rest-healthy"), None);
    let mut s = TcpStream::connect(served.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(b"POST /prod/bookings HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\nContent-Length: 100\r\n\r\nab")
        .unwrap();
    let started = Instant::now();
    let mut line = String::new();
    let _ = BufReader::new(s).read_line(&mut line);
    assert!(line.starts_with("HTTP/1.1 408"), "{line:?}");
    assert!(started.elapsed() < Duration::from_secs(15));
}
