//! The layers, checked (ARCHITECTURE.md, "Data flows one way"): clap is
//! known only to the command line (`cli`, `commands`, `main`); nothing
//! below the renderers calls a renderer, a command or the command line; the
//! renderers call no command. And the clap-facing values the domain types
//! stand behind still parse and are still listed for users.

use std::collections::BTreeSet;

use super::env::TestEnv;
use super::structure::{graph, modules};

/// The command-line layer: the only modules that may know clap.
fn command_line(module: &str) -> bool {
    module.is_empty() || module == "cli" || module == "commands" || module.starts_with("commands::")
}

fn within(module: &str, top: &str) -> bool {
    module == top || module.starts_with(&format!("{top}::"))
}

#[test]
fn only_the_command_line_knows_clap() {
    let with_clap: Vec<String> = modules()
        .into_iter()
        .filter(|(m, code)| !command_line(m) && code.contains("clap"))
        .map(|(m, _)| m)
        .collect();
    assert_eq!(
        with_clap,
        Vec::<String>::new(),
        "clap below the command layer"
    );
}

#[test]
fn lower_layers_never_call_upper_ones() {
    let g = graph();
    let mut leaks = BTreeSet::new();
    for (m, deps) in &g {
        if command_line(m) {
            continue;
        }
        for d in deps {
            let upward = command_line(d) || (!within(m, "output") && within(d, "output"));
            if upward {
                leaks.insert(format!("{m} -> {d}"));
            }
        }
    }
    assert_eq!(leaks, BTreeSet::new(), "a lower layer calls an upper one");
    // The scan sees the edges this test is about.
    assert!(
        g["output::briefing"].contains("phrase"),
        "{:?}",
        g["output::briefing"]
    );
    assert!(g["phrase"].contains("numbers"), "{:?}", g["phrase"]);
    assert!(g["commands::void"].contains("commands::correct"));
    assert!(!g["commands::void"].contains("commands::amend"));
}

#[test]
fn by_and_format_values_are_offered_and_parsed() {
    let env = TestEnv::new();
    let err = env.fails(2, &["report", "--by", "weekday"]);
    assert!(
        err.contains(
            "[possible values: type, day, force, team, area, officer, detail, outcome, partner]"
        ),
        "{err}"
    );
    let err = env.fails(2, &["report", "--format", "pdf"]);
    assert!(
        err.contains("[possible values: table, csv, json, markdown, briefing, xlsx, html]"),
        "{err}"
    );
    let err = env.fails(2, &["list", "--format", "xlsx"]);
    assert!(err.contains("[possible values: table, csv, json]"), "{err}");
    // Each name parses to its dimension: the JSON says which it was.
    env.import_reference_week();
    for by in [
        "type", "day", "force", "team", "area", "officer", "detail", "outcome", "partner",
    ] {
        let json = env.ok(&[
            "report",
            "--op",
            "nov17-mersey",
            "--by",
            by,
            "--format",
            "json",
        ]);
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        let expected = if by == "type" {
            serde_json::Value::Null
        } else {
            by.into()
        };
        assert_eq!(v["by"], expected, "--by {by}: {json}");
    }
}
