//! Adding sources to the operator's `sources.toml` without rewriting it.
//!
//! The file is the operator's: hand-written comments, grouping and spacing
//! are how they keep 300 municipalities apart. So it is edited as a TOML
//! document (toml_edit), never re-serialised from parsed values: only new
//! `[[source]]` blocks are appended, each under a comment saying where it
//! came from. The file is validated as `muniflux check` validates it both
//! before (an unreadable list is not touched) and after the edit (an edit
//! that would break it is not written), and replaced atomically, so a
//! running daemon's file watcher sees the old file or the new one and
//! reloads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table};
use url::Url;

use crate::canonical::canonical_url;
use crate::config::{self, SourceList};

/// A source to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSource {
    pub name: String,
    pub url: Url,
    pub tags: Vec<String>,
    /// Lines of the comment written above the block (without `#`).
    pub comment: Vec<String>,
}

/// A source that was not added, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub url: String,
    pub reason: String,
}

/// The edited file and what went into it.
#[derive(Debug, Clone)]
pub struct Edit {
    /// The whole new file.
    pub text: String,
    pub added: Vec<NewSource>,
    pub skipped: Vec<Skipped>,
}

/// Why the source list was not edited. In every case nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("refusing to edit the source list: {0}")]
    Unreadable(config::Error),
    #[error("{path}: refusing to edit the source list: {reason}")]
    Shape { path: PathBuf, reason: String },
    #[error("{path}: the edited source list would not pass `check` ({problem}); nothing written")]
    WouldBreak {
        path: PathBuf,
        problem: config::Error,
    },
    #[error("{path}: writing the source list: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Plans appending `new` to the source list `text` (read from `path`):
/// sources whose canonical URL is listed already (or earlier in `new`) are
/// skipped and reported. Pure: nothing is written.
pub fn plan_append(path: &Path, text: &str, new: &[NewSource]) -> Result<Edit, Error> {
    let list = SourceList::parse(path, text).map_err(Error::Unreadable)?;
    let mut listed: HashMap<String, String> = list
        .sources
        .iter()
        .map(|s| (canonical_url(&s.url).to_string(), s.name.clone()))
        .collect();
    let mut added = Vec::new();
    let mut skipped = Vec::new();
    for source in new {
        let key = canonical_url(&source.url).to_string();
        if let Some(name) = listed.get(&key) {
            skipped.push(Skipped {
                url: source.url.to_string(),
                reason: format!("already listed as `{name}`"),
            });
            continue;
        }
        listed.insert(key, source.name.clone());
        added.push(source.clone());
    }
    let text = if added.is_empty() {
        text.to_string()
    } else {
        appended(path, text, &added)?
    };
    if let Err(problem) = SourceList::parse(path, &text) {
        return Err(Error::WouldBreak {
            path: path.to_path_buf(),
            problem,
        });
    }
    Ok(Edit {
        text,
        added,
        skipped,
    })
}

/// Reads the source list at `path` (a missing file is an empty list),
/// appends `new` as [`plan_append`] plans it and writes the file when
/// anything was added.
pub fn append_sources(path: &Path, new: &[NewSource]) -> Result<Edit, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(Error::Unreadable(config::Error::Read {
                path: path.to_path_buf(),
                source,
            }))
        }
    };
    let edit = plan_append(path, &text, new)?;
    if !edit.added.is_empty() {
        crate::daemon::write_atomically_sync(path, edit.text.as_bytes()).map_err(|source| {
            Error::Write {
                path: path.to_path_buf(),
                source,
            }
        })?;
    }
    Ok(edit)
}

