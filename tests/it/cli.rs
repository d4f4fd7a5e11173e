//! The command line: exit codes and error messages that name the file,
//! line and key; `extract` and `links` JSON.

use serde_json::Value;

use crate::support::{muniflux, FileServer, TestConfig};

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site")
}

/// Runs muniflux, asserts it succeeded and parses its JSON output.
fn json_of(args: &[&str]) -> Value {
    let out = muniflux(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const ONE_SOURCE: &str = "[[source]]\nname = \"Exempelby\"\nurl = \"http://127.0.0.1:9/nyheter/\"\ntags = [\"exempelby\"]\n";

#[test]
fn check_accepts_a_good_config() {
    let config = TestConfig::new(ONE_SOURCE, "");
    let out = config.muniflux(&["check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 sources"));
}

#[test]
fn check_exits_2_naming_file_line_and_key() {
    let config = TestConfig::new(
        &format!("{ONE_SOURCE}\n[[source]]\nname = \"Trasig\"\nurll = \"https://x.se/\"\n"),
        "",
    );
    let out = config.muniflux(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sources.toml:8"), "{err}");
    assert!(err.contains("urll"), "{err}");

    let config = TestConfig::new(ONE_SOURCE, "max_pages = \"many\"\n");
    let out = config.muniflux(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("muniflux.toml:14") && err.contains("max_pages"),
        "{err}"
    );
}

#[test]
fn sources_and_poll_exit_1_naming_a_database_that_cannot_be_opened() {
    let config = TestConfig::new(ONE_SOURCE, "").with_timeout("1s");
    let db = config.dir.path().join("state/muniflux.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    for (setup, says) in [
        ("a directory", "it is a directory, not a database file"),
        ("a text file", "file is not a database"),
    ] {
        let _ = std::fs::remove_file(&db);
        let _ = std::fs::remove_dir(&db);
        match setup {
            "a directory" => std::fs::create_dir(&db).unwrap(),
            _ => std::fs::write(&db, "not a database, just text\n".repeat(100)).unwrap(),
        }
        for command in ["sources", "poll"] {
            let out = config.muniflux(&[command]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{command} with {setup}: {err}");
            let line = err.lines().last().unwrap_or("");
            assert!(
                line.starts_with("muniflux: opening database ")
                    && line.contains("state/muniflux.db")
                    && line.contains(says),
                "{command} with {setup}: {err}"
            );
            // Each cause once.
            assert_eq!(line.matches(says).count(), 1, "{line}");
            assert_eq!(line.matches("muniflux.db").count(), 1, "{line}");
        }
    }
}

#[test]
fn poll_and_run_refuse_a_bad_config_with_exit_2() {
    let config = TestConfig::new("[[source]]\nname = \"a\"\nurl = \"https://x.se/a\"\n[[source]]\nname = \"b\"\nurl = \"https://x.se/a\"\n", "");
    for cmd in ["poll", "run"] {
        let out = config.muniflux(&[cmd]);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("listed twice"));
    }
    let out = muniflux(&["-c", "/nonexistent/muniflux.toml", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/muniflux.toml"));
}

#[test]
fn extract_prints_the_article_as_json() {
    let file = fixtures().join("nyheter/ny-industripark.html");
    let json = json_of(&[
        "extract",
        "--url",
        "https://exempelby.se/nyheter/ny-industripark.html",
        file.to_str().unwrap(),
    ]);
    assert_eq!(json["title"], "Ny industripark öppnar vid hamnen");
    assert_eq!(json["published"], "2024-05-14T10:30:00+02:00");
    assert!(
        json["date_source"].as_str().unwrap().starts_with("label"),
        "{json}"
    );
    let body = json["body"].as_str().unwrap();
    assert!(body.starts_with("Tolv företag flyttar in"), "{body}");
    assert!(
        body.contains("\n\nNärhet till hamn och järnväg\n\n"),
        "{body}"
    );
    for boilerplate in [
        "kakor",
        "Dela på Facebook",
        "Storgatan",
        "Senast uppdaterad",
        "Publicerad",
    ] {
        assert!(!body.contains(boilerplate), "{boilerplate} in {body}");
    }
    assert!(json["body_html"].as_str().unwrap().contains("<li>"));
    assert!(json["error"].is_null());
}

#[test]
fn extract_says_no_article_for_a_list_page() {
    let file = fixtures().join("nyheter/index.html");
    let out = muniflux(&["extract", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["error"]
        .as_str()
        .unwrap()
        .starts_with("no article found"));
    assert!(json["body"].is_null());
}

#[test]
fn extract_batch_answers_every_line() {
    use std::io::Write;
    let good = fixtures().join("nyheter/foretagsfrukost.html");
    let list = fixtures().join("nyheter/index.html");
    let input = format!(
        "{}\thttps://exempelby.se/nyheter/foretagsfrukost.html\n/nonexistent/page.html\n{}\n",
        good.display(),
        list.display()
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_muniflux"))
        .args(["extract", "--batch"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["title"], "Välkommen på företagsfrukost i april");
    assert_eq!(lines[0]["published"], "2024-04-02");
    assert_eq!(
        lines[0]["url"],
        "https://exempelby.se/nyheter/foretagsfrukost.html"
    );
    assert!(lines[1]["error"]
        .as_str()
        .unwrap()
        .contains("/nonexistent/page.html"));
    assert!(lines[2]["error"]
        .as_str()
        .unwrap()
        .starts_with("no article found"));
}

#[test]
fn links_prints_absolute_article_links() {
    let file = fixtures().join("nyheter/index.html");
    let json = json_of(&[
        "links",
        "--url",
        "https://exempelby.se/nyheter/",
        file.to_str().unwrap(),
    ]);
    let links: Vec<&str> = json["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(
        links,
        [
            "https://exempelby.se/nyheter/ny-industripark.html",
            "https://exempelby.se/nyheter/foretagsfrukost.html?utm_source=nyhetsbrev",
            "https://exempelby.se/intern/nyheter/personalmote.html",
        ]
    );
    assert!(json["next_page"].is_null());
}

#[test]
fn extract_and_links_fetch_urls_too() {
    let server = FileServer::start(&fixtures());
    let json = json_of(&[
        "extract",
        &format!("{}/nyheter/ny-industripark.html", server.base),
    ]);
    assert_eq!(json["title"], "Ny industripark öppnar vid hamnen");
    let out = muniflux(&["links", &format!("{}/nyheter/", server.base)]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["links"][0],
        format!("{}/nyheter/ny-industripark.html", server.base)
    );
}

/// The HTML parser's notes on markup it recovered from (a paragraph inside
/// a table is "foster parenting") are not printed: real pages have hundreds.
#[test]
fn extract_prints_no_parser_notes_for_broken_markup() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trasig.html");
    let cells = "<tr><td>A</td><p>Lös text i tabellen</p></tr>".repeat(20);
    std::fs::write(
        &file,
        format!(
            "<html><head><title>Rubrik</title></head><body><h1>Rubrik</h1>\
             <p>Kommunen har i dag fattat beslut om en ny satsning på företagande, och arbetet börjar redan i höst.</p>\
             <p>Arbetet leds av näringslivskontoret, som bjuder in alla lokala företag till ett första möte i oktober.</p>\
             <p>Satsningen omfattar också rådgivning, nätverksträffar och en ny webbplats med samlad information.</p>\
             <table>{cells}</table></body></html>"
        ),
    )
    .unwrap();
    let out = muniflux(&["extract", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("foster parenting"), "{stderr}");
    assert!(stderr.trim().is_empty(), "{stderr}");
}
