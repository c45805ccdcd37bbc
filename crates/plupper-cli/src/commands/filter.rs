//! Turning the filter flags into a [`Filter`]: flags and `--params` go through the same
//! validation as the API's query string.

use chrono::NaiveDate;
use plupper_model::param::parse_cli_date;
use plupper_model::printable::printable;
use plupper_search::{Filter, FilterError, Param, query_pairs};

use crate::Failure;
use crate::cli::FilterArgs;

fn flag_name(param: Param) -> &'static str {
    match param {
        Param::From => "--from",
        Param::To => "--to",
        Param::Operator => "--operator",
        Param::VisitorId => "--visitor-id",
        Param::CustomerId => "--customer-id",
        Param::Contains => "--contains",
    }
}

/// The filter of the flags and `--params`. Says on stderr what the filter quietly
/// ignores or what makes it match nothing: each unknown parameter (contract §5; not `_`,
/// a browser's cache buster) and a `from` later than `to`.
pub fn filter(args: &FilterArgs) -> Result<Filter, Failure> {
    let today = chrono::Local::now().date_naive();
    let flags = [
        (Param::From, &args.from),
        (Param::To, &args.to),
        (Param::Operator, &args.operator),
        (Param::VisitorId, &args.visitor_id),
        (Param::CustomerId, &args.customer_id),
        (Param::Contains, &args.contains),
    ];
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (param, value) in &flags {
        if let Some(value) = value {
            pairs.push((param.name().to_owned(), flag_value(*param, value, today)?));
        }
    }
    if let Some(query) = &args.params {
        for (name, value) in query_pairs(query) {
            if let Some(&(param, _)) = flags
                .iter()
                .find(|(param, value)| param.name() == name && value.is_some())
            {
                return Err(Failure::Invalid(format!(
                    "parameter `{name}` is given both as {} and in --params",
                    flag_name(param)
                )));
            }
            if Param::from_name(&name).is_none() && name != "_" {
                say!("warning: unknown parameter `{}` ignored", printable(&name));
            }
            pairs.push((name, value));
        }
    }
    let filter = Filter::from_params(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), today)
        .map_err(|error| Failure::Invalid(error.to_string()))?;
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        say!("warning: `from` {from} is after `to` {to}: no message can match");
    }
    Ok(filter)
}

/// A flag's value as a query string parameter. `--from`/`--to` also take ISO dates
/// (contract §5), which `--params` does not: a flag's date reaches the filter in the
/// API's four-digit-year form, which reads literally.
fn flag_value(param: Param, value: &str, today: NaiveDate) -> Result<String, Failure> {
    if !matches!(param, Param::From | Param::To) || value.is_empty() {
        return Ok(value.to_owned());
    }
    let date = parse_cli_date(value, today).map_err(|reason| {
        Failure::Invalid(
            FilterError::Date {
                param: param.name(),
                reason,
            }
            .to_string(),
        )
    })?;
    Ok(date.format("%m/%d/%Y").to_string())
}
