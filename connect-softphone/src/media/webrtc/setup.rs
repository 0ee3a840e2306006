//! Building a webrtc-rs peer connection for one call: configuration, codecs, interceptors.

use std::sync::Arc;

use rtc::interceptor::{Registry, Slot};
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::interceptor_registry::configure_rtcp_reports;
use rtc::peer_connection::configuration::media_engine::{
    MediaEngine as RtcMediaEngine, MIME_TYPE_OPUS, MIME_TYPE_PCMU, MIME_TYPE_TELEPHONE_EVENT,
};
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RtpCodecKind,
};
use webrtc::peer_connection::{
    RTCBundlePolicy, RTCConfiguration, RTCConfigurationBuilder, RTCIceServer,
    RTCIceTransportPolicy, RTCRtcpMuxPolicy, SettingEngine, SettingEngineBuilder,
};

use super::far_end::{FarEndReport, ReportObserver};
use crate::media::{AudioCodec, IcePolicy, IceServer, MediaError, PeerConfig};

/// Payload type of Opus (browser convention).
pub(super) const PT_OPUS: u8 = 111;
/// Payload type of PCMU (static, RFC 3551).
pub(super) const PT_PCMU: u8 = 0;
/// Payload type of `telephone-event/48000`.
pub(super) const PT_TELEPHONE_EVENT_48K: u8 = 110;
/// Payload type of `telephone-event/8000`.
pub(super) const PT_TELEPHONE_EVENT_8K: u8 = 126;

/// The peer-connection configuration for these ICE servers (spec §8: relay policy, balanced
/// bundle, RTCP mux required).
pub fn configuration(servers: &[IceServer], policy: IcePolicy) -> RTCConfiguration {
    let ice_servers = servers
        .iter()
        .map(|server| RTCIceServer {
            urls: server.urls.clone(),
            username: server.username.clone(),
            credential: server.credential.expose().to_owned(),
        })
        .collect();
    RTCConfigurationBuilder::new()
        .with_ice_servers(ice_servers)
        .with_ice_transport_policy(match policy {
            IcePolicy::Relay => RTCIceTransportPolicy::Relay,
            IcePolicy::All => RTCIceTransportPolicy::All,
        })
        .with_bundle_policy(RTCBundlePolicy::Balanced)
        .with_rtcp_mux_policy(RTCRtcpMuxPolicy::Require)
        .build()
}

/// Settings: loopback host candidates (simulated media servers), fresh candidates on each ICE
/// restart (so a restart re-allocates on the new TURN servers), and, relay-only, no wait for
/// better candidate types that cannot come.
pub fn settings(policy: IcePolicy) -> SettingEngine {
    let builder = SettingEngineBuilder::new()
        .with_include_loopback_candidate(true)
        .with_discard_local_candidates_during_ice_restart(true);
    match policy {
        IcePolicy::Relay => builder
            .with_relay_acceptance_min_wait(Some(std::time::Duration::ZERO))
            .build(),
        IcePolicy::All => builder.build(),
    }
}

fn codec(mime: &str, clock_rate: u32, channels: u16, fmtp: &str) -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: mime.to_owned(),
        clock_rate,
        channels,
        sdp_fmtp_line: fmtp.to_owned(),
        rtcp_feedback: vec![],
    }
}

/// The RTP codec of an audio codec as webrtc-rs names it, with the Opus parameters of the
/// munged offer (spec §9 rule 1) except `minptime`, which only the munged text carries:
/// webrtc-rs pairs codecs only when the fmtp parameters both sides name are equal, and
/// browsers offer and answer `minptime=10`.
fn rtp_codec(audio: AudioCodec, opus_dtx: bool) -> RTCRtpCodec {
    match audio {
        AudioCodec::Opus => {
            let fmtp = format!("useinbandfec=1;usedtx={}", u8::from(opus_dtx));
            codec(MIME_TYPE_OPUS, 48_000, 2, &fmtp)
        }
        AudioCodec::Pcmu => codec(MIME_TYPE_PCMU, 8_000, 0, ""),
    }
}

/// The codecs a peer registers: the configured order (spec §9 rule 5), or only the forced one.
pub(super) fn offered_codecs(config: &PeerConfig) -> Vec<AudioCodec> {
    match config.force_audio_codec {
        Some(forced) => vec![forced],
        None => config.codecs.clone(),
    }
}

/// Where the loss observer sits: next to the report interceptors, below the jitter buffer.
const REPORT_OBSERVER_SLOT: usize = 10_500;

/// Registers the codecs in offer order, the RTCP report interceptors and the observer of the
/// loss the far end reports about the stream sent on `ssrc`.
pub(super) fn media(
    config: &PeerConfig,
    ssrc: u32,
    loss: Arc<FarEndReport>,
) -> Result<(RtcMediaEngine, Registry), MediaError> {
    let codecs = offered_codecs(config);
    let mut engine = RtcMediaEngine::default();
    let mut register = |rtp_codec: RTCRtpCodec, payload_type: u8| {
        engine
            .register_codec(
                RTCRtpCodecParameters {
                    rtp_codec,
                    payload_type,
                },
                RtpCodecKind::Audio,
            )
            .map_err(|e| MediaError::Setup(format!("codec registration: {e}")))
    };
    for audio in &codecs {
        let pt = match audio {
            AudioCodec::Opus => PT_OPUS,
            AudioCodec::Pcmu => PT_PCMU,
        };
        register(rtp_codec(*audio, config.enable_opus_dtx), pt)?;
    }
    // Both rates, in the order of spec §9 rule 5.
    register(
        codec(MIME_TYPE_TELEPHONE_EVENT, 48_000, 0, "0-16"),
        PT_TELEPHONE_EVENT_48K,
    )?;
    register(
        codec(MIME_TYPE_TELEPHONE_EVENT, 8_000, 0, "0-16"),
        PT_TELEPHONE_EVENT_8K,
    )?;
    let registry = configure_rtcp_reports(Registry::new()).with(
        Slot::from(REPORT_OBSERVER_SLOT),
        ReportObserver::new(ssrc, loss),
    );
    Ok((engine, registry))
}

/// The local audio track, sending on `ssrc`, naming `codec` once one is negotiated.
///
/// Before negotiation the track names no codec, so the transceiver offers every registered
/// one and the answer picks. Once the answer is known the track is replaced by one naming the
/// negotiated codec: webrtc-rs binds a sent stream to its RTCP interceptors (and so sends
/// sender reports, which the far end's RTT measurement needs) only when the track names a
/// codec of the negotiated set.
pub(super) fn audio_track(ssrc: u32, codec: Option<(AudioCodec, bool)>) -> MediaStreamTrack {
    MediaStreamTrack::new(
        "connect-softphone".to_owned(),
        "audio".to_owned(),
        "audio".to_owned(),
        RtpCodecKind::Audio,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                ssrc: Some(ssrc),
                ..Default::default()
            },
            codec: codec
                .map(|(audio, opus_dtx)| rtp_codec(audio, opus_dtx))
                .unwrap_or_default(),
            ..Default::default()
        }],
    )
}
