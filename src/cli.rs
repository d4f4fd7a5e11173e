//! The command line. The interface (commands, flags, JSON fields) is fixed:
//! tests outside the repository drive it.

mod discover;

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use clap::{Parser, Subcommand, ValueEnum};
use jiff::Timestamp;
use serde::Serialize;
use url::Url;

use crate::config::{self, Config, SourceList};
use crate::daemon::{self, App};
use crate::extract::article::{read_page, PageReading};
use crate::extract::overrides::{Overrides, Rule};
use crate::extract::{self, charset, links::links_from_list_with};
use crate::fetch::{self, Outcome, Validators};
use crate::model::{Article, FoundDate, ListPage, PageDates};
use crate::refresh;

#[derive(Debug, Parser)]
#[command(
    name = "muniflux",
    version,
    about = "Watches municipal websites and publishes one merged Atom feed"
)]
pub struct Cli {
    /// The daemon config file (it names the source list).
    #[arg(short, long, global = true, default_value = config::DEFAULT_PATH)]
    pub config: PathBuf,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The daemon: poll on schedule, serve HTTP, write the feed file.
    Run,
    /// Poll every source once now, write the feed file, then exit.
    Poll,
    /// Write the merged Atom feed to PATH or stdout.
    Export {
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Validate the config and the source list; exit 2 on any problem.
    Check,
    /// Show every source's health: last poll, last success, errors,
    /// articles, next check and warnings (as on the status page).
    Sources {
        /// Print the source list as OPML 2.0 instead (for feed readers).
        #[arg(long)]
        opml: bool,
    },
    /// Find a site's news lists and feeds, try each once and rank them.
    Discover {
        /// The site's home page (or any page of it).
        url: Url,
        /// Print `{"site", "candidates": [...]}` as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Append the best list or feed of each distinct stream (or the
        /// `--pick`ed ones) to the source list.
        #[arg(long)]
        add: bool,
        /// With --add: the ranks to add, e.g. `--pick 1,3`.
        #[arg(long, value_delimiter = ',', requires = "add")]
        pick: Vec<usize>,
    },
    /// Add the feeds of an OPML file to the source list (duplicates are
    /// skipped and reported; the file's comments and layout are kept).
    Import {
        /// An OPML file, as feed readers export it.
        file: PathBuf,
    },
    /// Print what one article page yields, as JSON.
    Extract {
        /// The page's URL, the base for its links (when reading a FILE).
        #[arg(long)]
        url: Option<Url>,
        /// Read "FILE[<TAB>URL]" lines on stdin, print one JSON line each.
        #[arg(long)]
        batch: bool,
        /// A file or an http(s) URL.
        input: Option<String>,
        #[command(flatten)]
        selectors: SelectorArgs,
    },
    /// Print the article links a list page yields, as JSON.
    Links {
        /// The page's URL, the base for its links (when reading a FILE).
        #[arg(long)]
        url: Option<Url>,
        /// A file or an http(s) URL.
        input: String,
        #[command(flatten)]
        selectors: SelectorArgs,
    },
}

/// CSS selectors for `extract` and `links`. Without them, the selectors of
/// the configured source the page belongs to (same host, longest matching
/// path) apply; each flag given replaces that one selector.
#[derive(Debug, Default, clap::Args)]
pub struct SelectorArgs {
    /// The article links of a list page (`links`).
    #[arg(long, value_name = "CSS")]
    pub links_selector: Option<String>,
    /// The headline element.
    #[arg(long, value_name = "CSS")]
    pub title_selector: Option<String>,
    /// The element(s) holding the dates.
    #[arg(long, value_name = "CSS")]
    pub date_selector: Option<String>,
    /// The element(s) holding the article text.
    #[arg(long, value_name = "CSS")]
    pub body_selector: Option<String>,
}

/// How a command failed, which decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// The config or source list is unusable: exit 2.
    Config(anyhow::Error),
    /// Anything else: exit 1.
    Runtime(anyhow::Error),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Config(_) => 2,
            Failure::Runtime(_) => 1,
        }
    }

    pub fn error(&self) -> &anyhow::Error {
        match self {
            Failure::Config(e) | Failure::Runtime(e) => e,
        }
    }
}

