//! Bytes → every CTI response type (`CtiRequest::parse_response`, i.e. `parse_response_for`)
//! and, server side, every request type (`dispatch` with a backend that supports nothing):
//! no panic. A response that parses serialises and parses again.
#![no_main]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use connect_core::api::*;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

#[derive(Debug)]
struct Nothing;
impl CtiApi for Nothing {}

/// Polls a future that never waits (the `Nothing` backend answers at once).
fn ready<F: Future>(future: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("dispatch to a backend that answers at once is pending"),
    }
}

fn response<R: CtiRequest>(body: &[u8]) {
    let Ok(resp) = R::parse_response(body) else {
        return;
    };
    let json = serde_json::to_vec(&resp).expect("a parsed response serialises");
    if let Err(e) = R::parse_response(&json) {
        panic!(
            "{} response does not parse back: {e}\n{}",
            R::METHOD,
            String::from_utf8_lossy(&json)
        );
    }
}

macro_rules! responses {
    ($body:expr; $($req:ty),+ $(,)?) => {
        $( response::<$req>($body); )+
    };
}

fuzz_target!(|data: &[u8]| {
    responses!(data;
        GetAgentSnapshotRequest,
        PutAgentStateRequest,
        GetAgentStatesRequest,
        GetDialableCountryCodesRequest,
        GetRoutingProfileQueuesRequest,
        GetAgentPermissionsRequest,
        GetAgentConfigurationRequest,
        UpdateAgentConfigurationRequest,
        AcceptContactRequest,
        CreateOutboundContactRequest,
        CreateTaskContactRequest,
        ClearContactRequest,
        CompleteContactRequest,
        RejectContactRequest,
        NotifyContactIssueRequest,
        CreateAdditionalConnectionRequest,
        DestroyConnectionRequest,
        HoldConnectionRequest,
        ResumeConnectionRequest,
        ToggleActiveConnectionsRequest,
        ConferenceConnectionsRequest,
        SendClientLogsRequest,
        SendDigitsRequest,
        SendSoftphoneCallReportRequest,
        SendSoftphoneCallMetricsRequest,
        GetEndpointsRequest,
        GetNewAuthTokenRequest,
        CreateTransportRequest,
        MuteParticipantRequest,
        UnmuteParticipantRequest,
        UpdateMonitorParticipantStateRequest,
        PauseContactRequest,
        ResumeContactRequest,
        AddNewConnectionRequest,
        TransferContactRequest,
    );

    // Server side: the first byte picks the method, the rest is the request body.
    if let Some((&pick, body)) = data.split_first() {
        let method = CtiMethod::ALL[usize::from(pick) % CtiMethod::ALL.len()];
        if let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) {
            let _ = ready(dispatch(&Nothing, method, body));
        }
        let _ = ready(dispatch(&Nothing, method, Map::new()));
    }
});
