//! The one table every table pane draws with (event list, facet values, users,
//! repositories, pipelines, versions): columns sized from a rule, the visible
//! window only, the selected row's style, and a header.
//!
//! A pane builds only the rows of [`Table::window`], so the cost of a frame does
//! not depend on how many rows there are.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, StatefulWidget, Widget};
use std::borrow::Cow;
use std::ops::Range;

/// How a column's width is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// Exactly this many cells.
    Fixed(u16),
    /// A share (by weight) of what the other columns leave.
    Fill(u16),
    /// As wide as the widest visible cell or the title, at most `max`; when the
    /// row does not fit, the widest such columns shrink first, down to `min`.
    Content { min: u16, max: u16 },
}

/// Where a cell too long for its column is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cut {
    /// The end goes (the default).
    #[default]
    End,
    /// The middle goes, both ends stay: identities (`AWSReservedSSO_Adm…/alice@example.com`).
    Middle,
    /// The front goes: times keep their time of day.
    Front,
}

#[derive(Debug, Clone)]
pub struct Column<'a> {
    pub title: Cow<'a, str>,
    pub width: Width,
    /// 0 is never dropped; when even the narrowest widths do not fit, columns
    /// with the largest number are dropped first. Content columns also give up
    /// width in that order: the row's least telling columns shrink first.
    pub priority: u8,
    pub cut: Cut,
    /// A fill column's least width: below it, lower-priority columns are dropped.
    pub least: u16,
    /// A content column's widest value over all its rows, not only the visible
    /// ones: its width then stays put while the list scrolls.
    pub widest: Option<usize>,
}

impl<'a> Column<'a> {
    pub fn new(title: impl Into<Cow<'a, str>>, width: Width) -> Column<'a> {
        Column {
            title: title.into(),
            width,
            priority: 0,
            cut: Cut::End,
            least: 1,
            widest: None,
        }
    }

    /// A content column sized for `widest` (the widest of all its values), not
    /// for the rows on screen.
    pub fn widest(mut self, widest: usize) -> Column<'a> {
        self.widest = Some(widest);
        self
    }

    /// A fill column keeps at least `width` cells (a view's name column).
    pub fn at_least(mut self, width: u16) -> Column<'a> {
        self.least = width;
        self
    }

    /// Cells too long for the column are cut where `cut` says.
    pub fn cut(mut self, cut: Cut) -> Column<'a> {
        self.cut = cut;
        self
    }

    pub fn fixed(title: impl Into<Cow<'a, str>>, width: u16) -> Column<'a> {
        Column::new(title, Width::Fixed(width))
    }

    pub fn fill(title: impl Into<Cow<'a, str>>, weight: u16) -> Column<'a> {
        Column::new(title, Width::Fill(weight))
    }

    pub fn content(title: impl Into<Cow<'a, str>>, min: u16, max: u16) -> Column<'a> {
        Column::new(title, Width::Content { min, max })
    }

    pub fn priority(mut self, priority: u8) -> Column<'a> {
        self.priority = priority;
        self
    }

    fn min_width(&self) -> u16 {
        match self.width {
            Width::Fixed(w) => w,
            Width::Fill(_) => self.least.max(1),
            Width::Content { min, .. } => min,
        }
    }
}

/// One row: a line per column and the row's style.
#[derive(Debug, Clone, Default)]
pub struct TableRow<'a> {
    pub cells: Vec<Line<'a>>,
    pub style: Style,
}

impl<'a> TableRow<'a> {
    pub fn new(cells: Vec<Line<'a>>) -> TableRow<'a> {
        TableRow {
            cells,
            style: Style::default(),
        }
    }

    /// A row of plain text cells.
    pub fn texts<S: Into<Cow<'a, str>>>(cells: impl IntoIterator<Item = S>) -> TableRow<'a> {
        TableRow::new(
            cells
                .into_iter()
                .map(|c| Line::from(Span::raw(c.into())))
                .collect(),
        )
    }

    pub fn style(mut self, style: Style) -> TableRow<'a> {
        self.style = style;
        self
    }
}

/// A table over rows `first..first + rows.len()` of a longer list.
#[derive(Debug, Clone)]
pub struct Table<'a> {
    columns: Vec<Column<'a>>,
    rows: Vec<TableRow<'a>>,
    first: usize,
    selected: Option<(usize, Style)>,
    header: Style,
    spacing: u16,
    /// Leading columns scrolled out of view (`←`/`→`); `None`: the table
    /// does not scroll sideways.
    skip: Option<usize>,
    /// A cell of the selected row drawn apart (the list's cell cursor).
    cell: Option<(usize, Style)>,
}

