//! The plain subcommands: aligned tables for people, `--json` and `--csv` for scripts.

use std::io::Write;

use anyhow::{Context, Result, bail};

use crate::api::{Event, FloktuClient, Order, OrderSummary, Skipped};
use crate::text::{csv_cell, pad, sanitize, truncate, width};

/// How a command's answer is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// An aligned table for people.
    Table,
    /// JSON, stable for scripts.
    Json,
    /// CSV with a header row, cells safe for spreadsheets.
    Csv,
}

/// Exit codes (DESIGN.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything went well.
    Ok = 0,
    /// Something failed.
    Error = 1,
    /// Usage error, or not logged in.
    Usage = 2,
    /// A partial result: some items could not be read (each named on stderr).
    Partial = 3,
}

/// `floktu events`.
pub async fn events(
    client: &FloktuClient,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let events = client.events().await?;
    match format {
        Format::Json => write_json(out, &events.items)?,
        Format::Csv => write_csv(
            out,
            &["id", "name"],
            events
                .items
                .iter()
                .map(|e| vec![e.id.to_string(), e.name.clone()]),
        )?,
        Format::Table => write_table(
            out,
            &["ID", "EVENT"],
            &[12, 80],
            events
                .items
                .iter()
                .map(|e| vec![e.id.to_string(), e.name.clone()]),
        )?,
    }
    Ok(report_skipped(err, "events", &events.skipped)?)
}

/// `floktu orders EVENT`.
pub async fn orders(
    client: &FloktuClient,
    event: &str,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let event_id = resolve_event(client, event).await?;
    let orders = client.orders(event_id).await?;
    let row = |o: &OrderSummary| {
        vec![
            o.id.to_string(),
            o.first_name.clone(),
            o.last_name.clone(),
            o.email.clone(),
        ]
    };
    match format {
        Format::Json => write_json(out, &orders.items)?,
        Format::Csv => write_csv(
            out,
            &["id", "first_name", "last_name", "email"],
            orders.items.iter().map(row),
        )?,
        Format::Table => write_table(
            out,
            &["ID", "NAME", "EMAIL"],
            &[12, 40, 50],
            orders
                .items
                .iter()
                .map(|o| vec![o.id.to_string(), o.display_name(), o.email.clone()]),
        )?,
    }
    Ok(report_skipped(err, "orders", &orders.skipped)?)
}

/// `floktu order EVENT ORDER`.
pub async fn order(
    client: &FloktuClient,
    event: &str,
    order_id: u64,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let event_id = resolve_event(client, event).await?;
    let order = client.order(event_id, order_id).await?;
    match format {
        Format::Json => write_json(out, &order)?,
        Format::Csv => {
            bail!("`order` prints a table or --json; use `attendees EVENT --csv` for a spreadsheet")
        }
        Format::Table => write_order(out, &order)?,
    }
    Ok(report_skipped(err, "attendees", &order.skipped_attendees)?)
}

/// An event given by id, or by a name (case-insensitive; exact, else a unique part).
pub async fn resolve_event(client: &FloktuClient, arg: &str) -> Result<u64> {
    if let Ok(id) = arg.trim().parse::<u64>() {
        return Ok(id);
    }
    let events = client.events().await.context("looking the event up by name")?;
    pick_event(&events.items, arg)
}

fn pick_event(events: &[Event], arg: &str) -> Result<u64> {
    let needle = arg.trim().to_lowercase();
    if let Some(e) = events.iter().find(|e| e.name.to_lowercase() == needle) {
        return Ok(e.id);
    }
    let matches: Vec<&Event> = events
        .iter()
        .filter(|e| e.name.to_lowercase().contains(&needle))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.id),
        [] => bail!(
            "no event is called {:?}; `floktu events` lists them",
            sanitize(arg)
        ),
        many => {
            let names: Vec<String> = many
                .iter()
                .take(5)
                .map(|e| format!("{} ({})", sanitize(&e.name), e.id))
                .collect();
            bail!(
                "{:?} matches {} events: {}; give the id",
                sanitize(arg),
                many.len(),
                names.join(", ")
            )
        }
    }
}

/// Names each skipped item on stderr; a partial result exits 3.
fn report_skipped(err: &mut dyn Write, what: &str, skipped: &[Skipped]) -> std::io::Result<Exit> {
    if skipped.is_empty() {
        return Ok(Exit::Ok);
    }
    writeln!(
        err,
        "floktu: {} {what} could not be read and were left out:",
        skipped.len()
    )?;
    for s in skipped {
        writeln!(err, "  {}: {}", sanitize(&s.at), sanitize(&s.reason))?;
    }
    Ok(Exit::Partial)
}

