//! The client against a hand-rolled HTTP/1.1 server on 127.0.0.1 that logs
//! every request, so tests can count requests and see their headers and
//! arrival times. Hand-rolled rather than axum so that a test can trickle a
//! body, send an endless one, or send arbitrary headers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

use super::*;

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Logged {
    path: String,
    /// Lowercased names.
    headers: Vec<(String, String)>,
    at: Instant,
}

impl Logged {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

enum Body {
    Full(Vec<u8>),
    /// Content-Length 1 MB, then one byte every 50 ms.
    Trickle,
    /// Chunked, 64 KiB chunks forever.
    Endless,
    /// The full body, sent only after a pause.
    Late(Duration, Vec<u8>),
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
}

impl Reply {
    fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(200).body(body)
    }

    fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Full(Vec::new()),
        }
    }

    fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.body = Body::Full(body.into());
        self
    }

    fn redirect(status: u16, location: &str) -> Reply {
        Reply::status(status).header("Location", location)
    }

    fn not_found() -> Reply {
        Reply::status(404).body("not found")
    }
}

type Handler = dyn Fn(&Logged) -> Reply + Send + Sync;

struct TestServer {
    port: u16,
    log: Arc<Mutex<Vec<Logged>>>,
}

impl TestServer {
    /// Serves `handler` on 127.0.0.1 and an OS-chosen port until the test's
    /// runtime ends.
    async fn start(handler: impl Fn(&Logged) -> Reply + Send + Sync + 'static) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let server_log = Arc::clone(&log);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = Arc::clone(&handler);
                let log = Arc::clone(&server_log);
                tokio::spawn(async move {
                    let _ = serve_connection(stream, &*handler, &log).await;
                });
            }
        });
        TestServer { port, log }
    }

    fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://127.0.0.1:{}{path}", self.port)).unwrap()
    }

    fn requests(&self, path: &str) -> Vec<Logged> {
        let log = self.log.lock().unwrap();
        log.iter().filter(|r| r.path == path).cloned().collect()
    }

    fn hits(&self, path: &str) -> usize {
        self.requests(path).len()
    }
}

