//! On a terminal (a pseudo-terminal, [`Sandbox::run_on_terminal`]): tables fit its width
//! (issue 17, item 5), and the import's progress bar shows what is being done (item 9).

use insta::assert_snapshot;
use unicode_width::UnicodeWidthStr;

use crate::harness::{
    Sandbox, Terminal, list, message_object, repo_root, string_element, without_escapes_as,
};

/// A customer id longer than the conversations table's column.
const LONG_CUSTOMER: &str = "Slovenská sporiteľňa, a.s. (SK)";

/// An archive of the 2009 sample, plus one conversation of [`LONG_CUSTOMER`].
fn archive() -> Sandbox {
    let sandbox = Sandbox::new();
    let object = message_object("Dobrý deň", "Fri May 01 09:00:00 CEST 2009").replace(
        r#""customerId":null"#,
        &format!(r#""customerId":"{LONG_CUSTOMER}""#),
    );
    sandbox.write("long.json", list(&[string_element(&object)]));
    let sample = repo_root().join("data/sample/messages-2009.json");
    sandbox.import_ok(&[sample, sandbox.file("long.json")]);
    sandbox
}

/// The lines of a run on a terminal, which must succeed, each checked to fit `columns`
/// with no space at its end.
#[track_caller]
fn fitted(run: &Terminal, columns: usize) -> String {
    assert_eq!(run.code, 0, "{}", run.text);
    let lines = run.lines();
    assert!(lines.len() > 1, "{}", run.text);
    for line in &lines {
        assert!(
            UnicodeWidthStr::width(line.as_str()) <= columns,
            "wider than {columns} columns: {line:?}\n{}",
            run.text
        );
        assert!(!line.ends_with(' '), "{line:?}");
    }
    lines.join("\n")
}

#[test]
fn conversations_fit_a_terminal_of_60_or_80_columns_and_are_whole_in_a_pipe() {
    let sandbox = archive();
    let args = [
        "conversations",
        "--from",
        "2009-04-30",
        "--limit",
        "4",
        "--format",
        "table",
    ];
    let wide = fitted(&sandbox.run_on_terminal(200, &[], &args), 200);
    assert_snapshot!("conversations_200", wide);
    let at_80 = fitted(&sandbox.run_on_terminal(80, &[], &args), 80);
    assert_snapshot!("conversations_80", at_80);
    let at_60 = fitted(&sandbox.run_on_terminal(60, &[], &args), 60);
    assert_snapshot!("conversations_60", at_60);
    // COLUMNS wins over the terminal's own width.
    let told = sandbox.run_on_terminal(200, &[("COLUMNS", "60")], &args);
    assert_eq!(fitted(&told, 60), at_60);

    // The long customer: cut on a terminal, whole into a pipe (where nothing is cut).
    let args = [
        "conversations",
        "--customer-id",
        LONG_CUSTOMER,
        "--format",
        "table",
    ];
    let at_80 = fitted(&sandbox.run_on_terminal(80, &[], &args), 80);
    assert!(
        at_80.contains("Slovenská") && at_80.contains('…') && !at_80.contains(LONG_CUSTOMER),
        "{at_80}"
    );
    let piped = sandbox.run(&args).success().stdout_text();
    assert!(piped.contains(LONG_CUSTOMER), "{piped}");
    assert!(
        piped.contains(&format!("  {LONG_CUSTOMER} john ")),
        "{piped}"
    );
}

#[test]
fn stats_fit_a_terminal_of_60_or_80_columns() {
    let sandbox = archive();
    let args = ["stats", "--by", "operator", "--format", "table"];
    let wide = fitted(&sandbox.run_on_terminal(200, &[], &args), 200);
    assert_snapshot!("stats_200", wide);
    let at_80 = fitted(&sandbox.run_on_terminal(80, &[], &args), 80);
    assert_snapshot!("stats_80", at_80);
    let at_60 = fitted(&sandbox.run_on_terminal(60, &[], &args), 60);
    assert_snapshot!("stats_60", at_60);
    // Every operator and the total keep their row, at every width.
    for table in [&wide, &at_80, &at_60] {
        assert_eq!(table.lines().count(), wide.lines().count(), "{table}");
        assert!(
            table.lines().last().unwrap().starts_with("(all) "),
            "{table}"
        );
    }
}

/// One frame of a progress bar: `LABEL [BAR] DONE/TOTAL (RATE, ETA)`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Frame {
    label: String,
    done: String,
    total: String,
    rate: String,
}

