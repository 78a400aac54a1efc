//! The press-style briefing: one bullet per activity type with a non-zero
//! tally, built from the type's phrase ("carried out nine warrants in
//! relation to making indecent images of children").

use std::io::{self, Write};

use super::terminal_safe;
use crate::phrase::{press_number, Phrase, Slot, Values};
use crate::report::{format_range, BriefingItem, Report};

struct ItemValues<'a>(&'a BriefingItem);

impl Values for ItemValues<'_> {
    fn get(&self, slot: Slot) -> Option<String> {
        let i = self.0;
        match slot {
            Slot::Count => Some(press_number(i.count)),
            Slot::Noun => Some(if i.count == 1 {
                i.noun.clone()
            } else {
                i.plural.clone()
            }),
            Slot::Value => match (i.measure, i.value) {
                (Some(m), Some(v)) => Some(m.display(v)),
                _ => None,
            },
            Slot::Detail => i.detail.clone(),
            Slot::Partner => i.partner.clone(),
            Slot::Area => i.area.clone(),
            Slot::Force => i.force.clone(),
        }
    }
}

/// One bullet's text: the type's phrase filled in (`Phrase::bullet`: the
/// default wording for a type without a phrase of its own, never half a
/// sentence).
pub fn bullet(item: &BriefingItem) -> String {
    Phrase::bullet(&item.phrase, &ItemValues(item))
}

pub fn render(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let marked = if r.provisional.is_some() {
        "PROVISIONAL — "
    } else {
        ""
    };
    writeln!(
        out,
        "{marked}{} — {}",
        terminal_safe(&r.scope()),
        format_range(&r.period)
    )?;
    writeln!(out)?;
    let items: Vec<&BriefingItem> = r.briefing.iter().filter(|i| i.count > 0).collect();
    if items.is_empty() {
        writeln!(out, "No activity was recorded in this period.")?;
    } else if r.provisional.is_some() {
        writeln!(
            out,
            "During the week of action, officers (provisional figures):"
        )?;
    } else {
        writeln!(out, "During the week of action, officers:")?;
    }
    for item in items {
        writeln!(out, "- {}", terminal_safe(&bullet(item)))?;
    }
    footer(r, &|s| terminal_safe(s).into_owned(), out)?;
    super::signoff::write(r, &|s: &str| terminal_safe(s).into_owned(), out)
}

/// The notes under a briefing or markdown report: provisional figures (and
/// why), and the history chain head a supervisor signs off against. Each
/// note is a paragraph of its own, so that in Markdown neither swallows the
/// other; `text` escapes a user's words for the format.
pub fn footer(r: &Report, text: &dyn Fn(&str) -> String, out: &mut dyn Write) -> io::Result<()> {
    if let Some(p) = &r.provisional {
        writeln!(out)?;
        writeln!(out, "{}", text(&p.note()))?;
    }
    if r.chain_head.is_some() {
        writeln!(out)?;
    }
    match r.chain_head.as_deref() {
        Some(crate::chain::GENESIS) => writeln!(
            out,
            "Record check: no corrections recorded (verify with `opweek check`)."
        )?,
        Some(head) => writeln!(
            out,
            "Record check: history chain head {head} (verify with `opweek check`)."
        )?,
        None => {}
    }
    Ok(())
}
