//! The three writers every record goes through: an aligned table for people,
//! CSV and JSON for scripts. Each makes the server's text safe on its way out
//! and reports a failed write as the `std::io::Error` it is, so that a closed
//! pipe is recognisable by its kind (see [`super::closed_pipe`]).

use std::io::{self, Write};

use crate::text::{csv_cell, is_plain, pad, sanitize, truncate, width};

/// Pretty JSON in which every character a terminal could obey is escaped.
pub fn write_json<T: serde::Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    let mut json = serde_json::Serializer::with_formatter(&mut *out, TerminalSafeJson::default());
    // serde_json hands back the writer's own error inside its own: unwrap it.
    value.serialize(&mut json).map_err(io::Error::from)?;
    writeln!(out)
}

/// serde_json's pretty printer, except that strings also get `\uXXXX` for DEL, C1
/// controls, bidi controls and zero-width characters (serde_json escapes only C0):
/// the JSON means the same, but `floktu orders 12 --json` in a terminal cannot
/// start an escape sequence or reorder the text around it.
#[derive(Default)]
struct TerminalSafeJson(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for TerminalSafeJson {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        let mut plain_from = 0;
        for (i, c) in fragment.char_indices().filter(|&(_, c)| !is_plain(c)) {
            w.write_all(&fragment.as_bytes()[plain_from..i])?;
            for unit in c.encode_utf16(&mut [0; 2]) {
                write!(w, "\\u{unit:04x}")?;
            }
            plain_from = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[plain_from..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// CSV with a header row and every cell sanitized and formula-neutralised.
pub fn write_csv(
    out: &mut dyn Write,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(headers.iter().map(|h| csv_cell(h))).map_err(csv_io)?;
    for row in rows {
        w.write_record(row.iter().map(|c| csv_cell(c))).map_err(csv_io)?;
    }
    w.flush()
}

/// The writer's own error out of the csv crate's (which would hide its kind).
fn csv_io(e: csv::Error) -> io::Error {
    if !e.is_io_error() {
        return io::Error::other(e);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// An aligned table; cells are sanitized and cut to the column's maximum width.
pub fn write_table(
    out: &mut dyn Write,
    headers: &[&str],
    max_widths: &[usize],
    rows: impl Iterator<Item = Vec<String>>,
) -> io::Result<()> {
    let rows: Vec<Vec<String>> = rows
        .map(|r| r.iter().zip(max_widths).map(|(c, &max)| truncate(&sanitize(c), max).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: &[String]| -> String {
        let last = cells.len().saturating_sub(1);
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| if i == last { c.clone() } else { pad(c, widths[i]) })
            .collect();
        parts.join("  ").trim_end().to_string()
    };
    let head: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    writeln!(out, "{}", line(&head))?;
    for row in &rows {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Event;

    #[test]
    fn table_columns_align_with_wide_characters() {
        let mut out = Vec::new();
        let rows = vec![
            vec!["1".to_string(), "王王".to_string(), "x".to_string()],
            vec!["22".into(), "ab".into(), "y".into()],
        ];
        write_table(&mut out, &["ID", "NAME", "E"], &[10, 10, 10], rows.into_iter()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let cols: Vec<usize> = text.lines().map(|l| width(&l[..l.rfind(' ').unwrap()])).collect();
        assert!(cols.windows(2).all(|w| w[0] == w[1]), "{text}");
    }

    #[test]
    fn table_cells_never_carry_escape_sequences() {
        let mut out = Vec::new();
        let rows = vec![vec!["1".to_string(), "\u{1b}]0;owned\u{7}Eve\u{1b}[2J".to_string()]];
        write_table(&mut out, &["ID", "NAME"], &[10, 10], rows.into_iter()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{1b}'));
        assert!(text.contains("Eve"));
    }

    #[test]
    fn csv_neutralises_formulas() {
        let mut out = Vec::new();
        write_csv(&mut out, &["name"], vec![vec!["=cmd|' /C calc'!A0".to_string()]].into_iter()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "name\n'=cmd|' /C calc'!A0\n");
    }

    #[test]
    fn csv_neutralises_formulas_behind_white_space() {
        let cells = ["\t=HYPERLINK(A1)", " =1+1", "\r=1+1", "\n@SUM(A1)", "-12.50", "12.50"];
        let mut out = Vec::new();
        write_csv(&mut out, &["cell"], cells.iter().map(|c| vec![c.to_string()])).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().skip(1).collect();
        // A negative amount is neutralised like any other leading '-' (text "-12.50"
        // in a spreadsheet); a positive one is left alone.
        assert_eq!(lines, ["' =HYPERLINK(A1)", "' =1+1", "' =1+1", "' @SUM(A1)", "'-12.50", "12.50"]);
    }

    #[test]
    fn json_output_escapes_what_a_terminal_would_obey_without_changing_it() {
        let events = vec![Event {
            id: 1,
            name: "a\u{9b}31m\u{202e}b\u{7f}\u{1b}]0;t\u{7}\u{200d}王👩\u{e0041}".into(),
        }];
        let mut out = Vec::new();
        write_json(&mut out, &events).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(r"a\u009b31m\u202eb\u007f\u001b]0;t\u0007\u200d王👩\udb40\udc41"), "{text}");
        assert!(text.starts_with("[\n  {\n    \"id\": 1,"), "still pretty: {text}");
        assert_eq!(serde_json::from_str::<Vec<Event>>(&text).unwrap(), events);
    }

    /// A writer whose reader has gone, as stdout is after `| head -1`.
    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_comes_back_as_a_broken_pipe_from_every_writer() {
        let rows = || vec![vec!["1".to_string()]].into_iter();
        let kinds = [
            write_json(&mut ClosedPipe, &[1, 2, 3]).unwrap_err().kind(),
            write_csv(&mut ClosedPipe, &["id"], rows()).unwrap_err().kind(),
            write_table(&mut ClosedPipe, &["ID"], &[10], rows()).unwrap_err().kind(),
        ];
        assert_eq!(kinds, [io::ErrorKind::BrokenPipe; 3]);
    }
}
