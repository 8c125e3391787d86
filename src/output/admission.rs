//! The admissions record: who was admitted, at which gate and when, undone
//! ones marked, as `floktu admissions` prints it.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Format, write_csv, write_json, write_table};
use crate::ledger::Gate;

/// One admission.
#[derive(Clone, Debug, Serialize)]
pub struct AdmissionRecord {
    /// The attendee.
    pub attendee_id: u64,
    /// Their order.
    pub order_id: u64,
    /// Their name, when the guest list is cached.
    pub name: String,
    /// Where they came in.
    pub gate: Gate,
    /// When.
    pub at: DateTime<Utc>,
    /// Who was at the terminal.
    pub user: String,
    /// When it was undone, if it was.
    pub undone_at: Option<DateTime<Utc>>,
    /// Which gate undid it.
    pub undone_gate: Option<Gate>,
}

/// The columns of the admissions CSV.
pub const HEADERS: [&str; 8] =
    ["attendee_id", "order_id", "name", "gate", "at", "user", "undone_at", "undone_gate"];

impl AdmissionRecord {
    /// The cells in the order of [`HEADERS`], times written by `time`; the
    /// table shows the same cells with the last two in one column.
    fn row(&self, time: &dyn Fn(&DateTime<Utc>) -> String) -> Vec<String> {
        vec![
            self.attendee_id.to_string(),
            self.order_id.to_string(),
            self.name.clone(),
            self.gate.to_string(),
            time(&self.at),
            self.user.clone(),
            self.undone_at.as_ref().map(time).unwrap_or_default(),
            self.undone_gate.as_ref().map(Gate::to_string).unwrap_or_default(),
        ]
    }

    /// [`Self::row`] in local time, "undone TIME at GATE" in the last column.
    fn table_row(&self) -> Vec<String> {
        let local =
            |t: &DateTime<Utc>| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string();
        let mut cells = self.row(&local);
        let gate = cells.pop().unwrap_or_default();
        let at = cells.pop().unwrap_or_default();
        cells.push(match (at.is_empty(), gate.is_empty()) {
            (true, _) => String::new(),
            (false, true) => format!("undone {at}"),
            (false, false) => format!("undone {at} at {gate}"),
        });
        cells
    }
}

/// Admissions as JSON, CSV (times in RFC 3339, UTC), or a table (local times)
/// ending in how many count.
pub fn write_admissions(out: &mut dyn Write, records: &[AdmissionRecord], format: Format) -> io::Result<()> {
    let rfc = |t: &DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    match format {
        Format::Json => write_json(out, records),
        Format::Csv => write_csv(out, &HEADERS, records.iter().map(|r| r.row(&rfc))),
        Format::Table => {
            write_table(
                out,
                &["ATTENDEE", "ORDER", "NAME", "GATE", "AT", "USER", "UNDONE"],
                &[12, 12, 36, 20, 20, 16, 40],
                records.iter().map(AdmissionRecord::table_row),
            )?;
            let counting = records.iter().filter(|r| r.undone_at.is_none()).count();
            writeln!(out, "{counting} admitted ({} undone)", records.len() - counting)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(undone: Option<(&str, Option<&str>)>) -> AdmissionRecord {
        let at = DateTime::parse_from_rfc3339("2026-11-28T19:42:07Z").unwrap().with_timezone(&Utc);
        AdmissionRecord {
            attendee_id: 501,
            order_id: 1,
            name: "=Ann \u{1b}[2JLee".into(),
            gate: Gate::new("north").unwrap(),
            at,
            user: "door".into(),
            undone_at: undone.map(|_| at + chrono::TimeDelta::minutes(1)),
            undone_gate: undone.and_then(|(_, g)| g.map(|g| Gate::new(g).unwrap())),
        }
    }

    #[test]
    fn csv_and_table_show_the_same_admission() {
        let records = [record(None), record(Some(("", Some("south")))), record(Some(("", None)))];
        let mut csv = Vec::new();
        write_admissions(&mut csv, &records, Format::Csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], HEADERS.join(","));
        assert_eq!(lines[1], "501,1,'=Ann Lee,north,2026-11-28T19:42:07Z,door,,");
        assert_eq!(lines[2], "501,1,'=Ann Lee,north,2026-11-28T19:42:07Z,door,2026-11-28T19:43:07Z,south");
        let mut table = Vec::new();
        write_admissions(&mut table, &records, Format::Table).unwrap();
        let table = String::from_utf8(table).unwrap();
        assert!(!table.contains('\u{1b}'), "{table}");
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[2].contains("undone ") && lines[2].ends_with(" at south"), "{table}");
        assert!(lines[3].contains("undone ") && !lines[3].contains(" at "), "{table}");
        assert_eq!(lines[4], "1 admitted (2 undone)");
    }
}