/// Reads one request head, answers it, closes the connection.
async fn serve_connection(
    mut stream: TcpStream,
    handler: &Handler,
    log: &Mutex<Vec<Logged>>,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() > 64 * 1024 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or("")
        .to_string();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let request = Logged {
        path,
        headers,
        at: Instant::now(),
    };
    log.lock().unwrap().push(request.clone());
    let reply = handler(&request);

    let mut out = format!("HTTP/1.1 {} Test\r\nConnection: close\r\n", reply.status);
    for (name, value) in &reply.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    match reply.body {
        Body::Full(body) => {
            out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
            stream.write_all(out.as_bytes()).await?;
            stream.write_all(&body).await?;
        }
        Body::Late(pause, body) => {
            out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
            tokio::time::sleep(pause).await;
            stream.write_all(out.as_bytes()).await?;
            stream.write_all(&body).await?;
        }
        Body::Trickle => {
            out.push_str("Content-Length: 1000000\r\n\r\n");
            stream.write_all(out.as_bytes()).await?;
            loop {
                stream.write_all(b"x").await?;
                stream.flush().await?;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Body::Endless => {
            out.push_str("Transfer-Encoding: chunked\r\n\r\n");
            stream.write_all(out.as_bytes()).await?;
            let chunk = [b'a'; 64 * 1024];
            loop {
                stream
                    .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                    .await?;
                stream.write_all(&chunk).await?;
                stream.write_all(b"\r\n").await?;
            }
        }
    }
    stream.shutdown().await
}

fn settings() -> Settings {
    Settings {
        user_agent: "muniflux-test/0 (+https://example.se/muniflux)".to_string(),
        timeout: Duration::from_secs(10),
        max_body_bytes: 1024 * 1024,
        host_delay: Duration::ZERO,
        concurrency: 8,
    }
}

fn client() -> Client {
    Client::new(settings()).unwrap()
}

async fn fetch(client: &Client, url: &Url) -> Result<Outcome, Error> {
    client.fetch_page(url, &Validators::default()).await
}

#[track_caller]
fn page(outcome: Result<Outcome, Error>) -> Page {
    match outcome {
        Ok(Outcome::Fetched(page)) => page,
        other => panic!("expected a page, got {other:?}"),
    }
}

/// Robots 404, everything else from `pages`.
async fn site(pages: impl Fn(&str) -> Option<Reply> + Send + Sync + 'static) -> TestServer {
    TestServer::start(move |request| pages(&request.path).unwrap_or_else(Reply::not_found)).await
}

#[tokio::test]
async fn fetches_a_page_with_user_agent_and_accept() {
    let server = site(|path| {
        (path == "/rss").then(|| Reply::ok("<rss/>").header("Content-Type", "application/rss+xml"))
    })
    .await;
    let page = page(fetch(&client(), &server.url("/rss")).await);
    assert_eq!(&page.body[..], b"<rss/>");
    assert_eq!(page.status, 200);
    assert_eq!(page.content_type.as_deref(), Some("application/rss+xml"));
    assert_eq!(page.url, server.url("/rss"));
    assert_eq!(page.moved_permanently, None);
    let request = &server.requests("/rss")[0];
    assert_eq!(
        request.header("user-agent"),
        Some(settings().user_agent.as_str())
    );
    assert!(request
        .header("accept")
        .unwrap()
        .contains("application/rss+xml"));
}

#[test]
fn fetch_page_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = client();
    let url = Url::parse("http://127.0.0.1:9/").unwrap();
    let validators = Validators::default();
    assert_send(&client.fetch_page(&url, &validators));
}

// --- conditional GET ---------------------------------------------------

#[tokio::test]
async fn conditional_get_sends_validators_and_honours_304() {
    let server = TestServer::start(|request| match request.path.as_str() {
        "/feed" if request.header("if-none-match") == Some("\"v1\"") => Reply::status(304),
        "/feed" => Reply::ok("<feed/>")
            .header("ETag", "\"v1\"")
            .header("Last-Modified", "Tue, 15 Nov 1994 08:12:31 GMT"),
        _ => Reply::not_found(),
    })
    .await;
    let client = client();
    let url = server.url("/feed");
    let first = page(fetch(&client, &url).await);
    assert_eq!(
        first.validators,
        Validators {
            etag: Some("\"v1\"".to_string()),
            last_modified: Some("Tue, 15 Nov 1994 08:12:31 GMT".to_string()),
        }
    );
    let outcome = client.fetch_page(&url, &first.validators).await.unwrap();
    assert!(matches!(outcome, Outcome::NotModified), "{outcome:?}");

    let requests = server.requests("/feed");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("if-none-match"), None);
    assert_eq!(requests[0].header("if-modified-since"), None);
    assert_eq!(requests[1].header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        requests[1].header("if-modified-since"),
        Some("Tue, 15 Nov 1994 08:12:31 GMT")
    );
}

#[tokio::test]
async fn last_modified_in_the_same_second_as_date_is_not_returned() {
    let server = site(|path| {
        (path == "/fresh").then(|| {
            Reply::ok("x")
                .header("Date", "Tue, 15 Nov 1994 08:12:31 GMT")
                .header("Last-Modified", "Tue, 15 Nov 1994 08:12:31 GMT")
                .header("ETag", "W/\"weak-but-fine\"")
        })
    })
    .await;
    let page = page(fetch(&client(), &server.url("/fresh")).await);
    assert_eq!(page.validators.last_modified, None);
    assert_eq!(page.validators.etag.as_deref(), Some("W/\"weak-but-fine\""));
}

/// `Last-Modified` (with `Date`, and "now") -> is it kept?
#[test]
fn last_modified_table() {
    #[track_caller]
    fn check(date: Option<&str>, last_modified: &str, kept: bool) {
        let now: Timestamp = "1994-11-15T08:12:31Z".parse().unwrap();
        let mut headers = HeaderMap::new();
        if let Some(date) = date {
            headers.insert(header::DATE, HeaderValue::from_str(date).unwrap());
        }
        headers.insert(
            header::LAST_MODIFIED,
            HeaderValue::from_str(last_modified).unwrap(),
        );
        let validators = response_validators(&headers, now);
        assert_eq!(
            validators.last_modified.is_some(),
            kept,
            "{date:?} {last_modified}"
        );
    }
    let date = Some("Tue, 15 Nov 1994 08:12:31 GMT");
    check(date, "Tue, 15 Nov 1994 08:12:29 GMT", true);
    check(date, "Tue, 15 Nov 1994 08:12:30 GMT", false);
    check(date, "Tue, 15 Nov 1994 08:12:31 GMT", false);
    check(date, "Tue, 15 Nov 1994 09:00:00 GMT", false);
    // Without Date, "now" is the reference.
    check(None, "Tue, 15 Nov 1994 08:00:00 GMT", true);
    check(None, "Tue, 15 Nov 1994 08:12:31 GMT", false);
    // A date nobody can compare is not worth sending back.
    check(date, "yesterday", false);
}

