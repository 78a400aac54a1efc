//! `opweek type pack list|add`: the ready-made sets of activity types a
//! county-lines, knife-crime or online child-exploitation week counts (see
//! `packs.rs`), so a unit starts its week with one command.

use std::io::Write;

use anyhow::{bail, Result};

use super::Context;
use crate::measure::Measure;
use crate::model::ActivityType;
use crate::packs::{self, Pack, PackType};
use crate::store::Access;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the packs and the types each brings (key, label, measure)
    List,
    /// Add a pack's types that are not there yet (running it again adds nothing)
    Add {
        /// The pack's name, such as county-lines (see `opweek type pack list`)
        #[arg(value_parser = PackName)]
        name: String,
    },
}

/// A pack's name: any text (an unknown one is answered with the nearest
/// pack, exit 1), offering the packs' names to shell completion.
#[derive(Debug, Clone, Copy)]
struct PackName;

impl clap::builder::TypedValueParser for PackName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            packs::PACKS
                .iter()
                .map(|p| clap::builder::PossibleValue::new(p.name)),
        ))
    }
}

pub fn run(command: Command, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    match command {
        // The packs are the binary's own data: listing them needs no database.
        Command::List => list(packs::PACKS, out),
        Command::Add { name } => add(ctx, name.trim(), out),
    }
}

fn list(all: &[Pack], out: &mut dyn Write) -> Result<()> {
    for (i, p) in all.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{}: {}", p.name, p.about)?;
        let key_width = p.types.iter().map(|t| t.key.len()).max().unwrap_or(0);
        let label_width = p.types.iter().map(|t| t.label.len()).max().unwrap_or(0);
        for t in p.types {
            let line = format!(
                "  {:key_width$}  {:label_width$}  {}",
                t.key,
                t.label,
                measure_words(t.measure)
            );
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    Ok(())
}

/// "money (pounds)", "weight (kilograms)", or nothing for a count-only type.
fn measure_words(m: Option<Measure>) -> &'static str {
    match m {
        Some(Measure::Money) => "money (pounds)",
        Some(Measure::Weight) => "weight (kilograms)",
        None => "",
    }
}

fn add(ctx: &Context, name: &str, out: &mut dyn Write) -> Result<()> {
    let Some(pack) = packs::find(name) else {
        let known = packs::PACKS.iter().map(|p| p.name);
        bail!(
            "unknown type pack {name:?} {}",
            crate::suggest::hint(
                crate::suggest::nearest(name, known),
                "opweek type pack list"
            )
        );
    };
    let types: Vec<ActivityType> = pack.types.iter().map(PackType::activity_type).collect();
    let mut store = ctx.open_as(Access::Create)?;
    let done = store.add_pack(pack.name, &types)?;
    // stdout: the keys added, one a line, as `type add` prints its key.
    for key in &done.added {
        writeln!(out, "{key}")?;
    }
    for c in &done.conflicts {
        eprintln!(
            "warning: {} is already a type {}, but pack {} has it {}: kept as it is, not overwritten",
            c.key,
            measuring(c.stored),
            pack.name,
            measuring(c.pack)
        );
    }
    let kept = if done.present.is_empty() {
        String::new()
    } else {
        format!(
            "; already there, kept as they are: {}",
            done.present.join(", ")
        )
    };
    if done.added.is_empty() {
        eprintln!(
            "Nothing added: every type of pack {} is already in the database{}.",
            pack.name,
            if done.conflicts.is_empty() {
                ""
            } else {
                " (or taken by a type measuring something else)"
            }
        );
    } else {
        let n = done.added.len();
        eprintln!(
            "Added {n} activity type{} from pack {}{kept}.",
            if n == 1 { "" } else { "s" },
            pack.name
        );
    }
    Ok(())
}

fn measuring(m: Option<Measure>) -> &'static str {
    match m {
        Some(Measure::Money) => "measuring money",
        Some(Measure::Weight) => "measuring weight",
        None => "with no measure (a count only)",
    }
}
