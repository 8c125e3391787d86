//! `floktu stats EVENT`: the numbers of the TUI's stats screen (`s`) — per
//! ticket sold, in, cancelled and money; arrivals per 15 minutes, per gate —
//! from the guest list (fetched into the cached copy as `attendees` does, or
//! `--offline`) and the ledger's admissions.

use std::io::Write;

use anyhow::Result;
use chrono::{Local, Offset, Utc};

use super::door::write_ledger_health;
use super::source::guests;
use super::{Exit, Format, GuestSource};
use crate::ledger::Ledger;
use crate::output::stats::write_stats;

/// `floktu stats EVENT [--offline] [--json]`. Exit 3 when some orders are
/// stale or missing, or the ledger could not be reached (only its local queue
/// was read).
pub async fn stats(
    src: &GuestSource<'_>,
    ledger: &dyn Ledger,
    event: &str,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let shown = guests(src, event, None, err).await?;
    let admissions = ledger.of_event(shown.list.event_id()).await?;
    let now = Utc::now();
    let stats = shown.list.stats(&admissions, Local::now().offset().fix());
    let mut out = std::io::BufWriter::new(out);
    write_stats(&mut out, &stats, now, format)?;
    out.flush()?;
    let exit = shown.report.write(err, now)?;
    let health = ledger.health().await;
    write_ledger_health(err, &health, &[])?;
    Ok(if health.unreachable.is_some() { Exit::Partial } else { exit })
}
