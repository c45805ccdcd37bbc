//! Bar charts drawn as SVG by the server: no script, sized by their `viewBox` so they
//! scale to the page, coloured by the stylesheet (`class`, never a `style` attribute,
//! which the content security policy forbids). Each bar is a `rect` of class `bar` with
//! a `title` (its label and value, shown on hover and read by screen readers); each
//! chart is `aria-hidden` next to a table of the same figures.

use maud::{Markup, html};

/// One bar: its label and value, and the words its `title` says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) value: u64,
    pub(crate) title: String,
}

/// Width of the drawing, in its own units.
const WIDTH: f64 = 640.0;
/// Height of a row of a horizontal chart.
const ROW: f64 = 24.0;
/// Room for the labels left of horizontal bars.
const LABEL_WIDTH: f64 = 150.0;
/// Room for the value right of horizontal bars.
const VALUE_WIDTH: f64 = 60.0;

/// Vertical bars side by side (a time series: one per month); the first label and each
/// label of a new year are written under the axis.
pub(crate) fn columns(bars: &[Bar]) -> Markup {
    let height = 180.0;
    let plot = height - 24.0;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let step = WIDTH / bars.len().max(1) as f64;
    let gap = (step * 0.15).min(2.0);
    html! {
        svg.chart viewBox=(format!("0 0 {WIDTH} {height}")) role="img" aria-hidden="true" focusable="false" {
            line.axis x1="0" y1=(plot) x2=(WIDTH) y2=(plot) {}
            @for (i, bar) in bars.iter().enumerate() {
                @let h = plot * bar.value as f64 / max;
                @let x = i as f64 * step;
                rect.bar x=(fixed(x + gap / 2.0)) y=(fixed(plot - h)) width=(fixed(step - gap)) height=(fixed(h)) {
                    title { (bar.title) }
                }
                @if i == 0 || bar.label.ends_with("-01") {
                    text.tick x=(fixed(x)) y=(fixed(height - 6.0)) { (year_of(&bar.label)) }
                }
            }
        }
    }
}

/// Horizontal bars, one row each, the label on the left and the value on the right.
pub(crate) fn rows(bars: &[Bar]) -> Markup {
    let height = ROW * bars.len().max(1) as f64;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let room = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    html! {
        svg.chart viewBox=(format!("0 0 {WIDTH} {height}")) role="img" aria-hidden="true" focusable="false" {
            @for (i, bar) in bars.iter().enumerate() {
                @let y = i as f64 * ROW;
                @let w = room * bar.value as f64 / max;
                text.label x=(fixed(LABEL_WIDTH - 6.0)) y=(fixed(y + ROW * 0.68)) { (shorten(&bar.label)) }
                rect.bar x=(fixed(LABEL_WIDTH)) y=(fixed(y + 3.0)) width=(fixed(w)) height=(fixed(ROW - 6.0)) {
                    title { (bar.title) }
                }
                text.value x=(fixed(LABEL_WIDTH + w + 4.0)) y=(fixed(y + ROW * 0.68)) { (bar.value) }
            }
        }
    }
}

/// Horizontal bars split into segments (a distribution per row): each row's segments
/// side by side, their widths in proportion to the row's total, so rows of different
/// sizes compare by shape; a segment of no value is not drawn. `segments` names the
/// segments (the legend).
pub(crate) fn stacked(rows: &[(String, Vec<u64>)], segments: &[&str]) -> Markup {
    let legend = ROW;
    let height = legend + ROW * rows.len().max(1) as f64;
    let room = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let key_width = WIDTH / segments.len().max(1) as f64;
    html! {
        svg.chart viewBox=(format!("0 0 {WIDTH} {height}")) role="img" aria-hidden="true" focusable="false" {
            @for (k, name) in segments.iter().enumerate() {
                rect class=(format!("key seg-{k}")) x=(fixed(k as f64 * key_width)) y="6" width="12" height="12" {}
                text.key x=(fixed(k as f64 * key_width + 16.0)) y="16" { (name) }
            }
            @for (i, (label, counts)) in rows.iter().enumerate() {
                @let y = legend + i as f64 * ROW;
                @let total = counts.iter().sum::<u64>().max(1) as f64;
                text.label x=(fixed(LABEL_WIDTH - 6.0)) y=(fixed(y + ROW * 0.68)) { (shorten(label)) }
                @for (k, x, w, count) in segments_of(counts, total, room) {
                    rect class=(format!("bar seg-{k}")) x=(fixed(LABEL_WIDTH + x)) y=(fixed(y + 3.0)) width=(fixed(w)) height=(fixed(ROW - 6.0)) {
                        title { (label) ", " (segments.get(k).copied().unwrap_or("")) ": " (count) }
                    }
                }
                text.value x=(fixed(WIDTH - VALUE_WIDTH + 4.0)) y=(fixed(y + ROW * 0.68)) { (counts.iter().sum::<u64>()) }
            }
        }
    }
}

