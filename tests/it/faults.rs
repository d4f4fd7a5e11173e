//! The fault matrix: one poll per hostile server behaviour, beside a good
//! site. Each fault must end within the poll timeout, be stored as the
//! faulty source's error (naming it) and cost the good site nothing; a
//! SIGKILL mid-poll loses nothing stored before.
//!
//! The hostile server is raw TCP, so it can do what no HTTP library helps
//! with: trickle, reset mid-body, lie about lengths and charsets.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use muniflux::store::Store;

use crate::support::TestConfig;

/// No fault may hold a poll longer than this (the poll timeout is 2 s).
const POLL_BOUND: Duration = Duration::from_secs(60);

/// What the hostile server answers for a path.
type Handler = fn(&str, &mut TcpStream);

/// A server on 127.0.0.1 answering each connection with [`respond`], with a
/// log of request paths.
struct Hostile {
    base: String,
    paths: Arc<Mutex<Vec<String>>>,
}

impl Hostile {
    fn start() -> Hostile {
        Hostile::start_with(respond)
    }

    fn start_with(handler: Handler) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let paths: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = Arc::clone(&paths);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, &log, handler));
            }
        });
        Hostile { base, paths }
    }

    fn hits(&self, path: &str) -> usize {
        self.paths
            .lock()
            .unwrap()
            .iter()
            .filter(|p| *p == path)
            .count()
    }
}

/// Reads one request head and answers it (one request per connection).
fn serve(mut stream: TcpStream, log: &Mutex<Vec<String>>, handler: Handler) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16_384 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    log.lock().unwrap().push(path.clone());
    handler(&path, &mut stream);
}

