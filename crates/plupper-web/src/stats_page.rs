//! `/stats`: the figures of `stats` for the filters, with three charts (messages per
//! month, conversations per operator, first-response times per operator), each beside a
//! table of its figures.

use std::collections::BTreeMap;

use maud::{Markup, html};
use plupper_archive::{Archive, Filter, GroupBy, NaiveDate, StatsRow};
use plupper_audit::summary::human_duration;

use crate::chart::{self, Bar};
use crate::form::Form;
use crate::layout::{self, Section, thousands};
use crate::{Error, Page};

/// The first-response times of the distribution, by their upper bound in seconds
/// (exclusive); the last has none.
/// The group of the messages without an operator.
const NO_OPERATOR: &str = "(no operator)";

const BUCKETS: [(&str, Option<i64>); 6] = [
    ("< 30 s", Some(30)),
    ("30 s–1 min", Some(60)),
    ("1–2 min", Some(120)),
    ("2–5 min", Some(300)),
    ("5–15 min", Some(900)),
    ("≥ 15 min", None),
];

/// The figures of the page.
struct Figures {
    total: Option<StatsRow>,
    months: Vec<StatsRow>,
    operators: Vec<StatsRow>,
    /// Per operator who sent a first reply: conversations per [`BUCKETS`] entry.
    responses: BTreeMap<String, [u64; BUCKETS.len()]>,
}

pub(crate) fn render(archive: &Archive, query: &str, today: NaiveDate) -> Result<Page, Error> {
    let form = Form::parse(query);
    let figures = match form.filter(today) {
        Ok(filter) => Ok(figures(archive, &filter)?),
        Err(error) => Err(error),
    };
    let status = figures.as_ref().map_or_else(Error::status, |_| 200);
    let content = html! {
        h1 { "Statistics" }
        form.stats method="get" action="/stats" {
            (layout::filter_fields(&form, today))
            div.actions {
                button type="submit" { "Show" }
                a href="/stats" { "Clear" }
            }
        }
        @match &figures {
            Err(error) => (layout::error_note(error)),
            Ok(figures) => (sections(figures)),
        }
    };
    Ok(Page::html(
        status,
        layout::document("Statistics", Section::Stats, content),
    ))
}

fn figures(archive: &Archive, filter: &Filter) -> Result<Figures, Error> {
    // One pass over the selection for the three charts.
    let mut responses: BTreeMap<String, [u64; BUCKETS.len()]> = BTreeMap::new();
    let mut rows = archive
        .stats_grouped(
            filter,
            &[Some(GroupBy::Month), Some(GroupBy::Operator)],
            |summary| {
                if let (Some(seconds), Some(responder)) =
                    (summary.first_response, &summary.responder)
                {
                    responses.entry(responder.clone()).or_default()[bucket(seconds)] += 1;
                }
            },
        )?
        .into_iter();
    let mut months = rows.next().unwrap_or_default();
    let total = months.pop().filter(|row| row.total);
    let mut operators = rows.next().unwrap_or_default();
    operators.retain(|row| !row.total);
    Ok(Figures {
        total,
        months: with_empty_months(months),
        operators,
        responses,
    })
}

/// The bucket of a first-response time (a negative one, of clocks out of step, in the
/// first).
fn bucket(seconds: i64) -> usize {
    BUCKETS
        .iter()
        .position(|(_, below)| below.is_none_or(|below| seconds < below))
        .unwrap_or(BUCKETS.len() - 1)
}

/// The month rows with a row of nothing for each month between them that has none, so
/// that the chart's time runs evenly.
fn with_empty_months(rows: Vec<StatsRow>) -> Vec<StatsRow> {
    let month_of = |row: &StatsRow| {
        row.group
            .as_deref()
            .and_then(|g| NaiveDate::parse_from_str(&format!("{g}-01"), "%Y-%m-%d").ok())
    };
    let mut out: Vec<StatsRow> = Vec::with_capacity(rows.len());
    for row in rows {
        if let (Some(last), Some(month)) = (out.last().and_then(month_of), month_of(&row)) {
            let mut missing = last.checked_add_months(chrono::Months::new(1));
            while let Some(day) = missing.filter(|day| *day < month) {
                out.push(empty_row(day.format("%Y-%m").to_string()));
                missing = day.checked_add_months(chrono::Months::new(1));
            }
        }
        out.push(row);
    }
    out
}

fn empty_row(group: String) -> StatsRow {
    StatsRow {
        group: Some(group),
        total: false,
        messages: 0,
        conversations: 0,
        visitors: 0,
        answered: 0,
        median_first_response: None,
        p90_first_response: None,
        unanswered: 0,
    }
}

/// A row's group as shown; `none` names a group of messages without one.
fn group_name(row: &StatsRow, none: &str) -> String {
    plupper_model::printable::printable(row.group.as_deref().unwrap_or(none)).into_owned()
}

fn seconds(value: Option<i64>) -> String {
    value.map_or_else(|| "–".to_owned(), human_duration)
}

fn sections(figures: &Figures) -> Markup {
    html! {
        @if let Some(total) = &figures.total { (totals(total)) }
        (per_month(&figures.months))
        (per_operator(&figures.operators))
        (response_times(&figures.operators, &figures.responses))
    }
}

