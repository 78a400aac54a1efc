//! The press-style briefing: one bullet per activity type with a non-zero
//! tally, built from the type's phrase ("carried out nine warrants in
//! relation to making indecent images of children").

use std::io::{self, Write};

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
            Slot::Detail => i.detail.clone(),
            Slot::Partner => i.partner.clone(),
            Slot::Area => i.area.clone(),
            Slot::Force => i.force.clone(),
        }
    }
}

/// One bullet's text. A phrase that no longer parses (edited in the
/// database by hand) falls back to "{count} {noun}" rather than failing the
/// whole briefing.
pub fn bullet(item: &BriefingItem) -> String {
    let values = ItemValues(item);
    match Phrase::parse(&item.phrase) {
        Ok(p) => p.render(&values),
        Err(_) => format!(
            "{} {}",
            values.get(Slot::Count).unwrap_or_default(),
            values.get(Slot::Noun).unwrap_or_default()
        ),
    }
}

pub fn render(r: &Report, provisional: bool, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{} — {}", r.scope(), format_range(&r.period))?;
    writeln!(out)?;
    let items: Vec<&BriefingItem> = r.briefing.iter().filter(|i| i.count > 0).collect();
    if items.is_empty() {
        writeln!(out, "No activity was recorded in this period.")?;
    } else {
        writeln!(out, "During the week of action, officers:")?;
        for item in items {
            writeln!(out, "- {}", bullet(item))?;
        }
    }
    footer(r, provisional, out)?;
    super::signoff::write(r, &|s: &str| s.to_string(), out)
}

/// The notes under a briefing or markdown report: provisional figures, and
/// the history chain head a supervisor signs off against.
pub fn footer(r: &Report, provisional: bool, out: &mut dyn Write) -> io::Result<()> {
    if provisional || r.chain_head.is_some() {
        writeln!(out)?;
    }
    if provisional {
        writeln!(
            out,
            "* These figures are provisional: exhibits are still being counted."
        )?;
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
