//! `muniflux sources --opml` and `muniflux import FILE.opml`: the source
//! list out to feed readers and back in, and bad input that writes nothing.

use crate::support::{copy_tree, FileServer, TestConfig};

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site")
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_source_list_goes_out_as_opml_and_into_another_list() {
    // The feed is served at a URL that does not look like one: only what a
    // poll read tells it is a feed.
    let site = tempfile::tempdir().unwrap();
    copy_tree(&fixtures(), site.path());
    std::fs::create_dir_all(site.path().join("prenumerera")).unwrap();
    std::fs::copy(
        fixtures().join("feed.xml"),
        site.path().join("prenumerera/index.html"),
    )
    .unwrap();
    let server = FileServer::start(site.path());
    let sources = format!(
        "[[source]]\nname = \"Exempelby & co – RSS\"\nurl = \"{0}/prenumerera/\"\ntags = [\"exempelby\", \"naringsliv\"]\n\n[[source]]\nname = \"Exempelby – lista\"\nurl = \"{0}/nyheter/\"\n",
        server.base
    );
    let config = TestConfig::new(&sources, "");
    config.poll();
    let out = config.muniflux(&["sources", "--opml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let opml = stdout(&out);
    assert!(
        opml.contains(&format!(
            "type=\"rss\" xmlUrl=\"{}/prenumerera/\" htmlUrl=\"{}/\" category=\"exempelby,naringsliv\"",
            server.base, server.base
        )),
        "{opml}"
    );
    assert!(
        opml.contains(&format!("type=\"link\" url=\"{}/nyheter/\"", server.base)),
        "{opml}"
    );
    assert!(opml.contains("text=\"Exempelby &amp; co – RSS\""), "{opml}");

    // Into a hand-written list that already has the list page.
    let existing = format!(
        "# Mina källor\n\n[[source]]\nname = \"Listan\"   # sedan länge\nurl = \"{}/nyheter/?utm_source=x\"\n\n# slut\n",
        server.base
    );
    let other = TestConfig::new(&existing, "");
    let file = other.dir.path().join("export.opml");
    std::fs::write(&file, &opml).unwrap();
    let out = other.muniflux(&["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(report.contains("added 1 source to"), "{report}");
    assert!(report.contains("already listed as `Listan`"), "{report}");
    let written = std::fs::read_to_string(other.dir.path().join("sources.toml")).unwrap();
    assert!(
        written.starts_with(&existing.replace("\n# slut\n", "")),
        "{written}"
    );
    assert!(
        written.contains("# Imported from export.opml on "),
        "{written}"
    );
    assert!(written.ends_with("# slut\n"), "{written}");
    let check = other.muniflux(&["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(stdout(&check).contains("2 sources"));
    // The imported feed polls like the original.
    other.poll();
    let (_, feed) = other.export();
    assert_eq!(
        feed.entries.len(),
        2 + 1,
        "two from the feed, one from the list"
    );

    // Importing again adds nothing and says so.
    let out = other.muniflux(&["import", file.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("nothing added"), "{}", stdout(&out));
    assert_eq!(
        std::fs::read_to_string(other.dir.path().join("sources.toml")).unwrap(),
        written
    );
}

#[test]
fn bad_opml_and_broken_lists_write_nothing() {
    let listed = "# behåll mig\n[[source]]\nname = \"A\"\nurl = \"https://a.se/\"\n";
    let config = TestConfig::new(listed, "");
    let list = config.dir.path().join("sources.toml");
    let try_import = |name: &str, content: &str| {
        let file = config.dir.path().join(name);
        std::fs::write(&file, content).unwrap();
        config.muniflux(&["import", file.to_str().unwrap()])
    };
    for (name, content, says) in [
        (
            "trasig.opml",
            "<opml><body><outline xmlUrl=\"https://b.se/\"></body>",
            "not XML",
        ),
        (
            "sida.opml",
            "<!doctype html><html><body>hej</body></html>",
            "root element is <html>",
        ),
        ("text.opml", "https://b.se/feed/\n", "no elements"),
        (
            "tom.opml",
            "<opml version=\"2.0\"><head/><body/></opml>",
            "no feeds",
        ),
    ] {
        let out = try_import(name, content);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(name) && err.contains(says), "{name}: {err}");
        assert_eq!(std::fs::read_to_string(&list).unwrap(), listed, "{name}");
    }
    let out = config.muniflux(&["import", "/finns/inte.opml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/finns/inte.opml"));

    // A source list that cannot be parsed is not edited.
    let broken = "[[source]]\nname = \"A\"\nurl = \"https://a.se/\"\ntaggar = []\n";
    std::fs::write(&list, broken).unwrap();
    let out = try_import(
        "bra.opml",
        "<opml version=\"2.0\"><body><outline text=\"B\" xmlUrl=\"https://b.se/feed/\"/></body></opml>",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("refusing to edit") && err.contains("sources.toml:4"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&list).unwrap(), broken);
}
