//! The guest record: one attendee of an event as `attendees --json`/`--csv`
//! print it and as the TUI exports the attendees view and an order's attendees.
//! Its field names and their order are stable for scripts.
//!
//! CSV flattens the answers: after the fixed columns ([`HEADERS`]) comes one
//! column per question, every question any of the rows written has, in the
//! order they are first met (questions are the same when their trimmed text
//! is); an attendee without that question has the cell empty, one who
//! answered it twice has both answers, between "; ". A question whose text
//! is a fixed column's name, or another question's once cleaned up, gets
//! " (2)", " (3)" … so that every header is distinct.

use std::io::{self, Write};

use serde::Serialize;

use super::{Format, write_csv, write_json, write_table};
use crate::api::{Answer, Money, Status};
use crate::guestlist::GuestList;

/// One attendee, with their order and the door's verdict.
#[derive(Debug, Serialize)]
pub struct GuestRecord<'a> {
    /// The attendee's id (what a ticket's barcode holds).
    pub attendee_id: u64,
    /// Their first name.
    pub first_name: &'a str,
    /// Their last name.
    pub last_name: &'a str,
    /// Their e-mail answer when it looks like an address, else the purchaser's.
    pub email: &'a str,
    /// Their company.
    pub company: Option<&'a str>,
    /// The ticket's group.
    pub ticket_group: Option<&'a str>,
    /// The ticket.
    pub ticket: &'a str,
    /// Their order.
    pub order_id: u64,
    /// The order's status.
    pub order_status: Status,
    /// Who bought the order.
    pub purchaser_name: &'a str,
    /// The purchaser's e-mail.
    pub purchaser_email: &'a str,
    /// What the order costs.
    pub order_amount: Option<Money>,
    /// What was paid of it.
    pub amount_paid: Option<Money>,
    /// "2026-11-28 19:42:07" as Floktu's time, or its text when unreadable.
    pub checked_in_at: Option<String>,
    /// The door verdict's word.
    pub verdict: &'static str,
    /// The attendee's answers (JSON only).
    pub answers: &'a [Answer],
}

/// The columns of the guest CSV, in order: the record's fields but the answers.
pub const HEADERS: [&str; 15] = [
    "attendee_id",
    "first_name",
    "last_name",
    "email",
    "company",
    "ticket_group",
    "ticket",
    "order_id",
    "order_status",
    "purchaser_name",
    "purchaser_email",
    "order_amount",
    "amount_paid",
    "checked_in_at",
    "verdict",
];