// --- bodies ------------------------------------------------------------

#[tokio::test]
async fn gzip_body_is_decoded() {
    let text = "<rss version=\"2.0\"><channel><title>Växjö</title></channel></rss>".repeat(20);
    let gzipped = gzip::compress(text.as_bytes());
    let server = site(move |path| {
        (path == "/rss").then(|| Reply::ok(gzipped.clone()).header("Content-Encoding", "gzip"))
    })
    .await;
    let page = page(fetch(&client(), &server.url("/rss")).await);
    assert_eq!(&page.body[..], text.as_bytes());
    let accept_encoding = server.requests("/rss")[0]
        .header("accept-encoding")
        .unwrap()
        .to_string();
    assert!(
        accept_encoding.contains("gzip") && accept_encoding.contains("br"),
        "{accept_encoding}"
    );
}

#[tokio::test]
async fn decompressed_size_is_capped() {
    // 4 MiB of zeros in about 25 KiB of gzip; the cap is 1 MiB.
    let bomb = gzip::zeros(4 * 1024 * 1024);
    assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
    let server = site(move |path| {
        (path == "/bomb").then(|| Reply::ok(bomb.clone()).header("Content-Encoding", "gzip"))
    })
    .await;
    let url = server.url("/bomb");
    // The bomb is real: with room for it, it decodes to the zeros.
    let roomy = Client::new(Settings {
        max_body_bytes: 8 * 1024 * 1024,
        ..settings()
    })
    .unwrap();
    let decoded = page(fetch(&roomy, &url).await).body;
    assert!(decoded.len() > 4 * 1024 * 1024 - 258 && decoded.iter().all(|b| *b == 0));

    let err = fetch(&client(), &url).await.unwrap_err();
    assert!(
        matches!(&err, Error::BodyTooLarge { limit: 1048576, .. }),
        "{err:?}"
    );
    assert!(!err.is_transient());
    let message = err.to_string();
    assert!(
        message.contains(url.as_str()) && message.contains("1048576"),
        "{message}"
    );
}

