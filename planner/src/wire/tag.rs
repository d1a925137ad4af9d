//! The request tag: `/* djust_request=<escaped id> */` in a statement's SQL.
//!
//! This is the one definition of the format; `djust/sqltag.py` mirrors it
//! and both are tested against `planner/tests/fixtures/sqltag.json`.
//!
//! The id is escaped so the comment is safe everywhere the SQL goes:
//! ASCII letters, digits, `.`, `_` and `-` stay as they are; every other
//! byte of the id's UTF-8 encoding becomes `~XX` (two upper-case hex
//! digits). So the escaped id never contains `*/` (it cannot end the
//! comment), quotes, whitespace or control characters, and never `%`, `?`,
//! `:` or `$`, which DB-API drivers would read as placeholders (Django
//! passes SQL with `%s` parameters through `%`-formatting).

/// The text that opens a tag comment.
pub const TAG_PREFIX: &str = "/* djust_request=";
const TAG_SUFFIX: &str = " */";

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
}

/// Escapes a request id for a tag comment (see the module documentation).
pub fn escape(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for &b in id.as_bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("~{b:02X}"));
        }
    }
    out
}

/// Undoes [`escape`]. `None` when `escaped` is not a valid escaped id.
pub fn unescape(escaped: &str) -> Option<String> {
    let bytes = escaped.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'~' => {
                let hex = escaped.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b if is_unreserved(b) => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

/// Appends the tag comment for `id` to `sql`.
pub fn tag_sql(sql: &str, id: &str) -> String {
    format!("{sql} {TAG_PREFIX}{}{TAG_SUFFIX}", escape(id))
}

/// The request id in `sql`'s first tag comment, and `sql` without that
/// comment. A malformed tag is ignored (the statement counts as untagged).
pub fn extract(sql: &str) -> Option<(String, String)> {
    let start = sql.find(TAG_PREFIX)?;
    let value_start = start + TAG_PREFIX.len();
    let value_len = sql[value_start..].find("*/")?;
    let id = unescape(sql[value_start..value_start + value_len].trim_end())?;
    let end = value_start + value_len + 2;
    let rest = format!("{}{}", sql[..start].trim_end(), &sql[end..]);
    Some((id, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for id in [
            "",
            "abc",
            "GET /books/?page=2",
            "*/ DROP",
            "é~%s?:$",
            "\n\0",
        ] {
            let tagged = tag_sql("SELECT 1", id);
            let (got, rest) = extract(&tagged).expect("tag found");
            assert_eq!(got, id);
            assert_eq!(rest, "SELECT 1");
            let escaped = escape(id);
            assert!(escaped.bytes().all(|b| is_unreserved(b) || b == b'~'));
        }
    }

    #[test]
    fn malformed_tags_are_ignored() {
        assert_eq!(extract("SELECT 1 /* djust_request=a b */"), None);
        assert_eq!(extract("SELECT 1 /* djust_request=~4 */"), None);
        assert_eq!(extract("SELECT 1 /* djust_request=abc"), None);
        assert_eq!(extract("SELECT 1 /* other */"), None);
    }

    #[test]
    fn tag_in_the_middle() {
        let (id, rest) = extract("SELECT /* djust_request=r1 */ 1").expect("tag");
        assert_eq!((id.as_str(), rest.as_str()), ("r1", "SELECT 1"));
    }
}
