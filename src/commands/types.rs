//! `opweek type list|add`: the kinds of activity that are counted.

use std::io::Write;

use anyhow::Result;

use super::Context;
use crate::model::{check_type_key, clean_text, required_text, ActivityType};
use crate::output::table;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List activity types, retired ones marked
    List,
    /// Add an activity type
    Add(AddArgs),
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
}

pub fn run(command: Command, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    match command {
        Command::List => {
            let store = ctx.open()?;
            table::types(&store.activity_types()?, out)?;
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
    let phrase = match clean_text("phrase", a.phrase.as_deref())? {
        Some(p) => p.trim().to_string(),
        None => "{count} {noun}".to_string(),
    };
    Ok(ActivityType {
        label: required_text("label", &a.label)?,
        key,
        noun,
        plural,
        phrase,
        retired: false,
    })
}
