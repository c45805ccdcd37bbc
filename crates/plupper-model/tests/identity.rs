//! The §1b identity: the six fields decide, not the original text's spacing, key order,
//! escapes or form (string element or plain object).

#![allow(clippy::unwrap_used)] // a test states its expectations with unwrap()

use plupper_model::element::parse_element;
use proptest::prelude::*;

fn json_text(value: &Option<String>) -> String {
    serde_json::to_string(value).unwrap()
}

/// Escapes every non-ASCII character as `\uXXXX` (surrogate pairs included), which is a
/// different text for the same string.
fn ascii_escaped(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

proptest! {
    #[test]
    fn identity_ignores_spacing_key_order_escapes_and_form(
        content in "\\PC{0,30}",
        customer in proptest::option::of("[A-Za-z0-9 ]{0,8}"),
        visitor in proptest::option::of(any::<i64>()),
        operator in proptest::option::of("[a-zA-Zá]{1,6}"),
        order in Just((0..6).collect::<Vec<usize>>()).prop_shuffle(),
        space in prop::sample::select(vec!["", " ", "\n  ", "\t"]),
        escape in any::<bool>(),
        as_string in any::<bool>(),
    ) {
        let content_json = if escape { ascii_escaped(&content) } else { serde_json::to_string(&content).unwrap() };
        let fields = [
            format!("\"content\":{space}{content_json}"),
            format!("\"customerId\":{space}{}", json_text(&customer)),
            "\"created\":\"Wed Apr 29 17:16:13 CEST 2009\"".to_owned(),
            format!("\"visitorId\":{}", visitor.map_or("null".to_owned(), |v| v.to_string())),
            "\"type\":\"VO\"".to_owned(),
            format!("\"operator\":{}", json_text(&operator)),
        ];
        let shuffled: Vec<&str> = order.iter().map(|&i| fields[i].as_str()).collect();
        let object = format!("{{{space}{}{space}}}", shuffled.join(&format!(",{space}")));
        let text = if as_string { serde_json::to_string(&object).unwrap() } else { object.clone() };

        let canonical = format!(
            "{{\"content\":{},\"customerId\":{},\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"visitorId\":{},\"type\":\"VO\",\"operator\":{}}}",
            serde_json::to_string(&content).unwrap(), json_text(&customer),
            visitor.map_or("null".to_owned(), |v| v.to_string()), json_text(&operator),
        );
        let parsed = parse_element(text.as_bytes()).unwrap();
        let reference = parse_element(canonical.as_bytes()).unwrap();
        prop_assert_eq!(&parsed.message, &reference.message);
        prop_assert_eq!(parsed.message.fingerprint(), reference.message.fingerprint());
        prop_assert_eq!(parsed.original.text, text);
    }
}
