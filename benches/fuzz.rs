//! Fuzzing on stable Rust: pages from `tests/fixtures` and
//! `../shared/evalsets`, mutated, through every pure stage a fetched body
//! meets (charset detection, sniffing, feed parsing, list and article
//! extraction, canonicalisation), for a given number of seconds.
//!
//! ```sh
//! cargo bench --bench fuzz -- --seconds 600 [--seed N] [--out DIR] [--corpus DIR]...
//! ```
//!
//! Prints each input that panics, takes more than a second of CPU time
//! (or is still running after ten seconds of CPU time), allocates more
//! than 64 MB at once or breaks an invariant (canonical URLs are
//! idempotent, body HTML holds no script), saving it under `--out`
//! (default `target/fuzz-findings`), then a summary with inputs per second.
//! Exits 1 when it found something. A finding worth keeping becomes a
//! regression test next to the stage that failed.
//!
//! No coverage feedback (that needs nightly's sanitizer coverage): mutations
//! are structure-aware instead (markup tokens, charset declarations, deep
//! nesting, splices of other pages), which reaches the parsers' corners
//! that plain bit flips do not.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use muniflux::canonical::canonical_url;
use muniflux::extract::{
    article::extract_article_with, charset, feed::items_from_feed, html::clean_fragment,
    links::links_from_list_with, overrides::Overrides, sniff,
};
use proptest::prelude::{Rng, RngExt};
use proptest::test_runner::{RngAlgorithm, TestRng};
use url::Url;

/// An input taking more CPU time than this is a hang. CPU time, not wall
/// time: on a shared machine a slow second says more about the neighbours.
const HANG: Duration = Duration::from_secs(1);
/// An input that has taken this much CPU time and still runs is reported
/// while it runs, in case it never ends. CPU time again: under `nice` on a
/// busy machine a normal input can wait ten seconds of wall time.
const STUCK: Duration = Duration::from_secs(10);
/// More than this allocated at once during one input is a finding.
const MAX_ALLOCATED: usize = 64 * 1024 * 1024;
/// Mutated inputs are cut to this size (the fetch limit is 10 MiB; larger
/// inputs only slow the run down).
const MAX_INPUT: usize = 4 * 1024 * 1024;

/// Counts live heap bytes and their high-water mark.
struct CountingAllocator;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        new
    }
}

fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// One fuzz input: a body as a server would send it.
#[derive(Clone)]
struct Input {
    body: Vec<u8>,
    content_type: Option<&'static str>,
    url: &'static str,
}

impl Input {
    /// The input as one file: a header line with content type and URL,
    /// then the body (what a regression test needs to replay it).
    fn to_file(&self) -> Vec<u8> {
        let mut file = format!(
            "content-type: {}\nurl: {}\n\n",
            self.content_type.unwrap_or("-"),
            self.url
        )
        .into_bytes();
        file.extend_from_slice(&self.body);
        file
    }

    /// Reads back what [`Input::to_file`] wrote.
    fn from_file(file: &[u8]) -> Option<Input> {
        let split = file.windows(2).position(|w| w == b"\n\n")?;
        let head = std::str::from_utf8(&file[..split]).ok()?;
        let mut content_type = None;
        let mut url = URLS[0];
        for line in head.lines() {
            if let Some(value) = line.strip_prefix("content-type: ") {
                content_type = CONTENT_TYPES
                    .iter()
                    .copied()
                    .flatten()
                    .find(|c| *c == value);
            } else if let Some(value) = line.strip_prefix("url: ") {
                url = URLS
                    .iter()
                    .copied()
                    .find(|u| *u == value)
                    .unwrap_or(URLS[0]);
            }
        }
        Some(Input {
            body: file[split + 2..].to_vec(),
            content_type,
            url,
        })
    }
}

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("text/html"),
    Some("text/html; charset=utf-8"),
    Some("text/html; charset=iso-8859-1"),
    Some("text/html; charset=utf-16"),
    Some("application/rss+xml"),
    Some("application/atom+xml; charset=windows-1252"),
    Some("application/feed+json"),
    Some("text/xml; charset=\"shift_jis\""),
    Some("application/pdf"),
];

