//! The plain scan: what a user gets without any index, reading the API file itself.
//!
//! Every element of the file is looked at. A cheap test on the element's raw bytes
//! comes first and is only ever a *necessary* condition: the folded needle must occur in
//! the folded raw text (every character the needle holds is written as itself in the
//! raw JSON unless it is a quote, a backslash or a control character, or the element uses
//! `\u` escapes: then the element is parsed whatever the test says), and the exact
//! filters' values must occur in it. Elements that pass are parsed with
//! [`plupper_model::element::parse_element`] and tested exactly, with the contract's
//! semantics: [`Contains`] (Unicode simple case folding), written calendar dates,
//! case-sensitive operator and customer ids. The answer is sorted into the API's order
//! (instant, then position), as the archive would give it.

use memchr::memmem;

use plupper_model::element::{Element, parse_element};
use plupper_model::{Contains, fold::fold_into};
use plupper_search::Filter;

use crate::BenchError;
use crate::elements::element_ranges;

/// A matching element: its position (0-based) in the file, and the element.
#[derive(Debug)]
pub struct Hit {
    /// The element number in the file.
    pub position: usize,
    /// The parsed element.
    pub element: Element,
}

/// Literal byte strings that every matching element's raw text holds.
struct Prefilter {
    /// The folded needle, when it is written as itself in raw JSON.
    folded_needle: Option<memmem::Finder<'static>>,
    /// Exact values (operator, customer id, visitor id) as they appear in raw JSON.
    exact: Vec<memmem::Finder<'static>>,
    /// Escapes that write a character other than as itself (`\u00e9`, `\/`).
    escapes: [memmem::Finder<'static>; 2],
}

/// Whether `text` is written as itself inside a JSON string nested in a JSON string.
fn plain(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c == '"' || c == '\\' || c.is_control())
}

impl Prefilter {
    fn new(filter: &Filter, contains: Option<&Contains>) -> Prefilter {
        let owned = |text: &str| memmem::Finder::new(text.as_bytes()).into_owned();
        let folded_needle = contains
            .map(Contains::folded_needle)
            .filter(|needle| plain(needle))
            .map(owned);
        let mut exact: Vec<_> = [filter.operator.as_deref(), filter.customer_id.as_deref()]
            .into_iter()
            .flatten()
            .filter(|value| plain(value) && !value.is_empty())
            .map(owned)
            .collect();
        if let Some(visitor) = filter.visitor_id {
            exact.push(owned(&visitor.to_string()));
        }
        Prefilter {
            folded_needle,
            exact,
            escapes: [owned("\\u"), owned("\\/")],
        }
    }

    /// Whether the raw element may match (false only when it surely does not).
    fn may_match(&self, raw: &[u8], scratch: &mut String) -> bool {
        if self.escapes.iter().any(|finder| finder.find(raw).is_some()) {
            return true;
        }
        if !self.exact.iter().all(|finder| finder.find(raw).is_some()) {
            return false;
        }
        let Some(needle) = &self.folded_needle else {
            return true;
        };
        let Ok(text) = std::str::from_utf8(raw) else {
            return true;
        };
        scratch.clear();
        fold_into(text, scratch);
        needle.find(scratch.as_bytes()).is_some()
    }
}

/// The elements that may hold an ASCII needle, found in one pass over the whole file
/// lowercased (ASCII only: SIMD-friendly): those where the lowercased needle occurs, and
/// those with an escape that could hide it. Only for needles whose simple case folding
/// no non-ASCII character reaches: that excludes `k` (KELVIN SIGN) and `s` (LONG S).
fn ascii_candidates(
    bytes: &[u8],
    ranges: &[std::ops::Range<usize>],
    needle: &str,
) -> Option<Vec<bool>> {
    if !needle.is_ascii() || !plain(needle) || needle.contains(['k', 's']) || needle.is_empty() {
        return None;
    }
    let lower = bytes.to_ascii_lowercase();
    let mut candidate = vec![false; ranges.len()];
    let mut mark = |offset: usize| {
        let index = ranges.partition_point(|range| range.end <= offset);
        if let Some(flag) = candidate.get_mut(index) {
            *flag = true;
        }
    };
    for finder in [needle, "\\u", "\\/"] {
        memmem::find_iter(&lower, finder.as_bytes()).for_each(&mut mark);
    }
    Some(candidate)
}

