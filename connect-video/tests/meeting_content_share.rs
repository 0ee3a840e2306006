//! Content share through the simulated SFU: the customer's `#content` attendee sends video
//! that the agent receives, while the content peer receives nothing.
#![cfg(feature = "mock")]

mod meeting_support;

use connect_softphone::mock::turn::SimTurnServer;
use connect_testkit::first_event;
use connect_video::meeting::media::video::TestPatternSource;
use connect_video::meeting::media::{MeetingMediaError, MeetingMediaEvent, PeerMode};
use connect_video::mock::meeting::sfu::SfuRouter;
use connect_video::mock::meeting::MediaRouter;
use meeting_support::{
    attendee, audio, content_share, hears, subscribe, video, wait_frames, MEETING,
};

const AGENT_AUDIO: u32 = 1;
const CUSTOMER_AUDIO: u32 = 3;
const CONTENT_VIDEO: u32 = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_receives_the_customers_content_share() {
    let turn = SimTurnServer::start("sim-secret")
        .await
        .expect("TURN server");
    let sfu = SfuRouter::new();
    let mut agent = attendee(&turn, "agent", 440.0).await;
    let customer = attendee(&turn, "customer", 1_000.0).await;
    subscribe(&sfu, &agent, vec![audio(AGENT_AUDIO)], vec![]).await;
    subscribe(&sfu, &customer, vec![audio(CUSTOMER_AUDIO)], vec![]).await;

    let content = content_share(&turn, "customer", Box::new(TestPatternSource::new())).await;
    assert_eq!(content.peer.mode(), PeerMode::ContentShare);
    assert!(matches!(
        content.peer.create_offer(1).await,
        Err(MeetingMediaError::Unsupported(_))
    ));
    // Even when the content connection asks for streams, it is given none.
    subscribe(&sfu, &content, vec![video(CONTENT_VIDEO)], vec![]).await;
    subscribe(&sfu, &agent, vec![audio(AGENT_AUDIO)], vec![CONTENT_VIDEO]).await;

    first_event!(agent.events, |e| match e {
        MeetingMediaEvent::RemoteVideoAdded { stream_id, .. } if *stream_id == CONTENT_VIDEO => {
            Some(())
        }
        _ => None,
    });
    let keyframes = wait_frames(&mut agent.events, CONTENT_VIDEO, 45).await;
    assert!(keyframes >= 1);
    assert!(hears(&customer, 440.0, 1).await, "audio unaffected");

    let content_in_sfu = sfu
        .stats(MEETING, "customer#content")
        .expect("content attendee");
    assert!(content_in_sfu.video_packets_in > 0);
    assert_eq!(
        content_in_sfu.audio_packets_out, 0,
        "content receives no audio"
    );
    assert_eq!(
        content_in_sfu.video_packets_out, 0,
        "content receives no video"
    );
    let content_stats = content.peer.stats();
    assert_eq!(content_stats.audio_packets_received, 0);
    assert!(content_stats.remote_video.is_empty());
    assert!(content_stats.video_frames_sent >= 45);
    assert_eq!(content_stats.audio_packets_sent, 0);
    // The customer does not get its own content back.
    assert!(customer.peer.stats().remote_video.is_empty());

    // Stopping the share: the content attendee leaves, the agent's tile goes.
    content.peer.close().await.expect("closed");
    sfu.leave(MEETING, "customer#content").await;
    subscribe(&sfu, &agent, vec![audio(AGENT_AUDIO)], vec![]).await;
    first_event!(agent.events, |e| {
        (*e == MeetingMediaEvent::RemoteVideoRemoved {
            stream_id: CONTENT_VIDEO,
        })
        .then_some(())
    });
    assert_eq!(
        sfu.attendees(MEETING),
        vec!["agent".to_owned(), "customer".to_owned()]
    );
    turn.stop().await;
}
