//! The API's filters (contract §2) as `query` answers them, on the checked-in fixture
//! `tests/fixtures/filters.json`: an API list response of 54 messages, archived with ids
//! 1 to 54 in file order.
//!
//! | ids | written | what they are for |
//! |---|---|---|
//! | 1–4 | Apr 20 2009 | `peter`/`Peter`, `MONEY`/`money`, `Ä`/`ä`, customers `IBM`/`ibm` (3 is a plain object with `\u00c4`, spaces and an unknown field) |
//! | 5–7 | Apr 20 | `ΟΔΟΣ` (Σ), `σοφία` (σ, written as `\u03c3` escapes), `λόγος` (ς); customer `"42"` |
//! | 8–10 | Apr 20 | `Straße`, `GROẞ`, `STRASSE` |
//! | 11–16 | Apr 20 | `300K` (Kelvin sign U+212A)/`300k`, `10µm` (micro sign)/`10μm` (mu), `Pinſel` (long s)/`PINSEL` |
//! | 17–18 | Apr 20 | `ﬁnal oﬀer` (ligatures)/`final offer` |
//! | 19–32 | Apr 20 | literal characters: `100% off`/`1000 off/on`, `snake_case`/`snakeXcase`, `2*3=6`/`2x3=6`, `say "hi" 😀`, `C:\temp\new`, `two  spaces`/`two spaces`, a tab, U+FFFD, `a+b=c`, `50%zz discount` |
//! | 33–36 | Apr 20 | no operator/visitor/customer keys; visitorId 3000000000; visitorId −1; customerId `42` as a number |
//! | 37–42 | Apr 28–30 | the edges of days, and written dates on another UTC day |
//! | 43–52 | May 5 | equal instants in several zones, and unknown zones (CST, IST, MSK) |
//! | 53 | May 6 | a wrong weekday (`Fri May 06`, a Wednesday) |
//! | 54 | Apr 20 | type `XX`, last in the file |

use crate::harness::Sandbox;

/// A sandbox whose archive holds the fixture.
pub fn fixture_archive() -> Sandbox {
    let sandbox = Sandbox::new();
    let summary = sandbox.import_ok(&[crate::harness::fixture("filters.json")]);
    assert_eq!((summary.added, summary.quarantined), (54, 0));
    assert_eq!(
        summary.warnings, 5,
        "four unknown zones and a wrong weekday"
    );
    sandbox
}

/// `query ARGS...` answers exactly these ids, in this order.
#[track_caller]
pub fn expect(sandbox: &Sandbox, args: &[&str], ids: &[i64]) {
    assert_eq!(sandbox.ids(args), ids, "query {args:?}");
    assert_eq!(
        sandbox.count(args),
        ids.len() as u64,
        "query --count {args:?}"
    );
}

/// Every message of Apr 20, in time order (54 was written there last).
fn april_20() -> Vec<i64> {
    (1..=36).chain([54]).collect()
}

#[test]
fn operator_is_case_sensitive_and_null_never_matches() {
    let sandbox = fixture_archive();
    expect(&sandbox, &["--operator", "peter"], &[1, 3, 4]);
    expect(&sandbox, &["--operator", "Peter"], &[2]);
    expect(&sandbox, &["--operator", "PETER"], &[]);
    expect(&sandbox, &["--operator", "pete"], &[]);
    expect(&sandbox, &["--operator", "null"], &[]);
    expect(&sandbox, &["--params", "operator=peter"], &[1, 3, 4]);
}

#[test]
fn customer_id_is_exact_and_a_number_is_its_text() {
    let sandbox = fixture_archive();
    expect(&sandbox, &["--customer-id", "IBM"], &[3]);
    expect(&sandbox, &["--customer-id", "ibm"], &[4]);
    expect(&sandbox, &["--customer-id", "42"], &[5, 6, 7, 36]);
    expect(&sandbox, &["--customer-id", "null"], &[]);
    expect(&sandbox, &["--params", "customerId=IBM"], &[3]);
}

#[test]
fn visitor_id_is_an_integer_read_as_java_reads_it() {
    let sandbox = fixture_archive();
    expect(&sandbox, &["--visitor-id", "1"], &[1, 2]);
    expect(&sandbox, &["--visitor-id", "+1"], &[1, 2]);
    expect(&sandbox, &["--visitor-id", "01"], &[1, 2]);
    expect(&sandbox, &["--visitor-id", "-1"], &[35]);
    expect(&sandbox, &["--visitor-id", "3000000000"], &[34]);
    expect(&sandbox, &["--params", "visitorId=3000000000"], &[34]);
    expect(&sandbox, &["--params", "visitorId=%2B1"], &[1, 2]);
    expect(&sandbox, &["--visitor-id", "9223372036854775807"], &[]);
    for bad in [
        "5.0",
        "0x5",
        " 5",
        "5 ",
        "abc",
        "9223372036854775808",
        "1e3",
        "--5",
    ] {
        let run = sandbox
            .run(&["query", "--visitor-id", bad])
            .code(2)
            .errors(1);
        assert!(run.stdout.is_empty(), "{bad:?}");
        assert!(run.stderr.contains("visitorId"), "{bad:?}: {}", run.stderr);
    }
    // `+` is a space in a query string: ` 1` is not an integer.
    sandbox
        .run(&["query", "--params", "visitorId=+1"])
        .code(2)
        .errors(1);
}

