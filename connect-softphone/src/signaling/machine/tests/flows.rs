//! Whole flows: full params, reconnect auth, PCBye, R12, malformed input, page-load PPC.

use connect_core::model::Sensitive;
use serde_json::{json, Value};

use super::*;

#[test]
fn invite_and_requests_carry_full_params_and_call_ids() {
    let mut h = H::to_talking(ChannelKind::Multiplexed, true);
    let (_, invite) = h.last("invite");
    let p = &invite["params"];
    assert_eq!(p["callContextToken"], "cct");
    assert_eq!(p["contactId"], "c-1");
    assert_eq!(p["browserId"], "browser-1");
    assert_eq!(p["persistentConnection"], true);
    assert_eq!(p["peerConnectionId"], Value::Null);
    assert_eq!(p["iceRestart"], false);
    let (_, accept) = h.last("accept");
    assert_eq!(accept["params"]["peerConnectionId"], "pc-1");
    assert_eq!(accept["params"]["contactId"], "c-1");
    // The second call's connectContact goes out with its own connection id ([R2]).
    h.hangup();
    h.m.connect_contact(
        t(h.now),
        CallLeg::new("ac-2", Some("c-2".into()), Some(Sensitive::new("cct2"))),
    );
    let out = h.drain();
    let Some(SignalingOutput::Send {
        connection_id,
        message,
    }) = out.first()
    else {
        panic!("connectContact not sent: {out:?}");
    };
    assert_eq!(connection_id, "ac-2");
    assert_eq!(message["params"]["callContextToken"], "cct2");
    assert_eq!(message["params"]["peerConnectionToken"], "pct");
    assert!(
        !format!("{:?}", h.m).contains("cct2"),
        "tokens hidden from Debug"
    );
}

#[test]
fn direct_reconnect_uses_the_renewed_client_token() {
    let mut h = talking_direct();
    h.server(json!({"method": "renewClientToken", "params": {"clientToken": "ct-9"}}));
    let out = h.down();
    assert!(out.iter().any(|o| matches!(o, SignalingOutput::OpenChannel { auth: DirectAuth::ClientToken(token), .. } if token.expose() == "ct-9")));
    h.opened();
    assert_eq!(h.state(), SignalingState::Talking);
}

#[test]
fn pc_bye_while_a_call_remains_waits_for_its_end_and_sends_no_bye() {
    let mut h = talking_ppc();
    h.server(json!({"method": "PCBye", "peerConnectionId": "pc-1"}));
    assert_eq!(h.state(), SignalingState::Talking);
    let out = h.hangup();
    assert_eq!(h.state(), SignalingState::Disconnected);
    assert_eq!(sends(&out), vec!["disconnectContact"]);
    assert!(events(&out).contains(&SignalingEvent::PcBye));
}

#[test]
fn failed_signaling_still_sends_bye_on_hangup_without_waiting() {
    let mut h = talking();
    h.m.fail(SignalingError::AccessDenied {
        message: String::new(),
    });
    h.drain();
    let out = h.hangup();
    assert_eq!(sends(&out), vec!["bye"]);
    assert!(matches!(h.state(), SignalingState::Failed(_)));
}

#[test]
fn malformed_messages_are_dropped_and_counted_without_effect() {
    let mut h = talking();
    for bad in [
        json!("x"),
        json!({"result": {}, "id": "nobody"}),
        json!({"foo": 1}),
        json!({"method": "renewClientToken"}),
    ] {
        assert!(h.m.receive(t(0), None, &bad).is_err(), "{bad}");
    }
    assert_eq!(h.m.dropped_messages(), 4);
    assert_eq!(h.state(), SignalingState::Talking);
    assert!(h
        .m
        .receive(t(0), None, &json!({"method": "somethingNew"}))
        .is_ok());
}

#[test]
fn page_load_pre_establishment_ends_idle() {
    let config = SignalingConfig {
        persistent_connection: true,
        ..SignalingConfig::new(ChannelKind::Multiplexed, "b")
    };
    let mut m = SignalingMachine::new(config, CallLeg::new("client-1", None, None), t(0));
    m.channel_opened(t(0));
    m.invite(t(0), "v=0".into(), vec![]);
    let mut id = String::new();
    while let Some(o) = m.poll_output() {
        if let SignalingOutput::Send { message, .. } = o {
            assert_eq!(message["params"]["contactId"], "");
            assert_eq!(message["params"]["callContextToken"], Value::Null);
            id = message["id"].as_str().unwrap_or_default().to_owned();
        }
    }
    m.receive(t(1), None, &json!({"id": id, "result": answer()}))
        .expect("answer");
    let accept_id = std::iter::from_fn(|| m.poll_output())
        .find_map(|o| match o {
            SignalingOutput::Send { message, .. } => message["id"].as_str().map(str::to_owned),
            _ => None,
        })
        .expect("accept sent");
    m.receive(t(2), None, &json!({"id": accept_id, "result": {}}))
        .expect("ack");
    assert_eq!(m.state(), &SignalingState::Idle);
    assert!(std::iter::from_fn(|| m.poll_output())
        .any(|o| o == SignalingOutput::Event(SignalingEvent::IdleReady)));
}