/// The progress bar frames the terminal received: its text cut at each escape sequence,
/// `\r` and `\n`, the pieces that are frames.
fn frames(text: &str) -> Vec<Frame> {
    let plain = without_escapes_as(text, "\n");
    plain
        .split(['\r', '\n'])
        .filter_map(|piece| {
            let (label, rest) = piece.split_once(" [")?;
            let (bar, rest) = rest.split_once("] ")?;
            if bar.chars().count() != 30 || !bar.chars().all(|c| "=> ".contains(c)) {
                return None;
            }
            let (counts, rest) = rest.split_once(" (")?;
            let (done, total) = counts.split_once('/')?;
            // indicatif pads a frame to the terminal's width.
            let (rate, _eta) = rest.trim_end().strip_suffix(')')?.split_once(", ")?;
            Some(Frame {
                label: label.to_owned(),
                done: done.to_owned(),
                total: total.to_owned(),
                rate: rate.to_owned(),
            })
        })
        .collect()
}

#[test]
fn the_import_bar_names_the_file_whose_bytes_it_counts() {
    // Issue 17, item 9: the label lagged one file behind its counts.
    let sandbox = Sandbox::new();
    let sample = repo_root().join("data/sample");
    let run = sandbox.run_on_terminal(200, &[], &["import", sample.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.text);
    let drawn = frames(&run.text);
    let mut totals =
        std::collections::BTreeMap::<String, std::collections::BTreeSet<String>>::new();
    for frame in drawn.iter().filter(|f| f.label.ends_with("json")) {
        totals
            .entry(frame.label.clone())
            .or_default()
            .insert(frame.total.clone());
    }
    // Each file's bar draws at least once as it starts (indicatif draws its first 20
    // frames at once), always with that file's size: the six sizes differ.
    let names = [
        "extra-2012.ndjson",
        "messages-2008.json",
        "messages-2009.json",
        "messages-2010.json",
        "messages-2011.json",
        "messages-2012.json",
    ];
    assert_eq!(
        totals.keys().map(String::as_str).collect::<Vec<_>>(),
        names,
        "{drawn:#?}"
    );
    for (name, seen) in &totals {
        assert_eq!(seen.len(), 1, "{name} was shown with the totals {seen:?}");
    }
    let distinct: std::collections::BTreeSet<_> = totals.values().flatten().collect();
    assert_eq!(distinct.len(), names.len(), "{totals:?}");
    // The summary is there once the bar is gone.
    assert!(
        run.lines().iter().any(|l| l == "added:             3200"),
        "{}",
        run.text
    );
}

#[test]
fn the_index_bar_counts_every_message_at_a_whole_rate_and_only_on_a_terminal() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[repo_root().join("data/sample")]);
    let run = sandbox.run_on_terminal(200, &[], &["index", "--rebuild"]);
    assert_eq!(run.code, 0, "{}", run.text);
    let drawn = frames(&run.text);
    assert!(!drawn.is_empty(), "no bar drawn:\n{:?}", run.text);
    for frame in &drawn {
        // Every message is counted, not the part one thread did (`773/773` of 3,205).
        assert_eq!(
            (frame.label.as_str(), frame.total.as_str()),
            ("indexing", "3,200"),
            "{frame:?}"
        );
        assert!(
            frame.done.replace(',', "").parse::<u64>().is_ok(),
            "{frame:?}"
        );
        // A whole number of messages a second, not `426,097.7316/s`.
        let rate = frame.rate.strip_suffix("/s").unwrap_or("not a rate");
        assert!(rate.replace(',', "").parse::<u64>().is_ok(), "{frame:?}");
    }
    assert!(
        run.lines()
            == ["rebuilt the search index: 3200 messages indexed; it now holds messages 1 to 3200"],
        "{}",
        run.text
    );
    // NO_COLOR on a terminal, and no terminal: no bar at all.
    let quiet = sandbox.run_on_terminal(200, &[("NO_COLOR", "1")], &["index", "--rebuild"]);
    assert_eq!(quiet.code, 0, "{}", quiet.text);
    assert_eq!(frames(&quiet.text), [], "{:?}", quiet.text);
    let piped = sandbox.run(&["index", "--rebuild"]).success();
    assert!(
        piped
            .stdout_text()
            .starts_with("rebuilt the search index: 3200")
    );
}
