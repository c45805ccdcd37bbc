//! Tables of columns for people, fitted to the terminal (issue 17, item 5).
//!
//! On a terminal a table line must not wrap: a [`Layout`] is chosen once, before the first
//! line, from the columns' widths and the terminal's ([`crate::output::table_width`]):
//! all columns with their headers as written if they fit; else shorter headers, single
//! spaces between the columns, text columns narrowed to their minimum (their values cut
//! with `…`), and then the least useful columns left out, one at a time. Into a pipe or a
//! file (no width) nothing is cut or left out: a longer value pushes the rest of its line
//! on.

use unicode_width::UnicodeWidthStr;

use crate::output::cut;

/// Which side of its column a value keeps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// One column of a table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The header as written when there is room.
    pub header: &'static str,
    /// The header on a terminal too narrow for the written ones.
    pub short: &'static str,
    pub align: Align,
    /// Terminal columns its values take.
    pub width: usize,
    /// Terminal columns it may be narrowed to (its values cut with `…`); `width` for a
    /// column that is never narrowed.
    pub min: usize,
    /// Terminal columns it may take on a terminal with room to spare (a pipe or a file
    /// never cuts it); `width` for a column that is never widened.
    pub max: usize,
    /// Spaces before it, when there is room (one when there is not; none for the first).
    pub gap: usize,
    /// When it is left out on a terminal too narrow for every column: 1 first, then 2,
    /// and so on; 0 never.
    pub drop: u8,
}

impl Column {
    /// A column of `width`, never narrowed nor left out, `gap` spaces after the one
    /// before.
    pub const fn new(header: &'static str, align: Align, width: usize, gap: usize) -> Column {
        Column {
            header,
            short: header,
            align,
            width,
            min: width,
            max: width,
            gap,
            drop: 0,
        }
    }

    /// With a shorter header for a narrow terminal.
    pub const fn short(mut self, short: &'static str) -> Column {
        self.short = short;
        self
    }

    /// May be narrowed down to `min` columns.
    pub const fn narrowed_to(mut self, min: usize) -> Column {
        self.min = min;
        self
    }

    /// May be widened up to `max` columns on a terminal with room to spare.
    pub const fn widened_to(mut self, max: usize) -> Column {
        self.max = max;
        self
    }

    /// Left out in this turn (1 first) when every column does not fit.
    pub const fn dropped(mut self, turn: u8) -> Column {
        self.drop = turn;
        self
    }
}

/// A column as it is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Placed {
    /// Its place among the table's columns (the cells of a row).
    index: usize,
    width: usize,
    gap: usize,
}

/// How a table is printed: which columns, how wide, with which headers.
#[derive(Debug, Clone)]
pub struct Layout {
    columns: Vec<Column>,
    placed: Vec<Placed>,
    short: bool,
    /// The terminal's width: lines are cut to it (the last resort when even the fewest
    /// columns do not fit); `None` into a pipe or a file.
    width: Option<usize>,
}

impl Layout {
    /// The layout of `columns` for a terminal of `width` columns, or for a pipe or a file
    /// (`None`): every column as it is.
    pub fn fit(columns: &[Column], width: Option<usize>) -> Layout {
        let every = Layout::with(columns, width, 0, false, false);
        let Some(width) = width else {
            return every;
        };
        let last_turn = columns.iter().map(|c| c.drop).max().unwrap_or(0);
        let mut fewest = every;
        for turn in 0..=last_turn {
            if turn > 0 && !columns.iter().any(|c| c.drop == turn) {
                continue;
            }
            for (short, single) in [(false, false), (true, false), (true, true)] {
                let mut layout = Layout::with(columns, Some(width), turn, short, single);
                if layout.line_width() <= width {
                    layout.widen(width);
                    return layout;
                }
            }
            let mut layout = Layout::with(columns, Some(width), turn, true, true);
            layout.narrow(width);
            if layout.line_width() <= width {
                return layout;
            }
            fewest = layout;
        }
        fewest
    }