fn write_json<T: serde::Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// CSV with every cell sanitized and formula-neutralised.
pub fn write_csv(
    out: &mut dyn Write,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(headers)?;
    for row in rows {
        w.write_record(row.iter().map(|c| csv_cell(c)))?;
    }
    w.flush()?;
    Ok(())
}

/// An aligned table; cells are sanitized and cut to the column's maximum width.
pub fn write_table(
    out: &mut dyn Write,
    headers: &[&str],
    max_widths: &[usize],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<()> {
    let rows: Vec<Vec<String>> = rows
        .map(|r| {
            r.iter()
                .zip(max_widths)
                .map(|(c, &max)| truncate(&sanitize(c), max).into_owned())
                .collect()
        })
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

fn write_order(out: &mut dyn Write, o: &Order) -> Result<()> {
    let money = |m: Option<crate::api::Money>| m.map_or_else(|| "—".to_string(), |m| m.to_string());
    writeln!(out, "Order    {} · {}", o.id, o.status.as_str())?;
    writeln!(out, "Name     {}", sanitize(&o.name))?;
    writeln!(out, "Email    {}", sanitize(&o.email))?;
    let due = if o.balance_due() { "  BALANCE DUE" } else { "" };
    writeln!(
        out,
        "Amount   {}  paid {}{due}",
        money(o.order_amount),
        money(o.amount_paid)
    )?;
    if let Some(v) = &o.voucher {
        writeln!(out, "Voucher  {}", sanitize(v))?;
    }
    writeln!(out)?;
    if o.attendees.is_empty() {
        writeln!(out, "No attendees on this order.")?;
        return Ok(());
    }
    write_table(
        out,
        &["ATTENDEE", "NAME", "COMPANY", "TICKET", "CHECKED IN"],
        &[12, 36, 30, 40, 20],
        o.attendees.iter().map(|a| {
            let ticket = match &a.ticket_group {
                Some(g) => format!("{g} / {}", a.ticket),
                None => a.ticket.clone(),
            };
            vec![
                a.attendee_id.to_string(),
                a.display_name().unwrap_or_default(),
                a.company.clone().unwrap_or_default(),
                ticket,
                a.check_in
                    .as_ref()
                    .map_or_else(|| "not checked in".to_string(), |c| c.short()),
            ]
        }),
    )?;
    for a in o.attendees.iter().filter(|a| !a.answers.is_empty()) {
        writeln!(
            out,
            "\n{} {}:",
            a.attendee_id,
            sanitize(&a.display_name().unwrap_or_default())
        )?;
        for ans in &a.answers {
            let answer = ans.answer.as_deref().unwrap_or("—");
            writeln!(out, "  {}: {}", sanitize(&ans.question), sanitize(answer))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: u64, name: &str) -> Event {
        Event {
            id,
            name: name.into(),
        }
    }

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
        let rows = vec![vec![
            "1".to_string(),
            "\u{1b}]0;owned\u{7}Eve\u{1b}[2J".to_string(),
        ]];
        write_table(&mut out, &["ID", "NAME"], &[10, 10], rows.into_iter()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{1b}'));
        assert!(text.contains("Eve"));
    }

    #[test]
    fn csv_neutralises_formulas() {
        let mut out = Vec::new();
        write_csv(
            &mut out,
            &["name"],
            vec![vec!["=cmd|' /C calc'!A0".to_string()]].into_iter(),
        )
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "name\n'=cmd|' /C calc'!A0\n");
    }

    #[test]
    fn event_by_exact_name_beats_partial_matches() {
        let events = [event(1, "Gala"), event(2, "Gala Dinner")];
        assert_eq!(pick_event(&events, "gala").unwrap(), 1);
        assert_eq!(pick_event(&events, "dinner").unwrap(), 2);
    }

    #[test]
    fn ambiguous_event_name_is_an_error() {
        let events = [event(1, "Rust Meetup May"), event(2, "Rust Meetup June")];
        let err = pick_event(&events, "rust").unwrap_err().to_string();
        assert!(err.contains("matches 2 events"), "{err}");
        assert!(pick_event(&events, "python").is_err());
    }

    #[test]
    fn skipped_items_make_a_partial_result() {
        let mut err = Vec::new();
        let skipped = [Skipped {
            at: "#2".into(),
            reason: "no id".into(),
        }];
        assert_eq!(
            report_skipped(&mut err, "orders", &skipped).unwrap(),
            Exit::Partial
        );
        assert!(String::from_utf8(err).unwrap().contains("#2: no id"));
        assert_eq!(report_skipped(&mut Vec::new(), "orders", &[]).unwrap(), Exit::Ok);
    }
}