/// An error and its causes as one line, each cause once (see
/// [`crate::fetch::error_chain`]); anyhow's `{:#}` prints a cause twice when
/// the error's own message names it.
pub fn error_chain(error: &anyhow::Error) -> String {
    crate::fetch::error_chain(error.as_ref())
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::Runtime(e)
    }
}

pub async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run => cmd_run(&cli.config).await,
        Command::Poll => cmd_poll(&cli.config).await,
        Command::Export { output } => cmd_export(&cli.config, output.as_deref()).await,
        Command::Check => cmd_check(&cli.config),
        Command::Sources { opml: false } => cmd_sources(&cli.config).await,
        Command::Sources { opml: true } => cmd_sources_opml(&cli.config),
        Command::Import { file } => cmd_import(&cli.config, &file),
        Command::Discover {
            url,
            json,
            add,
            pick,
        } => {
            let request = discover::Request {
                url,
                json,
                add,
                pick,
            };
            discover::run(&cli.config, request).await
        }
        Command::Extract {
            url,
            batch,
            input,
            selectors,
        } => {
            let selection = Selection::load(&cli.config, &selectors)?;
            cmd_extract(url, batch, input, &selection).await
        }
        Command::Links {
            url,
            input,
            selectors,
        } => {
            let selection = Selection::load(&cli.config, &selectors)?;
            cmd_links(url, &input, &selection).await
        }
    }
}

fn load(path: &Path) -> Result<(Config, SourceList), Failure> {
    let config = Config::load(path).map_err(|e| Failure::Config(e.into()))?;
    let sources = SourceList::load(&config.sources).map_err(|e| Failure::Config(e.into()))?;
    Ok((config, sources))
}

fn cmd_check(path: &Path) -> Result<(), Failure> {
    let (config, list) = load(path)?;
    println!(
        "ok: {} and {} ({} sources)",
        config.path.display(),
        list.path.display(),
        list.sources.len()
    );
    Ok(())
}

async fn cmd_poll(path: &Path) -> Result<(), Failure> {
    let (config, list) = load(path)?;
    let app = App::open(config)?;
    let sources = app.sync_sources(&list).await?;
    let summary = app.poll_round(&sources).await;
    app.publish(None).await?;
    tracing::info!(
        polled = summary.polled,
        failed = summary.failed,
        n_new = summary.n_new,
        "poll done"
    );
    Ok(())
}