    /// The columns kept after `turn`, at their widths.
    fn with(
        columns: &[Column],
        width: Option<usize>,
        turn: u8,
        short: bool,
        single: bool,
    ) -> Layout {
        let placed = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.drop == 0 || c.drop > turn)
            .enumerate()
            .map(|(n, (index, c))| {
                let header = if short { c.short } else { c.header };
                Placed {
                    index,
                    width: c.width.max(UnicodeWidthStr::width(header)),
                    gap: match n {
                        0 => 0,
                        _ if single => c.gap.min(1),
                        _ => c.gap,
                    },
                }
            })
            .collect();
        Layout {
            columns: columns.to_vec(),
            placed,
            short,
            width,
        }
    }

    /// Narrows the widest narrowable column, one terminal column at a time, until the
    /// line fits in `width` or none can be narrowed further.
    fn narrow(&mut self, width: usize) {
        while self.line_width() > width {
            let columns = &self.columns;
            let widest = self
                .placed
                .iter_mut()
                // Its header may be wider than its values: a column that may not be
                // narrowed keeps the header's width too.
                .filter(|p| {
                    let column = &columns[p.index];
                    column.min < column.width && p.width > column.min
                })
                .max_by_key(|p| p.width);
            match widest {
                Some(placed) => placed.width -= 1,
                None => return,
            }
        }
    }

    /// Gives the room a line leaves in `width` to the columns that may widen, in their
    /// order.
    fn widen(&mut self, width: usize) {
        let mut room = width.saturating_sub(self.line_width());
        for placed in &mut self.placed {
            let more = self.columns[placed.index]
                .max
                .saturating_sub(placed.width)
                .min(room);
            placed.width += more;
            room -= more;
        }
    }

    /// Terminal columns a line takes.
    fn line_width(&self) -> usize {
        self.placed.iter().map(|p| p.gap + p.width).sum()
    }

    /// The header line.
    pub fn header(&self) -> String {
        let headers: Vec<&str> = self
            .columns
            .iter()
            .map(|c| if self.short { c.short } else { c.header })
            .collect();
        self.line(&headers)
    }

    /// One line of `cells`, one for each of the table's columns (in their order; the
    /// cells of columns left out are not printed). The cells are printable already.
    pub fn line<S: AsRef<str>>(&self, cells: &[S]) -> String {
        let mut line = String::new();
        let last = self.placed.len().saturating_sub(1);
        for (n, placed) in self.placed.iter().enumerate() {
            let cell = cells.get(placed.index).map_or("", AsRef::as_ref);
            line.extend(std::iter::repeat_n(' ', placed.gap));
            let cell = match self.width {
                Some(_) => cut(cell, placed.width),
                None => cell.to_owned(),
            };
            let room = placed
                .width
                .saturating_sub(UnicodeWidthStr::width(cell.as_str()));
            match self.columns[placed.index].align {
                Align::Right => {
                    line.extend(std::iter::repeat_n(' ', room));
                    line.push_str(&cell);
                }
                // The last column is not padded: no spaces at the end of a line.
                Align::Left if n == last => line.push_str(&cell),
                Align::Left => {
                    line.push_str(&cell);
                    line.extend(std::iter::repeat_n(' ', room));
                }
            }
        }
        match self.width {
            Some(width) => cut(&line, width),
            None => line,
        }
    }
}

#[cfg(test)]
mod tests {
    use unicode_width::UnicodeWidthStr;

    use super::{Align, Column, Layout};

    const COLUMNS: [Column; 4] = [
        Column::new("ID", Align::Right, 5, 0),
        Column::new("NAME", Align::Left, 12, 2).narrowed_to(6),
        Column::new("LONG HEADER", Align::Right, 3, 2)
            .short("LH")
            .dropped(2),
        Column::new("NOTE", Align::Left, 10, 2).dropped(1),
    ];

    fn lines(width: Option<usize>) -> Vec<String> {
        let layout = Layout::fit(&COLUMNS, width);
        vec![
            layout.header(),
            layout.line(&["1", "王小明 Novák-Horváthová", "7", "unanswered"]),
            layout.line(&["22", "eva", "10", "-"]),
        ]
    }

    #[test]
    fn into_a_pipe_nothing_is_cut_or_left_out() {
        assert_eq!(
            lines(None),
            [
                "   ID  NAME          LONG HEADER  NOTE",
                "    1  王小明 Novák-Horváthová            7  unanswered",
                "   22  eva                    10  -",
            ]
        );
    }

    #[test]
    fn a_narrower_terminal_gets_short_headers_single_gaps_narrow_columns_then_fewer() {
        // Everything as written: 5 + 2 + 12 + 2 + 11 + 2 + 10 = 44.
        assert_eq!(lines(Some(44))[0], "   ID  NAME          LONG HEADER  NOTE");
        // Short headers: 5 + 2 + 12 + 2 + 3 + 2 + 10 = 36.
        assert_eq!(lines(Some(43))[0], "   ID  NAME           LH  NOTE");
        // Single gaps: 33.
        assert_eq!(lines(Some(35))[0], "   ID NAME          LH NOTE");
        // NAME narrowed (to 6 at most).
        let narrowed = lines(Some(30));
        assert_eq!(narrowed[0], "   ID NAME       LH NOTE");
        assert_eq!(narrowed[1], "    1 王小明 N…   7 unanswered");
        // NOTE left out first (the rest fits with short headers), then LONG HEADER.
        assert_eq!(lines(Some(26))[1], "    1  王小明 Nová…    7");
        assert_eq!(lines(Some(12))[1], "    1 王小…");
        // Narrower than the fewest columns: each line cut to the width.
        for line in lines(Some(9)) {
            assert!(UnicodeWidthStr::width(line.as_str()) <= 9, "{line:?}");
        }
    }

    #[test]
    fn a_wide_terminal_widens_what_may_widen_and_a_pipe_cuts_nothing() {
        let columns = [
            Column::new("ID", Align::Right, 3, 0),
            Column::new("NAME", Align::Left, 6, 1).widened_to(12),
            Column::new("NOTE", Align::Left, 4, 1),
        ];
        let name = "Novák-Horváthová";
        let line = |width| Layout::fit(&columns, width).line(&["7", name, "ok"]);
        assert_eq!(line(Some(14)), "  7 Novák… ok");
        assert_eq!(line(Some(17)), "  7 Novák-H… ok");
        assert_eq!(line(Some(100)), "  7 Novák-Horvá… ok");
        assert_eq!(line(None), format!("  7 {name} ok"));
    }

    #[test]
    fn no_line_is_wider_than_the_terminal() {
        for width in 1..60 {
            for line in lines(Some(width)) {
                assert!(
                    UnicodeWidthStr::width(line.as_str()) <= width,
                    "{width}: {line:?}"
                );
                assert!(!line.ends_with(' '), "{width}: {line:?}");
            }
        }
    }
}
