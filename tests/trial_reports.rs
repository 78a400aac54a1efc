//! A supervisor's and a regional coordinator's trial of the reports:
//! sign-off against `--provisional`, the page of a campaign by force, the
//! page's sign-off lines.

use std::path::Path;

use crate::env::TestEnv;

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/nov2017-merseyside.csv")
        .display()
        .to_string()
}

/// The reference week, loaded with one import, in campaign `nw-nov17`.
fn reference_week() -> TestEnv {
    let env = TestEnv::new();
    env.reference_op();
    env.ok(&["import", &example()]);
    env.ok(&[
        "op",
        "edit",
        "nov17-mersey",
        "--campaign",
        "nw-nov17",
        "--reason",
        "regional roll-up",
    ]);
    env
}

#[test]
fn provisional_is_refused_on_figures_that_are_all_signed_off() {
    let env = reference_week();
    // Open: provisional is fine.
    let md = env.ok(&[
        "report",
        "--op",
        "nov17-mersey",
        "--format",
        "markdown",
        "--provisional",
    ]);
    assert!(md.starts_with("**PROVISIONAL — "), "{md}");
    env.ok(&["op", "sign-off", "nov17-mersey"]);
    // Signed off: the page, markdown, briefing and JSON would say both
    // "provisional" and "signed off"; refused, naming who and how to reopen.
    for format in ["table", "markdown", "briefing", "json", "html", "csv"] {
        let err = env.rejects(&[
            "report",
            "--op",
            "nov17-mersey",
            "--format",
            format,
            "--provisional",
            "still counting",
        ]);
        assert!(
            err.starts_with("error: nov17-mersey was signed off by test-analyst at ")
                && err.contains("its figures are final, not provisional")
                && err.contains("opweek op reopen nov17-mersey --reason TEXT"),
            "{err}"
        );
    }
    // The campaign and the week cover only signed-off figures: refused too.
    let err = env.rejects(&["report", "--campaign", "nw-nov17", "--provisional"]);
    assert!(
        err.contains("every operation this report covers is signed off (nov17-mersey)")
            || err.contains("nov17-mersey was signed off"),
        "{err}"
    );
    env.rejects(&["report", "--week", "2017-W46", "--provisional"]);
    // A campaign with an operation still open may be marked provisional.
    env.ok(&[
        "op",
        "add",
        "cumbria-nov17",
        "--title",
        "Week of action",
        "--start",
        "2017-11-13",
        "--force",
        "Cumbria Constabulary",
        "--campaign",
        "nw-nov17",
    ]);
    let md = env.ok(&[
        "report",
        "--campaign",
        "nw-nov17",
        "--format",
        "markdown",
        "--provisional",
    ]);
    assert!(
        md.contains("Provisional figures, not signed off: cumbria-nov17."),
        "{md}"
    );
    assert!(
        md.contains("Signed off (nov17-mersey) by test-analyst"),
        "{md}"
    );
    // Reopened, then provisional again; signed off again, refused again.
    env.ok(&[
        "op",
        "reopen",
        "nov17-mersey",
        "--reason",
        "exhibit recount",
    ]);
    let json: serde_json::Value = serde_json::from_str(&env.ok(&[
        "report",
        "--op",
        "nov17-mersey",
        "--format",
        "json",
        "--provisional",
    ]))
    .unwrap();
    assert_eq!(json["provisional"], true);
    assert_eq!(json["signed_off"], serde_json::Value::Null);
    env.ok(&["op", "sign-off", "nov17-mersey"]);
    env.rejects(&["report", "--op", "nov17-mersey", "--provisional"]);
    // Without --provisional the signed-off report is as before.
    let md = env.ok(&["report", "--op", "nov17-mersey", "--format", "markdown"]);
    assert!(md.contains("Signed off by test-analyst at "), "{md}");
}