fn reply(stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn html(stream: &mut TcpStream, body: &str) {
    reply(
        stream,
        "200 OK",
        &[("Content-Type", "text/html; charset=utf-8")],
        body.as_bytes(),
    );
}

/// A news list linking `items` (path, headline).
fn list_page(items: &[(&str, &str)]) -> String {
    let items: String = items
        .iter()
        .enumerate()
        .map(|(i, (path, title))| {
            format!(
                "<li class=\"news-item\"><time datetime=\"2024-05-{:02}\">{} maj 2024</time>\
                 <h2><a href=\"{path}\">{title}</a></h2><p>Kort ingress om nyheten.</p></li>\n",
                20 - i % 19,
                20 - i % 19
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Nyheter</title></head>\
         <body><header><nav><a href=\"/\">Start</a></nav></header><main><h1>Nyheter</h1>\
         <ul class=\"news-list\">\n{items}</ul></main><footer><p>Kommunen</p></footer></body></html>"
    )
}

/// An article page with a headline and three paragraphs.
fn article_page(title: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><header><nav><a href=\"/\">Start</a></nav></header><div id=\"content\">\
         <h1>{title}</h1><div class=\"date\">Publicerad 14 maj 2024</div>\
         <p>Kommunen berättar i dag om {title}. Arbetet har pågått sedan i våras och \
         nu är det dags för nästa steg i planeringen.</p>\
         <p>Alla som bor i området är välkomna på ett öppet möte i kommunhuset, där \
         förvaltningen svarar på frågor och tar emot synpunkter.</p>\
         <p>Mer information finns hos kontaktcenter, som har öppet alla vardagar.</p>\
         </div><footer><p>Kommunen</p></footer></body></html>"
    )
}

const GOOD: [(&str, &str); 2] = [
    ("/bra/skolan.html", "Ny skola byggs i Norrby"),
    ("/bra/parken.html", "Parken rustas upp i sommar"),
];

/// The answers of the hostile server.
fn respond(path: &str, stream: &mut TcpStream) {
    match path {
        "/robots.txt" => reply(stream, "404 Not Found", &[], b""),
        "/bra/" => html(stream, &list_page(&GOOD)),
        p if GOOD.iter().any(|(path, _)| *path == p) => {
            let title = GOOD.iter().find(|(path, _)| *path == p).unwrap().1;
            html(stream, &article_page(title));
        }
        "/trickle/" => {
            // Headers, then one byte every 300 ms for up to a minute.
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
            for _ in 0..200 {
                if stream.write_all(b" ").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        }
        "/reset/" => {
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(list_page(&GOOD).as_bytes());
            let _ = stream.flush();
            std::thread::sleep(Duration::from_millis(100));
            // SO_LINGER 0: the close sends a RST, not a FIN.
            reset(stream);
        }
        "/gzip-bomb/" => reply(
            stream,
            "200 OK",
            &[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
            &GZIP_BOMB,
        ),
        "/brotli-bomb/" => reply(
            stream,
            "200 OK",
            &[("Content-Type", "text/html"), ("Content-Encoding", "br")],
            &BROTLI_BOMB,
        ),
        "/trasig-gzip/" => reply(
            stream,
            "200 OK",
            &[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
            b"\x1f\x8b\x08\x00this is not deflate data at all, just text",
        ),
        "/langsamma-huvuden/" => {
            // The status line and headers one byte every 300 ms.
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" {
                if stream.write_all(&[*byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        }
        "/till-fil/" => reply(
            stream,
            "302 Found",
            &[("Location", "file:///etc/passwd")],
            b"",
        ),
        "/latin1/" => latin1(
            stream,
            &list_page(&[("/latin1/traff.html", "Företagsträff på Åkersberg")]),
        ),
        "/latin1/traff.html" => latin1(stream, &article_page("Företagsträff på Åkersberg")),
        "/bilagor/" => html(
            stream,
            &list_page(&[
                ("/bilagor/protokoll", "Protokoll från kommunfullmäktige"),
                ("/bilagor/bild", "Bild från invigningen"),
                ("/bilagor/lista.html", "Alla lediga jobb i kommunen"),
                (
                    "/bilagor/biblioteket.html",
                    "Biblioteket får längre öppettider",
                ),
            ]),
        ),
        "/bilagor/protokoll" => reply(
            stream,
            "200 OK",
            // Sent as HTML, as misconfigured servers do: the bytes tell.
            &[("Content-Type", "text/html")],
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n",
        ),
        "/bilagor/bild" => reply(
            stream,
            "200 OK",
            &[("Content-Type", "image/png")],
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01",
        ),
        "/bilagor/lista.html" => html(stream, &list_page(&GOOD)),
        "/bilagor/biblioteket.html" => {
            html(stream, &article_page("Biblioteket får längre öppettider"))
        }
        _ => reply(stream, "404 Not Found", &[], b"not here"),
    }
}

fn reset(stream: &mut TcpStream) {
    let _ = socket_linger_zero(stream);
    let _ = stream.shutdown(std::net::Shutdown::Read);
}

/// Sets SO_LINGER to 0 so that dropping the socket resets the connection.
fn socket_linger_zero(stream: &TcpStream) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    #[repr(C)]
    struct Linger {
        onoff: i32,
        linger: i32,
    }
    let linger = Linger {
        onoff: 1,
        linger: 0,
    };
    // SOL_SOCKET = 1, SO_LINGER = 13 on Linux.
    let result = unsafe {
        setsockopt(
            stream.as_raw_fd(),
            1,
            13,
            &linger as *const Linger as *const std::ffi::c_void,
            std::mem::size_of::<Linger>() as u32,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

unsafe extern "C" {
    fn setsockopt(fd: i32, level: i32, name: i32, value: *const std::ffi::c_void, len: u32) -> i32;
}

fn latin1(stream: &mut TcpStream, page: &str) {
    // The template says utf-8 and so does the server; the bytes are Latin-1.
    let bytes = encoding_rs::WINDOWS_1252.encode(page).0;
    reply(
        stream,
        "200 OK",
        &[("Content-Type", "text/html; charset=utf-8")],
        &bytes,
    );
}

/// 64 MiB of spaces, gzipped to about 64 KiB. Made before the poll starts
/// (each test forces it first): compressing it in a debug build on a busy machine
/// took longer than the poll's 2 s timeout.
static GZIP_BOMB: LazyLock<Vec<u8>> = LazyLock::new(gzip_bomb);

/// 64 MiB of spaces, brotli-compressed to a few hundred bytes; made before
/// the poll like [`GZIP_BOMB`].
static BROTLI_BOMB: LazyLock<Vec<u8>> = LazyLock::new(brotli_bomb);

fn gzip_bomb() -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..64 {
        encoder.write_all(&chunk).unwrap();
    }
    encoder.finish().unwrap()
}

fn brotli_bomb() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..64 {
            writer.write_all(&chunk).unwrap();
        }
    }
    out
}

fn config(server: &Hostile, faulty_path: &str) -> TestConfig {
    let sources = format!(
        "[[source]]\nname = \"Bra kommun\"\nurl = \"{base}/bra/\"\n\n\
         [[source]]\nname = \"Fientlig server\"\nurl = \"{base}{faulty_path}\"\n",
        base = server.base
    );
    TestConfig::new(&sources, "max_body_size = \"1 MiB\"\n").with_timeout("2s")
}

/// Polls with a deadline; returns the log.
fn poll_within(config: &TestConfig, bound: Duration) -> String {
    let child = spawn_poll(config);
    let started = Instant::now();
    let output = wait_bounded(child, bound);
    assert!(
        started.elapsed() < bound,
        "the poll took {:?}",
        started.elapsed()
    );
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "poll failed: {log}");
    log
}

fn spawn_poll(config: &TestConfig) -> Child {
    Command::new(env!("CARGO_BIN_EXE_muniflux"))
        .args(["-c", config.path().to_str().unwrap(), "poll"])
        .env("MUNIFLUX_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child`, killing it (and failing) past `bound`.
fn wait_bounded(mut child: Child, bound: Duration) -> std::process::Output {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > bound {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "still running after {bound:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn titles(config: &TestConfig) -> Vec<String> {
    let (_, feed) = config.export();
    let mut titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.clone().unwrap().content)
        .collect();
    titles.sort();
    titles
}

fn stored_error(config: &TestConfig, name: &str) -> String {
    let store = Store::open(&config.dir.path().join("state/muniflux.db")).unwrap();
    store
        .sources()
        .unwrap()
        .into_iter()
        .find(|r| r.name == name)
        .unwrap()
        .last_error
        .unwrap_or_default()
}

/// The good site's articles are all there, and the faulty source's error
/// is stored and logged with its name.
#[track_caller]
fn check_fault_is_contained(config: &TestConfig, log: &str, error_says: &str) {
    assert_eq!(
        titles(config),
        ["Ny skola byggs i Norrby", "Parken rustas upp i sommar"],
        "{log}"
    );
    let error = stored_error(config, "Fientlig server");
    assert!(error.contains(error_says), "stored error: {error:?}\n{log}");
    assert!(
        log.contains("Fientlig server"),
        "the log names the source: {log}"
    );
    assert_eq!(stored_error(config, "Bra kommun"), "");
}

#[test]
fn a_trickling_body_times_out() {
    let server = Hostile::start();
    let config = config(&server, "/trickle/");
    let started = Instant::now();
    let log = poll_within(&config, POLL_BOUND);
    check_fault_is_contained(&config, &log, "timed out");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_connection_reset_mid_body_is_an_error() {
    let server = Hostile::start();
    let config = config(&server, "/reset/");
    let log = poll_within(&config, POLL_BOUND);
    check_fault_is_contained(&config, &log, "/reset/");
}

#[test]
fn a_gzip_bomb_stops_at_the_body_limit() {
    let server = Hostile::start();
    LazyLock::force(&GZIP_BOMB);
    let config = config(&server, "/gzip-bomb/");
    let log = poll_within(&config, POLL_BOUND);
    check_fault_is_contained(&config, &log, "exceeds the limit");
}

#[test]
fn a_brotli_bomb_stops_at_the_body_limit() {
    let server = Hostile::start();
    LazyLock::force(&BROTLI_BOMB);
    let config = config(&server, "/brotli-bomb/");
    let log = poll_within(&config, POLL_BOUND);
    check_fault_is_contained(&config, &log, "exceeds the limit");
}

#[test]
fn a_corrupt_gzip_body_is_an_error() {
    let server = Hostile::start();
    let config = config(&server, "/trasig-gzip/");
    let log = poll_within(&config, POLL_BOUND);
    check_fault_is_contained(&config, &log, "/trasig-gzip/");
}

#[test]
fn trickling_headers_time_out() {
    let server = Hostile::start();
    let config = config(&server, "/langsamma-huvuden/");
    let log = poll_within(&config, POLL_BOUND);
    check_fault_is_contained(&config, &log, "timed out");
}

#[test]
fn a_redirect_to_a_file_is_refused() {
    let server = Hostile::start();
    let config = config(&server, "/till-fil/");
    let log = poll_within(&config, POLL_BOUND);
    check_fault_is_contained(&config, &log, "file:///etc/passwd");
    let (xml, _) = config.export();
    assert!(
        !xml.contains("root:"),
        "nothing of the file reached the feed"
    );
}

#[test]
fn a_latin1_site_declared_utf8_keeps_its_letters() {
    let server = Hostile::start();
    let sources = format!(
        "[[source]]\nname = \"Gammal kommun\"\nurl = \"{}/latin1/\"\n",
        server.base
    );
    let config = TestConfig::new(&sources, "").with_timeout("2s");
    let log = poll_within(&config, POLL_BOUND);
    let (xml, feed) = config.export();
    assert_eq!(feed.entries.len(), 1, "{log}");
    assert_eq!(
        feed.entries[0].title.as_ref().unwrap().content,
        "Företagsträff på Åkersberg"
    );
    assert!(
        xml.contains("Alla som bor i området är välkomna på ett öppet möte"),
        "{xml}"
    );
    assert!(!xml.contains('\u{fffd}'));
}

#[test]
fn links_that_are_no_article_are_remembered_and_not_fetched_again() {
    let server = Hostile::start();
    let sources = format!(
        "[[source]]\nname = \"Bilagor\"\nurl = \"{}/bilagor/\"\n",
        server.base
    );
    let config = TestConfig::new(&sources, "").with_timeout("2s");
    let log = poll_within(&config, POLL_BOUND);
    assert_eq!(
        titles(&config),
        ["Biblioteket får längre öppettider"],
        "{log}"
    );
    for path in ["/bilagor/protokoll", "/bilagor/bild", "/bilagor/lista.html"] {
        assert_eq!(server.hits(path), 1, "{path}");
    }
    let store = Store::open(&config.dir.path().join("state/muniflux.db")).unwrap();
    let reason = |path: &str| {
        let url = url::Url::parse(&format!("{}{path}", server.base)).unwrap();
        store
            .skipped_link(&url)
            .unwrap()
            .map(|s| s.reason)
            .unwrap_or_default()
    };
    assert!(reason("/bilagor/protokoll").contains("a PDF"), "{log}");
    assert!(reason("/bilagor/bild").contains("a PNG image"));
    assert!(reason("/bilagor/lista.html").contains("no article"));
    assert_eq!(stored_error(&config, "Bilagor"), "");
    drop(store);

    // The next poll reads the list again but none of the three.
    poll_within(&config, POLL_BOUND);
    assert_eq!(server.hits("/bilagor/"), 2);
    for path in ["/bilagor/protokoll", "/bilagor/bild", "/bilagor/lista.html"] {
        assert_eq!(server.hits(path), 1, "{path} was fetched again");
    }
}

/// Articles of the slow site, each answered after 150 ms.
fn slow(path: &str, stream: &mut TcpStream) {
    const SLOW_ARTICLES: usize = 40;
    if path == "/robots.txt" {
        return reply(stream, "404 Not Found", &[], b"");
    }
    if path == "/langsam/" {
        let items: Vec<(String, String)> = (0..SLOW_ARTICLES)
            .map(|i| {
                (
                    format!("/langsam/{i}.html"),
                    format!("Nyhet nummer {i} om vägarbeten"),
                )
            })
            .collect();
        let items: Vec<(&str, &str)> = items
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        return html(stream, &list_page(&items));
    }
    if let Some(number) = path
        .strip_prefix("/langsam/")
        .and_then(|p| p.strip_suffix(".html"))
    {
        std::thread::sleep(Duration::from_millis(150));
        return html(
            stream,
            &article_page(&format!("Nyhet nummer {number} om vägarbeten")),
        );
    }
    respond(path, stream);
}

#[test]
fn kill_9_mid_poll_loses_nothing_and_the_next_poll_is_clean() {
    let server = Hostile::start_with(slow);
    let good = format!(
        "[[source]]\nname = \"Bra kommun\"\nurl = \"{}/bra/\"\n",
        server.base
    );
    let config = TestConfig::new(&good, "max_new_articles = 100\n").with_timeout("2s");
    poll_within(&config, POLL_BOUND);
    let (_, before) = config.export();
    let before_ids: Vec<String> = before.entries.iter().map(|e| e.id.clone()).collect();
    assert_eq!(before_ids.len(), 2);

    std::fs::write(
        config.dir.path().join("sources.toml"),
        format!(
            "{good}\n[[source]]\nname = \"Långsam kommun\"\nurl = \"{}/langsam/\"\n",
            server.base
        ),
    )
    .unwrap();
    // Kill at different points of the article fetches.
    for delay_ms in [400, 1_100, 2_300] {
        let mut child = spawn_poll(&config);
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let db = config.dir.path().join("state/muniflux.db");
        let conn = rusqlite::Connection::open(&db).unwrap();
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "after a kill at {delay_ms} ms");
    }
    poll_within(&config, POLL_BOUND);
    let (_, after) = config.export();
    let after_ids: Vec<String> = after.entries.iter().map(|e| e.id.clone()).collect();
    for id in &before_ids {
        assert!(after_ids.contains(id), "{id} was lost");
    }
    assert_eq!(
        after.entries.len(),
        2 + 40,
        "the clean poll read every article"
    );
}