async fn cmd_export(path: &Path, output: Option<&Path>) -> Result<(), Failure> {
    let config = Config::load(path).map_err(|e| Failure::Config(e.into()))?;
    let app = App::open(config)?;
    let feed = app.render_atom().await?;
    match output {
        Some(out) => daemon::write_atomically(out, feed.as_bytes())
            .await
            .with_context(|| format!("writing {}", out.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(feed.as_bytes())
                .context("writing to stdout")?;
            stdout.flush().context("writing to stdout")?;
        }
    }
    Ok(())
}

async fn cmd_run(path: &Path) -> Result<(), Failure> {
    let (config, list) = load(path)?;
    let app = App::open(config)?;
    daemon::run(app, list, shutdown_signal(), hangups()?).await?;
    Ok(())
}

/// The stored health of every source, as a table. Sources in the list that
/// were never polled are shown too; an invalid list still shows the stored
/// sources, then exits 2 naming the problem.
async fn cmd_sources(path: &Path) -> Result<(), Failure> {
    let config = Config::load(path).map_err(|e| Failure::Config(e.into()))?;
    let (listed, list_error) = match SourceList::load(&config.sources) {
        Ok(list) => (list.sources, None),
        Err(err) => (Vec::new(), Some(err)),
    };
    // Never polled: no database yet, every listed source shows "never".
    let mut health = if config.database.exists() {
        let store =
            crate::store::Store::open_read_only(&config.database).map_err(anyhow::Error::from)?;
        store.source_health().with_context(|| {
            format!(
                "reading the sources from {} (has `muniflux run` or `poll` used it yet?)",
                config.database.display()
            )
        })?
    } else {
        Vec::new()
    };
    let unpolled: Vec<crate::store::SourceHealth> = listed
        .iter()
        .filter(|s| !health.iter().any(|h| h.url == s.url.as_str()))
        .map(|s| crate::store::SourceHealth {
            name: s.name.clone(),
            url: s.url.to_string(),
            tags: s.tags.clone(),
            active: true,
            ..Default::default()
        })
        .collect();
    health.extend(unpolled);
    // The list decides what is active when it can be read (a reload may be pending).
    if !listed.is_empty() {
        for h in &mut health {
            h.active = listed.iter().any(|s| s.url.as_str() == h.url);
        }
        health.sort_by_key(|h| !h.active);
    }
    let table = crate::status::render_table(&health, config.server.warnings, Timestamp::now());
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(table.as_bytes())
        .context("writing to stdout")?;
    match list_error {
        Some(err) => Err(Failure::Config(err.into())),
        None => Ok(()),
    }
}

/// The source list as OPML. Feeds get `xmlUrl`: what a source's URL served
/// when it was last polled is read from the database when there is one,
/// and a source never polled is judged by its URL.
fn cmd_sources_opml(path: &Path) -> Result<(), Failure> {
    let (config, list) = load(path)?;
    let stored = if config.database.exists() {
        let store =
            crate::store::Store::open_read_only(&config.database).map_err(anyhow::Error::from)?;
        store.source_health().map_err(anyhow::Error::from)?
    } else {
        Vec::new()
    };
    let outlines: Vec<crate::opml::Outline> = list
        .sources
        .iter()
        .map(|s| {
            let kind = stored
                .iter()
                .find(|h| h.url == s.url.as_str())
                .and_then(|h| h.kind);
            crate::opml::Outline::new(&s.name, s.url.as_str(), &s.tags, kind)
        })
        .collect();
    let xml = crate::opml::render_opml(&config.feed.title, &outlines);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(xml.as_bytes())
        .context("writing to stdout")?;
    Ok(())
}

/// `muniflux import FILE.opml`: every feed of the file becomes a commented
/// `[[source]]` block at the end of the source list. A file that is not
/// OPML, or holds no feed, writes nothing.
fn cmd_import(path: &Path, file: &Path) -> Result<(), Failure> {
    let config = Config::load(path).map_err(|e| Failure::Config(e.into()))?;
    let text = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let text = charset::decode(&text, None);
    let subscriptions = crate::opml::subscriptions(&text)
        .with_context(|| format!("{}: nothing imported", file.display()))?;
    if subscriptions.is_empty() {
        return Err(Failure::Runtime(anyhow!(
            "{}: no feeds in it (no outline has an xmlUrl); nothing imported",
            file.display()
        )));
    }
    let origin = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let today = jiff::Zoned::now().date();
    let mut invalid = Vec::new();
    let mut new = Vec::new();
    for s in subscriptions {
        match Url::parse(&s.url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {
                let name = if s.name.is_empty() {
                    url.host_str().unwrap_or_default().to_string()
                } else {
                    s.name
                };
                new.push(crate::source_file::NewSource {
                    name,
                    url,
                    tags: s.tags,
                    comment: vec![format!("Imported from {origin} on {today}")],
                });
            }
            _ => invalid.push(crate::source_file::Skipped {
                url: s.url,
                reason: "not an http(s) URL".into(),
            }),
        }
    }
    let mut edit = append_to_list(&config, &new)?;
    edit.skipped.extend(invalid);
    print_edit(&config.sources, &edit)?;
    Ok(())
}

/// Appends to the configured source list; a list that cannot be read is a
/// config problem (exit 2), anything else a failure. Nothing is written in
/// either case.
fn append_to_list(
    config: &Config,
    new: &[crate::source_file::NewSource],
) -> Result<crate::source_file::Edit, Failure> {
    use crate::source_file::{append_sources, Error};
    append_sources(&config.sources, new).map_err(|err| match err {
        Error::Unreadable(_) | Error::Shape { .. } => Failure::Config(err.into()),
        Error::WouldBreak { .. } | Error::Write { .. } => Failure::Runtime(err.into()),
    })
}

/// What an edit of the source list added and skipped, for the operator.
fn print_edit(list: &Path, edit: &crate::source_file::Edit) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    write_edit(&mut stdout, list, edit)
}

