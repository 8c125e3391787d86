//! An event's stats (`guestlist::Stats`) as `floktu stats` prints them: per
//! ticket sold, in, cancelled and money; the arrivals per 15 minutes (per
//! gate when there are several); and how old the data is. `--json` is the
//! `Stats` record itself (money as decimal strings, times in RFC 3339).

use std::io::{self, Write};

use chrono::{DateTime, Utc};

use super::{Format, write_json, write_table};
use crate::guestlist::{Figures, Stats};
use crate::ledger::ago;
use crate::text::{sanitize, thousands};

/// The stats as JSON, or as tables for people (times of arrival as the
/// wall clock has them; data ages measured at `now`).
pub fn write_stats(out: &mut dyn Write, stats: &Stats, now: DateTime<Utc>, format: Format) -> io::Result<()> {
    match format {
        Format::Json | Format::Csv => write_json(out, stats),
        Format::Table => write_tables(out, stats, now),
    }
}

/// "845 of 1,234 in (68%)".
pub fn arrived_of_sold(f: &Figures) -> String {
    let percent = (f.arrived * 100).checked_div(f.sold).unwrap_or(0);
    format!("{} of {} in ({percent}%)", thousands(f.arrived), thousands(f.sold))
}

fn write_tables(out: &mut dyn Write, s: &Stats, now: DateTime<Utc>) -> io::Result<()> {
    let name =
        s.event_name.as_deref().map_or_else(|| format!("Event {}", s.event_id), |n| sanitize(n).into_owned());
    writeln!(
        out,
        "{name} (event {}): {}, {} cancelled",
        s.event_id,
        arrived_of_sold(&s.total),
        thousands(s.total.cancelled)
    )?;
    writeln!(out)?;
    let row = |label: String, f: &Figures| {
        vec![
            label,
            thousands(f.sold),
            thousands(f.arrived),
            thousands(f.cancelled),
            f.money.paid.to_string(),
            f.money.due.to_string(),
            f.money.refunded.to_string(),
        ]
    };
    let mut rows: Vec<Vec<String>> = s.tickets.iter().map(|t| row(t.label(), &t.figures)).collect();
    let lone = s.no_attendees;
    if lone != Default::default() {
        let mut cells =
            row("(orders without attendees)".into(), &Figures { money: lone, ..Figures::default() });
        cells[1..4].iter_mut().for_each(String::clear);
        rows.push(cells);
    }
    let all = Figures { money: s.total.money.plus(lone), ..s.total };
    rows.push(row("All tickets".into(), &all));
    write_table(
        out,
        &["TICKET", "SOLD", "IN", "CANCELLED", "PAID", "DUE", "REFUNDED"],
        &[48, 10, 10, 10, 14, 14, 14],
        rows.into_iter(),
    )?;
    writeln!(out)?;
    write_arrivals(out, s)?;
    writeln!(out)?;
    writeln!(out, "{}", data_age(s, now))
}

fn write_arrivals(out: &mut dyn Write, s: &Stats) -> io::Result<()> {
    let a = &s.arrivals;
    if a.total.is_empty() {
        writeln!(out, "No arrivals at a known time yet.")?;
    } else {
        let mut headers = vec![format!("ARRIVALS PER {} MIN", a.bucket_minutes), "TOTAL".to_string()];
        headers.extend(a.series.iter().map(|s| s.name.clone()));
        let rows = (0..a.total.len()).map(|i| {
            let mut cells = vec![
                a.bucket_start(i).map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
                a.total[i].to_string(),
            ];
            cells.extend(a.series.iter().map(|s| s.counts[i].to_string()));
            cells
        });
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let widths = vec![24; headers.len()];
        write_table(out, &headers, &widths, rows)?;
    }
    if a.earlier > 0 {
        writeln!(out, "{} arrived more than a day before these.", thousands(a.earlier))?;
    }
    if a.untimed > 0 {
        writeln!(
            out,
            "{} checked in at a time Floktu gave in a form that could not be read.",
            thousands(a.untimed)
        )?;
    }
    Ok(())
}

/// "Data: order list fetched 3 min ago; oldest order details 5 min old; 2 orders stale, 1 missing."
pub fn data_age(s: &Stats, now: DateTime<Utc>) -> String {
    let d = &s.data;
    let mut parts = vec![match d.fetched_at {
        Some(at) => format!("order list fetched {} ago", ago(now, at)),
        None => "no order list yet".to_string(),
    }];
    if let Some(oldest) = d.oldest {
        parts.push(format!("oldest order details {} old", ago(now, oldest)));
    }
    if d.stale > 0 {
        parts.push(format!("{} orders stale (last known details counted)", thousands(d.stale)));
    }
    if d.missing > 0 {
        parts.push(format!("{} orders missing (not counted)", thousands(d.missing)));
    }
    if d.unlisted_admissions > 0 {
        parts.push(format!("{} admissions of tickets not in the list", thousands(d.unlisted_admissions)));
    }
    format!("Data: {}.", parts.join("; "))
}