const URLS: &[&str] = &[
    "https://www.kommun.se/nyheter/2024/ny-skola.html",
    "http://kommun.se/",
    "https://www.kommun.se/sv/aktuellt/?page=2&utm_source=x#top",
    "https://xn--hr-via.se/a/b/../c.aspx?id=12",
    "http://127.0.0.1:8080/n%C3%A5got/",
];

/// Markup, charset and URL fragments that mutations insert.
const TOKENS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<?xml version=\"1.0\" encoding=\"utf-16\"?>",
    "<meta charset=\"iso-8859-1\">",
    "<meta charset=utf-8>",
    "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">",
    "<div>",
    "</div>",
    "<p>",
    "</p>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<li>",
    "<ul>",
    "<ol start=99999999999>",
    "<a href=\"",
    "\">",
    "</a>",
    "<img src=\"//x/p.gif\" width=1 height=1>",
    "<noscript>",
    "</noscript>",
    "<script>",
    "</script>",
    "<style>",
    "<template>",
    "<svg><foreignObject>",
    "<math><mi>",
    "<select><option>",
    "<article>",
    "<main>",
    "<h1>",
    "</h1>",
    "<time datetime=\"",
    "2024-02-30T25:61:61+99:00",
    "\"></time>",
    "<rss version=\"2.0\"><channel>",
    "<item><title>",
    "</title>",
    "<link>",
    "</link>",
    "<pubDate>",
    "</pubDate>",
    "</item>",
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
    "<entry>",
    "<content type=\"html\">",
    "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{\"url\":\"",
    "\"}]}",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&#xD800;",
    "&lt;script&gt;",
    "&nbsp;",
    "&",
    "\u{0}",
    "\u{feff}",
    "\r\n",
    "\u{202e}",
    "å",
    "Ö",
    "\u{10ffff}",
    "javascript:alert(1)",
    "data:text/html,x",
    "file:///etc/passwd",
    "http://[::1",
    "//[",
    "%",
    "%ff",
    "?",
    "#",
    "..",
    "/../../",
    "\\\\",
    "xn--",
    "xn--zz",
    "http://a.b:99999/",
    "Publicerad: ",
    "Uppdaterad ",
    "den 31 februari 2024",
    "12.13.2024",
    "1970-01-01",
    "9999-12-31",
    "-271821",
    "class=\"news-list\"",
    "rel=\"next\"",
    "rel=\"canonical\" href=\"",
    "property=\"article:published_time\" content=\"",
    "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"datePublished\":\"",
    "\"}</script>",
];

/// Broken bytes that mutations insert: invalid UTF-8, lone surrogates as
/// CESU, BOMs, Latin-1 letters.
const BYTES: &[&[u8]] = &[
    b"\xff",
    b"\xfe\xff",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xe5\xe4\xf6",
    b"\xc5",
    b"\x80\x81\x82",
    b"\xc0\xaf",
    b"\0\0\0",
];

/// The seed pages: every page under the given folders, or `None` when none.
fn load_corpus(dirs: &[PathBuf]) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    for dir in dirs {
        collect_files(dir, &mut files);
    }
    files.sort();
    files
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .filter(|body| !body.is_empty() && body.len() <= MAX_INPUT)
        .collect()
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("html" | "htm" | "xml" | "rss" | "atom" | "json")
        ) {
            out.push(path);
        }
    }
}