fn write_edit(
    to: &mut impl Write,
    list: &Path,
    edit: &crate::source_file::Edit,
) -> anyhow::Result<()> {
    let mut out = String::new();
    if edit.added.is_empty() {
        out.push_str(&format!("nothing added to {}\n", list.display()));
    } else {
        out.push_str(&format!(
            "added {} source{} to {} (a running daemon reloads it within seconds):\n",
            edit.added.len(),
            if edit.added.len() == 1 { "" } else { "s" },
            list.display()
        ));
        for s in &edit.added {
            out.push_str(&format!("  + {}  {}\n", s.name, s.url));
        }
    }
    if !edit.skipped.is_empty() {
        out.push_str(&format!("skipped {}:\n", edit.skipped.len()));
        for s in &edit.skipped {
            out.push_str(&format!("  - {}  {}\n", s.url, s.reason));
        }
    }
    to.write_all(out.as_bytes()).context("writing the report")?;
    Ok(())
}

/// One message per SIGHUP (the unit's ExecReload), for the daemon to reload
/// the source list.
fn hangups() -> anyhow::Result<tokio::sync::mpsc::Receiver<()>> {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut hup = signal(SignalKind::hangup()).context("listening for SIGHUP")?;
        tokio::spawn(async move {
            while hup.recv().await.is_some() {
                if tx.send(()).await.is_err() {
                    return;
                }
            }
        });
    }
    #[cfg(not(unix))]
    drop(tx);
    Ok(rx)
}

/// Resolves on SIGTERM or SIGINT.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

// ---------------------------------------------------------------- extract / links

/// The JSON `muniflux extract` prints; every field is always present.
#[derive(Debug, Serialize, Default)]
struct ExtractOutput {
    url: Option<String>,
    title: Option<String>,
    published: Option<String>,
    updated: Option<String>,
    body: Option<String>,
    body_html: Option<String>,
    date_source: Option<String>,
    published_source: Option<String>,
    updated_source: Option<String>,
    author: Option<String>,
    canonical: Option<String>,
    error: Option<String>,
    /// Whether the article passes the topic filter of the source the page
    /// belongs to (or the list's `[filter]`); null when none applies.
    filter: Option<FilterOutput>,
}

/// A topic filter's verdict on one page.
#[derive(Debug, Serialize)]
struct FilterOutput {
    /// The configured source whose filter it is; null for the list's.
    source: Option<String>,
    /// The filter, e.g. `include: företag; exclude: lediga jobb`.
    filter: String,
    passes: bool,
    reason: String,
}

impl ExtractOutput {
    fn from_article(article: &Article) -> ExtractOutput {
        ExtractOutput {
            url: Some(article.url.to_string()),
            title: Some(article.title.clone()),
            published: article.published.as_ref().map(FoundDate::stated),
            updated: article.updated.as_ref().map(FoundDate::stated),
            body: Some(article.body_text.clone()),
            body_html: Some(article.body_html.clone()),
            date_source: Some(refresh::date_source(article)),
            published_source: article.published.as_ref().map(|d| d.describe()),
            updated_source: article.updated.as_ref().map(|d| d.describe()),
            author: article.author.clone(),
            canonical: article.canonical.as_ref().map(|u| u.to_string()),
            error: None,
            filter: None,
        }
    }

    /// A page without an article still shows the headline and dates found.
    fn without_article(
        url: &Url,
        title: Option<String>,
        dates: &PageDates,
        error: String,
    ) -> ExtractOutput {
        ExtractOutput {
            url: Some(url.to_string()),
            title,
            published: dates.published.as_ref().map(FoundDate::stated),
            updated: dates.updated.as_ref().map(FoundDate::stated),
            date_source: Some(
                dates
                    .published
                    .as_ref()
                    .or(dates.updated.as_ref())
                    .map_or_else(|| "none".to_string(), |d| d.describe()),
            ),
            published_source: dates.published.as_ref().map(|d| d.describe()),
            updated_source: dates.updated.as_ref().map(|d| d.describe()),
            error: Some(error),
            ..ExtractOutput::default()
        }
    }

