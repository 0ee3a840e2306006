//! Bytes → the softphone's signaling decoders (`connect_softphone::signaling::proto`): the
//! `aws/softphone` envelope (`decode_server_content` / `decode_client_content`), JSON-RPC
//! `classify`, the typed server messages and results, and `decode_call_config`. Never a panic;
//! an envelope re-encoded with `server_content` decodes to itself, and a parsed invite result
//! serialises and parses back equal.
#![no_main]

use connect_softphone::signaling::proto::{
    classify, decode_call_config, decode_client_content, decode_server_content, server_content,
    AckResult, Classified, InviteParams, InviteResult, ServerMessage, TransportChoice,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Everything a decoded JSON-RPC message goes through in the client and the simulator.
fn rpc(message: &Value) {
    // Ids of even length are "pending": both branches of `classify` get exercised.
    let Ok(classified) = classify(message, |id| id.len() % 2 == 0) else {
        return;
    };
    match classified {
        Classified::Response {
            outcome: Ok(result),
            ..
        } => {
            let _ = AckResult::parse(&result);
            if let Ok(invite) = InviteResult::parse(&result) {
                let _ = (invite.peer_connection(), invite.is_media_cluster_path());
                let json = serde_json::to_value(&invite).expect("an invite result serialises");
                let back = InviteResult::parse(&json).expect("an invite result parses back");
                assert_eq!(back, invite, "invite result changed on the wire: {json}");
            }
        }
        Classified::Response {
            outcome: Err(_), ..
        } => {}
        Classified::Request {
            method,
            id,
            params,
            message,
        } => {
            let _ = ServerMessage::from_request(&method, id, &params, &message);
            let _ = InviteParams::from_params(&params).map(|p| p.to_params());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // `callConfigJson` as the snapshot carries it (possibly `&quot;`-escaped).
    if let Ok(config) = decode_call_config(text) {
        let _ = TransportChoice::from_config(&config, "wss://rtc.example/");
    }
    // The server's `content` is a JSON string holding the envelope; tolerate an object too.
    let mut contents = vec![Value::String(text.to_owned())];
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        rpc(&value);
        contents.push(value);
    }
    for content in &contents {
        let _ = decode_client_content(content);
        let Ok(envelope) = decode_server_content(content) else {
            continue;
        };
        let again = server_content(&envelope.route, envelope.message.clone());
        let back = decode_server_content(&again).expect("a re-encoded envelope decodes");
        assert_eq!(back, envelope, "envelope changed on the wire: {again}");
        rpc(&envelope.message);
    }
});