/// Applies 1..=8 random mutations to a copy of `seed`.
fn mutate(rng: &mut TestRng, seed: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..rng.random_range(1..=8) {
        let len = data.len();
        let at = if len == 0 {
            0
        } else {
            rng.random_range(0..=len)
        };
        match rng.random_range(0..12) {
            0 if len > 0 => {
                let i = rng.random_range(0..len);
                data[i] ^= 1 << rng.random_range(0..8);
            }
            1 if len > 0 => {
                let i = rng.random_range(0..len);
                data[i] = rng.random();
            }
            2 => {
                let token = TOKENS[rng.random_range(0..TOKENS.len())];
                data.splice(at..at, token.bytes());
            }
            3 => {
                let bytes = BYTES[rng.random_range(0..BYTES.len())];
                data.splice(at..at, bytes.iter().copied());
            }
            4 if len > 0 => {
                let end = (at + rng.random_range(1..=4096)).min(len);
                data.drain(at.min(end)..end);
            }
            5 if len > 0 => {
                // Repeat a slice of the page (lists of items, nesting).
                let start = rng.random_range(0..len);
                let end = (start + rng.random_range(1..=512)).min(len);
                let chunk = data[start..end].to_vec();
                let times = rng.random_range(1..=64);
                for _ in 0..times {
                    data.splice(at..at, chunk.iter().copied());
                }
            }
            6 => {
                // Deep nesting of one tag.
                let tag = ["div", "span", "b", "table", "li", "a", "font"][rng.random_range(0..7)];
                let depth = rng.random_range(100..=20_000);
                let open = format!("<{tag}>").repeat(depth);
                data.splice(at..at, open.bytes());
            }
            7 if !corpus.is_empty() => {
                // Splice a piece of another page.
                let other = &corpus[rng.random_range(0..corpus.len())];
                if !other.is_empty() {
                    let start = rng.random_range(0..other.len());
                    let end = (start + rng.random_range(1..=8192)).min(other.len());
                    data.splice(at..at, other[start..end].iter().copied());
                }
            }
            8 if len > 0 => data.truncate(at),
            9 => {
                // A huge attribute or text run.
                let run = "x".repeat(rng.random_range(1_000..=200_000));
                data.splice(
                    at..at,
                    format!("<a title=\"{run}\" href=\"/{run}\">").into_bytes(),
                );
            }
            10 => {
                // Re-encode as windows-1252 bytes (a mislabelled old site).
                let text = String::from_utf8_lossy(&data).into_owned();
                data = encoding_rs::WINDOWS_1252.encode(&text).0.into_owned();
            }
            _ => {
                let mut noise = vec![0u8; rng.random_range(1..=32)];
                rng.fill_bytes(&mut noise);
                data.splice(at..at, noise);
            }
        }
    }
    data.truncate(MAX_INPUT);
    data
}

/// Every pure stage a fetched body goes through. Panics and invariant
/// breaks surface as panics.
fn exercise(input: &Input) {
    let url = Url::parse(input.url).expect("a valid test URL");
    let now: Timestamp = "2024-06-01T12:00:00Z".parse().expect("a timestamp");
    stage("charset");
    let _ = charset::choose(&input.body, input.content_type);
    let text = charset::decode(&input.body, input.content_type);
    stage("sniff");
    let _ = sniff::page_kind(input.content_type, &input.body);
    let _ = sniff::not_a_page(input.content_type, &input.body);
    stage("feed");
    if let Ok(items) = items_from_feed(&input.body, input.content_type, &url) {
        for item in items {
            if let Some(link) = &item.link {
                check_canonical(link);
            }
            if let Some(html) = item.content_html.as_deref() {
                check_body_html(&clean_fragment(html, &url).html);
            }
        }
    }
    let overrides = Overrides::default();
    stage("list");
    let list = links_from_list_with(&text, &url, &overrides);
    for link in list.links.iter().chain(list.next_page.as_ref()) {
        check_canonical(link);
    }
    stage("article");
    if let Ok(article) = extract_article_with(&text, &url, now, &overrides) {
        check_body_html(&article.body_html);
        check_canonical(&article.url);
    }
    // Strings of the page as URLs against the page's own.
    stage("urls");
    for raw in text.split(['"', '\'', ' ', '<', '>']).take(2_000) {
        if let Ok(joined) = url.join(raw) {
            check_canonical(&joined);
        }
    }
    stage("");
}