/// The text with one `[[source]]` block per source appended.
fn appended(path: &Path, text: &str, added: &[NewSource]) -> Result<String, Error> {
    let shape = |reason: &str| Error::Shape {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| shape(e.message()))?;
    let item = doc
        .entry("source")
        .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
    let Some(blocks) = item.as_array_of_tables_mut() else {
        return Err(shape(
            "`source` is not written as [[source]] blocks; add the sources by hand",
        ));
    };
    let first_blocks = blocks.is_empty();
    for source in added {
        blocks.push(block(source));
    }
    // A file of comments only: they are its header, so the first block
    // goes below them (toml_edit keeps them as text after the last table).
    if first_blocks {
        let header = doc.trailing().as_str().unwrap_or("").to_string();
        if !header.trim().is_empty() {
            doc.set_trailing("");
            if let Some(first) = doc
                .get_mut("source")
                .and_then(Item::as_array_of_tables_mut)
                .and_then(|b| b.get_mut(0))
            {
                let prefix = first
                    .decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or("");
                let joined = format!("{}\n{prefix}", header.trim_end_matches('\n'));
                first.decor_mut().set_prefix(joined);
            }
        }
    }
    let mut text = doc.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// One `[[source]]` table under its comment, after a blank line.
fn block(source: &NewSource) -> Table {
    let mut table = Table::new();
    table["name"] = toml_edit::value(source.name.as_str());
    table["url"] = toml_edit::value(source.url.as_str());
    if !source.tags.is_empty() {
        let tags: Array = source.tags.iter().map(String::as_str).collect();
        table["tags"] = toml_edit::value(tags);
    }
    let mut prefix = String::from("\n");
    for line in &source.comment {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        prefix.push_str(&format!("# {line}\n"));
    }
    table.decor_mut().set_prefix(prefix);
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> &'static Path {
        Path::new("/etc/muniflux/sources.toml")
    }

    fn new(name: &str, url: &str, tags: &[&str]) -> NewSource {
        NewSource {
            name: name.into(),
            url: Url::parse(url).unwrap(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            comment: vec!["Hittad av discover".into(), "lista, 12 artiklar".into()],
        }
    }

    const HAND_WRITTEN: &str = "# Min källista\n\n# --- Kronoberg ---\n\n[[source]]\nname = \"Växjö\"   # nyheter för företagare\nurl = \"https://vaxjo.se/nyheter.html\"\ntags = [ \"vaxjo\",\"kronoberg\" ]\nselectors = { body = \"#Ingress, #Brodtext\" }\n\n# --- Slut ---\n";

    #[test]
    fn appends_blocks_and_keeps_everything_else_byte_for_byte() {
        let edit = plan_append(
            path(),
            HAND_WRITTEN,
            &[new(
                "Alvesta – Nyheter",
                "https://www.alvesta.se/feed/",
                &["alvesta"],
            )],
        )
        .unwrap();
        assert_eq!(edit.added.len(), 1);
        // The old text is kept as written (comments, odd spacing, inline
        // table, the closing comment), the new block comes after the last
        // source.
        let expected = "# Min källista\n\n# --- Kronoberg ---\n\n[[source]]\nname = \"Växjö\"   # nyheter för företagare\nurl = \"https://vaxjo.se/nyheter.html\"\ntags = [ \"vaxjo\",\"kronoberg\" ]\nselectors = { body = \"#Ingress, #Brodtext\" }\n\n# Hittad av discover\n# lista, 12 artiklar\n[[source]]\nname = \"Alvesta – Nyheter\"\nurl = \"https://www.alvesta.se/feed/\"\ntags = [\"alvesta\"]\n\n# --- Slut ---\n";
        assert_eq!(edit.text, expected);
        let list = SourceList::parse(path(), &edit.text).unwrap();
        assert_eq!(list.sources.len(), 2);
        assert_eq!(list.sources[1].name, "Alvesta – Nyheter");
    }

    #[test]
    fn duplicates_by_canonical_url_are_skipped_and_reported() {
        let edit = plan_append(
            path(),
            HAND_WRITTEN,
            &[
                new(
                    "Växjö igen",
                    "https://vaxjo.se:443/nyheter.html?utm_source=x#top",
                    &[],
                ),
                new("Ny", "https://ny.se/nyheter/", &[]),
                new("Ny igen", "https://ny.se/nyheter/", &[]),
            ],
        )
        .unwrap();
        assert_eq!(edit.added.len(), 1);
        assert_eq!(edit.skipped.len(), 2);
        assert_eq!(edit.skipped[0].reason, "already listed as `Växjö`");
        assert_eq!(edit.skipped[1].reason, "already listed as `Ny`");
        let nothing = plan_append(
            path(),
            HAND_WRITTEN,
            &[new("x", "https://vaxjo.se/nyheter.html", &[])],
        )
        .unwrap();
        assert_eq!(
            nothing.text, HAND_WRITTEN,
            "unchanged when nothing is added"
        );
    }

    #[test]
    fn an_empty_or_missing_list_gets_its_first_source() {
        let edit = plan_append(path(), "", &[new("A", "https://a.se/", &[])]).unwrap();
        let list = SourceList::parse(path(), &edit.text).unwrap();
        assert_eq!(list.sources[0].url.as_str(), "https://a.se/");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sources.toml");
        append_sources(&file, &[new("A", "https://a.se/", &["a"])]).unwrap();
        let written = std::fs::read_to_string(&file).unwrap();
        assert_eq!(SourceList::parse(&file, &written).unwrap().sources.len(), 1);
    }

    #[test]
    fn a_list_of_comments_only_keeps_them_on_top() {
        let header = "# Källor för Älvnäs\n\n# (inga ännu)\n";
        let edit = plan_append(path(), header, &[new("A", "https://a.se/", &[])]).unwrap();
        assert!(edit.text.starts_with(header), "{}", edit.text);
        assert!(
            edit.text
                .contains("# (inga ännu)\n\n# Hittad av discover\n"),
            "{}",
            edit.text
        );
        assert_eq!(
            SourceList::parse(path(), &edit.text).unwrap().sources.len(),
            1
        );
    }

    #[test]
    fn a_broken_list_is_not_edited() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sources.toml");
        let broken = "[[source]]\nname = \"a\"\nurl = \"inte en adress\"\n";
        std::fs::write(&file, broken).unwrap();
        let err = append_sources(&file, &[new("B", "https://b.se/", &[])]).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("refusing to edit the source list"),
            "{message}"
        );
        assert!(message.contains("sources.toml:3"), "{message}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), broken);
        let inline = "source = [{ name = \"a\", url = \"https://a.se/\" }]\n";
        let err = plan_append(path(), inline, &[new("B", "https://b.se/", &[])]).unwrap_err();
        assert!(
            err.to_string().contains("not written as [[source]] blocks"),
            "{err}"
        );
    }

    #[test]
    fn an_edit_that_would_break_the_list_is_not_made() {
        let mut bad = new("B", "https://b.se/", &[]);
        bad.name = " ".into();
        let err = plan_append(path(), HAND_WRITTEN, &[bad]).unwrap_err();
        assert!(matches!(err, Error::WouldBreak { .. }), "{err}");
        assert!(err.to_string().contains("source.name"), "{err}");
    }
}
