//! One attendee connection of a session (the attendee itself, or its content share): the
//! signalling client and the media peer it drives. After a re-join the media server has
//! forgotten the old peer, so the link builds a fresh one with the latest `JOIN_ACK`'s TURN
//! servers and subscribes again with its offer.

use std::future::Future;
use std::sync::Arc;

use connect_core::time::Clock;
use connect_softphone::audio::AudioSink;
use connect_softphone::media::IceServer;

use super::error::MeetingError;
use super::plan::Wanted;
use super::reuse::{Reusable, ReusableAudio, ReusableVideo};
use super::stats::combine;
use crate::meeting::join::JoinInfo;
use crate::meeting::media::{
    MeetingMediaError, MeetingMediaEvents, MeetingMediaStats, MeetingPeer, MeetingPeerConfig,
};
use crate::meeting::signal::{
    JoinAck, SignalingClient, SignalingEvents, SignalingTimings, SubscribeAck, TurnCredentials,
};

/// How a session's connections are made.
#[derive(Clone, Debug)]
pub(super) struct LinkOptions {
    pub(super) peer_config: MeetingPeerConfig,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) timings: SignalingTimings,
}

/// What a link's peers carry, kept to build the next peer.
pub(super) enum PeerKind {
    /// Audio both ways, the camera when on, remote videos.
    Attendee {
        source: ReusableAudio,
        sink: Reusable<dyn AudioSink>,
    },
    /// A content share's video, nothing received.
    Content(ReusableVideo),
}

impl PeerKind {
    async fn build(
        &self,
        config: MeetingPeerConfig,
    ) -> Result<(MeetingPeer, MeetingMediaEvents), MeetingMediaError> {
        match self {
            Self::Attendee { source, sink } => {
                MeetingPeer::attendee(config, Box::new(source.clone()), Box::new(sink.clone()))
                    .await
            }
            Self::Content(source) => MeetingPeer::content_share(config, source.handle()).await,
        }
    }
}

/// The peer configuration for a join: the `JOIN_ACK`'s TURN server first, then the configured
/// servers that do not name one of its URLs (so a configured entry for the same relay with
/// stale credentials is dropped).
fn peer_config(base: &MeetingPeerConfig, turn: Option<&TurnCredentials>) -> MeetingPeerConfig {
    let mut config = base.clone();
    if let Some(turn) = turn.filter(|t| !t.uris.is_empty()) {
        config
            .ice_servers
            .retain(|server| !server.urls.iter().any(|url| turn.uris.contains(url)));
        config.ice_servers.insert(
            0,
            IceServer::new(
                turn.uris.clone(),
                turn.username.clone(),
                turn.password.clone(),
            ),
        );
    }
    config
}

/// The outcome of one `SUBSCRIBE` round, and the peer it was made for.
pub(super) struct Round {
    pub(super) generation: u64,
    pub(super) wanted: Wanted,
    pub(super) result: Result<SubscribeAck, MeetingError>,
}

/// One connection: signalling, and the current media peer.
pub(super) struct Link {
    pub(super) client: SignalingClient,
    pub(super) signals: SignalingEvents,
    pub(super) peer: MeetingPeer,
    pub(super) media: MeetingMediaEvents,
    kind: PeerKind,
    base: MeetingPeerConfig,
    turn: Option<TurnCredentials>,
    /// Counts the peers; a round's result is only used for the peer it was made for.
    generation: u64,
    /// The counters of the peers before this one.
    carried: MeetingMediaStats,
}

impl Link {
    /// Joins (`JOIN` → `JOIN_ACK`) and builds the first peer with the `JOIN_ACK`'s TURN
    /// servers.
    pub(super) async fn open(
        info: JoinInfo,
        options: &LinkOptions,
        kind: PeerKind,
    ) -> Result<Self, MeetingError> {
        let (client, signals) = SignalingClient::builder(info)
            .clock(Arc::clone(&options.clock))
            .timings(options.timings)
            .connect()
            .await?;
        let turn = client.join_ack().turn.clone();
        let (peer, media) = kind
            .build(peer_config(&options.peer_config, turn.as_ref()))
            .await?;
        Ok(Self {
            client,
            signals,
            peer,
            media,
            kind,
            base: options.peer_config.clone(),
            turn,
            generation: 0,
            carried: MeetingMediaStats::default(),
        })
    }

