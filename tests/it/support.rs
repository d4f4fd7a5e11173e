use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, Response, StatusCode, Uri};
use axum::Router;

/// A running static file server: like `python3 -m http.server`, it ignores
/// query strings, serves `index.html` for folders and sends text/html
/// without a charset; unlike it, it logs every request. `/status/N` answers
/// status N (with `?retry-after=S`, a Retry-After header); `/loop/` redirects
/// to itself.
pub struct FileServer {
    pub base: String,
    log: Arc<Mutex<Vec<Request>>>,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    /// Path and query.
    pub path: String,
    /// When it arrived.
    pub at: std::time::Instant,
    pub if_modified_since: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Clone)]
struct Served {
    root: PathBuf,
    log: Arc<Mutex<Vec<Request>>>,
}

impl FileServer {
    /// Starts serving `root` on a free port of 127.0.0.1 (on its own thread,
    /// so it works from sync tests too).
    pub fn start(root: &Path) -> FileServer {
        let log = Arc::new(Mutex::new(Vec::new()));
        let state = Served {
            root: root.to_path_buf(),
            log: Arc::clone(&log),
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let app = Router::new().fallback(serve_file).with_state(state);
                axum::serve(listener, app).await.unwrap();
            });
        });
        let addr = rx.recv().unwrap();
        FileServer {
            base: format!("http://{addr}"),
            log,
        }
    }

    /// Every path requested so far (with its query).
    pub fn requests(&self) -> Vec<String> {
        self.log().into_iter().map(|r| r.path).collect()
    }

    /// Every request so far, in arrival order.
    pub fn log(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    /// How many requests asked for `path` (with its query).
    pub fn hits(&self, path: &str) -> usize {
        self.requests().iter().filter(|p| *p == path).count()
    }
}

async fn serve_file(State(served): State<Served>, uri: Uri, headers: HeaderMap) -> Response<Body> {
    let logged = uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let header = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    served.log.lock().unwrap().push(Request {
        path: logged,
        at: std::time::Instant::now(),
        if_modified_since: header(header::IF_MODIFIED_SINCE),
        user_agent: header(header::USER_AGENT),
    });
    let path = uri.path();
    if path.contains("..") {
        return status(StatusCode::BAD_REQUEST);
    }
    if path == "/loop/" {
        return Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, "/loop/")
            .body(Body::empty())
            .unwrap();
    }
    if let Some(code) = path.strip_prefix("/status/") {
        let code = code.trim_end_matches('/').parse().unwrap_or(500);
        let mut response =
            status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
        if let Some(seconds) = uri.query().and_then(|q| q.strip_prefix("retry-after=")) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, seconds.parse().unwrap());
        }
        return response;
    }
    let mut file = served.root.join(path.trim_start_matches('/'));
    if file.is_dir() {
        if !path.ends_with('/') {
            return Response::builder()
                .status(StatusCode::MOVED_PERMANENTLY)
                .header(header::LOCATION, format!("{path}/"))
                .body(Body::empty())
                .unwrap();
        }
        file = file.join("index.html");
    }
    let Ok(meta) = std::fs::metadata(&file) else {
        return status(StatusCode::NOT_FOUND);
    };
    let modified = meta.modified().ok().map(httpdate);
    if let (Some(m), Some(ims)) = (&modified, headers.get(header::IF_MODIFIED_SINCE)) {
        if ims.to_str().ok() == Some(m.as_str()) {
            return status(StatusCode::NOT_MODIFIED);
        }
    }
    let body = std::fs::read(&file).unwrap();
    let content_type = match file.extension().and_then(|e| e.to_str()) {
        Some("html" | "htm") => "text/html",
        Some("xml") => "application/xml",
        Some("txt") => "text/plain",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    let mut response = Response::builder().header(header::CONTENT_TYPE, content_type);
    if let Some(m) = modified {
        response = response.header(header::LAST_MODIFIED, m);
    }
    response.body(Body::from(body)).unwrap()
}

fn status(code: StatusCode) -> Response<Body> {
    Response::builder()
        .status(code)
        .body(Body::from(code.to_string()))
        .unwrap()
}

fn httpdate(t: std::time::SystemTime) -> String {
    let ts = jiff::Timestamp::try_from(t).unwrap();
    ts.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Copies a folder tree (like `cp -r src/. dst/`).
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let target = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The shared development corpus, when it is there (CI has it).
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    dir.join("gold.json").exists().then_some(dir)
}

/// A config folder with `muniflux.toml` and `sources.toml` for tests.
pub struct TestConfig {
    pub dir: tempfile::TempDir,
}

impl TestConfig {
    /// `sources` is the text of `sources.toml`; `extra` is appended to
    /// `muniflux.toml` (for example a `[server]` table).
    pub fn new(sources: &str, extra: &str) -> TestConfig {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sources.toml"), sources).unwrap();
        let config = format!(
            "database = \"state/muniflux.db\"\nsources = \"sources.toml\"\n\n[feed]\ntitle = \"Test\"\noutput = \"out/feed.atom\"\nmax_entries = 500\n\n[poll]\ninterval = \"30m\"\nhost_delay = \"0s\"\ntimeout = \"5s\"\nuser_agent = \"muniflux-test/1.0\"\n{extra}"
        );
        std::fs::write(dir.path().join("muniflux.toml"), config).unwrap();
        TestConfig { dir }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("muniflux.toml")
    }

    /// The same config with `[poll] timeout` set to `timeout`.
    pub fn with_timeout(self, timeout: &str) -> TestConfig {
        let text = std::fs::read_to_string(self.path()).unwrap();
        let text = text.replace("timeout = \"5s\"", &format!("timeout = \"{timeout}\""));
        std::fs::write(self.path(), text).unwrap();
        self
    }

    /// Runs `muniflux -c <config> args...`.
    pub fn muniflux(&self, args: &[&str]) -> Output {
        let path = self.path();
        let mut all = vec!["-c", path.to_str().unwrap()];
        all.extend_from_slice(args);
        muniflux(&all)
    }

    /// Polls, asserting success; returns stderr (the log).
    pub fn poll(&self) -> String {
        let out = self.muniflux(&["poll"]);
        let log = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "poll failed: {log}");
        log
    }

    /// Exports the feed and parses it.
    pub fn export(&self) -> (String, feed_rs::model::Feed) {
        let out = self.muniflux(&["export"]);
        assert!(
            out.status.success(),
            "export failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let xml = String::from_utf8(out.stdout).unwrap();
        let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap();
        (xml, feed)
    }
}

pub fn muniflux(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_muniflux"))
        .args(args)
        .env("MUNIFLUX_LOG", "info")
        .output()
        .unwrap()
}

/// Plain text of an entry's HTML content, rendered the way the extractor
/// renders bodies.
pub fn text_of(html: &str) -> String {
    let base = url::Url::parse("http://localhost/").unwrap();
    muniflux::extract::html::clean_fragment(html, &base).text
}

pub use muniflux::score::token_f1;
