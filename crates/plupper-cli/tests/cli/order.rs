//! The order of answers (contract §2 "Order of results", §5 "Dates in `created`"): by
//! instant; equal instants, written in any zone, in archive order; an unknown or
//! ambiguous zone (CST, IST, MSK) sorts by its wall clock read as UTC.

use serde_json::Value;

use crate::filters::{expect, fixture_archive};
use crate::harness::{Sandbox, created, list, message_object, string_element};

#[test]
fn equal_instants_keep_archive_order_and_unknown_zones_sort_by_wall_clock_as_utc() {
    let sandbox = fixture_archive();
    // 48: CST 09:30 → 09:30Z; 46: 09:59:59Z; 43, 44, 45, 47 (CST 10:00), 50: 10:00Z in
    // file order; 49: IST 10:00:01; 51: GMT+02:00 12:00:02 → 10:00:02Z; 52: MSK 13:00.
    let order = [48, 46, 43, 44, 45, 47, 50, 49, 51, 52];
    expect(
        &sandbox,
        &["--from", "05/05/09", "--to", "05/05/09"],
        &order,
    );
    expect(
        &sandbox,
        &["--operator", "dora", "--to", "05/05/09"],
        &order,
    );
    expect(&sandbox, &["--visitor-id", "30"], &order);
    expect(
        &sandbox,
        &["--contains", "0", "--from", "05/05/09", "--to", "05/05/09"],
        &order,
    );

    // Unknown zones: the written wall clock, no instant.
    let messages = sandbox.query(&["--visitor-id", "30"]);
    let timestamps: Vec<&Value> = messages.iter().map(|m| &m["timestamp"]).collect();
    assert_eq!(
        timestamps,
        [
            &Value::Null,
            &Value::from("2009-05-05T09:59:59+00:00"),
            &Value::from("2009-05-05T12:00:00+02:00"),
            &Value::from("2009-05-05T10:00:00+00:00"),
            &Value::from("2009-05-05T11:00:00+01:00"),
            &Value::Null,
            &Value::from("2009-05-05T05:00:00-05:00"),
            &Value::Null,
            &Value::from("2009-05-05T12:00:02+02:00"),
            &Value::Null,
        ]
    );
}

#[test]
fn answers_come_in_time_order_whatever_the_file_order() {
    let sandbox = Sandbox::new();
    // Written out of order, in two files.
    let late = [3, 1, 2].map(|n| string_element(&message_object(&format!("m{n}"), &created(n))));
    let early = [0].map(|n| string_element(&message_object(&format!("m{n}"), &created(n))));
    sandbox.write("a.json", list(&late));
    sandbox.write("b.json", list(&early));
    sandbox.import_ok(&["files/a.json", "files/b.json"]);
    assert_eq!(sandbox.ids::<&str>(&[]), [4, 2, 3, 1]);
    // Same instant written twice as two messages: archive order.
    let twin = string_element(&message_object("m1", &created(1)));
    sandbox.write("c.json", list(&[twin.clone(), twin]));
    assert_eq!(sandbox.import_ok(&["files/c.json"]).added, 1);
    assert_eq!(sandbox.ids::<&str>(&[]), [4, 2, 5, 3, 1]);
}