fn totals(total: &StatsRow) -> Markup {
    html! {
        section aria-labelledby="totals" {
            h2 #totals { "In all" }
            dl.summary {
                dt { "Messages" } dd { (thousands(total.messages)) }
                dt { "Conversations" } dd { (thousands(total.conversations)) }
                dt { "Visitors" } dd { (thousands(total.visitors)) }
                dt { "Answered" } dd { (thousands(total.answered)) }
                dt { "Unanswered" } dd { (thousands(total.unanswered)) }
                dt { "First response, median" } dd { (seconds(total.median_first_response)) }
                dt { "First response, 90th percentile" } dd { (seconds(total.p90_first_response)) }
            }
        }
    }
}

/// One bar per row: its group, and `value` of it counted in `noun`s.
fn bars_of(rows: &[StatsRow], none: &str, value: fn(&StatsRow) -> u64, noun: &str) -> Vec<Bar> {
    rows.iter()
        .map(|row| Bar {
            label: group_name(row, none),
            value: value(row),
            title: format!("{}: {} {noun}", group_name(row, none), value(row)),
        })
        .collect()
}

/// A section with its heading, a chart, and the chart's figures as a table beside it
/// (under it, when `wide`), which a screen reader reads instead of the drawing.
fn figure(
    id: &str,
    heading: &str,
    intro: Option<&str>,
    chart: Markup,
    table: Markup,
    wide: bool,
) -> Markup {
    let heading_id = format!("{id}-heading");
    html! {
        section id=(id) aria-labelledby=(heading_id) {
            h2 id=(heading_id) { (heading) }
            @if let Some(intro) = intro { p { (intro) } }
            div.figure.wide[wide] {
                (chart)
                div.table tabindex="0" role="region" aria-label=(format!("{heading}, as a table")) {
                    (table)
                }
            }
        }
    }
}

fn per_month(months: &[StatsRow]) -> Markup {
    let bars = bars_of(months, "", |row| row.messages, "messages");
    let table = html! {
        table {
            thead { tr { th scope="col" { "Month" } th scope="col" { "Messages" } th scope="col" { "Conversations" } } }
            tbody {
                @for row in months {
                    tr { th scope="row" { (group_name(row, "")) } td { (thousands(row.messages)) } td { (thousands(row.conversations)) } }
                }
            }
        }
    };
    figure(
        "messages-per-month",
        "Messages per month",
        None,
        chart::columns(&bars),
        table,
        false,
    )
}

fn per_operator(operators: &[StatsRow]) -> Markup {
    let bars = bars_of(
        operators,
        NO_OPERATOR,
        |row| row.conversations,
        "conversations",
    );
    let table = html! {
        table {
            thead { tr { th scope="col" { "Operator" } th scope="col" { "Conversations" } th scope="col" { "Messages" } th scope="col" { "Unanswered" } } }
            tbody {
                @for row in operators {
                    tr { th scope="row" { (group_name(row, NO_OPERATOR)) } td { (thousands(row.conversations)) } td { (thousands(row.messages)) } td { (thousands(row.unanswered)) } }
                }
            }
        }
    };
    figure(
        "conversations-per-operator",
        "Conversations per operator",
        None,
        chart::rows(&bars),
        table,
        false,
    )
}

fn response_times(
    operators: &[StatsRow],
    responses: &BTreeMap<String, [u64; BUCKETS.len()]>,
) -> Markup {
    let names: Vec<&str> = BUCKETS.iter().map(|(name, _)| *name).collect();
    let rows: Vec<(String, Vec<u64>)> = responses
        .iter()
        .map(|(operator, counts)| {
            let shown = plupper_model::printable::printable(operator).into_owned();
            (shown, counts.to_vec())
        })
        .collect();
    let figures_of = |operator: &str| {
        operators
            .iter()
            .find(|row| row.group.as_deref() == Some(operator))
    };
    let table = html! {
        table {
            thead { tr {
                th scope="col" { "Operator" } th scope="col" { "Median" } th scope="col" { "90th pct." }
                @for name in &names { th scope="col" { (name) } }
            } }
            tbody {
                @for ((operator, counts), (shown, _)) in responses.iter().zip(&rows) {
                    @let row = figures_of(operator);
                    tr {
                        th scope="row" { (shown) }
                        td { (seconds(row.and_then(|r| r.median_first_response))) }
                        td { (seconds(row.and_then(|r| r.p90_first_response))) }
                        @for count in counts { td { (thousands(*count)) } }
                    }
                }
            }
        }
    };
    figure(
        "first-response-times",
        "First-response time per operator",
        Some(
            "Conversations by the time from the visitor's first line to the first reply, for the operator who sent it.",
        ),
        chart::stacked(&rows, &names),
        table,
        true,
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn response_times_fall_in_their_buckets() {
        let cases = [
            (-5, 0),
            (0, 0),
            (29, 0),
            (30, 1),
            (59, 1),
            (60, 2),
            (299, 3),
            (300, 4),
            (899, 4),
            (900, 5),
            (86_400, 5),
        ];
        for (seconds, expected) in cases {
            assert_eq!(bucket(seconds), expected, "{seconds} s");
        }
    }

    #[test]
    fn months_without_messages_are_drawn_as_empty() {
        let row = |month: &str| StatsRow {
            messages: 3,
            ..empty_row(month.to_owned())
        };
        let months: Vec<String> =
            with_empty_months(vec![row("2009-11"), row("2010-02"), row("2010-03")])
                .iter()
                .map(|r| format!("{}:{}", r.group.as_deref().unwrap(), r.messages))
                .collect();
        assert_eq!(
            months,
            [
                "2009-11:3",
                "2009-12:0",
                "2010-01:0",
                "2010-02:3",
                "2010-03:3"
            ]
        );
    }
}