    fn failed(url: Option<&Url>, error: String) -> ExtractOutput {
        ExtractOutput {
            url: url.map(|u| u.to_string()),
            error: Some(error),
            ..ExtractOutput::default()
        }
    }
}

/// A page to read: a local file with a base URL, or an http(s) URL.
async fn load_page(input: &str, url: Option<&Url>) -> anyhow::Result<(String, Url)> {
    if input.starts_with("http://") || input.starts_with("https://") {
        let target = Url::parse(input).with_context(|| format!("`{input}` is not a URL"))?;
        let mut settings = config::PollConfig::default().fetch_settings();
        // One page for an operator at the terminal: no wait after robots.txt.
        settings.host_delay = std::time::Duration::ZERO;
        let client = fetch::Client::new(settings)?;
        return match client.fetch_page(&target, &Validators::default()).await? {
            Outcome::Fetched(page) => Ok((
                charset::decode(&page.body, page.content_type.as_deref()),
                url.cloned().unwrap_or(page.url),
            )),
            Outcome::NotModified => Err(anyhow!("{target}: unexpected 304 Not Modified")),
        };
    }
    let path = Path::new(input);
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let base = match url {
        Some(u) => u.clone(),
        None => file_url(path)?,
    };
    Ok((charset::decode(&bytes, None), base))
}

fn file_url(path: &Path) -> anyhow::Result<Url> {
    let absolute =
        std::path::absolute(path).with_context(|| format!("resolving {}", path.display()))?;
    Url::from_file_path(&absolute)
        .map_err(|_| anyhow!("{} cannot be a file: URL", absolute.display()))
}

/// Where `extract` and `links` take selectors from: the configured sources
/// (when the config file exists) and the command-line flags.
struct Selection {
    sources: Vec<config::Source>,
    flags: Overrides,
    /// The source list's `[filter]`.
    list_filter: crate::topic::TopicFilter,
}

impl Selection {
    fn load(config_path: &Path, args: &SelectorArgs) -> Result<Selection, Failure> {
        let rule = |value: &Option<String>, flag: &str| -> Result<Option<Rule>, Failure> {
            value
                .as_deref()
                .map(|text| Rule::parse(text).map_err(|e| anyhow!("--{flag}: `{text}`: {e}")))
                .transpose()
                .map_err(Failure::Config)
        };
        let flags = Overrides {
            links: rule(&args.links_selector, "links-selector")?,
            title: rule(&args.title_selector, "title-selector")?,
            date: rule(&args.date_selector, "date-selector")?,
            body: rule(&args.body_selector, "body-selector")?,
        };
        let (sources, list_filter) = if config_path.exists() {
            let list = load(config_path)?.1;
            (list.sources, list.filter)
        } else {
            (Vec::new(), Default::default())
        };
        Ok(Selection {
            sources,
            flags,
            list_filter,
        })
    }

    /// The topic filter for a page: its source's (same host, longest
    /// matching folder), else the list's; `None` when nothing is filtered.
    fn topics_for(&self, page: &Url) -> Option<(Option<&str>, &crate::topic::TopicFilter)> {
        let source = self
            .sources
            .iter()
            .filter(|s| s.url.host_str() == page.host_str())
            .filter(|s| page.path().starts_with(directory_of(s.url.path())))
            .max_by_key(|s| directory_of(s.url.path()).len());
        let (name, filter) = match source {
            Some(s) => (Some(s.name.as_str()), &s.topics),
            None => (None, &self.list_filter),
        };
        (!filter.is_empty()).then_some((name, filter))
    }