impl<'a> Table<'a> {
    pub fn new(columns: Vec<Column<'a>>, rows: Vec<TableRow<'a>>) -> Table<'a> {
        Table {
            columns,
            rows,
            first: 0,
            selected: None,
            header: Style::default(),
            spacing: 1,
            skip: None,
            cell: None,
        }
    }

    /// Scrolls the first `skip` columns out of view: columns that did not fit
    /// come in from the right.
    pub fn skip_columns(mut self, skip: usize) -> Table<'a> {
        self.skip = Some(skip.min(self.columns.len().saturating_sub(1)));
        self
    }

    /// Column `column` of the selected row gets `style` on top (a cell cursor).
    pub fn focused_cell(mut self, column: Option<usize>, style: Style) -> Table<'a> {
        self.cell = column.map(|c| (c, style));
        self
    }

    /// The columns shown for `width`, in order.
    pub fn shown_columns(&self, width: u16) -> Vec<usize> {
        self.layout(width).into_iter().map(|(k, _)| k).collect()
    }

    /// The column drawn at `x` (cells from the left edge of the table) for
    /// `width`, if a column is there.
    pub fn column_at(&self, x: u16, width: u16) -> Option<usize> {
        let layout = self.layout(width);
        let cells = ratatui::layout::Layout::horizontal(layout.iter().map(|(_, c)| *c))
            .spacing(self.spacing)
            .split(Rect::new(0, 0, width, 1));
        layout
            .iter()
            .zip(cells.iter())
            .find(|(_, r)| x >= r.x && x < r.x + r.width + self.spacing)
            .map(|((k, _), _)| *k)
    }

    /// A view's table as every table pane draws it: the window's rows, the
    /// cursor's row selected, the theme's header.
    pub fn of_window(
        columns: Vec<Column<'a>>,
        rows: Vec<TableRow<'a>>,
        window: &Range<usize>,
        cursor: &super::Cursor,
        theme: &crate::tui::theme::Theme,
    ) -> Table<'a> {
        Table::new(columns, rows)
            .first(window.start)
            .selected(cursor.selected, theme.selected)
            .header_style(theme.header)
    }

    /// Rows available for data in `area` (one line goes to the header).
    pub fn body_height(area: Rect) -> usize {
        area.height.saturating_sub(1) as usize
    }

    /// The rows to build for `area`: the window that keeps the cursor's row visible.
    pub fn window(area: Rect, cursor: &super::Cursor, len: usize) -> Range<usize> {
        let height = Self::body_height(area);
        let start = cursor.window_start(height).min(len);
        start..(start + height).min(len)
    }

    /// The list position of the first row given.
    pub fn first(mut self, first: usize) -> Table<'a> {
        self.first = first;
        self
    }

    /// The selected row (a position in the whole list) and the style patched onto it.
    pub fn selected(mut self, row: usize, style: Style) -> Table<'a> {
        self.selected = Some((row, style));
        self
    }

    pub fn header_style(mut self, style: Style) -> Table<'a> {
        self.header = style;
        self
    }

    /// Which columns are drawn, and their widths, for `width` cells.
    pub fn layout(&self, width: u16) -> Vec<(usize, Constraint)> {
        let spacing = self.spacing as usize;
        let skip = self.skip.unwrap_or(0).min(self.columns.len());
        let mut keep: Vec<usize> = (skip..self.columns.len()).collect();
        // What each column needs at the least: its minimum, or less when its
        // content is narrower (short names do not push other columns out).
        let least: Vec<usize> = (0..self.columns.len())
            .map(|k| match self.columns[k].width {
                Width::Content { .. } => {
                    (self.columns[k].min_width() as usize).min(self.natural(k))
                }
                _ => self.columns[k].min_width() as usize,
            })
            .collect();
        let needed = |keep: &[usize]| -> usize {
            keep.iter().map(|&k| least[k]).sum::<usize>() + spacing * keep.len().saturating_sub(1)
        };
        while needed(&keep) > width as usize {
            let Some(drop) = keep
                .iter()
                .enumerate()
                .filter(|(_, k)| self.columns[**k].priority > 0)
                .max_by_key(|(pos, k)| (self.columns[**k].priority, *pos))
                .map(|(pos, _)| pos)
            else {
                break;
            };
            keep.remove(drop);
        }
        // Content columns: the widest visible cell, capped, then shrunk to fit.
        let mut widths: Vec<usize> = keep
            .iter()
            .map(|&k| match self.columns[k].width {
                Width::Fixed(w) => w as usize,
                Width::Fill(_) => 0,
                Width::Content { .. } => self.natural(k),
            })
            .collect();
        let fixed: usize = keep
            .iter()
            .zip(&widths)
            .filter(|(k, _)| matches!(self.columns[**k].width, Width::Fixed(_)))
            .map(|(_, w)| *w)
            .sum();
        let available = (width as usize)
            .saturating_sub(spacing * keep.len().saturating_sub(1))
            .saturating_sub(fixed);
        let content: Vec<usize> = (0..keep.len())
            .filter(|&p| matches!(self.columns[keep[p]].width, Width::Content { .. }))
            .collect();
        while content.iter().map(|&p| widths[p]).sum::<usize>() > available {
            let Some(&p) = content
                .iter()
                .filter(|&&p| widths[p] > self.columns[keep[p]].min_width() as usize)
                .max_by_key(|&&p| (self.columns[keep[p]].priority, widths[p]))
            else {
                break;
            };
            widths[p] -= 1;
        }
        keep.iter()
            .zip(widths)
            .map(|(&k, w)| {
                let c = match self.columns[k].width {
                    Width::Fill(weight) => Constraint::Fill(weight),
                    _ => Constraint::Length(w as u16),
                };
                (k, c)
            })
            .collect()
    }
}

