//! `opweek type list|add|edit|retire|restore`: the kinds of activity that
//! are counted, and the words the briefing uses for them. Every change is
//! an entry in the history chain.

use std::io::Write;

use anyhow::Result;

use super::Context;
use crate::measure::Measure;
use crate::model::{check_type_key, clean_text, required_text, ActivityType};
use crate::output::table;
use crate::store::Access;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List activity types, retired ones marked
    List,
    /// Add an activity type
    Add(AddArgs),
    /// Change a type's label, nouns or briefing phrase
    Edit(EditArgs),
    /// Retire a type: it keeps its events but takes no new ones
    Retire {
        /// The type's key
        key: String,
    },
    /// Bring a retired type back: it takes new events again
    Restore {
        /// The type's key
        key: String,
    },
    /// Ready-made sets of types: county-lines, knife-crime, online-cse
    #[command(subcommand)]
    Pack(super::packs::Command),
}

#[derive(Debug, clap::Args)]
pub struct EditArgs {
    /// The type's key (which never changes)
    pub key: String,
    #[arg(long)]
    pub label: Option<String>,
    #[arg(long)]
    pub noun: Option<String>,
    #[arg(long)]
    pub plural: Option<String>,
    /// Briefing phrase (see `type add --help`)
    #[arg(long)]
    pub phrase: Option<String>,
    /// Give the type a measure (money or weight); it cannot be changed once
    /// its events carry values
    #[arg(long, value_name = "money|weight")]
    pub measure: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// kebab-case key, such as knife-surrender
    pub key: String,
    /// Label for tables, such as "Knives surrendered"
    #[arg(long)]
    pub label: String,
    /// What one of it is called in the briefing [default: the key, spaced]
    #[arg(long)]
    pub noun: Option<String>,
    /// Plural of the noun [default: the English plural of the noun's last
    /// word, printed when the type is added]
    #[arg(long)]
    pub plural: Option<String>,
    /// Briefing phrase; {count} and {noun} are filled in, and {detail},
    /// {partner}, {area}, {force} when the events share one value, so those
    /// must stand in a [bracketed] part, which is left out when its
    /// placeholder has no value ("took in {count} {noun}[ from {area}]")
    /// [default: "recorded {count} {noun}"]
    #[arg(long)]
    pub phrase: Option<String>,
    /// What the type measures besides its count: money (pounds) or weight
    /// (kilograms); events then take `--value`, and {value} fills the phrase
    #[arg(long, value_name = "money|weight")]
    pub measure: Option<String>,
}

pub fn run(command: Command, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    match command {
        Command::Pack(c) => super::packs::run(c, ctx, out),
        Command::List => {
            let store = ctx.open_as(Access::Read)?;
            table::types(&store.activity_types()?, out)?;
            Ok(())
        }
        Command::Edit(a) => {
            // As `amend`: an edit that changes nothing is refused.
            if a.label.is_none()
                && a.noun.is_none()
                && a.plural.is_none()
                && a.phrase.is_none()
                && a.measure.is_none()
            {
                anyhow::bail!(
                    "nothing to change: give at least one of --label, --noun, --plural, --phrase or --measure"
                );
            }
            let mut store = ctx.open()?;
            let old = store.activity_type(a.key.trim())?;
            let mut t = old.clone();
            if let Some(label) = &a.label {
                t.label = required_text("label", label)?;
            }
            if let Some(noun) = &a.noun {
                t.noun = required_text("noun", noun)?;
            }
            if let Some(plural) = &a.plural {
                t.plural = required_text("plural", plural)?;
            } else if a.noun.is_some() {
                // A new noun without a plural: its own plural, not the old one.
                t.plural = crate::phrase::pluralise(&t.noun);
            }
            if let Some(m) = &a.measure {
                t.measure = Some(Measure::parse(m)?);
            }
            if let Some(phrase) = &a.phrase {
                t.phrase = checked_phrase(phrase, t.measure)?;
            }
            if t == old {
                anyhow::bail!("nothing to change: the values given are the type's current values");
            }
            store.update_activity_type(&old, &t)?;
            writeln!(out, "{}", t.key)?;
            if a.noun.is_some() && a.plural.is_none() {
                eprintln!("{}", words_note(&t));
            }
            Ok(())
        }
        Command::Retire { key } => {
            let mut store = ctx.open()?;
            let old = store.activity_type(key.trim())?;
            if old.retired {
                anyhow::bail!("activity type {:?} is already retired", old.key);
            }
            let t = ActivityType {
                retired: true,
                ..old.clone()
            };
            store.update_activity_type(&old, &t)?;
            writeln!(out, "{}", t.key)?;
            eprintln!(
                "Retired {}: its events still count; it takes no new ones.",
                t.key
            );
            Ok(())
        }
        Command::Restore { key } => {
            let mut store = ctx.open()?;
            let old = store.activity_type(key.trim())?;
            if !old.retired {
                anyhow::bail!(
                    "activity type {:?} is not retired: there is nothing to restore",
                    old.key
                );
            }
            let t = ActivityType {
                retired: false,
                ..old.clone()
            };
            store.update_activity_type(&old, &t)?;
            writeln!(out, "{}", t.key)?;
            eprintln!("Restored {}: it takes new events again.", t.key);
            Ok(())
        }
        Command::Add(a) => {
            let t = activity_type_from(&a)?;
            let mut store = ctx.open_as(Access::Create)?;
            store.add_activity_type(&t)?;
            writeln!(out, "{}", t.key)?;
            eprintln!("{}", words_note(&t));
            Ok(())
        }
    }
}

fn activity_type_from(a: &AddArgs) -> Result<ActivityType> {
    let key = check_type_key(a.key.trim())?;
    let noun = match clean_text("noun", a.noun.as_deref())? {
        Some(n) => n.trim().to_string(),
        None => key.replace('-', " "),
    };
    let plural = match clean_text("plural", a.plural.as_deref())? {
        Some(p) => p.trim().to_string(),
        None => crate::phrase::pluralise(&noun),
    };
    let measure = a.measure.as_deref().map(Measure::parse).transpose()?;
    let phrase = match &a.phrase {
        Some(p) => checked_phrase(p, measure)?,
        None => crate::phrase::DEFAULT_PHRASE.to_string(),
    };
    Ok(ActivityType {
        label: required_text("label", &a.label)?,
        key,
        noun,
        plural,
        phrase,
        retired: false,
        measure,
    })
}

/// A phrase the briefing can use: it must parse (known placeholders,
/// balanced brackets), say how many, and keep the placeholders that may
/// have no value inside brackets.
fn checked_phrase(p: &str, measure: Option<Measure>) -> Result<String> {
    let p = required_text("phrase", p)?;
    crate::phrase::Phrase::parse_for_type(&p, measure)?;
    Ok(p)
}

/// What the briefing will call one and several of a type, so a wrong
/// plural is seen (and fixed) when the type is added, not in print.
fn words_note(t: &ActivityType) -> String {
    crate::output::terminal_safe(&format!(
        "{}: one {:?}, several {:?} (if the plural is wrong: opweek type edit {} --plural WORDS)",
        t.key, t.noun, t.plural, t.key
    ))
    .into_owned()
}
