//! One test per join-data source, plus the errors and the content-share variant.

use super::*;

const PLACEMENT: &str = r#"{"AudioHostUrl":"h:3478","AudioFallbackUrl":"wss://fb",
    "SignalingUrl":"wss://signal.m1.ue1.app.chime.aws/control/m-1",
    "TurnControlUrl":"https://turn","EventIngestionUrl":"https://ingest","ScreenDataUrl":"old"}"#;

fn chime_shape() -> String {
    format!(
        r#"{{"Meeting":{{"MeetingId":"m-1","ExternalMeetingId":"ext-1","MediaRegion":"us-east-1",
        "MediaPlacement":{PLACEMENT},"MeetingFeatures":{{"Audio":{{"EchoReduction":"AVAILABLE"}}}}}},
        "Attendee":{{"AttendeeId":"a-1","ExternalUserId":"user-1","JoinToken":"tok-1",
        "Capabilities":{{"Audio":"SendReceive","Video":"Receive","Content":"None"}}}}}}"#
    )
}

#[test]
fn chime_create_meeting_and_attendee() {
    let info = JoinInfo::from_json(&chime_shape()).expect("valid Chime shape");
    assert_eq!(info.meeting_id, "m-1");
    assert_eq!(info.external_meeting_id.as_deref(), Some("ext-1"));
    assert_eq!(info.media_region.as_deref(), Some("us-east-1"));
    assert_eq!(
        info.signaling_url(),
        "wss://signal.m1.ue1.app.chime.aws/control/m-1"
    );
    assert_eq!(
        info.media_placement.turn_control_url.as_deref(),
        Some("https://turn")
    );
    assert_eq!(
        info.media_placement.extra.get("ScreenDataUrl"),
        Some(&Value::String("old".into()))
    );
    assert_eq!(info.attendee_id, "a-1");
    assert_eq!(info.external_user_id.as_deref(), Some("user-1"));
    assert_eq!(info.join_token.expose(), "tok-1");
    assert_eq!(info.capabilities.video, Capability::Receive);
    assert_eq!(info.capabilities.content, Capability::None);
    assert!(info.meeting_features.is_some());
}

#[test]
fn create_transport_web_rtc_whole_and_inner() {
    let inner = r#"{"meeting":{"meetingId":"m-2","mediaRegion":"eu-west-2",
        "mediaPlacement":{"audioHostUrl":"h","audioFallbackUrl":"f","signalingUrl":"wss://s2",
        "turnControlUrl":"t","eventIngestionUrl":"e"},"meetingFeatures":{}},
        "attendee":{"attendeeId":"a-2","joinToken":"tok-2"}}"#;
    let whole = format!(r#"{{"webRTCTransport":{inner}}}"#);
    for text in [inner.to_owned(), whole] {
        let info = JoinInfo::from_json(&text).expect("valid camelCase shape");
        assert_eq!(info.meeting_id, "m-2");
        assert_eq!(info.media_region.as_deref(), Some("eu-west-2"));
        assert_eq!(info.signaling_url(), "wss://s2");
        assert_eq!(info.attendee_id, "a-2");
        assert_eq!(info.join_token.expose(), "tok-2");
        assert_eq!(info.capabilities, Capabilities::default());
    }
}

#[test]
fn start_webrtc_contact_connection_data() {
    let text = format!(
        r#"{{"ContactId":"c","ParticipantId":"p","ParticipantToken":"pt","ConnectionData":{{
        "Meeting":{{"MeetingId":"m-3","MediaRegion":"us-west-2","MediaPlacement":{PLACEMENT},
        "MeetingFeatures":{{"Audio":{{"EchoReduction":"AVAILABLE"}}}}}},
        "Attendee":{{"AttendeeId":"a-3","JoinToken":"tok-3"}}}}}}"#
    );
    let info = JoinInfo::from_json(&text).expect("valid StartWebRTCContact response");
    assert_eq!(info.meeting_id, "m-3");
    assert_eq!(info.attendee_id, "a-3");
    assert_eq!(info.external_user_id, None);
    assert_eq!(info.join_token.expose(), "tok-3");
}