impl Table<'_> {
    /// A content column's width before any shrinking: its widest cell or its
    /// title, at most its maximum.
    fn natural(&self, k: usize) -> usize {
        let Width::Content { max, .. } = self.columns[k].width else {
            return self.columns[k].min_width() as usize;
        };
        let widest = self.columns[k].widest.unwrap_or_else(|| {
            self.rows
                .iter()
                .filter_map(|r| r.cells.get(k))
                .map(Line::width)
                .max()
                .unwrap_or(0)
        });
        widest
            .max(self.columns[k].title.chars().count())
            .min(max as usize)
    }
}

impl Widget for Table<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        // Fill shares resolved to cells, so cells can be cut to their column.
        let layout = self.layout(area.width);
        let cells = ratatui::layout::Layout::horizontal(layout.iter().map(|(_, c)| *c))
            .spacing(self.spacing)
            .split(Rect::new(0, 0, area.width, 1));
        let layout: Vec<(usize, Constraint)> = layout
            .iter()
            .zip(cells.iter())
            .map(|((k, _), r)| (*k, Constraint::Length(r.width)))
            .collect();
        let header = Row::new(
            layout
                .iter()
                .map(|(k, _)| Cell::from(self.columns[*k].title.clone())),
        )
        .style(self.header);
        let selected = self.selected;
        let first = self.first;
        let rows: Vec<Row> = self
            .rows
            .into_iter()
            .enumerate()
            .map(|(n, row)| {
                let style = match selected {
                    Some((s, sel)) if s == first + n => row.style.patch(sel),
                    _ => row.style,
                };
                let is_selected = matches!(selected, Some((s, _)) if s == first + n);
                let mut cells: Vec<Option<Line>> = row.cells.into_iter().map(Some).collect();
                Row::new(
                    layout
                        .iter()
                        .map(|(k, width)| {
                            let line = cells.get_mut(*k).and_then(Option::take).unwrap_or_default();
                            let cell = Cell::from(cut(line, self.columns[*k].cut, *width));
                            match self.cell {
                                Some((c, focus)) if is_selected && c == *k => cell.style(focus),
                                _ => cell,
                            }
                        })
                        .collect::<Vec<_>>(),
                )
                .style(style)
            })
            .collect();
        let widths: Vec<Constraint> = layout.iter().map(|(_, c)| *c).collect();
        let table = ratatui::widgets::Table::new(rows, widths)
            .header(header)
            .column_spacing(self.spacing);
        StatefulWidget::render(
            table,
            area,
            buf,
            &mut ratatui::widgets::TableState::default(),
        );
    }
}

