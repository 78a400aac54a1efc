//! The core: operations, types, log, list, show, report, export, demo, and
//! bad input that must change nothing.

use crate::env::TestEnv;

#[test]
fn reference_week_logged_event_by_event_reports_published_figures() {
    let env = TestEnv::new();
    assert_eq!(env.log_reference_week(), 107);
    let csv = env.ok(&["report", "--op", "nov17-mersey", "--format", "csv"]);
    assert_eq!(
        csv,
        "type,label,count\n\
         offender-visit,Offender visits,80\n\
         warrant,Warrants,9\n\
         device-seizure,Device seizures,6\n\
         arrest,Arrests,1\n\
         safeguarding-visit,Safeguarding visits,3\n\
         victim-identified,Victims identified,2\n\
         school-session,School sessions,9\n"
    );
}