thread_local! {
    /// With `--replay`: the stage running, its start (CPU time) and the
    /// live bytes then.
    static STAGES: std::cell::RefCell<Option<(&'static str, Duration, usize)>> =
        const { std::cell::RefCell::new(None) };
}

/// The most any one stage allocated at once in this replay.
static STAGE_PEAK: AtomicUsize = AtomicUsize::new(0);

/// Marks the start of a stage (`""`: the end). With `--replay`, prints the
/// CPU time and the most memory each stage took.
fn stage(name: &'static str) {
    STAGES.with(|stages| {
        let mut stages = stages.borrow_mut();
        let Some((running, started, live)) = stages.as_mut() else {
            return;
        };
        if !running.is_empty() {
            let peak = PEAK.load(Ordering::Relaxed).saturating_sub(*live);
            STAGE_PEAK.fetch_max(peak, Ordering::Relaxed);
            println!(
                "  {running:<8} {:>6.3} s CPU, {:>7.1} MB at most",
                thread_cpu_time().saturating_sub(*started).as_secs_f64(),
                peak as f64 / 1e6
            );
        }
        *running = name;
        *started = thread_cpu_time();
        *live = LIVE.load(Ordering::Relaxed);
        PEAK.store(*live, Ordering::Relaxed);
    });
}

#[track_caller]
fn check_canonical(url: &Url) {
    let once = canonical_url(url);
    let twice = canonical_url(&once);
    assert_eq!(once, twice, "canonical_url is not idempotent for {url}");
}

/// Body HTML holds only the renderer's allowlist: these tags, these
/// attributes, links and images with allowed schemes.
#[track_caller]
fn check_body_html(html: &str) {
    const TAGS: &[&str] = &[
        "p",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
        "img",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "sub",
        "sup",
        "code",
    ];
    const SCHEMES: &[&str] = &[
        "http:", "https:", "mailto:", "tel:", "ftp:", "ftps:", "sms:",
    ];
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let (tag, after) = split_tag(&rest[open + 1..]);
        let tag = tag.strip_prefix('/').unwrap_or(tag);
        let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
        let name = &tag[..name_end];
        assert!(TAGS.contains(&name), "body HTML holds <{name}>: {html}");
        for (attribute, value) in attributes(&tag[name_end..]) {
            match attribute {
                "rel" | "alt" => {}
                "href" | "src" => {
                    let value = value.to_ascii_lowercase();
                    assert!(
                        SCHEMES.iter().any(|s| value.starts_with(s)),
                        "body HTML links to {value:?}: {html}"
                    );
                }
                other => panic!("body HTML holds the attribute {other:?}: {html}"),
            }
        }
        rest = after;
    }
}

/// The inside of a tag (up to its `>`, quotes respected) and what follows.
fn split_tag(text: &str) -> (&str, &str) {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return (&text[..i], &text[i + 1..]),
            _ => {}
        }
    }
    panic!("an unclosed tag in body HTML: {text}");
}

/// `name="value"` pairs of a tag written by the renderer.
fn attributes(mut text: &str) -> Vec<(&str, &str)> {
    let mut pairs = Vec::new();
    loop {
        text = text.trim_start();
        if text.is_empty() || text == "/" {
            return pairs;
        }
        let Some(eq) = text.find('=') else {
            panic!("an attribute without a value in body HTML: {text}");
        };
        let name = text[..eq].trim();
        let value_text = text[eq + 1..].trim_start();
        let value_text = value_text
            .strip_prefix('"')
            .expect("double-quoted attribute values");
        let end = value_text.find('"').expect("a closing quote");
        pairs.push((name, &value_text[..end]));
        text = &value_text[end + 1..];
    }
}

/// What went wrong with one input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Finding {
    Panic(String),
    Hang(Duration),
    Allocation(usize),
}

/// The input being run, for the watchdog.
#[derive(Default)]
struct Current {
    /// The fuzzing thread's CPU time when the input started.
    started: Option<Duration>,
    input: Option<Arc<Input>>,
    reported: bool,
}

struct Options {
    seconds: u64,
    seed: u64,
    out: PathBuf,
    corpus: Vec<PathBuf>,
    replay: Vec<PathBuf>,
}

fn options() -> Options {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut options = Options {
        seconds: 60,
        seed: Timestamp::now().as_second() as u64,
        out: root.join("target/fuzz-findings"),
        corpus: Vec::new(),
        replay: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => options.seconds = args.next().and_then(|v| v.parse().ok()).unwrap_or(60),
            "--seed" => options.seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(0),
            "--out" => options.out = args.next().map(PathBuf::from).unwrap_or(options.out),
            "--corpus" => options.corpus.extend(args.next().map(PathBuf::from)),
            "--replay" => options.replay.extend(args.next().map(PathBuf::from)),
            // `cargo bench` passes `--bench`; other harness flags are ignored.
            _ => {}
        }
    }
    if options.corpus.is_empty() {
        options.corpus = vec![root.join("tests/fixtures"), root.join("../shared/evalsets")];
    }
    options
}

