//! Events, an event's orders and one order's details, as `floktu events`,
//! `orders` and `order` print them and as the TUI exports the events and
//! orders panes.

use std::io::{self, Write};

use super::{Format, write_csv, write_json, write_table};
use crate::api::{Event, Money, Order, OrderSummary};
use crate::text::sanitize;

/// The columns of the events CSV.
pub const EVENT_HEADERS: [&str; 2] = ["id", "name"];

/// The columns of the orders CSV.
pub const ORDER_HEADERS: [&str; 4] = ["id", "first_name", "last_name", "email"];

/// Events as a table, CSV or JSON.
pub fn write_events(out: &mut dyn Write, events: &[Event], format: Format) -> io::Result<()> {
    let row = |e: &Event| vec![e.id.to_string(), e.name.clone()];
    match format {
        Format::Json => write_json(out, events),
        Format::Csv => write_csv(out, &EVENT_HEADERS, events.iter().map(row)),
        Format::Table => write_table(out, &["ID", "EVENT"], &[12, 80], events.iter().map(row)),
    }
}

/// An order's searchable fields, the name first: what the orders pane and
/// `floktu orders --search` match a query against (`crate::search`).
pub fn search_fields(o: &OrderSummary) -> Vec<String> {
    vec![format!("{} {}", o.first_name, o.last_name), o.email.clone(), o.id.to_string()]
}

/// The orders that match `query` as the orders pane's filter matches them,
/// best first (every order, in list order, for an empty query).
/// `facts` answers the query's qualifiers (`is:due`) about order `i`.
pub fn search<'a>(
    orders: &'a [OrderSummary],
    query: &str,
    facts: &dyn crate::search::Facts,
) -> Vec<&'a OrderSummary> {
    let rows: Vec<String> =
        orders.iter().map(|o| crate::search::fold_row(search_fields(o).iter().map(String::as_str))).collect();
    let query = crate::search::Query::parse(query);
    let kept = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i as u32, r.as_str()))
        .filter(|&(i, r)| query.keeps(facts, i, r));
    crate::search::Matcher::new()
        .rank(&query, kept)
        .into_iter()
        .filter_map(|i| orders.get(i as usize))
        .collect()
}

/// An event's orders as a table, CSV or JSON.
pub fn write_orders(out: &mut dyn Write, orders: &[OrderSummary], format: Format) -> io::Result<()> {
    match format {
        Format::Json => write_json(out, orders),
        Format::Csv => write_csv(
            out,
            &ORDER_HEADERS,
            orders
                .iter()
                .map(|o| vec![o.id.to_string(), o.first_name.clone(), o.last_name.clone(), o.email.clone()]),
        ),
        Format::Table => write_table(
            out,
            &["ID", "NAME", "EMAIL"],
            &[12, 40, 50],
            orders.iter().map(|o| vec![o.id.to_string(), o.display_name(), o.email.clone()]),
        ),
    }
}

/// One order for people: the purchaser, the money, the attendees as a table,
/// then each attendee's answers.
pub fn write_order(out: &mut dyn Write, o: &Order) -> io::Result<()> {
    let money = |m: Option<Money>| m.map_or_else(|| "—".to_string(), |m| m.to_string());
    writeln!(out, "Order    {} · {}", o.id, o.status.as_str())?;
    writeln!(out, "Name     {}", sanitize(&o.name))?;
    writeln!(out, "Email    {}", sanitize(&o.email))?;
    let due = if o.balance_due() { "  BALANCE DUE" } else { "" };
    writeln!(out, "Amount   {}  paid {}{due}", money(o.order_amount), money(o.amount_paid))?;
    if let Some(v) = &o.voucher {
        writeln!(out, "Voucher  {}", sanitize(v))?;
    }
    writeln!(out)?;
    if o.attendees.is_empty() {
        return writeln!(out, "No attendees on this order.");
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
                a.check_in.as_ref().map_or_else(|| "not checked in".to_string(), |c| c.short()),
            ]
        }),
    )?;
    for a in o.attendees.iter().filter(|a| !a.answers.is_empty()) {
        writeln!(out, "\n{} {}:", a.attendee_id, sanitize(&a.display_name().unwrap_or_default()))?;
        for ans in &a.answers {
            let answer = ans.answer.as_deref().unwrap_or("—");
            writeln!(out, "  {}: {}", sanitize(&ans.question), sanitize(answer))?;
        }
    }
    Ok(())
}
