//! `opweek log TYPE ...`: record one activity as it happens. The event is
//! validated by the same `Resolver` that checks imported rows, then stored;
//! its id goes to stdout so a script can amend it later.

use std::io::{IsTerminal, Write};

use anyhow::Result;

use super::Context;
use crate::fields::{EventInput, Field};
use crate::store::Access;
use crate::validate::{Defaults, Resolver, RetiredTypes};

// The defaults are `log`'s, so they are added to its help here, not
// written into the shared field definitions (where `amend` showed them).
#[derive(Debug, clap::Args)]
#[command(
    mut_arg("date", |a| with_default(a, "today")),
    mut_arg("count", |a| with_default(a, "1")),
    mut_arg("force", |a| with_default(a, "the operation's force"))
)]
pub struct Args {
    /// Activity type key, such as offender-visit (see `opweek type list`)
    #[arg(value_name = "TYPE")]
    pub type_key: String,
    /// Operation code [default: the one operation whose dates contain the date]
    #[arg(long, value_name = "CODE")]
    pub op: Option<String>,
    #[command(flatten)]
    pub fields: FieldArgs,
}

/// The event fields a user types, shared by `log` and `amend`. Values are
/// taken as text and validated by the domain, so a bad value is a clear
/// error (exit 1) rather than a usage message; any value may begin with `-`
/// ("-3 seized" is a note, not a flag).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FieldArgs {
    /// Date of the activity: YYYY-MM-DD, today or yesterday
    #[arg(long, allow_hyphen_values = true)]
    pub date: Option<String>,
    /// Time of the activity, HH:MM
    #[arg(long, allow_hyphen_values = true)]
    pub time: Option<String>,
    /// How many (a search may seize 5 devices)
    #[arg(long, allow_hyphen_values = true)]
    pub count: Option<String>,
    /// Money (pounds: 1250.50 or £1,250.50) or weight (kilograms: 12.5),
    /// for a type with a measure (see `opweek type list`)
    #[arg(long, allow_hyphen_values = true)]
    pub value: Option<String>,
    /// Police force
    #[arg(long, allow_hyphen_values = true)]
    pub force: Option<String>,
    /// Team or unit
    #[arg(long, allow_hyphen_values = true)]
    pub team: Option<String>,
    /// Area or neighbourhood
    #[arg(long, allow_hyphen_values = true)]
    pub area: Option<String>,
    /// Officer's collar number
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    pub officer: Option<String>,
    /// Warrant, crime or case reference (a reference, never a name)
    #[arg(long = "ref", value_name = "REF", allow_hyphen_values = true)]
    pub reference: Option<String>,
    /// Detail, such as the offence: "making indecent images of children"
    #[arg(long, allow_hyphen_values = true)]
    pub detail: Option<String>,
    /// Partner agency
    #[arg(long, allow_hyphen_values = true)]
    pub partner: Option<String>,
    /// Outcome
    #[arg(long, allow_hyphen_values = true)]
    pub outcome: Option<String>,
    /// Free-text note
    #[arg(long = "note", value_name = "TEXT", allow_hyphen_values = true)]
    pub notes: Option<String>,
}

/// A field's help with the default `log` gives it.
fn with_default(a: clap::Arg, default: &str) -> clap::Arg {
    let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
    a.help(format!("{help} [default: {default}]"))
}

impl FieldArgs {
    /// Each flag with the event field it gives: the one place the flags
    /// meet the field table.
    pub fn given(&self) -> [(Field, Option<&str>); 13] {
        [
            (Field::Date, self.date.as_deref()),
            (Field::Time, self.time.as_deref()),
            (Field::Count, self.count.as_deref()),
            (Field::Value, self.value.as_deref()),
            (Field::Force, self.force.as_deref()),
            (Field::Team, self.team.as_deref()),
            (Field::Area, self.area.as_deref()),
            (Field::Officer, self.officer.as_deref()),
            (Field::Reference, self.reference.as_deref()),
            (Field::Detail, self.detail.as_deref()),
            (Field::Partner, self.partner.as_deref()),
            (Field::Outcome, self.outcome.as_deref()),
            (Field::Notes, self.notes.as_deref()),
        ]
    }

    /// Lays the flags given over `input`; the others leave it as it is.
    pub fn overlay(&self, input: &mut EventInput) {
        for (field, value) in self.given() {
            input.set_opt(field, value);
        }
    }
}

pub fn run(a: Args, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let mut input = EventInput::new().with(Field::Type, a.type_key);
    input.set_opt(Field::Operation, a.op);
    a.fields.overlay(&mut input);
    let mut store = ctx.open_as(Access::Create)?;
    let resolver = Resolver::new(store.operations()?, store.activity_types()?);
    let defaults = Defaults {
        retired: RetiredTypes::Refuse,
        today: ctx.today,
        date: Some(ctx.today),
        operation: None,
        recorded_by: ctx.user.clone(),
        recorded_at: crate::store::now_utc(),
    };
    let event = resolver.event(input, &defaults)?;
    store.insert_event(&event)?;
    writeln!(out, "{}", event.id)?;
    // stdout stays the bare id for scripts; a person at a terminal is told
    // what was stored, and where.
    if std::io::stderr().is_terminal() {
        eprintln!("{}", confirmation(&event, &resolver));
    }
    Ok(())
}

/// "logged 3 warrants on 2017-11-14 in nov17-mersey".
fn confirmation(e: &crate::model::Event, resolver: &Resolver) -> String {
    let words = resolver.activity_type_of(&e.type_key).map(|t| {
        if e.count == 1 {
            t.noun.as_str()
        } else {
            t.plural.as_str()
        }
    });
    format!(
        "logged {} {} on {} in {}",
        e.count,
        words.unwrap_or(&e.type_key),
        e.date,
        e.operation
    )
}
