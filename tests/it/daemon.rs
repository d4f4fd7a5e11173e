//! `muniflux run` as a process: it serves the feed with validators, writes
//! the feed file, and exits 0 on SIGTERM.

use std::time::{Duration, Instant};

use crate::support::{free_port, FileServer, TestConfig};

#[test]
fn run_serves_the_feed_and_stops_on_sigterm() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site");
    let server = FileServer::start(&fixtures);
    let port = free_port();
    let sources = format!(
        "[[source]]\nname = \"Exempelby\"\nurl = \"{}/nyheter/\"\ntags = [\"exempelby\"]\n",
        server.base
    );
    let config = TestConfig::new(
        &sources,
        &format!("\n[server]\nlisten = \"127.0.0.1:{port}\"\n"),
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_muniflux"))
        .args(["-c", config.path().to_str().unwrap(), "run"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/feed.atom");
    let client = reqwest::Client::new();
    // Bounded wait for the first poll round to be published.
    let deadline = Instant::now() + Duration::from_secs(30);
    let response = loop {
        let got =
            rt.block_on(async { client.get(&url).send().await.ok()?.error_for_status().ok() });
        if let Some(r) = got {
            if r.headers().get("etag").is_some() {
                let headers = r.headers().clone();
                let body = rt.block_on(r.text()).unwrap();
                if body.contains("Ny industripark") {
                    break (headers, body);
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "the feed never showed the article"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let (headers, body) = response;
    assert_eq!(
        headers["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    assert!(headers.get("last-modified").is_some());
    let etag = headers["etag"].to_str().unwrap().to_string();
    let status = rt.block_on(async {
        client
            .get(&url)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 304);
    let health = rt.block_on(async {
        client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(health, 200);
    let file = std::fs::read_to_string(config.dir.path().join("out/feed.atom")).unwrap();
    assert_eq!(file, body);

    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "muniflux did not stop within 10 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
}
