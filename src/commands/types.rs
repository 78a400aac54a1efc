//! `opweek type list|add|edit|retire`: the kinds of activity that are
//! counted, and the words the briefing uses for them.

use std::io::Write;

use anyhow::Result;

use super::Context;
use crate::measure::Measure;
use crate::model::{check_type_key, clean_text, required_text, ActivityType};
use crate::output::table;

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
    /// Plural of the noun [default: noun + "s"]
    #[arg(long)]
    pub plural: Option<String>,
    /// Briefing phrase; {count} and {noun} are filled in, and {detail},
    /// {partner}, {area}, {force} when the events share one value; a
    /// [bracketed] part is left out when its placeholder has no value
    /// [default: "{count} {noun}"]
    #[arg(long)]
    pub phrase: Option<String>,
    /// What the type measures besides its count: money (pounds) or weight
    /// (kilograms); events then take `--value`, and {value} fills the phrase
    #[arg(long, value_name = "money|weight")]
    pub measure: Option<String>,
}

pub fn run(command: Command, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    match command {
        Command::List => {
            let store = ctx.open()?;
            table::types(&store.activity_types()?, out)?;
            Ok(())
        }
        Command::Edit(a) => {
            let mut store = ctx.open()?;
            let mut t = store.activity_type(a.key.trim())?;
            if let Some(label) = &a.label {
                t.label = required_text("label", label)?;
            }
            if let Some(noun) = &a.noun {
                t.noun = required_text("noun", noun)?;
            }
            if let Some(plural) = &a.plural {
                t.plural = required_text("plural", plural)?;
            }
            if let Some(m) = &a.measure {
                t.measure = Some(Measure::parse(m)?);
            }
            if let Some(phrase) = &a.phrase {
                t.phrase = checked_phrase(phrase)?;
            }
            store.update_activity_type(&t)?;
            writeln!(out, "{}", t.key)?;
            Ok(())
        }
        Command::Retire { key } => {
            let mut store = ctx.open()?;
            let mut t = store.activity_type(key.trim())?;
            if t.retired {
                anyhow::bail!("activity type {:?} is already retired", t.key);
            }
            t.retired = true;
            store.update_activity_type(&t)?;
            writeln!(out, "{}", t.key)?;
            eprintln!(
                "Retired {}: its events still count; it takes no new ones.",
                t.key
            );
            Ok(())
        }
        Command::Add(a) => {
            let t = activity_type_from(&a)?;
            let mut store = ctx.open()?;
            store.add_activity_type(&t)?;
            writeln!(out, "{}", t.key)?;
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
        None => format!("{noun}s"),
    };
    let phrase = match &a.phrase {
        Some(p) => checked_phrase(p)?,
        None => "{count} {noun}".to_string(),
    };
    Ok(ActivityType {
        label: required_text("label", &a.label)?,
        key,
        noun,
        plural,
        phrase,
        retired: false,
        measure: a.measure.as_deref().map(Measure::parse).transpose()?,
    })
}

/// A phrase the briefing can use: it must parse (known placeholders,
/// balanced brackets) and say how many.
fn checked_phrase(p: &str) -> Result<String> {
    let p = required_text("phrase", p)?;
    crate::phrase::Phrase::parse(&p)?;
    Ok(p)
}