/// The elements of the file's `bytes` that match `filter`, in the API's answer order.
pub fn scan(bytes: &[u8], filter: &Filter) -> Result<Vec<Hit>, BenchError> {
    let contains = filter.contains.as_deref().map(Contains::new);
    let prefilter = Prefilter::new(filter, contains.as_ref());
    let ranges = element_ranges(bytes)?;
    let candidates = contains
        .as_ref()
        .and_then(|c| ascii_candidates(bytes, &ranges, c.folded_needle()));
    let mut scratch = String::new();
    let mut matcher = filter.matcher();
    let mut hits = Vec::new();
    for (position, range) in ranges.into_iter().enumerate() {
        if candidates.as_ref().is_some_and(|c| !c[position]) {
            continue;
        }
        let raw = &bytes[range];
        if !prefilter.may_match(raw, &mut scratch) {
            continue;
        }
        let element = parse_element(raw).map_err(|error| BenchError::Element {
            position,
            reason: error.to_string(),
        })?;
        if matcher.matches(&element) {
            hits.push(Hit { position, element });
        }
    }
    hits.sort_by_key(|hit| (hit.element.date.sort_key(), hit.position));
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    const FILE: &str = r#"["{\"content\":\"Ďakujem pekne\",\"customerId\":\"IBM\",\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"visitorId\":7,\"type\":\"VO\",\"operator\":\"john\"}",
        {"content":"say \"ďAKUJEM\"","created":"Wed Apr 29 17:16:12 CEST 2009","type":"VT","operator":"Peter"},
        "{\"content\":\"caf\\u00e9 100%\",\"customerId\":null,\"created\":\"Tue Apr 28 10:00:00 CEST 2009\",\"visitorId\":8,\"type\":\"VO\",\"operator\":null}"]"#;

    fn positions(query: &str) -> Vec<usize> {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let filter = Filter::from_query_string(query, today).unwrap();
        scan(FILE.as_bytes(), &filter)
            .unwrap()
            .into_iter()
            .map(|hit| hit.position)
            .collect()
    }

    #[test]
    fn contains_folds_and_answers_in_time_order() {
        assert_eq!(positions("contains=%C4%8Eakujem"), vec![1, 0]);
        assert_eq!(positions("contains=CAF%C3%89"), vec![2]);
        assert_eq!(positions("contains=100%25"), vec![2]);
        assert_eq!(positions("contains=%22%C4%8F"), vec![1]);
    }

    #[test]
    fn escaped_and_folded_ascii_letters_are_found() {
        let file = r#"["{\"content\":\"x\\u0041BC\",\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"type\":\"VO\"}",
            {"content":"o\u212a","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"},
            {"content":"oK","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}]"#;
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let count = |query: &str| {
            scan(
                file.as_bytes(),
                &Filter::from_query_string(query, today).unwrap(),
            )
            .unwrap()
            .len()
        };
        assert_eq!(count("contains=abc"), 1);
        assert_eq!(count("contains=ok"), 2);
    }

    #[test]
    fn exact_filters() {
        assert_eq!(positions("operator=peter"), Vec::<usize>::new());
        assert_eq!(positions("operator=Peter"), vec![1]);
        assert_eq!(positions("customerId=IBM&contains=pekne"), vec![0]);
        assert_eq!(positions("visitorId=8"), vec![2]);
        assert_eq!(positions("from=04/29/09"), vec![1, 0]);
        assert_eq!(positions("to=04/28/09"), vec![2]);
    }
}