impl<'a> GuestRecord<'a> {
    /// Guest `i` of `list`.
    pub fn of(list: &'a GuestList, i: usize) -> GuestRecord<'a> {
        let g = &list.guests()[i];
        let a = &g.attendee;
        GuestRecord {
            attendee_id: a.attendee_id,
            first_name: &a.first_name,
            last_name: &a.last_name,
            email: g.email(),
            company: a.company.as_deref(),
            ticket_group: a.ticket_group.as_deref(),
            ticket: &a.ticket,
            order_id: g.order.id,
            order_status: g.order.status,
            purchaser_name: &g.order.name,
            purchaser_email: &g.order.email,
            order_amount: g.order.order_amount,
            amount_paid: g.order.amount_paid,
            checked_in_at: a.check_in.as_ref().map(|c| match c.at {
                Some(at) => at.format("%Y-%m-%d %H:%M:%S").to_string(),
                None => c.raw.clone(),
            }),
            verdict: list.verdict(i).word(),
            answers: &a.answers,
        }
    }

    /// The CSV cells, in the order of [`HEADERS`].
    fn csv_row(&self) -> Vec<String> {
        vec![
            self.attendee_id.to_string(),
            self.first_name.to_string(),
            self.last_name.to_string(),
            self.email.to_string(),
            opt(self.company),
            opt(self.ticket_group),
            self.ticket.to_string(),
            self.order_id.to_string(),
            self.order_status.as_str().to_string(),
            self.purchaser_name.to_string(),
            self.purchaser_email.to_string(),
            money(self.order_amount),
            money(self.amount_paid),
            self.checked_in_at.clone().unwrap_or_default(),
            self.verdict.to_string(),
        ]
    }

    /// The table's cells: attendee, name, company, "group / ticket", order,
    /// status, check-in to the minute.
    fn table_row(&self) -> Vec<String> {
        let name = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let ticket = match self.ticket_group {
            Some(g) => format!("{g} / {}", self.ticket),
            None => self.ticket.to_string(),
        };
        vec![
            self.attendee_id.to_string(),
            name.trim().to_string(),
            opt(self.company),
            ticket,
            self.order_id.to_string(),
            self.order_status.as_str().to_string(),
            self.checked_in_at.as_deref().map_or_else(|| "—".to_string(), |t| t.chars().take(16).collect()),
        ]
    }
}

/// Guests `rows` of `list` (indices, in the order given) as a table, CSV or JSON.
pub fn write_guests(out: &mut dyn Write, list: &GuestList, rows: &[usize], format: Format) -> io::Result<()> {
    let records = rows.iter().map(|&i| GuestRecord::of(list, i));
    match format {
        Format::Json => write_json(out, &records.collect::<Vec<_>>()),
        Format::Csv => {
            let questions = questions_of(list, rows);
            let mut headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
            headers.extend(question_headers(&questions));
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            write_csv(
                out,
                &headers,
                records.map(|r| {
                    let mut row = r.csv_row();
                    row.extend(questions.iter().map(|q| answer_to(r.answers, q)));
                    row
                }),
            )
        }
        Format::Table => write_table(
            out,
            &["ATTENDEE", "NAME", "COMPANY", "TICKET", "ORDER", "STATUS", "CHECKED IN"],
            &[12, 32, 24, 36, 12, 11, 16],
            records.map(|r| r.table_row()),
        ),
    }
}

/// Every question the guests `rows` of `list` have, trimmed, in the order first met.
fn questions_of(list: &GuestList, rows: &[usize]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for &i in rows {
        let Some(g) = list.guests().get(i) else { continue };
        for a in &g.attendee.answers {
            let q = a.question.trim();
            if seen.insert(q.to_string()) {
                out.push(q.to_string());
            }
        }
    }
    out
}

/// The questions as headers: cleaned for a file, and distinct from the fixed
/// columns and from each other.
fn question_headers(questions: &[String]) -> Vec<String> {
    let mut taken: std::collections::HashSet<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    questions
        .iter()
        .map(|q| {
            let clean = crate::text::sanitize(q).trim().to_string();
            let clean = if clean.is_empty() { "question".to_string() } else { clean };
            let mut header = clean.clone();
            let mut n = 2;
            while !taken.insert(header.clone()) {
                header = format!("{clean} ({n})");
                n += 1;
            }
            header
        })
        .collect()
}

/// The answers to `question` among `answers`, between "; " (empty when none).
fn answer_to(answers: &[Answer], question: &str) -> String {
    let given: Vec<&str> = answers
        .iter()
        .filter(|a| a.question.trim() == question)
        .filter_map(|a| a.answer.as_deref())
        .filter(|a| !a.trim().is_empty())
        .collect();
    given.join("; ")
}

fn opt(s: Option<&str>) -> String {
    s.unwrap_or_default().to_string()
}

fn money(m: Option<Money>) -> String {
    m.map(|m| m.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Attendee, Order};

    fn hostile_guest_list() -> GuestList {
        let mut list = GuestList::new(12);
        list.add_order(Order {
            id: 100_001,
            name: "@SUM(A1:A9)".into(),
            email: "+buyer@example.com".into(),
            order_amount: Some(Money(2417)),
            amount_paid: Some(Money(2417)),
            voucher: None,
            status: Status::Confirmed,
            attendees: vec![Attendee {
                attendee_id: 500_001,
                ticket_group: Some("-VIP".into()),
                ticket: "Pass".into(),
                check_in: None,
                first_name: "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
                last_name: "\u{1b}]0;owned\u{7}Lee".into(),
                company: None,
                answers: Vec::new(),
            }],
            skipped_attendees: Vec::new(),
        });
        list
    }

    fn written(list: &GuestList, format: Format) -> String {
        let mut out = Vec::new();
        write_guests(&mut out, list, &(0..list.len()).collect::<Vec<_>>(), format).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn attendees_csv_neutralises_formulas_in_every_cell() {
        let text = written(&hostile_guest_list(), Format::Csv);
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let row = rows.records().next().unwrap().unwrap();
        assert_eq!(&row[1], "'=HYPERLINK(\"http://evil.example\",\"x\")");
        assert_eq!(&row[2], "Lee");
        assert_eq!(&row[5], "'-VIP");
        assert_eq!(&row[9], "'@SUM(A1:A9)");
        assert_eq!(&row[10], "'+buyer@example.com");
        assert!(!text.contains('\u{1b}'));
    }

    #[test]
    fn attendees_table_carries_no_escape_sequences() {
        let text = written(&hostile_guest_list(), Format::Table);
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("-VIP / Pass"), "{text}");
    }

    #[test]
    fn attendees_json_carries_no_escape_sequences() {
        let text = written(&hostile_guest_list(), Format::Json);
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains(r"\u001b]0;owned\u0007Lee"), "{text}");
    }