/// `line` cut to a column of `width` where `how` says (a cut cell keeps the
/// style of its first span; ratatui itself only drops the end).
fn cut(line: Line<'_>, how: Cut, width: Constraint) -> Line<'_> {
    let Constraint::Length(w) = width else {
        return line;
    };
    let w = w as usize;
    if how == Cut::End || line.width() <= w {
        return line;
    }
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let style = line.spans.first().map(|s| s.style).unwrap_or_default();
    let text = match how {
        Cut::Middle => crate::output::table::cut_middle(&text, w),
        _ => crate::output::table::cut_front(&text, w),
    };
    Line::from(Span::styled(text, style)).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(width_rule: Vec<Column<'static>>, cells: &[&[&'static str]]) -> Table<'static> {
        let rows = cells
            .iter()
            .map(|r| TableRow::texts(r.iter().copied()))
            .collect();
        Table::new(width_rule, rows)
    }

    #[test]
    fn content_columns_take_the_widest_cell_then_shrink_the_widest_first() {
        let t = table(
            vec![Column::content("A", 2, 10), Column::content("B", 2, 10)],
            &[&["abcdef", "xy"], &["a", "wxyz"]],
        );
        assert_eq!(
            t.layout(20),
            [(0, Constraint::Length(6)), (1, Constraint::Length(4))]
        );
        // 7 cells for two columns and one space: the wider shrinks first.
        assert_eq!(
            t.layout(8),
            [(0, Constraint::Length(4)), (1, Constraint::Length(3))]
        );
    }

    #[test]
    fn low_priority_columns_go_first_when_nothing_fits() {
        let t = table(
            vec![
                Column::fixed("Name", 10),
                Column::fixed("Extra", 10).priority(2),
                Column::fixed("Count", 5).priority(1),
            ],
            &[],
        );
        let kept = |w| t.layout(w).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(kept(27), [0, 1, 2]);
        assert_eq!(kept(20), [0, 2]);
        assert_eq!(kept(12), [0]);
        assert_eq!(kept(3), [0], "the name column is never dropped");
    }

    #[test]
    fn renders_header_window_and_selection() {
        use ratatui::style::Modifier;
        let rows = (10..13)
            .map(|k| TableRow::texts([format!("row{k}")]))
            .collect();
        let t = Table::new(vec![Column::fill("Name", 1)], rows)
            .first(10)
            .selected(11, Style::default().add_modifier(Modifier::REVERSED));
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 4));
        t.render(buf.area, &mut buf);
        let text: Vec<String> = (0..4)
            .map(|y| (0..6).map(|x| buf[(x, y)].symbol().to_string()).collect())
            .collect();
        assert_eq!(text, ["Name  ", "row10 ", "row11 ", "row12 "]);
        assert!(buf[(0, 2)].modifier.contains(Modifier::REVERSED));
        assert!(!buf[(0, 1)].modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn low_priority_columns_give_up_width_first_and_cuts_keep_the_telling_end() {
        let t = table(
            vec![
                Column::content("Actor", 10, 40).cut(Cut::Middle),
                Column::content("Error", 5, 40).priority(3),
                Column::content("Time", 8, 19).cut(Cut::Front).priority(1),
            ],
            &[&[
                "AWSReservedSSO_Admin_0123456789/alice@example.com",
                "AccessDeniedExceptionWithALongName",
                "2024-03-01 10:42:07",
            ]],
        );
        // 60 cells: Error shrinks to its minimum before Time, and Time before Actor.
        let widths: Vec<Constraint> = t.layout(60).into_iter().map(|(_, c)| c).collect();
        assert_eq!(
            widths,
            [
                Constraint::Length(40),
                Constraint::Length(5),
                Constraint::Length(13)
            ]
        );
        let mut buf = Buffer::empty(Rect::new(0, 0, 60, 2));
        t.render(buf.area, &mut buf);
        let row: String = (0..60).map(|x| buf[(x, 1)].symbol().to_string()).collect();
        assert!(row.starts_with("AWSReserved"), "{row}");
        assert!(
            row.contains("…") && row.contains("/alice@example.com "),
            "{row}"
        );
        assert!(row.trim_end().ends_with("…-01 10:42:07"), "{row}");
    }

    #[test]
    fn the_window_follows_the_cursor() {
        let area = Rect::new(0, 0, 10, 4);
        let cursor = super::super::Cursor {
            selected: 7,
            offset: 0,
        };
        assert_eq!(Table::window(area, &cursor, 20), 5..8);
        assert_eq!(Table::window(area, &cursor, 0), 0..0);
    }
}