#[test]
fn the_page_of_a_report_by_force_charts_each_force_under_its_own_heading() {
    let env = reference_week();
    env.ok(&[
        "op",
        "add",
        "cumbria-nov17",
        "--title",
        "Week of action",
        "--start",
        "2017-11-13",
        "--force",
        "Cumbria Constabulary",
        "--campaign",
        "nw-nov17",
    ]);
    env.ok(&[
        "log",
        "arrest",
        "--op",
        "cumbria-nov17",
        "--date",
        "2017-11-14",
        "--count",
        "4",
        "--force",
        "Cumbria Constabulary",
    ]);
    let page = env.ok(&[
        "report",
        "--campaign",
        "nw-nov17",
        "--by",
        "force",
        "--format",
        "html",
    ]);
    let svg = &page[page.find("<svg").unwrap()..page.find("</svg>").unwrap()];
    // One heading per force, in the table's order, and bars named by the
    // activity alone: before, each bar read "Merseyside Police — Of…",
    // cut before the activity.
    let cumbria = svg
        .find("<text class=\"group\" x=\"0\" y=\"18\">Cumbria Constabulary</text>")
        .expect(svg);
    let mersey = svg.find(">Merseyside Police</text>").expect(svg);
    assert!(cumbria < mersey, "{svg}");
    assert_eq!(svg.matches("class=\"group\"").count(), 2, "{svg}");
    assert!(svg.contains("text-anchor=\"end\">Arrests</text>"), "{svg}");
    assert!(
        svg.contains("text-anchor=\"end\">Offender visits</text>"),
        "{svg}"
    );
    assert!(
        !svg.contains("text-anchor=\"end\">Merseyside Police —"),
        "{svg}"
    );
    // The full name is still in each bar's tooltip.
    assert!(
        svg.contains("<title>Cumbria Constabulary — Arrests: 4</title>"),
        "{svg}"
    );
    // Without --by, no headings.
    let page = env.ok(&["report", "--campaign", "nw-nov17", "--format", "html"]);
    assert!(!page.contains("class=\"group\""), "{page}");
}

#[test]
fn the_pages_sign_off_line_marks_the_command_as_code_not_backticks() {
    let env = reference_week();
    let head = env.ok(&["op", "sign-off", "nov17-mersey"]);
    let head = head.trim();
    let page = env.ok(&["report", "--op", "nov17-mersey", "--format", "html"]);
    let line = page
        .lines()
        .find(|l| l.starts_with("<p class=\"signoff\">"))
        .expect(&page);
    assert_eq!(
        line,
        format!(
            "<p class=\"signoff\">Signed off by test-analyst at {}: history chain head at sign-off {head} (verify with <code>opweek check --head {}</code>).</p>",
            &line[line.find(" at ").unwrap() + 4..line.find(": history").unwrap()],
            &head[..12]
        )
    );
    assert!(!page.contains('`'), "{page}");
    // Markdown keeps its backticks (a code span there).
    let md = env.ok(&["report", "--op", "nov17-mersey", "--format", "markdown"]);
    assert!(
        md.contains(&format!(
            "(verify with `opweek check --head {}`).",
            &head[..12]
        )),
        "{md}"
    );
}

#[test]
fn markdown_escapes_read_the_same_in_python_markdown_as_in_commonmark() {
    // Python-Markdown (MkDocs) takes no `\<`, `\&`, `\~` or `\$` as an
    // escape and printed the backslash: "A \<b>"; character references read
    // the same in every renderer.
    let env = TestEnv::new();
    env.ok(&[
        "op",
        "add",
        "w",
        "--title",
        "Cash & <b>kit</b> ~ $5 *x*",
        "--start",
        "2017-11-13",
    ]);
    env.ok(&[
        "log",
        "warrant",
        "--date",
        "2017-11-14",
        "--team",
        "R&D <1> ~a~ $2",
    ]);
    let md = env.ok(&["report", "--by", "team", "--format", "markdown"]);
    assert!(
        md.starts_with(
            "**Cash &amp; &lt;b&gt;kit&lt;/b&gt; &#126; &#36;5 \\*x\\* (w)** — 13–19 November 2017\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("| R&amp;D &lt;1&gt; &#126;a&#126; &#36;2 | Warrants | 1 |\n"),
        "{md}"
    );
}

/// The supervisor's note at sign-off travels with the signed figures: in
/// the briefing, the markdown, the page and the JSON, not only `op show`.
#[test]
fn the_sign_off_note_is_in_every_signed_report() {
    let env = reference_week();
    env.ok(&[
        "op",
        "sign-off",
        "nov17-mersey",
        "--note",
        "checked against the exhibit log",
    ]);
    for format in ["briefing", "markdown", "html"] {
        let out = env.ok(&["report", "--op", "nov17-mersey", "--format", format]);
        assert!(
            out.contains("Note: checked against the exhibit log"),
            "{format}: {out}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["report", "--op", "nov17-mersey", "--format", "json"]))
            .unwrap();
    assert_eq!(
        json["signed_off"]["note"],
        "checked against the exhibit log"
    );
    // Without a note, no "Note:" at all.
    env.ok(&["op", "reopen", "nov17-mersey", "--reason", "late exhibit"]);
    env.ok(&["op", "sign-off", "nov17-mersey"]);
    let briefing = env.ok(&["report", "--op", "nov17-mersey", "--format", "briefing"]);
    assert!(!briefing.contains("Note:"), "{briefing}");
}
