//! `--params`: the API's URL query string (contract §2, §5 "Query strings"), decoded as
//! `application/x-www-form-urlencoded`; names case-sensitive; unknown names ignored (and
//! named on stderr, `_` excepted); a
//! parameter given twice, or as a flag and in `--params`, is invalid input.

use crate::filters::{expect, fixture_archive};
use crate::harness::{Sandbox, id_of, parse_ndjson};

#[test]
fn query_strings_are_decoded_as_a_browser_encodes_them() {
    let sandbox = fixture_archive();
    expect(&sandbox, &["--params", "contains=100%25"], &[19]);
    expect(&sandbox, &["--params", "contains=a%2Bb"], &[31]);
    // `+` is a space: "a b" is in no message.
    expect(&sandbox, &["--params", "contains=a+b"], &[]);
    expect(&sandbox, &["--params", "contains=two+spaces"], &[28]);
    expect(&sandbox, &["--params", "contains=two%20%20spaces"], &[27]);
    // An invalid escape stays literal.
    expect(&sandbox, &["--params", "contains=%zz"], &[32]);
    expect(&sandbox, &["--params", "contains=50%zz"], &[32]);
    // Invalid UTF-8 becomes U+FFFD.
    expect(&sandbox, &["--params", "contains=%FF"], &[30]);
    expect(&sandbox, &["--params", "contains=%C3%84rger"], &[3, 4]);
    expect(&sandbox, &["--params", "contains=%CE%A3"], &[5, 6, 7]);
    expect(&sandbox, &["--params", "?operator=Peter"], &[2]);
    expect(
        &sandbox,
        &["--params", "operator=peter&contains=ärger"],
        &[3, 4],
    );
    expect(&sandbox, &["--params", "contains=%26"], &[]);
    expect(&sandbox, &["--params", "contains=%3D6"], &[23, 24]);
}

#[test]
fn unknown_parameters_are_ignored_and_names_are_case_sensitive() {
    let sandbox = fixture_archive();
    // `_` is a browser's cache buster: ignored without a word.
    expect(&sandbox, &["--params", "_=123&operator=peter"], &[1, 3, 4]);
    expect(
        &sandbox,
        &["--params", "operator=peter&_=1241000000000&_=2"],
        &[1, 3, 4],
    );
    expect_warned(
        &sandbox,
        "Operator=nobody&operator=Peter",
        &[2],
        &["Operator"],
    );
    let everything = sandbox.ids::<&str>(&[]);
    expect_warned(
        &sandbox,
        "visitorid=1&VISITORID=x&page=2",
        &everything,
        &["visitorid", "VISITORID", "page"],
    );
    expect_warned(&sandbox, "visitorid=abc", &everything, &["visitorid"]);
}

/// Issue 17: a slip in a parameter's name (`opertor=peter`) answers the whole archive, as
/// the API would, but never silently (contract §5).
#[test]
fn each_unknown_parameter_is_named_on_stderr() {
    let sandbox = fixture_archive();
    let everything = sandbox.ids::<&str>(&[]);
    expect_warned(&sandbox, "opertor=peter", &everything, &["opertor"]);
    expect_warned(
        &sandbox,
        "opertor=peter&contains=ärger&_=5",
        &[3, 4],
        &["opertor"],
    );
    // Every command that takes `--params` says it.
    for command in ["conversations", "stats", "search money"] {
        let mut args: Vec<&str> = command.split(' ').collect();
        args.extend(["--params", "opertor=peter", "--format", "ndjson"]);
        let run = sandbox.run(&args).code(0);
        assert!(
            run.stderr
                .lines()
                .any(|line| line == "warning: unknown parameter `opertor` ignored"),
            "{command}: {}",
            run.stderr
        );
    }
}

/// `query --params QUERY` answers exactly these ids (also as `--count`) and warns of
/// exactly these unknown parameters, in order.
#[track_caller]
fn expect_warned(sandbox: &Sandbox, query: &str, ids: &[i64], unknown: &[&str]) {
    let warnings: String = unknown
        .iter()
        .map(|name| format!("warning: unknown parameter `{name}` ignored\n"))
        .collect();
    let run = sandbox
        .run(&["query", "--params", query, "--format", "ndjson"])
        .code(0);
    assert_eq!(run.stderr, warnings, "{query}");
    let got: Vec<i64> = parse_ndjson(&run.stdout).iter().map(id_of).collect();
    assert_eq!(got, ids, "{query}");
    let count = sandbox
        .run(&["query", "--count", "--params", query])
        .code(0);
    assert_eq!(count.stderr, warnings, "{query}");
    assert_eq!(count.stdout_text(), format!("{}\n", ids.len()), "{query}");
}

#[test]
fn a_parameter_given_twice_is_invalid_input() {
    let sandbox = fixture_archive();
    for args in [
        &["--params", "operator=a&operator=b"][..],
        &["--params", "operator=peter&operator=peter"],
        &["--params", "from=04/29/09&to=04/30/09&from=04/29/09"],
        &["--params", "contains=&contains=x"],
        &["--operator", "a", "--params", "operator=b"],
        &["--operator", "peter", "--params", "operator=peter"],
        &["--operator", "peter", "--params", "operator="],
        &["--visitor-id", "1", "--params", "visitorId=1"],
        &["--from", "04/29/09", "--params", "from=04/29/09"],
        &["--contains", "x", "--params", "contains=y"],
        &["--customer-id", "IBM", "--params", "customerId=IBM"],
    ] {
        let mut all = vec!["query"];
        all.extend_from_slice(args);
        let run = sandbox.run(&all).code(2).errors(1);
        assert!(run.stdout.is_empty(), "{args:?}");
        let name = args
            .iter()
            .find_map(|a| a.split_once('=').map(|(n, _)| n))
            .unwrap_or_default();
        assert!(
            run.stderr.contains(&format!("`{name}`")),
            "{args:?}: the error should name `{name}`: {}",
            run.stderr
        );
    }
    // A flag given twice is a usage error too.
    sandbox
        .run(&["query", "--operator", "a", "--operator", "b"])
        .code(2);
}

#[test]
fn invalid_values_in_params_name_the_parameter() {
    let sandbox = fixture_archive();
    for (query, name) in [
        ("from=13/01/09", "`from`"),
        ("to=02/30/09", "`to`"),
        ("to=abc", "`to`"),
        ("visitorId=5.0", "`visitorId`"),
        ("operator=peter&visitorId=x", "`visitorId`"),
    ] {
        let run = sandbox.run(&["query", "--params", query]).code(2).errors(1);
        assert!(run.stderr.contains(name), "{query}: {}", run.stderr);
    }
}