    fn with_answers(answers: &[&[(&str, &str)]]) -> GuestList {
        let mut list = GuestList::new(12);
        let attendees = answers
            .iter()
            .enumerate()
            .map(|(i, given)| Attendee {
                attendee_id: 500 + i as u64,
                ticket_group: None,
                ticket: "Pass".into(),
                check_in: None,
                first_name: format!("Guest{i}"),
                last_name: "Lee".into(),
                company: None,
                answers: given
                    .iter()
                    .map(|(q, a)| Answer { question: q.to_string(), answer: Some(a.to_string()) })
                    .collect(),
            })
            .collect();
        list.add_order(Order {
            id: 1,
            name: "Ann Lee".into(),
            email: "ann@example.com".into(),
            order_amount: None,
            amount_paid: None,
            voucher: None,
            status: Status::Confirmed,
            attendees,
            skipped_attendees: Vec::new(),
        });
        list
    }

    #[test]
    fn attendees_csv_has_a_column_per_question_when_questions_differ_between_attendees() {
        let list = with_answers(&[
            &[("Dietary requirements", "vegetarian"), ("T-shirt", "M")],
            &[("Dietary requirements ", "vegan"), ("Parking", "yes"), ("Parking", "two cars")],
            &[],
            &[("email", "=2+3"), ("T-shirt", "")],
        ]);
        let text = written(&list, Format::Csv);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(headers[..15], HEADERS.map(str::to_string)[..]);
        assert_eq!(headers[15..], ["Dietary requirements", "T-shirt", "Parking", "email (2)"]);
        let rows: Vec<Vec<String>> =
            reader.records().map(|r| r.unwrap().iter().skip(15).map(str::to_string).collect()).collect();
        assert_eq!(rows[0], ["vegetarian", "M", "", ""]);
        assert_eq!(rows[1], ["vegan", "", "yes; two cars", ""]);
        assert_eq!(rows[2], ["", "", "", ""]);
        assert_eq!(rows[3], ["", "", "", "'=2+3"]);
    }

    #[test]
    fn attendees_csv_header_is_stable() {
        let mut out = Vec::new();
        write_guests(&mut out, &GuestList::new(12), &[], Format::Csv).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap().trim_end(),
            "attendee_id,first_name,last_name,email,company,ticket_group,ticket,order_id,order_status,\
             purchaser_name,purchaser_email,order_amount,amount_paid,checked_in_at,verdict"
        );
    }
}