fn main() {
    let options = options();
    // Panics are findings, reported below; keep the default hook quiet.
    let last_panic: Arc<Mutex<String>> = Arc::default();
    let hook_panic = Arc::clone(&last_panic);
    std::panic::set_hook(Box::new(move |info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        let short: String = message.chars().take(300).collect();
        *hook_panic.lock().unwrap_or_else(|p| p.into_inner()) = format!("{location}: {short}");
    }));

    if !options.replay.is_empty() {
        replay(&options.replay, &last_panic);
        return;
    }

    let corpus = load_corpus(&options.corpus);
    if corpus.is_empty() {
        eprintln!("fuzz: no seed pages under {:?}", options.corpus);
        std::process::exit(2);
    }
    std::fs::create_dir_all(&options.out).expect("creating the findings folder");
    println!(
        "fuzz: {} seed pages, {} s, seed {}, findings in {}",
        corpus.len(),
        options.seconds,
        options.seed,
        options.out.display()
    );

    let current: Arc<Mutex<Current>> = Arc::default();
    let findings: Arc<Mutex<Vec<(Finding, PathBuf)>>> = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    let out = options.out.clone();
    let watchdog_current = Arc::clone(&current);
    let watchdog_findings = Arc::clone(&findings);
    std::thread::spawn(move || watchdog(&watchdog_current, &watchdog_findings, &out));

    let started = Instant::now();
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(options.seed));
    let mut runs: u64 = 0;
    let mut seen: HashSet<Finding> = HashSet::new();
    while Instant::now() < deadline {
        let seed = &corpus[rng.random_range(0..corpus.len())];
        let input = Arc::new(Input {
            body: mutate(&mut rng, seed, &corpus),
            content_type: CONTENT_TYPES[rng.random_range(0..CONTENT_TYPES.len())],
            url: URLS[rng.random_range(0..URLS.len())],
        });
        {
            let mut now = current.lock().unwrap_or_else(|p| p.into_inner());
            *now = Current {
                started: Some(thread_cpu_time()),
                input: Some(Arc::clone(&input)),
                reported: false,
            };
        }
        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let cpu_before = thread_cpu_time();
        let outcome = catch_unwind(AssertUnwindSafe(|| exercise(&input)));
        let cpu = thread_cpu_time().saturating_sub(cpu_before);
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
        let reported_stuck = {
            let mut now = current.lock().unwrap_or_else(|p| p.into_inner());
            now.started = None;
            now.reported
        };
        runs += 1;
        let finding = match outcome {
            Err(_) => Some(Finding::Panic(
                last_panic.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            )),
            Ok(()) if cpu > HANG && !reported_stuck => Some(Finding::Hang(cpu)),
            Ok(()) if peak > MAX_ALLOCATED => Some(Finding::Allocation(peak)),
            Ok(()) => None,
        };
        if let Some(finding) = finding {
            let key = match &finding {
                // One report per panic site and message start.
                Finding::Panic(message) => Finding::Panic(message.chars().take(120).collect()),
                // Every hang and allocation (each input its own).
                other => other.clone(),
            };
            if seen.len() < 50 && seen.insert(key) {
                let path = save(&options.out, &finding, &input);
                report(&finding, &path);
                findings
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((finding, path));
            }
        }
        if runs % 2_000 == 0 {
            let elapsed = started.elapsed().as_secs_f64();
            println!(
                "fuzz: {runs} inputs in {elapsed:.0} s ({:.1}/s), {} findings",
                runs as f64 / elapsed,
                findings.lock().unwrap_or_else(|p| p.into_inner()).len()
            );
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let findings = findings.lock().unwrap_or_else(|p| p.into_inner());
    println!(
        "fuzz: done: {runs} inputs in {elapsed:.0} s ({:.1} inputs/s), {} findings",
        runs as f64 / elapsed,
        findings.len()
    );
    for (finding, path) in findings.iter() {
        println!("  {}: {}", describe(finding), path.display());
    }
    if !findings.is_empty() {
        std::process::exit(1);
    }
}

/// Re-runs saved inputs (`--replay FILE`), to check a fix.
fn replay(files: &[PathBuf], last_panic: &Mutex<String>) {
    let mut failed = false;
    for file in files {
        let Some(input) = std::fs::read(file).ok().and_then(|f| Input::from_file(&f)) else {
            eprintln!("fuzz: {} is not a saved input", file.display());
            failed = true;
            continue;
        };
        println!("{}:", file.display());
        STAGES.with(|stages| *stages.borrow_mut() = Some(("", Duration::ZERO, 0)));
        STAGE_PEAK.store(0, Ordering::Relaxed);
        let started = Instant::now();
        let cpu_before = thread_cpu_time();
        let outcome = catch_unwind(AssertUnwindSafe(|| exercise(&input)));
        let cpu = thread_cpu_time().saturating_sub(cpu_before);
        let peak = STAGE_PEAK.load(Ordering::Relaxed);
        let verdict = match outcome {
            Err(_) => format!(
                "PANIC {}",
                last_panic.lock().unwrap_or_else(|p| p.into_inner())
            ),
            Ok(()) if cpu > HANG => "HANG".to_string(),
            Ok(()) if peak > MAX_ALLOCATED => "ALLOCATION".to_string(),
            Ok(()) => "ok".to_string(),
        };
        failed |= verdict != "ok";
        println!(
            "{}: {verdict}, {:.3} s ({:.2} s CPU), {:.1} MB at most",
            file.display(),
            started.elapsed().as_secs_f64(),
            cpu.as_secs_f64(),
            peak as f64 / 1e6
        );
    }
    if failed {
        std::process::exit(1);
    }
}

/// Reports an input still running after [`STUCK`] of CPU time, once; gives
/// up on the run when one has taken a minute (it will not come back).
/// Started on the main thread, which fuzzes.
fn watchdog(current: &Mutex<Current>, findings: &Mutex<Vec<(Finding, PathBuf)>>, out: &Path) {
    // The main thread's id is the process id.
    let fuzzing_thread = format!("/proc/self/task/{}/stat", std::process::id());
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let mut now = current.lock().unwrap_or_else(|p| p.into_inner());
        let (Some(started), Some(input)) = (now.started, now.input.clone()) else {
            continue;
        };
        let running = cpu_time_of(&fuzzing_thread).saturating_sub(started);
        if running > STUCK && !now.reported {
            now.reported = true;
            let finding = Finding::Hang(running);
            let path = save(out, &finding, &input);
            report(&finding, &path);
            findings
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((finding, path));
        }
        if running > Duration::from_secs(60) {
            println!("fuzz: an input has run for a minute; stopping");
            std::process::exit(1);
        }
    }
}

