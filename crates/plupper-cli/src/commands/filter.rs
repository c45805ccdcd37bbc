//! Turning the filter flags into a [`Filter`]: flags and `--params` go through the same
//! validation as the API's query string.

use plupper_search::{Filter, Param, query_pairs};

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

pub fn filter(args: &FilterArgs) -> Result<Filter, Failure> {
    let flags = [
        (Param::From, &args.from),
        (Param::To, &args.to),
        (Param::Operator, &args.operator),
        (Param::VisitorId, &args.visitor_id),
        (Param::CustomerId, &args.customer_id),
        (Param::Contains, &args.contains),
    ];
    let mut pairs: Vec<(String, String)> = flags
        .iter()
        .filter_map(|(param, value)| Some((param.name().to_owned(), (*value).clone()?)))
        .collect();
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
            pairs.push((name, value));
        }
    }
    let today = chrono::Local::now().date_naive();
    Filter::from_params(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), today)
        .map_err(|error| Failure::Invalid(error.to_string()))
}
