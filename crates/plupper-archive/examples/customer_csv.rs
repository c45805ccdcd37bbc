//! One customer's messages as CSV on stdout, for a CRM import: archive id, time (RFC 3339,
//! empty when the zone is unknown), visitor, operator, side (`VO` visitor, `VT` operator),
//! content.
//!
//! ```text
//! cargo run -p plupper-archive --example customer_csv -- ARCHIVE_DIR CUSTOMER_ID > customer.csv
//! ```

use std::process::ExitCode;

use plupper_archive::{Archive, Filter};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, customer] = args.as_slice() else {
        eprintln!("usage: customer_csv ARCHIVE_DIR CUSTOMER_ID");
        return ExitCode::from(2);
    };
    match export(dir, customer) {
        Ok(rows) => {
            eprintln!("{rows} messages of customer {customer}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn export(dir: &str, customer: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let archive = Archive::open(dir)?;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record([
        "id",
        "timestamp",
        "visitorId",
        "operator",
        "type",
        "content",
    ])?;
    let mut rows = 0;
    for stored in archive.query(&Filter::default().customer_id(customer))? {
        let stored = stored?;
        let message = &stored.message;
        out.write_record([
            stored.id.to_string(),
            stored
                .timestamp()
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            message
                .visitor_id
                .map(|v| v.to_string())
                .unwrap_or_default(),
            message.operator.clone().unwrap_or_default(),
            message.message_type.clone(),
            message.content.clone(),
        ])?;
        rows += 1;
    }
    out.flush()?;
    Ok(rows)
}
