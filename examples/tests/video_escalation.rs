//! Runs the `video-escalation` demo: the chat reaches both sides, the escalated meeting carries
//! audio both ways, both cameras and the agent's screen share, the backend's steps come in
//! order, and the ad-hoc route holds against reuse, guessing at rate and use after its TTL.

use std::process::Command;

use serde_json::{json, Value};

#[test]
fn chat_escalates_to_video_and_the_route_holds_against_attacks() {
    let output = Command::new(env!("CARGO_BIN_EXE_video-escalation"))
        .args(["--json", "--chat-turns", "2", "--video-ms", "2000"])
        .args(["--route-ttl-ms", "500", "--guesses", "50"])
        .output()
        .expect("the demo runs");
    assert!(
        output.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value =
        serde_json::from_str(stdout.lines().last().expect("one JSON line")).expect("JSON");
    assert_eq!(report["chat_messages_delivered"], 4);
    assert_eq!(report["meeting_attendees"], 2);
    assert_eq!(report["audio_both_ways"], true);
    for key in [
        "agent_video_frames_rx",
        "customer_video_frames_rx",
        "content_frames_rx",
    ] {
        assert!(
            report[key].as_u64().is_some_and(|n| n > 0),
            "{key}: {report}"
        );
    }
    assert_eq!(
        report["escalation_steps"],
        json!([
            "MeetingCreated",
            "CustomerAdded",
            "InvitationSent",
            "CustomerJoined",
            "EscalationEnded",
            "AgentReady"
        ])
    );
    assert_eq!(report["route_validations_ok"], 1);
    assert_eq!(report["route_bruteforce_succeeded"], 0);
    // 10 failures from one source start the cool-down; every later guess is refused unseen.
    assert_eq!(report["route_bruteforce_blocked"], 40);
    assert_eq!(report["route_reuse_rejected"], 1);
    assert_eq!(report["route_expired_rejected"], 1);
    assert_eq!(report["completed"], true);
}