    /// A re-join's `JOIN_ACK`: its TURN servers are used for the next peer.
    pub(super) fn on_join_ack(&mut self, ack: &JoinAck) {
        if ack.turn.is_some() {
            self.turn = ack.turn.clone();
        }
    }

    /// Closes the peer and builds a fresh one (after a re-join).
    /// Rounds made for the old peer no longer count, even when building the new one fails.
    pub(super) async fn renew_peer(&mut self) -> Result<(), MeetingError> {
        self.close_peer().await;
        self.generation += 1;
        let (peer, media) = self
            .kind
            .build(peer_config(&self.base, self.turn.as_ref()))
            .await?;
        self.peer = peer;
        self.media = media;
        Ok(())
    }

    /// Closes the current peer, keeping its counters.
    pub(super) async fn close_peer(&mut self) {
        if let Err(error) = self.peer.close().await {
            tracing::debug!(%error, "meeting peer close");
        }
        self.carried = combine(&self.carried, &self.peer.stats());
    }

    /// The peer the current round must be made for.
    pub(super) fn generation(&self) -> u64 {
        self.generation
    }

    /// One `SUBSCRIBE` round (offer, `SUBSCRIBE`, answer and track mapping) for the current
    /// peer, as a future owning what it needs.
    pub(super) fn round(&self, wanted: Wanted) -> impl Future<Output = Round> + Send + 'static {
        let client = self.client.clone();
        let peer = self.peer.clone();
        let generation = self.generation;
        async move {
            let result = subscribe(&client, &peer, &wanted).await;
            Round {
                generation,
                wanted,
                result,
            }
        }
    }

    /// The counters of every peer of this link.
    pub(super) fn stats(&self) -> MeetingMediaStats {
        combine(&self.carried, &self.peer.stats())
    }
}

async fn subscribe(
    client: &SignalingClient,
    peer: &MeetingPeer,
    wanted: &Wanted,
) -> Result<SubscribeAck, MeetingError> {
    let offer = peer.create_offer(wanted.slots()).await?;
    let ack = client.subscribe(wanted.subscription(offer)).await?;
    let tracks: Vec<(String, u32)> = ack
        .tracks
        .iter()
        .map(|t| (t.track_label.clone(), t.stream_id))
        .collect();
    peer.apply_answer(&ack.sdp_answer, &tracks).await?;
    Ok(ack)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use connect_core::model::Sensitive;

    use super::*;

    #[test]
    fn join_ack_turn_goes_first_and_replaces_the_same_relay() {
        let stun = IceServer::new(["stun:stun.example.com:3478"], "", "");
        let stale = IceServer::new(["turn:127.0.0.1:3478?transport=udp"], "old", "old-secret");
        let base = MeetingPeerConfig::new(vec![stun.clone(), stale]).loopback();
        let turn = TurnCredentials {
            username: "1740819600:a".into(),
            password: Sensitive::new("fresh-secret"),
            ttl: Some(Duration::from_secs(300)),
            uris: vec!["turn:127.0.0.1:3478?transport=udp".into()],
        };
        let config = peer_config(&base, Some(&turn));
        assert_eq!(config.ice_servers.len(), 2);
        assert_eq!(config.ice_servers[0].username, "1740819600:a");
        assert_eq!(config.ice_servers[0].credential.expose(), "fresh-secret");
        assert_eq!(config.ice_servers[1], stun);
        assert_eq!(config.bind_addrs, base.bind_addrs);
        assert!(!format!("{config:?}").contains("fresh-secret"));
        // No TURN in JOIN_ACK (or no URI): the configured servers as they are.
        assert_eq!(peer_config(&base, None).ice_servers, base.ice_servers);
        let empty = TurnCredentials {
            uris: vec![],
            ..turn
        };
        assert_eq!(
            peer_config(&base, Some(&empty)).ice_servers,
            base.ice_servers
        );
    }
}
