//! Shell integration: completion scripts, man pages, and the per-day chart
//! under `report --by day` at a terminal.

use std::process::Command;

use crate::env::TestEnv;

#[test]
fn bash_completion_parses_and_completes_subcommands_and_values() {
    let env = TestEnv::new();
    let script = env.ok(&["completions", "bash"]);
    let path = env.write("opweek.bash", &script);
    let check = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let complete = |words: &str, cword: usize| {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_WORDS=({words}); COMP_CWORD={cword}; _opweek opweek \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"; echo \"${{COMPREPLY[@]}}\"",
                path.display()
            ))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    assert_eq!(complete("opweek re", 1), "report restore");
    assert_eq!(complete("opweek com", 1), "completions");
    assert_eq!(
        complete("opweek report --format ''", 3),
        "table csv json markdown briefing xlsx html"
    );
}

#[test]
fn every_shell_gets_a_script_naming_the_subcommands() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = env.ok(&["completions", shell]);
        for sub in ["report", "import", "export", "man"] {
            assert!(script.contains(sub), "{shell} lacks {sub}");
        }
    }
    assert!(env
        .fails(2, &["completions", "tcsh"])
        .contains("invalid value 'tcsh'"));
}

#[test]
fn man_pages_render_one_per_command() {
    let env = TestEnv::new();
    let main = env.ok(&["man"]);
    assert!(main.contains(".TH opweek 1"), "{main}");
    let dir = env.path("man");
    let err = env.ok_stderr(&["man", dir.to_str().unwrap()]);
    assert!(
        err.starts_with("Wrote ") && err.contains(" man pages to "),
        "{err}"
    );
    for page in [
        "opweek.1",
        "opweek-log.1",
        "opweek-report.1",
        "opweek-op-add.1",
        "opweek-completions.1",
    ] {
        assert!(dir.join(page).is_file(), "no {page}");
    }
    // man -l renders it (man-db); plain text without a terminal.
    let out = Command::new("man")
        .arg("-l")
        .arg(dir.join("opweek-report.1"))
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("man (man-db) installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("opweek-report"), "{text}");
    assert!(text.contains("--format"), "{text}");
}

#[test]
fn report_by_day_table_shows_the_shape_of_the_week() {
    let env = TestEnv::new();
    env.ok(&["demo"]);
    let out = env.ok(&["report", "--op", "nov17-mersey", "--by", "day"]);
    let chart: Vec<&str> = out
        .lines()
        .skip_while(|l| *l != "Each day, all activities:")
        .collect();
    assert_eq!(
        chart,
        [
            "Each day, all activities:",
            "Mon 13 Nov  21  ████████████████████████████▋",
            "Tue 14 Nov  22  ██████████████████████████████",
            "Wed 15 Nov  17  ███████████████████████▏",
            "Thu 16 Nov  21  ████████████████████████████▋",
            "Fri 17 Nov  16  █████████████████████▉",
            "Sat 18 Nov   8  ██████████▉",
            "Sun 19 Nov   5  ██████▉",
            "Week: ██▆█▆▄▃  (Mon to Sun)",
        ]
    );
    // Other breakdowns keep the table alone.
    assert!(!env.ok(&["report", "--by", "area"]).contains("Each day"));
}