/// The drawn segments of a row: index, start, width, count.
fn segments_of(counts: &[u64], total: f64, room: f64) -> Vec<(usize, f64, f64, u64)> {
    let mut x = 0.0;
    let mut out = Vec::new();
    for (k, &count) in counts.iter().enumerate() {
        let w = room * count as f64 / total;
        if count > 0 {
            out.push((k, x, w, count));
        }
        x += w;
    }
    out
}

/// A coordinate with one decimal (short, and the same on every platform).
fn fixed(value: f64) -> String {
    format!("{value:.1}")
}

/// The year of a `YYYY-MM` label.
fn year_of(label: &str) -> &str {
    label.split('-').next().unwrap_or(label)
}

/// A label cut to fit left of a bar (the table beside the chart has it whole).
fn shorten(label: &str) -> String {
    const MAX: usize = 20;
    match label.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &label[..cut]),
        None => label.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn bar(label: &str, value: u64) -> Bar {
        Bar {
            label: label.into(),
            value,
            title: format!("{label}: {value}"),
        }
    }

    fn count(svg: &str, what: &str) -> usize {
        svg.matches(what).count()
    }

    #[test]
    fn one_bar_per_value_the_largest_full_height() {
        let svg =
            columns(&[bar("2009-11", 5), bar("2009-12", 10), bar("2010-01", 0)]).into_string();
        assert_eq!(count(&svg, r#"<rect class="bar""#), 3);
        assert!(
            svg.contains(r#"y="0.0" width="211.3" height="156.0"><title>2009-12: 10</title>"#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"height="0.0"><title>2010-01: 0</title>"#),
            "{svg}"
        );
        // Years under the first bar and each January.
        assert_eq!(count(&svg, r#"<text class="tick""#), 2);
        assert!(svg.contains(">2010</text>"));
    }

    #[test]
    fn rows_carry_their_labels_escaped_and_values() {
        let svg = rows(&[bar("\"><img src=x onerror=alert(1)>", 3), bar("john", 6)]).into_string();
        assert_eq!(count(&svg, r#"<rect class="bar""#), 2);
        assert!(!svg.contains("<img"), "{svg}");
        assert!(svg.contains("&quot;&gt;&lt;img src=x onerror…"), "{svg}");
        assert!(
            svg.contains(r#"width="430.0" height="18.0"><title>john: 6</title>"#),
            "{svg}"
        );
        assert!(svg.contains(">6</text>"));
    }

    #[test]
    fn stacked_rows_draw_only_segments_with_a_value() {
        let rows = [
            ("john".to_owned(), vec![1, 0, 3]),
            ("mary".to_owned(), vec![0, 0, 0]),
        ];
        let svg = stacked(&rows, &["fast", "mid", "slow"]).into_string();
        assert_eq!(count(&svg, r#"class="bar seg-"#), 2);
        assert_eq!(count(&svg, r#"class="key seg-"#), 3);
        assert!(svg.contains("<title>john, slow: 3</title>"));
        // One and three of four: a quarter and three quarters of the room.
        assert!(svg.contains(r#"x="150.0" y="27.0" width="107.5""#), "{svg}");
        assert!(svg.contains(r#"x="257.5" y="27.0" width="322.5""#), "{svg}");
    }

    #[test]
    fn an_empty_chart_is_still_a_drawing() {
        assert_eq!(count(&columns(&[]).into_string(), "<rect"), 0);
        assert!(rows(&[]).into_string().starts_with("<svg"));
    }
}
