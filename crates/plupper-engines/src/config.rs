//! The engines' index definitions: Quickwit's index config (YAML, config format 0.8) and
//! OpenSearch's index body (settings-free mappings, JSON), for the fields of
//! [`Document`](crate::Document).
//!
//! Both keep the API's semantics as far as each engine can (docs/scale-out.md):
//! `operator`, `customerId` and `type` as exact, case-sensitive terms; `visitorId` as a
//! 64-bit integer; `date` as the written day; `content` tokenized for ranked search; and
//! `content_folded` for `contains`: Quickwit indexes its character trigrams (no positions,
//! no lowercasing: it is folded already), OpenSearch keeps it in a `wildcard` field.

use crate::Engine;

/// The index name the files use (Quickwit's `index_id`, OpenSearch's index).
pub const INDEX: &str = "plupper-messages";

/// Quickwit's raw tokenizer drops a token over this many bytes (`RemoveLongFilter` in
/// quickwit-query): such an `operator` or `customerId` is not indexed.
pub const QUICKWIT_RAW_TERM_LIMIT: usize = 255;

/// The OpenSearch mapping indexes a `keyword` value of at most this many characters
/// (`ignore_above`; Lucene refuses a term over 32,766 bytes, four per character at most).
pub const OPENSEARCH_KEYWORD_LIMIT: usize = 8191;

/// The name of the index definition file in an export of `engine`.
pub fn file_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Quickwit => "index-config.yaml",
        Engine::OpenSearch => "mapping.json",
    }
}

/// The index definition of `engine`, as the file [`file_name`] holds it.
///
/// ```
/// use plupper_engines::{Engine, config};
///
/// let yaml = config::index_definition(Engine::Quickwit);
/// assert!(yaml.starts_with("version: 0.8\nindex_id: plupper-messages\n"));
/// let json: serde_json::Value = serde_json::from_str(&config::index_definition(Engine::OpenSearch))?;
/// assert_eq!(json["mappings"]["properties"]["content_folded"]["type"], "wildcard");
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn index_definition(engine: Engine) -> String {
    match engine {
        Engine::Quickwit => quickwit_index_config(),
        Engine::OpenSearch => opensearch_mapping(),
    }
}

/// Quickwit's index config, format 0.8.
fn quickwit_index_config() -> String {
    format!(
        "\
version: 0.8
index_id: {INDEX}
doc_mapping:
  # Every field of the export is declared; another field is an error, not a guess.
  mode: strict
  field_mappings:
    - name: id
      type: i64
      indexed: true
      fast: true
    # The instant with the offset written in `created`; absent when the zone is unknown.
    - name: timestamp
      type: datetime
      input_formats: [rfc3339]
      output_format: rfc3339
      fast: true
      fast_precision: seconds
    # The API's order: the instant, or the wall clock read as UTC when the zone is unknown.
    - name: order
      type: datetime
      input_formats: [rfc3339]
      output_format: rfc3339
      fast: true
      fast_precision: seconds
    # The calendar date written in `created` (midnight UTC of that day): `from` and `to`.
    - name: date
      type: datetime
      input_formats: [\"%Y-%m-%d\"]
      output_format: rfc3339
      fast: true
      fast_precision: seconds
    - name: operator
      type: text
      tokenizer: raw
      fast: true
    - name: customerId
      type: text
      tokenizer: raw
      fast: true
    - name: visitorId
      type: i64
      indexed: true
      fast: true
    - name: type
      type: text
      tokenizer: raw
      fast: true
    - name: created
      type: text
      indexed: false
    - name: content
      type: text
      tokenizer: default
      record: position
      fieldnorms: true
    # `content` folded as the contract folds for `contains`; its character trigrams.
    - name: content_folded
      type: text
      tokenizer: trigram
      record: basic
      stored: false
  timestamp_field: order
  tag_fields: [operator]
  tokenizers:
    - name: trigram
      type: ngram
      min_gram: 3
      max_gram: 3
      prefix_only: false
      filters: []
search_settings:
  default_search_fields: [content]
"
    )
}

/// OpenSearch's index body: the mappings of `PUT /plupper-messages`.
fn opensearch_mapping() -> String {
    let keyword = serde_json::json!({"type": "keyword", "ignore_above": OPENSEARCH_KEYWORD_LIMIT});
    let body = serde_json::json!({
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "id": {"type": "long"},
                "timestamp": {"type": "date", "format": "strict_date_time_no_millis"},
                "order": {"type": "date", "format": "strict_date_time_no_millis"},
                "date": {"type": "date", "format": "strict_date"},
                "operator": keyword,
                "customerId": keyword,
                "visitorId": {"type": "long"},
                "type": keyword,
                "created": {"type": "keyword", "index": false, "doc_values": false},
                "content": {"type": "text"},
                "content_folded": {"type": "wildcard"}
            }
        }
    });
    let mut text = serde_json::to_string_pretty(&body).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_document_field_is_declared_once_in_both_engines() {
        let fields = [
            "id",
            "timestamp",
            "order",
            "date",
            "operator",
            "customerId",
            "visitorId",
            "type",
            "created",
            "content",
            "content_folded",
        ];
        let json: serde_json::Value =
            serde_json::from_str(&index_definition(Engine::OpenSearch)).unwrap();
        let properties = json["mappings"]["properties"].as_object().unwrap();
        let mut declared: Vec<&str> = properties.keys().map(String::as_str).collect();
        declared.sort_unstable();
        let mut wanted = fields.to_vec();
        wanted.sort_unstable();
        assert_eq!(declared, wanted);

        let yaml = index_definition(Engine::Quickwit);
        for field in fields {
            assert_eq!(
                yaml.matches(&format!("    - name: {field}\n")).count(),
                1,
                "{field}"
            );
        }
    }
}