#[tokio::test]
async fn endless_body_ends_at_the_cap() {
    let server = site(|path| {
        (path == "/endless").then(|| Reply {
            status: 200,
            headers: Vec::new(),
            body: Body::Endless,
        })
    })
    .await;
    let err = fetch(&client(), &server.url("/endless")).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn content_length_over_the_cap_is_refused_before_reading() {
    let server =
        site(|path| (path == "/big").then(|| Reply::ok(vec![b'a'; 2 * 1024 * 1024]))).await;
    let err = fetch(&client(), &server.url("/big")).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn trickling_body_times_out() {
    let server = site(|path| {
        (path == "/slow").then(|| Reply {
            status: 200,
            headers: Vec::new(),
            body: Body::Trickle,
        })
    })
    .await;
    let client = Client::new(Settings {
        timeout: Duration::from_millis(500),
        ..settings()
    })
    .unwrap();
    let started = Instant::now();
    let err = fetch(&client, &server.url("/slow")).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.is_transient());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

// --- status errors -----------------------------------------------------

#[tokio::test]
async fn status_errors_carry_retry_after() {
    let server = site(|path| match path {
        "/busy" => Some(Reply::status(503).header("Retry-After", "120")),
        "/slow-down" => {
            let later = Timestamp::now() + jiff::SignedDuration::from_secs(90);
            let date = jiff::fmt::rfc2822::DateTimePrinter::new()
                .timestamp_to_rfc9110_string(&later)
                .unwrap();
            Some(Reply::status(429).header("Retry-After", &date))
        }
        "/gone" => Some(Reply::status(410).header("Retry-After", "120")),
        _ => None,
    })
    .await;
    let client = client();

    let err = fetch(&client, &server.url("/busy")).await.unwrap_err();
    assert!(matches!(&err, Error::Status { status: 503, .. }), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert!(err.is_transient());

    let err = fetch(&client, &server.url("/slow-down")).await.unwrap_err();
    let retry_after = err.retry_after().expect("an HTTP-date Retry-After");
    assert!(
        (Duration::from_secs(85)..=Duration::from_secs(90)).contains(&retry_after),
        "{retry_after:?}"
    );
    assert!(err.is_transient());

    let err = fetch(&client, &server.url("/gone")).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Status {
                status: 410,
                retry_after: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_transient());

    let err = fetch(&client, &server.url("/missing")).await.unwrap_err();
    assert!(matches!(&err, Error::Status { status: 404, .. }), "{err:?}");
    assert!(!err.is_transient());
    assert!(err.to_string().contains(server.url("/missing").as_str()));
}

#[test]
fn retry_after_table() {
    let now: Timestamp = "2026-02-25T12:00:00Z".parse().unwrap();
    let check = |value: &str| parse_retry_after(value, now);
    assert_eq!(check("0"), Some(Duration::ZERO));
    assert_eq!(check(" 3600 "), Some(Duration::from_secs(3600)));
    assert_eq!(
        check("Wed, 25 Feb 2026 12:02:00 GMT"),
        Some(Duration::from_secs(120))
    );
    assert_eq!(check("Wed, 25 Feb 2026 11:00:00 GMT"), Some(Duration::ZERO));
    assert_eq!(check("-5"), None);
    assert_eq!(check("soon"), None);
}

#[test]
fn freshness_table() {
    let now: Timestamp = "2026-02-25T12:00:00Z".parse().unwrap();
    let check = |pairs: &[(&str, &str)], expected: Option<u64>| {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(
                header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        assert_eq!(
            freshness(&headers, now),
            expected.map(Duration::from_secs),
            "{pairs:?}"
        );
    };
    check(&[], None);
    check(&[("cache-control", "public, max-age=3600")], Some(3600));
    check(&[("cache-control", "private, no-cache")], Some(0));
    check(&[("cache-control", "no-store, max-age=600")], Some(0));
    let expires = ("expires", "Wed, 25 Feb 2026 14:00:00 GMT");
    check(&[expires], Some(7200));
    check(
        &[expires, ("date", "Wed, 25 Feb 2026 13:00:00 GMT")],
        Some(3600),
    );
    check(&[expires, ("cache-control", "max-age=60")], Some(60));
    check(&[("expires", "-1")], Some(0));
    check(&[("expires", "Wed, 25 Feb 2026 11:00:00 GMT")], Some(0));
}

#[test]
fn error_kinds_name_the_failure() {
    let url = Url::parse("http://a.se/").unwrap();
    let status = |status| Error::Status {
        url: url.clone(),
        status,
        retry_after: None,
    };
    assert_eq!(status(429).kind(), "http_429");
    assert_eq!(status(503).kind(), "http_5xx");
    assert_eq!(status(404).kind(), "http_4xx");
    assert_eq!(status(404).status(), Some(404));
    let timeout = Error::Timeout {
        url,
        timeout: Duration::from_secs(1),
    };
    assert_eq!(timeout.kind(), "timeout");
    assert_eq!(timeout.status(), None);
}

#[tokio::test]
async fn connection_refused_is_a_transient_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    drop(listener);
    // robots.txt is unreachable first, which is what the caller sees.
    let err = fetch(&client(), &url).await.unwrap_err();
    assert!(matches!(&err, Error::RobotsUnavailable { .. }), "{err:?}");
    assert!(err.is_transient());
    assert!(err.to_string().contains(url.as_str()), "{err}");
}

#[tokio::test]
async fn only_http_and_https() {
    let err = fetch(&client(), &Url::parse("ftp://example.se/a").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnsupportedUrl { .. }), "{err:?}");
}

// --- redirects ---------------------------------------------------------

#[tokio::test]
async fn redirects_report_permanent_moves_only_when_every_hop_is_permanent() {
    let server = site(|path| match path {
        "/old" => Some(Reply::redirect(301, "/mid")),
        "/mid" => Some(Reply::redirect(308, "/new")),
        "/temp" => Some(Reply::redirect(302, "/mid")),
        "/new" => Some(Reply::ok("new")),
        _ => None,
    })
    .await;
    let client = client();
    let moved = page(fetch(&client, &server.url("/old")).await);
    assert_eq!(moved.url, server.url("/new"));
    assert_eq!(moved.moved_permanently, Some(server.url("/new")));
    assert_eq!(&moved.body[..], b"new");

    let temporary = page(fetch(&client, &server.url("/temp")).await);
    assert_eq!(temporary.url, server.url("/new"));
    assert_eq!(temporary.moved_permanently, None);
}

#[tokio::test]
async fn redirect_loop_is_an_error() {
    let server = site(|path| match path {
        "/a" => Some(Reply::redirect(302, "/b")),
        "/b" => Some(Reply::redirect(301, "/a")),
        _ => None,
    })
    .await;
    let err = fetch(&client(), &server.url("/a")).await.unwrap_err();
    let Error::RedirectLoop { url, location } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(url, &server.url("/b"));
    assert_eq!(location, server.url("/a").as_str());
    assert!(!err.is_transient());
    assert_eq!(server.hits("/a"), 1);
}

#[tokio::test]
async fn too_many_redirects() {
    let server = site(|path| {
        let n: usize = path.strip_prefix("/r/")?.parse().ok()?;
        Some(Reply::redirect(302, &format!("/r/{}", n + 1)))
    })
    .await;
    let err = fetch(&client(), &server.url("/r/0")).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooManyRedirects {
                limit: MAX_REDIRECTS,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.hits(&format!("/r/{MAX_REDIRECTS}")), 1);
    assert_eq!(server.hits(&format!("/r/{}", MAX_REDIRECTS + 1)), 0);
}

#[tokio::test]
async fn redirect_to_another_scheme_is_invalid() {
    let server =
        site(|path| (path == "/a").then(|| Reply::redirect(301, "ftp://example.se/"))).await;
    let err = fetch(&client(), &server.url("/a")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRedirect { .. }), "{err:?}");
}

// --- robots.txt --------------------------------------------------------

#[tokio::test]
async fn robots_disallowed_url_is_never_requested() {
    let server = TestServer::start(|request| match request.path.as_str() {
        "/robots.txt" => Reply::ok("User-agent: *\nDisallow: /skelleftea/intern/\n"),
        _ => Reply::ok("page"),
    })
    .await;
    let client = client();
    let intern = server.url("/skelleftea/intern/nyheter/nya-rutiner/");
    let err = fetch(&client, &intern).await.unwrap_err();
    assert!(
        matches!(&err, Error::RobotsDisallowed { url } if *url == intern),
        "{err:?}"
    );
    assert!(!err.is_transient());
    page(fetch(&client, &server.url("/skelleftea/naringsliv/")).await);

    assert_eq!(server.hits("/skelleftea/intern/nyheter/nya-rutiner/"), 0);
    assert_eq!(server.hits("/skelleftea/naringsliv/"), 1);
    assert_eq!(
        server.hits("/robots.txt"),
        1,
        "robots.txt is cached per origin"
    );
}

#[tokio::test]
async fn a_5_mb_robots_txt_is_cut_and_its_head_obeyed() {
    let mut robots = String::from("User-agent: *\nDisallow: /intern/\n");
    while robots.len() < 5 * 1024 * 1024 {
        robots.push_str("# padding padding padding padding padding padding padding\n");
    }
    // A rule past the cut is not seen.
    robots.push_str("Disallow: /nyheter/\n");
    let server = TestServer::start(move |request| match request.path.as_str() {
        "/robots.txt" => Reply::ok(robots.clone()),
        _ => Reply::ok("page"),
    })
    .await;
    let client = client();
    let err = fetch(&client, &server.url("/intern/a")).await.unwrap_err();
    assert!(matches!(err, Error::RobotsDisallowed { .. }), "{err:?}");
    page(fetch(&client, &server.url("/nyheter/")).await);
    assert_eq!(server.hits("/intern/a"), 0);
}

#[tokio::test]
async fn redirect_into_a_disallowed_path_is_not_followed() {
    let server = TestServer::start(|request| match request.path.as_str() {
        "/robots.txt" => Reply::ok("User-agent: muniflux\nDisallow: /intern/\n"),
        "/go" => Reply::redirect(302, "/intern/x"),
        _ => Reply::ok("page"),
    })
    .await;
    let err = fetch(&client(), &server.url("/go")).await.unwrap_err();
    assert!(
        matches!(&err, Error::RobotsDisallowed { url } if *url == server.url("/intern/x")),
        "{err:?}"
    );
    assert_eq!(server.hits("/intern/x"), 0);
}

#[tokio::test]
async fn robots_404_allows_everything() {
    let server = site(|path| (path != "/robots.txt").then(|| Reply::ok("page"))).await;
    page(fetch(&client(), &server.url("/anything")).await);
    assert_eq!(server.hits("/robots.txt"), 1);
}

#[tokio::test]
async fn robots_500_disallows_for_now() {
    let server = TestServer::start(|request| match request.path.as_str() {
        "/robots.txt" => Reply::status(500),
        _ => Reply::ok("page"),
    })
    .await;
    let client = client();
    for _ in 0..2 {
        let err = fetch(&client, &server.url("/nyheter/")).await.unwrap_err();
        assert!(matches!(&err, Error::RobotsUnavailable { .. }), "{err:?}");
        assert!(err.is_transient(), "retried later, unlike a disallow");
    }
    assert_eq!(server.hits("/nyheter/"), 0);
    assert_eq!(
        server.hits("/robots.txt"),
        1,
        "the failure is cached for a while"
    );
}

#[tokio::test]
async fn robots_served_as_html_page_allows_everything() {
    let server = TestServer::start(|request| match request.path.as_str() {
        "/robots.txt" => Reply::ok("<!DOCTYPE html><html><body>Disallow: /</body></html>")
            .header("Content-Type", "text/html"),
        _ => Reply::ok("page"),
    })
    .await;
    page(fetch(&client(), &server.url("/nyheter/")).await);
}

// --- politeness --------------------------------------------------------

#[tokio::test]
async fn host_delay_separates_requests_to_one_host() {
    let delay = Duration::from_millis(300);
    let server = site(|path| (path.starts_with("/p")).then(|| Reply::ok("page"))).await;
    let client = Arc::new(
        Client::new(Settings {
            host_delay: delay,
            ..settings()
        })
        .unwrap(),
    );
    // Concurrent callers are serialised too.
    let tasks: Vec<_> = ["/p1", "/p2", "/p3"]
        .into_iter()
        .map(|path| {
            let client = Arc::clone(&client);
            let url = server.url(path);
            tokio::spawn(async move { page(fetch(&client, &url).await) })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let mut arrivals: Vec<Instant> = server.log.lock().unwrap().iter().map(|r| r.at).collect();
    arrivals.sort();
    assert_eq!(arrivals.len(), 4, "robots.txt and three pages");
    for pair in arrivals.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= delay,
            "requests {gap:?} apart, host_delay is {delay:?}"
        );
    }
}

#[tokio::test]
async fn crawl_delay_above_host_delay_is_honoured() {
    let server = TestServer::start(|request| match request.path.as_str() {
        "/robots.txt" => Reply::ok("User-agent: *\nCrawl-delay: 1\n"),
        _ => Reply::ok("page"),
    })
    .await;
    let client = client();
    page(fetch(&client, &server.url("/a")).await);
    page(fetch(&client, &server.url("/b")).await);
    let gap = server.requests("/b")[0].at - server.requests("/a")[0].at;
    assert!(gap >= Duration::from_secs(1), "{gap:?}");
}

#[tokio::test]
async fn a_slow_host_does_not_hold_up_another() {
    let slow_started = Arc::new(tokio::sync::Notify::new());
    let slow = site({
        let slow_started = Arc::clone(&slow_started);
        move |path| {
            (path == "/slow").then(|| {
                slow_started.notify_one();
                Reply {
                    status: 200,
                    headers: Vec::new(),
                    body: Body::Late(Duration::from_secs(5), b"late".to_vec()),
                }
            })
        }
    })
    .await;
    let fast = site(|path| (path == "/fast").then(|| Reply::ok("fast"))).await;
    let client = Arc::new(client());
    let slow_request = tokio::spawn({
        let client = Arc::clone(&client);
        let url = slow.url("/slow");
        async move { fetch(&client, &url).await }
    });
    tokio::time::timeout(Duration::from_secs(5), slow_started.notified())
        .await
        .expect("the slow request reached its server");

    // Same port would be the same host; a different port is another host.
    let started = Instant::now();
    page(fetch(&client, &fast.url("/fast")).await);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the other host's in-flight request held this one up: {:?}",
        started.elapsed()
    );
    assert!(!slow_request.is_finished());
    slow_request.abort();
}