#[test]
fn contains_ignores_case_by_simple_case_folding() {
    let sandbox = fixture_archive();
    for (needle, ids) in [
        ("MONEY", &[1, 2][..]),
        ("money", &[1, 2]),
        ("Ä", &[3, 4]),
        ("ä", &[3, 4]),
        ("ÄRGER", &[3, 4]),
        ("Σ", &[5, 6, 7]),
        ("σ", &[5, 6, 7]),
        ("ς", &[5, 6, 7]),
        ("λόγοσ", &[7]),
        ("ΟΔΟΣ", &[5]),
        ("ß", &[8, 9]),
        ("ẞ", &[8, 9]),
        ("groß", &[9]),
        ("ss", &[10]),
        ("STRASSE", &[10]),
        ("300\u{212A}", &[11, 12]),
        ("300k", &[11, 12]),
        ("300K", &[11, 12]),
        ("10µm", &[13, 14]),
        ("10μm", &[13, 14]),
        ("10Μm", &[13, 14]),
        ("pinsel", &[15, 16]),
        ("pinſel", &[15, 16]),
        ("PINſEL", &[15, 16]),
        ("ﬁ", &[17]),
        ("final", &[18]),
        ("FINAL", &[18]),
        ("offer", &[18]),
        ("😀", &[25]),
    ] {
        expect(&sandbox, &["--contains", needle], ids);
    }
    // `fi` is in 38 and 40 too ("first second"), never in the ligature.
    expect(&sandbox, &["--contains", "fi"], &[18, 38, 40]);
    expect(
        &sandbox,
        &["--contains", "ſ"],
        &sandbox.ids(&["--contains", "s"]),
    );
}

#[test]
fn contains_takes_every_character_literally() {
    let sandbox = fixture_archive();
    for (needle, ids) in [
        ("%", &[19, 32][..]),
        ("100%", &[19]),
        ("%off", &[]),
        ("_", &[21]),
        ("e_c", &[21]),
        ("*", &[23]),
        ("2*3", &[23]),
        ("\"", &[25]),
        ("\"hi\"", &[25]),
        ("\\", &[26]),
        ("\\t", &[26]),
        ("\\temp\\", &[26]),
        ("two  spaces", &[27]),
        ("two spaces", &[28]),
        ("o  s", &[27]),
        ("\t", &[29]),
        ("a b", &[]),
        ("off/on", &[20]),
        ("\u{FFFD}", &[30]),
        ("a+b", &[31]),
        ("'", &[]),
        ("[a-z]", &[]),
        ("?", &[]),
        ("^", &[]),
    ] {
        expect(&sandbox, &["--contains", needle], ids);
    }
    // White space alone is a value too, not "absent".
    let spaced = sandbox.ids(&["--contains", " "]);
    assert!(!spaced.is_empty() && spaced.len() < 54);
    assert!(!spaced.contains(&29) && !spaced.contains(&21));
}

#[test]
fn an_empty_value_is_the_same_as_no_value() {
    let sandbox = fixture_archive();
    let everything = sandbox.ids::<&str>(&[]);
    assert_eq!(everything.len(), 54);
    for args in [
        &["--params", "operator="][..],
        &[
            "--params",
            "operator=&visitorId=&from=&to=&customerId=&contains=",
        ],
        &["--operator", ""],
        &["--visitor-id", ""],
        &["--from", "", "--to", ""],
        &["--contains", ""],
        &["--customer-id", ""],
        &["--params", ""],
        &["--params", "?"],
        &["--params", "operator"],
    ] {
        expect(&sandbox, args, &everything);
    }
}

#[test]
fn all_given_filters_must_hold() {
    let sandbox = fixture_archive();
    expect(
        &sandbox,
        &["--operator", "peter", "--contains", "ärger"],
        &[3, 4],
    );
    expect(
        &sandbox,
        &[
            "--operator",
            "peter",
            "--contains",
            "ärger",
            "--customer-id",
            "ibm",
        ],
        &[4],
    );
    expect(
        &sandbox,
        &["--params", "operator=anna&visitorId=5&contains=300K"],
        &[11, 12],
    );
    expect(&sandbox, &["--operator", "anna", "--visitor-id", "1"], &[]);
    expect(
        &sandbox,
        &[
            "--from",
            "04/20/09",
            "--to",
            "04/20/09",
            "--visitor-id",
            "15",
        ],
        &[54],
    );
    expect(
        &sandbox,
        &["--from", "04/20/09", "--to", "4/20/2009"],
        &april_20(),
    );
}
