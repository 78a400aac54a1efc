//! The briefing page, `report --format html`: self-contained, escaped,
//! with the figures, bullets, table and chart. (scripts/render-page.sh
//! renders it in Chromium and checks the PDF.)

use crate::env::TestEnv;

fn demo() -> TestEnv {
    let env = TestEnv::new();
    env.ok(&["demo"]);
    env
}

/// Nothing in the page makes a browser fetch anything.
fn assert_self_contained(page: &str) {
    let lower = page.to_ascii_lowercase();
    for banned in [
        "<script", "http://", "https://", "src=", "href=", "url(", "@import", "<link", "<iframe",
        "<img",
    ] {
        assert!(!lower.contains(banned), "the page contains {banned:?}");
    }
    assert!(
        !lower.contains("=\"//") && !lower.contains("='//"),
        "protocol-relative URL"
    );
}

#[test]
fn the_page_holds_the_week_and_fetches_nothing() {
    let env = demo();
    let page = env.ok(&["report", "--op", "nov17-mersey", "--format", "html"]);
    assert!(page.starts_with("<!DOCTYPE html>\n"));
    assert_self_contained(&page);
    for want in [
        "<h1>Week of action (nov17-mersey)</h1>",
        "<span>13–19 November 2017</span><span>Merseyside Police, Sex Offender Unit</span>",
        "<li>visited 80 registered sex offenders to ensure they were abiding by their sexual harm prevention orders</li>",
        "<li>carried out nine warrants in relation to making indecent images of children</li>",
        "<tr><td>Offender visits</td><td class=\"n\">80</td></tr>",
        "<tr class=\"total\"><td>Total</td><td class=\"n\">110</td></tr>",
        "<svg viewBox=",
        "@page { size: A4;",
        "<title>Offender visits: 80</title>",
    ] {
        assert!(page.contains(want), "missing {want:?}");
    }
    assert!(!page.contains("These figures are provisional"));
    assert!(page
        .contains("<p class=\"signoff\">Provisional figures: nov17-mersey is not signed off.</p>"));
    let provisional = env.ok(&[
        "report",
        "--op",
        "nov17-mersey",
        "--format",
        "html",
        "--provisional",
    ]);
    assert!(provisional.contains("<p class=\"status\">These figures are provisional"));
    // Signed off: who, when and the head to check them against.
    let head = env.ok(&["op", "sign-off", "nov17-mersey"]);
    let signed = env.ok(&["report", "--op", "nov17-mersey", "--format", "html"]);
    assert!(signed.contains("<p class=\"signoff\">Signed off by test-analyst at "));
    assert!(signed.contains(head.trim()));
    assert!(!signed.contains("not signed off"));
}

#[test]
fn every_user_value_is_escaped() {
    let env = TestEnv::new();
    env.ok(&[
        "op",
        "add",
        "x-op",
        "--title",
        "<b>Op</b> & \"friends\"",
        "--start",
        "2017-11-13",
        "--force",
        "<i>F</i>",
    ]);
    env.ok(&[
        "log",
        "warrant",
        "--date",
        "2017-11-13",
        "--area",
        "<script>alert(1)</script>",
    ]);
    let page = env.ok(&["report", "--op", "x-op", "--by", "area", "--format", "html"]);
    assert_self_contained(&page);
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"),
        "{page}"
    );
    assert!(page.contains("&lt;b&gt;Op&lt;&#x2F;b&gt; &amp; &quot;friends&quot;"));
    assert!(page.contains("&lt;i&gt;F&lt;&#x2F;i&gt;"));
    assert!(!page.contains("<b>") && !page.contains("<i>"));
}

#[test]
fn output_file_named_html_gets_the_page() {
    let env = demo();
    let path = env.path("briefing.html");
    let err = env.ok_stderr(&[
        "report",
        "--op",
        "nov17-mersey",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(err, format!("Wrote the report to {}.\n", path.display()));
    let page = std::fs::read_to_string(&path).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("nine warrants"));
}