#[test]
fn transient_errors() {
    let url = Url::parse("https://www.vaxjo.se/rss").unwrap();
    let status = |status| Error::Status {
        url: url.clone(),
        status,
        retry_after: None,
    };
    for (err, transient) in [
        (status(500), true),
        (status(502), true),
        (status(503), true),
        (status(429), true),
        (status(408), true),
        (status(404), false),
        (status(410), false),
        (status(403), false),
        (
            Error::Timeout {
                url: url.clone(),
                timeout: Duration::from_secs(1),
            },
            true,
        ),
        (Error::RobotsDisallowed { url: url.clone() }, false),
        (
            Error::RobotsUnavailable {
                url: url.clone(),
                reason: "HTTP 503".into(),
            },
            true,
        ),
        (
            Error::BodyTooLarge {
                url: url.clone(),
                limit: 1,
            },
            false,
        ),
        (
            Error::TooManyRedirects {
                url: url.clone(),
                limit: 10,
            },
            false,
        ),
    ] {
        assert_eq!(err.is_transient(), transient, "{err}");
    }
}

/// Just enough gzip to test decompression without a compression crate:
/// fixed-Huffman deflate with literals and distance-1 runs.
mod gzip {
    pub(super) fn compress(data: &[u8]) -> Vec<u8> {
        let mut bits = BitWriter::default();
        bits.block_header();
        for &byte in data {
            bits.literal(byte);
        }
        bits.end_of_block();
        wrap(bits.finish(), data)
    }