    /// The verdict of the page's topic filter on an extracted article.
    fn filter_verdict(&self, article: &Article) -> Option<FilterOutput> {
        let (source, filter) = self.topics_for(&article.url)?;
        let verdict = filter.verdict(&crate::topic::Subject {
            url: &article.url,
            title: &article.title,
            body: &article.body_text,
            categories: &[],
        });
        Some(FilterOutput {
            source: source.map(str::to_string),
            filter: filter.describe(),
            passes: verdict.passes(),
            reason: verdict.reason().to_string(),
        })
    }

    /// The selectors for a page: its source's, with the flags replacing.
    fn for_page(&self, page: &Url) -> Overrides {
        let source = self
            .sources
            .iter()
            .filter(|s| s.url.host_str() == page.host_str() && !s.selectors.is_empty())
            .filter(|s| page.path().starts_with(directory_of(s.url.path())))
            .max_by_key(|s| directory_of(s.url.path()).len());
        let mut chosen = source.map(|s| s.selectors.clone()).unwrap_or_default();
        let flags = self.flags.clone();
        chosen.links = flags.links.or(chosen.links);
        chosen.title = flags.title.or(chosen.title);
        chosen.date = flags.date.or(chosen.date);
        chosen.body = flags.body.or(chosen.body);
        chosen
    }
}

/// `/nyheter/` for `/nyheter/index.html` and for `/nyheter/`.
fn directory_of(path: &str) -> &str {
    path.rfind('/').map_or("/", |i| &path[..=i])
}

/// Extracts one page; never panics outward (a bad page is an error line).
fn extract_guarded(html: &str, base: &Url, selection: &Selection) -> ExtractOutput {
    let now = Timestamp::now();
    let selectors = selection.for_page(base);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_page(html, base, now, &selectors)
    }));
    match result {
        Ok(PageReading {
            article: Ok(article),
            ..
        }) => ExtractOutput {
            filter: selection.filter_verdict(&article),
            ..ExtractOutput::from_article(&article)
        },
        Ok(PageReading {
            title,
            dates,
            article: Err(extract::Error::NoArticle { reason, .. }),
        }) => ExtractOutput::without_article(
            base,
            title,
            &dates,
            format!("no article found: {reason}"),
        ),
        Ok(PageReading {
            article: Err(err), ..
        }) => ExtractOutput::failed(Some(base), err.to_string()),
        Err(_) => ExtractOutput::failed(
            Some(base),
            "internal error while extracting (a bug: please report the page)".into(),
        ),
    }
}

async fn cmd_extract(
    url: Option<Url>,
    batch: bool,
    input: Option<String>,
    selection: &Selection,
) -> Result<(), Failure> {
    if batch {
        return extract_batch(selection).await;
    }
    let input = input.ok_or_else(|| anyhow!("extract needs a FILE or URL (or --batch)"))?;
    let output = match load_page(&input, url.as_ref()).await {
        Ok((html, base)) => extract_guarded(&html, &base, selection),
        Err(err) => ExtractOutput::failed(url.as_ref(), error_chain(&err)),
    };
    print_json(&output)?;
    match &output.error {
        Some(e) => Err(Failure::Runtime(anyhow!("{input}: {e}"))),
        None => Ok(()),
    }
}

/// `extract --batch`: one JSON line per input line, flushed after each,
/// never stopping on a bad page.
async fn extract_batch(selection: &Selection) -> Result<(), Failure> {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let line = line.context("reading stdin")?;
        let output = batch_line(&line, selection).await;
        let json = serde_json::to_string(&output).context("encoding JSON")?;
        writeln!(stdout, "{json}").context("writing to stdout")?;
        stdout.flush().context("writing to stdout")?;
    }
    Ok(())
}

async fn batch_line(line: &str, selection: &Selection) -> ExtractOutput {
    let (file, url) = match line.split_once('\t') {
        Some((f, u)) => (f.trim(), Some(u.trim())),
        None => (line.trim(), None),
    };
    if file.is_empty() {
        return ExtractOutput::failed(None, "empty input line".into());
    }
    let base = match url.filter(|u| !u.is_empty()).map(Url::parse) {
        Some(Ok(u)) => Some(u),
        Some(Err(e)) => {
            return ExtractOutput::failed(
                None,
                format!("`{}` is not a URL: {e}", url.unwrap_or("")),
            )
        }
        None => None,
    };
    match load_page(file, base.as_ref()).await {
        Ok((html, base)) => extract_guarded(&html, &base, selection),
        Err(err) => ExtractOutput::failed(base.as_ref(), error_chain(&err)),
    }
}

