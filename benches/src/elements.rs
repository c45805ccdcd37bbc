//! Splitting a file held in memory into its elements, for the peers that read files
//! whole (the plain scan, the SQLite loader): an API list response (a JSON array of
//! strings or objects) or NDJSON (one object per line).
//!
//! Only the array's own syntax is followed (string quotes and escapes, object braces);
//! each element is parsed by whoever takes it. A file that breaks that syntax gives
//! [`BenchError::Syntax`]: the benchmarks run on generated, well-formed corpora.

use memchr::{memchr, memchr2};

use crate::BenchError;

/// The byte ranges of the elements of `bytes`, in order.
pub fn element_ranges(bytes: &[u8]) -> Result<Vec<std::ops::Range<usize>>, BenchError> {
    let start = skip_blank(bytes, 0);
    match bytes.get(start) {
        Some(b'[') => list_ranges(bytes, start + 1),
        Some(b'{') => Ok(line_ranges(bytes)),
        _ => Err(BenchError::Syntax {
            offset: start,
            reason: "neither a JSON array nor NDJSON",
        }),
    }
}

fn skip_blank(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

fn list_ranges(bytes: &[u8], mut at: usize) -> Result<Vec<std::ops::Range<usize>>, BenchError> {
    let mut ranges = Vec::new();
    loop {
        at = skip_blank(bytes, at);
        let end = match bytes.get(at) {
            Some(b']') => return Ok(ranges),
            Some(b'"') => string_end(bytes, at)?,
            Some(b'{') => object_end(bytes, at)?,
            _ => return Err(syntax(at, "expected an element")),
        };
        ranges.push(at..end);
        at = skip_blank(bytes, end);
        match bytes.get(at) {
            Some(b',') => at += 1,
            Some(b']') => return Ok(ranges),
            _ => return Err(syntax(at, "expected `,` or `]`")),
        }
    }
}

fn syntax(offset: usize, reason: &'static str) -> BenchError {
    BenchError::Syntax { offset, reason }
}

/// The end (exclusive) of the string literal starting at `start`.
fn string_end(bytes: &[u8], start: usize) -> Result<usize, BenchError> {
    let mut at = start + 1;
    loop {
        let found = memchr2(b'"', b'\\', &bytes[at..])
            .ok_or_else(|| syntax(start, "unterminated string"))?;
        at += found;
        if bytes[at] == b'"' {
            return Ok(at + 1);
        }
        at += 2; // an escape: skip the backslash and the escaped byte
    }
}

/// The end (exclusive) of the object starting at `start`.
fn object_end(bytes: &[u8], start: usize) -> Result<usize, BenchError> {
    let mut depth = 0usize;
    let mut at = start;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => {
                at = string_end(bytes, at)?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(at + 1);
                }
            }
            _ => {}
        }
        at += 1;
    }
    Err(syntax(start, "unterminated object"))
}

fn line_ranges(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let end = memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n);
        let line = &bytes[at..end];
        if !line.trim_ascii().is_empty() {
            ranges.push(at..end);
        }
        at = end + 1;
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        element_ranges(text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|range| &text[range])
            .collect()
    }

    #[test]
    fn lists_of_strings_and_objects() {
        assert_eq!(
            pieces(r#" ["a\"b", {"x":"}"} ,"c\\"]"#),
            vec![r#""a\"b""#, r#"{"x":"}"}"#, r#""c\\""#]
        );
        assert_eq!(pieces("[]"), Vec::<&str>::new());
    }

    #[test]
    fn ndjson_lines() {
        assert_eq!(
            pieces("{\"a\":1}\n\n{\"b\":2}\n"),
            vec!["{\"a\":1}", "{\"b\":2}"]
        );
    }

    #[test]
    fn broken_lists_are_errors() {
        assert!(element_ranges(br#"["a" "b"]"#).is_err());
        assert!(element_ranges(br#"["a"#).is_err());
        assert!(element_ranges(b"42").is_err());
    }
}
