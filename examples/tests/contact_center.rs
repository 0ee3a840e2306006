//! Runs the `contact-center` demo small and checks its report accounts for every offer.

use std::process::Command;

#[test]
fn the_demo_accounts_for_every_offer_in_order() {
    let output = Command::new(env!("CARGO_BIN_EXE_contact-center"))
        .args([
            "--agents",
            "3",
            "--contacts",
            "12",
            "--miss-every",
            "4",
            "--json",
        ])
        .output()
        .expect("the demo runs");
    assert!(
        output.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().expect("one JSON line");
    let report: serde_json::Value = serde_json::from_str(line).expect("JSON report");
    let number = |key: &str| {
        report[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{key} in {report}"))
    };
    assert_eq!(number("agents"), 3);
    assert_eq!(number("events_out_of_order"), 0);
    assert_eq!(
        number("contacts_handled") + number("contacts_missed"),
        number("contacts_offered")
    );
    assert!(
        number("contacts_missed") >= 1,
        "every 4th offer rings out: {report}"
    );
    assert!(
        number("contacts_handled") >= 12,
        "every customer is served: {report}"
    );
}