#[derive(Serialize)]
struct LinksOutput {
    links: Vec<String>,
    next_page: Option<String>,
}

async fn cmd_links(url: Option<Url>, input: &str, selection: &Selection) -> Result<(), Failure> {
    let (html, base) = load_page(input, url.as_ref()).await?;
    let ListPage { links, next_page } =
        links_from_list_with(&html, &base, &selection.for_page(&base));
    print_json(&LinksOutput {
        links: links.iter().map(Url::to_string).collect(),
        next_page: next_page.map(|u| u.to_string()),
    })?;
    Ok(())
}

fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(value).context("encoding JSON")?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{json}").context("writing to stdout")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    mod properties {
        use proptest::prelude::*;

        use super::*;

        fn hostile_text() -> impl Strategy<Value = Option<String>> {
            proptest::option::of(prop_oneof![
                any::<String>(),
                "[\\x00-\\x1f\"\\\\/<>&\u{2028}\u{2029}]{0,20}",
                Just("\\ud800 \u{fffd} ]]> </script>".to_string()),
                "[a-z]{1,4}".prop_map(|s| s.repeat(50_000)),
            ])
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            /// The `extract` JSON is one line of valid JSON that gives back
            /// every field exactly, whatever the page held.
            #[test]
            fn extract_json_reads_back(
                title in hostile_text(),
                body in hostile_text(),
                body_html in hostile_text(),
                author in hostile_text(),
                error in hostile_text(),
            ) {
                let output = ExtractOutput {
                    title: title.clone(),
                    body: body.clone(),
                    body_html: body_html.clone(),
                    author: author.clone(),
                    error: error.clone(),
                    ..ExtractOutput::default()
                };
                let line = serde_json::to_string(&output).unwrap();
                prop_assert!(!line.contains('\n'));
                let value: serde_json::Value = serde_json::from_str(&line).unwrap();
                let field = |name: &str| value[name].as_str().map(str::to_string);
                prop_assert_eq!(field("title"), title);
                prop_assert_eq!(field("body"), body);
                prop_assert_eq!(field("body_html"), body_html);
                prop_assert_eq!(field("author"), author);
                prop_assert_eq!(field("error"), error);
            }
        }
    }

    #[test]
    fn an_errors_cause_is_printed_once() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
        // The store's error names its cause and returns it as `source()`.
        let store = crate::store::Error::Open {
            path: "/var/lib/m.db".into(),
            source: rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(14),
                Some("unable to open database file".into()),
            ),
        };
        let error = anyhow::Error::from(store).context("reading the sources");
        assert_eq!(
            error_chain(&error),
            "reading the sources: opening database /var/lib/m.db: unable to open database file"
        );
        // A cause that the message does not name is still printed.
        let error = anyhow::Error::from(io).context("writing /tmp/feed.atom");
        assert_eq!(
            error_chain(&error),
            "writing /tmp/feed.atom: permission denied"
        );
    }

    #[test]
    fn extract_json_says_when_there_is_no_date() {
        let html = "<html><body><main><h1>Utan datum</h1><p>Den här sidan har en lång text \
            men inget datum någonstans, varken synligt eller i metadata.</p></main></body></html>";
        let url = Url::parse("https://x.se/sidor/utan-datum.html").unwrap();
        let selection = Selection {
            sources: Vec::new(),
            flags: Overrides::default(),
            list_filter: Default::default(),
        };
        let output = extract_guarded(html, &url, &selection);
        let json = serde_json::to_value(&output).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = [
            "url",
            "title",
            "published",
            "updated",
            "body",
            "body_html",
            "date_source",
            "published_source",
            "updated_source",
            "author",
            "canonical",
            "error",
            "filter",
        ];
        expected.sort();
        let mut keys = keys.clone();
        keys.sort();
        assert_eq!(keys, expected);
        assert_eq!(json["title"], "Utan datum");
        assert_eq!(json["date_source"], "none");
        assert!(json["published"].is_null() && json["updated"].is_null());
    }

    #[test]
    fn pages_take_their_sources_selectors_and_flags_win() {
        let list = SourceList::parse(
            Path::new("/etc/m/sources.toml"),
            "[[source]]\nname = \"a\"\nurl = \"https://x.se/nyheter/\"\nselectors = { title = \"h2\", body = \".text\" }\n\n[[source]]\nname = \"b\"\nurl = \"https://x.se/\"\nselectors = { title = \"h3\" }\n",
        )
        .unwrap();
        let flags = Overrides {
            body: Some(Rule::parse("article").unwrap()),
            ..Overrides::default()
        };
        let selection = Selection {
            sources: list.sources,
            flags,
            list_filter: list.filter,
        };
        let page = |u: &str| selection.for_page(&Url::parse(u).unwrap());
        let chosen = page("https://x.se/nyheter/2024/a.html");
        assert_eq!(chosen.title.unwrap().as_str(), "h2");
        assert_eq!(chosen.body.unwrap().as_str(), "article");
        assert_eq!(page("https://x.se/om/b.html").title.unwrap().as_str(), "h3");
        let elsewhere = page("https://y.se/nyheter/a.html");
        assert!(elsewhere.title.is_none());
        assert_eq!(elsewhere.body.unwrap().as_str(), "article");
    }

    #[test]
    fn the_fixed_interface_parses() {
        let cli =
            Cli::try_parse_from(["muniflux", "-c", "x.toml", "export", "-o", "out.atom"]).unwrap();
        assert_eq!(cli.config, Path::new("x.toml"));
        assert!(matches!(cli.command, Command::Export { output: Some(_) }));
        let cli = Cli::try_parse_from([
            "muniflux",
            "extract",
            "--url",
            "https://x.se/a",
            "page.html",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Command::Extract {
                batch: false,
                input: Some(_),
                url: Some(_),
                ..
            }
        ));
        assert_eq!(cli.config, Path::new(config::DEFAULT_PATH));
        let cli = Cli::try_parse_from([
            "muniflux",
            "extract",
            "--title-selector",
            "h2.rubrik",
            "page.html",
        ])
        .unwrap();
        let Command::Extract { selectors, .. } = cli.command else {
            panic!("extract")
        };
        assert_eq!(selectors.title_selector.as_deref(), Some("h2.rubrik"));
        let cli = Cli::try_parse_from(["muniflux", "extract", "--batch"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Extract {
                batch: true,
                input: None,
                ..
            }
        ));
        let cli = Cli::try_parse_from([
            "muniflux",
            "links",
            "--url",
            "https://x.se/",
            "list.html",
            "--config",
            "c.toml",
        ])
        .unwrap();
        assert!(matches!(cli.command, Command::Links { .. }));
        assert_eq!(cli.config, Path::new("c.toml"));
        for cmd in ["run", "poll", "check", "sources"] {
            Cli::try_parse_from(["muniflux", "--config", "c.toml", cmd]).unwrap();
        }
        let cli = Cli::try_parse_from(["muniflux", "sources", "--opml"]).unwrap();
        assert!(matches!(cli.command, Command::Sources { opml: true }));
        let cli = Cli::try_parse_from(["muniflux", "import", "feeds.opml"]).unwrap();
        assert!(matches!(cli.command, Command::Import { .. }));
        let cli = Cli::try_parse_from([
            "muniflux",
            "discover",
            "https://www.vaxjo.se/",
            "--json",
            "--add",
            "--pick",
            "1,3",
        ])
        .unwrap();
        let Command::Discover {
            json, add, pick, ..
        } = cli.command
        else {
            panic!("discover")
        };
        assert!(json && add);
        assert_eq!(pick, [1, 3]);
        assert!(
            Cli::try_parse_from(["muniflux", "discover", "https://x.se/", "--pick", "1"]).is_err(),
            "--pick needs --add"
        );
    }
}