fn save(out: &Path, finding: &Finding, input: &Input) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    input.body.hash(&mut hasher);
    let kind = match finding {
        Finding::Panic(_) => "panic",
        Finding::Hang(_) => "hang",
        Finding::Allocation(_) => "alloc",
    };
    let path = out.join(format!("{kind}-{:016x}.input", hasher.finish()));
    if let Err(err) = std::fs::write(&path, input.to_file()) {
        eprintln!("fuzz: writing {}: {err}", path.display());
    }
    path
}

fn describe(finding: &Finding) -> String {
    match finding {
        Finding::Panic(message) => format!("panic at {message}"),
        Finding::Hang(time) => format!("hang: {:.1} s", time.as_secs_f64()),
        Finding::Allocation(bytes) => format!("allocated {:.0} MB at once", *bytes as f64 / 1e6),
    }
}

fn report(finding: &Finding, path: &Path) {
    let preview = std::fs::read(path)
        .map(|file| {
            String::from_utf8_lossy(&file[..file.len().min(300)])
                .escape_debug()
                .to_string()
        })
        .unwrap_or_default();
    println!(
        "FOUND {}\n  input: {}\n  starts: {preview}",
        describe(finding),
        path.display()
    );
}

/// CPU time the calling thread has used (user + system), from
/// `/proc/thread-self/stat` in clock ticks of 10 ms; zero where that file
/// is missing, which turns hang detection off.
fn thread_cpu_time() -> Duration {
    cpu_time_of("/proc/thread-self/stat")
}

/// CPU time of the thread whose `stat` file is `path`.
fn cpu_time_of(path: &str) -> Duration {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return Duration::ZERO;
    };
    // Fields after the command name, which may hold spaces: state is the
    // first, utime the 12th, stime the 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(
            &(seed
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .wrapping_add(i as u64))
            .to_le_bytes(),
        );
    }
    bytes
}