#[test]
fn create_participant_connection_webrtc_connection() {
    for meeting_key in ["Meeting", "WebRTCMeeting"] {
        let text = format!(
            r#"{{"ConnectionCredentials":{{"ConnectionToken":"ct"}},"WebRTCConnection":{{
            "{meeting_key}":{{"MeetingId":"m-4","MediaPlacement":{{"AudioHostUrl":"h",
            "AudioFallbackUrl":"f","SignalingUrl":"wss://s4","EventIngestionUrl":"e"}}}},
            "Attendee":{{"AttendeeId":"a-4","JoinToken":"tok-4"}}}}}}"#
        );
        let info = JoinInfo::from_json(&text).expect("valid WEBRTC_CONNECTION shape");
        assert_eq!(info.meeting_id, "m-4");
        assert_eq!(info.media_region, None);
        assert_eq!(info.media_placement.turn_control_url, None);
        assert_eq!(info.signaling_url(), "wss://s4");
        assert_eq!(info.attendee_id, "a-4");
    }
}

#[test]
fn keys_match_in_any_case() {
    let text = r#"{"MEETING":{"meetingID":"m","mediaplacement":{"SIGNALINGURL":"wss://s"}},
        "attendee":{"AttendeeID":"a","jointoken":"t","EXTERNALUSERID":"u"}}"#;
    let info = JoinInfo::from_json(text).expect("case-insensitive keys");
    assert_eq!(
        (info.meeting_id.as_str(), info.attendee_id.as_str()),
        ("m", "a")
    );
    assert_eq!(info.external_user_id.as_deref(), Some("u"));
}

#[test]
fn from_parts_matches_the_json_shape() {
    let value: Value = serde_json::from_str(&chime_shape()).expect("fixture is JSON");
    let meeting: Meeting = serde_json::from_value(value["Meeting"].clone()).expect("Meeting");
    let attendee: Attendee = serde_json::from_value(value["Attendee"].clone()).expect("Attendee");
    assert_eq!(
        JoinInfo::from_parts(&meeting, &attendee).expect("typed parts"),
        JoinInfo::from_json(&chime_shape()).expect("json")
    );
}

#[test]
fn typed_errors_for_missing_parts() {
    let cases = [
        ("[1]", JoinInfoError::NotJson("not an object".into())),
        (r#"{"Attendee":{}}"#, JoinInfoError::MissingMeeting),
        (
            r#"{"Meeting":{"MeetingId":"m"},"Attendee":{"AttendeeId":"a","JoinToken":"t"}}"#,
            JoinInfoError::MissingSignalingUrl,
        ),
        (
            r#"{"Meeting":{"MeetingId":"m","MediaPlacement":{"SignalingUrl":"wss://s"}}}"#,
            JoinInfoError::MissingAttendee,
        ),
        (
            r#"{"Meeting":{"MeetingId":"m","MediaPlacement":{"SignalingUrl":"wss://s"}},"Attendee":{"JoinToken":"t"}}"#,
            JoinInfoError::MissingAttendeeId,
        ),
        (
            r#"{"Meeting":{"MeetingId":"m","MediaPlacement":{"SignalingUrl":"wss://s"}},"Attendee":{"AttendeeId":"a"}}"#,
            JoinInfoError::MissingJoinToken,
        ),
        (
            r#"{"Meeting":{"MediaPlacement":{"SignalingUrl":"wss://s"}},"Attendee":{"AttendeeId":"a","JoinToken":"t"}}"#,
            JoinInfoError::MissingMeetingId,
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(JoinInfo::from_json(text), Err(expected), "{text}");
    }
    assert!(matches!(
        JoinInfo::from_json("not json"),
        Err(JoinInfoError::NotJson(_))
    ));
}

#[test]
fn content_share_variant() {
    let info = JoinInfo::from_json(&chime_shape()).expect("valid");
    let content = info.content_share();
    assert_eq!(content.attendee_id, "a-1#content");
    assert_eq!(content.join_token.expose(), "tok-1#content");
    assert_eq!(content.external_user_id, info.external_user_id);
    assert_eq!(content.meeting_id, info.meeting_id);
    assert_eq!(content.capabilities.content, Capability::Send);
    assert_eq!(content.capabilities.video, Capability::None);
    assert!(content.is_content());
    assert!(!format!("{content:?}").contains("tok-1"));
}