    /// `len` zero bytes (`len` = 1 + 258 k for exactness; rounded down).
    pub(super) fn zeros(len: usize) -> Vec<u8> {
        let runs = (len - 1) / 258;
        let mut bits = BitWriter::default();
        bits.block_header();
        bits.literal(0);
        for _ in 0..runs {
            // Length 258 is code 285 (8 bits, no extra), distance 1 is code 0.
            bits.huffman(0b1100_0101, 8);
            bits.huffman(0, 5);
        }
        bits.end_of_block();
        wrap(bits.finish(), &vec![0; 1 + runs * 258])
    }

    fn wrap(deflate: Vec<u8>, original: &[u8]) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        out.extend(deflate);
        out.extend(crc32(original).to_le_bytes());
        out.extend((original.len() as u32).to_le_bytes());
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[derive(Default)]
    struct BitWriter {
        out: Vec<u8>,
        current: u8,
        used: u8,
    }

    impl BitWriter {
        fn bit(&mut self, bit: u32) {
            self.current |= ((bit & 1) as u8) << self.used;
            self.used += 1;
            if self.used == 8 {
                self.out.push(self.current);
                self.current = 0;
                self.used = 0;
            }
        }

        /// Header fields go least significant bit first ...
        fn value(&mut self, value: u32, len: u32) {
            (0..len).for_each(|i| self.bit(value >> i));
        }

        /// ... Huffman codes most significant bit first.
        fn huffman(&mut self, code: u32, len: u32) {
            (0..len).rev().for_each(|i| self.bit(code >> i));
        }

        fn block_header(&mut self) {
            self.value(1, 1); // final block
            self.value(1, 2); // fixed Huffman codes
        }

        fn literal(&mut self, byte: u8) {
            match byte {
                0..=143 => self.huffman(0x30 + u32::from(byte), 8),
                _ => self.huffman(0x190 + u32::from(byte) - 144, 9),
            }
        }

        fn end_of_block(&mut self) {
            self.huffman(0, 7);
        }

        fn finish(mut self) -> Vec<u8> {
            if self.used > 0 {
                self.out.push(self.current);
            }
            self.out
        }
    }
}
