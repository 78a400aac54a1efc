//! Synthetic weeks of action for benchmarks: a reproducible (seeded) stream
//! of realistic events in the import CSV format, across many operations,
//! forces, activity types, days and officers, with notes of varying length
//! (commas, quotes, newlines and non-ASCII included).
//!
//! ```sh
//! cargo run --release --example generate -- --events 1000000 --seed 7 \
//!     --out events.csv --ops ops.csv
//! ```
//!
//! `--random-ids` gives every event a random (version 4) id, as events
//! exported by another system carry, instead of a time-ordered version 7 one.
//!
//! `--ops` writes the operations the events refer to, one per line as
//! `code,title,start,force,campaign`, for `opweek op add` (scripts/bench.sh
//! does this).

use std::fs::File;
use std::io::{self, BufWriter, Write};

use chrono::{Days, NaiveDate};

const FORCES: [&str; 6] = [
    "Merseyside Police",
    "Cheshire Constabulary",
    "Greater Manchester Police",
    "Lancashire Constabulary",
    "Cumbria Constabulary",
    "North Wales Police",
];
const SHORT: [&str; 6] = ["mersey", "cheshire", "gmp", "lancs", "cumbria", "nwales"];
/// Types with weights roughly as a real week has them. `cash-seizure`
/// (from the county-lines pack: the benchmark adds the pack first) carries
/// money, so imports and reports are measured with values present.
const TYPES: [(&str, u32); 8] = [
    ("offender-visit", 60),
    ("warrant", 8),
    ("device-seizure", 6),
    ("arrest", 4),
    ("safeguarding-visit", 8),
    ("victim-identified", 3),
    ("school-session", 11),
    ("cash-seizure", 3),
];
const AREAS: [&str; 8] = [
    "North",
    "South",
    "East",
    "West",
    "Central",
    "Coastal",
    "Rural",
    "City Centre",
];
const NOTES: [&str; 8] = [
    "",
    "compliant",
    "no reply; card left",
    "seen with \"partner\", advice given",
    "devices seized, sent for examination\nexhibits: 3",
    "visited with Catch 22 — follow-up booked",
    "offender not at address, enquiries continuing, reported to OIC",
    "Señor Ó'Brien's flat: café downstairs, ✓",
];

/// xorshift64*: small, fast and reproducible, which is all a generator of
/// test data needs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Args {
    events: u64,
    seed: u64,
    weeks: u64,
    out: Option<String>,
    ops: Option<String>,
    /// Random (version 4) ids, as another system would make them, instead
    /// of opweek's own time-ordered version 7 ones.
    random_ids: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        events: 100_000,
        seed: 7,
        weeks: 52,
        out: None,
        ops: None,
        random_ids: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--events" => a.events = value()?.parse().map_err(|e| format!("--events: {e}"))?,
            "--seed" => a.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--weeks" => a.weeks = value()?.parse().map_err(|e| format!("--weeks: {e}"))?,
            "--out" => a.out = Some(value()?),
            "--ops" => a.ops = Some(value()?),
            "--random-ids" => a.random_ids = true,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let a = parse_args()?;
    let first = NaiveDate::from_ymd_opt(2017, 1, 2).ok_or("bad start")?; // a Monday
    let io_err = |e: io::Error| e.to_string();

    if let Some(path) = &a.ops {
        let mut w = BufWriter::new(File::create(path).map_err(io_err)?);
        for week in 0..a.weeks {
            let start = first + Days::new(week * 7);
            for (f, short) in FORCES.iter().zip(SHORT) {
                writeln!(
                    w,
                    "w{week:03}-{short},Week of action {},{start},{f},wk{week:03}",
                    week + 1
                )
                .map_err(io_err)?;
            }
        }
        w.flush().map_err(io_err)?;
    }

    let out: Box<dyn Write> = match &a.out {
        Some(p) => Box::new(File::create(p).map_err(io_err)?),
        None => Box::new(io::stdout().lock()),
    };
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, out));
    w.write_record(opweek::fields::HEADER)
        .map_err(|e| e.to_string())?;
    let mut rng = Rng(a.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let total_weight: u32 = TYPES.iter().map(|t| t.1).sum();
    // Events in time order, as a force's export lists them.
    for i in 0..a.events {
        let week = i * a.weeks / a.events.max(1);
        let force = rng.below(FORCES.len() as u64) as usize;
        let day = rng.below(7);
        let date = first + Days::new(week * 7 + day);
        let mut pick = rng.below(u64::from(total_weight)) as u32;
        let mut type_key = TYPES[0].0;
        for (key, weight) in TYPES {
            if pick < weight {
                type_key = key;
                break;
            }
            pick -= weight;
        }
        let count = if type_key == "device-seizure" {
            1 + rng.below(4)
        } else {
            1
        };
        // Cash in pounds and pence, £5 to £20,000.
        let value = if type_key == "cash-seizure" {
            let pence = 500 + rng.below(2_000_000);
            format!("{}.{:02}", pence / 100, pence % 100)
        } else {
            String::new()
        };
        let hour = 7 + rng.below(12);
        let minute = rng.below(60);
        // A version 7 UUID whose time is the recording time.
        let recorded_ms = (date
            .and_hms_opt(hour as u32, minute as u32, 0)
            .ok_or("bad time")?)
        .and_utc()
        .timestamp_millis() as u64
            + rng.below(3_600_000);
        let rand = rng.next();
        let id = if a.random_ids {
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&rand.to_le_bytes());
            // Not another draw from `rng`: the rest of the stream (and so
            // every other field) stays that of the ordered-id run.
            let more = (rand ^ recorded_ms).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            bytes[8..].copy_from_slice(&more.to_le_bytes());
            uuid::Builder::from_random_bytes(bytes).into_uuid()
        } else {
            uuid::Builder::from_unix_timestamp_millis(
                recorded_ms,
                &rand.to_le_bytes().repeat(2)[..10]
                    .try_into()
                    .map_err(|_| "uuid")?,
            )
            .into_uuid()
        };
        let recorded_at = chrono::DateTime::from_timestamp_millis(recorded_ms as i64)
            .ok_or("bad timestamp")?
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let notes = NOTES[rng.below(NOTES.len() as u64) as usize];
        let long_note;
        let notes = if rng.below(50) == 0 {
            long_note = notes.repeat(20);
            long_note.as_str()
        } else {
            notes
        };
        w.write_record([
            id.to_string().as_str(),
            &format!("w{week:03}-{}", SHORT[force]),
            type_key,
            &date.to_string(),
            &format!("{hour:02}:{minute:02}"),
            &count.to_string(),
            &value,
            FORCES[force],
            &format!("Team {}", 1 + rng.below(4)),
            AREAS[rng.below(AREAS.len() as u64) as usize],
            &format!("{}", 1000 + rng.below(400)),
            &format!("REF/{}/{}", 17 + week / 52, rng.below(100_000)),
            if type_key == "warrant" {
                "making indecent images of children"
            } else {
                ""
            },
            if type_key == "school-session" {
                "Catch 22"
            } else {
                ""
            },
            "",
            notes,
            "generator",
            &recorded_at,
            if rng.below(200) == 0 {
                "voided"
            } else {
                "active"
            },
        ])
        .map_err(|e| e.to_string())?;
    }
    w.flush().map_err(io_err)?;
    Ok(())
}
