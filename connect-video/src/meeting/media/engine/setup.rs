//! Building a peer connection for meeting media: Opus and VP8 on fixed payload types (both
//! sides of a meeting register the same ones), RTCP reports, keyframe requests delivered to the
//! application, and the softphone's driver runtime and ICE configuration.

use std::sync::Arc;

use connect_softphone::media::{
    rtc_configuration, rtc_settings, DriverRuntime, IcePolicy, IceServer,
};
use rtc::interceptor::{Registry, Slot};
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::interceptor_registry::configure_rtcp_reports;
use rtc::peer_connection::configuration::media_engine::{
    MediaEngine, MIME_TYPE_OPUS, MIME_TYPE_VP8,
};
use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters,
    RTCRtpEncodingParameters, RtpCodecKind,
};
use tokio::sync::{mpsc, watch};
use webrtc::peer_connection::{PeerConnection, PeerConnectionBuilder};

use super::handler::{PeerSignal, SignalHandler};
use super::keyframe::{KeyframeRequests, KEYFRAME_SLOT};
use crate::meeting::media::MeetingMediaError;

/// Payload type of Opus.
pub(crate) const PT_OPUS: u8 = 111;
/// Payload type of VP8.
pub(crate) const PT_VP8: u8 = 96;

fn opus_codec() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_OPUS.to_owned(),
        clock_rate: 48_000,
        channels: 2,
        sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
        rtcp_feedback: vec![],
    }
}

fn vp8_codec() -> RTCRtpCodec {
    let feedback = |typ: &str, parameter: &str| RTCPFeedback {
        typ: typ.to_owned(),
        parameter: parameter.to_owned(),
    };
    RTCRtpCodec {
        mime_type: MIME_TYPE_VP8.to_owned(),
        clock_rate: crate::meeting::media::video::VIDEO_CLOCK_RATE,
        channels: 0,
        sdp_fmtp_line: String::new(),
        rtcp_feedback: vec![feedback("ccm", "fir"), feedback("nack", "pli")],
    }
}

fn track(kind: RtpCodecKind, label: &str, ssrc: u32, codec: RTCRtpCodec) -> MediaStreamTrack {
    MediaStreamTrack::new(
        format!("connect-video-{label}"),
        format!("{label}-{ssrc:08x}"),
        label.to_owned(),
        kind,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                ssrc: Some(ssrc),
                ..Default::default()
            },
            codec,
            ..Default::default()
        }],
    )
}

/// An Opus track sending on `ssrc`.
pub(crate) fn opus_track(label: &str, ssrc: u32) -> MediaStreamTrack {
    track(RtpCodecKind::Audio, label, ssrc, opus_codec())
}

/// A VP8 track sending on `ssrc`.
pub(crate) fn vp8_track(label: &str, ssrc: u32) -> MediaStreamTrack {
    track(RtpCodecKind::Video, label, ssrc, vp8_codec())
}

/// A random SSRC (RFC 3550 §8: random, from the operating system's CSPRNG here).
pub(crate) fn random_ssrc() -> Result<u32, MeetingMediaError> {
    let mut bytes = [0u8; 4];
    crate::random::fill(&mut bytes)
        .map_err(|e| MeetingMediaError::Setup(format!("randomness: {e}")))?;
    Ok(u32::from_le_bytes(bytes))
}

/// A peer connection and what its owner needs to drive it.
pub(crate) struct RtcPeer {
    pub(crate) pc: Arc<dyn PeerConnection>,
    pub(crate) runtime: Arc<DriverRuntime>,
    pub(crate) signals: mpsc::UnboundedReceiver<PeerSignal>,
    pub(crate) gathered: watch::Receiver<bool>,
}

/// Builds a peer connection with the meeting codecs on its own driver runtime.
pub(crate) async fn build_peer(
    ice_servers: &[IceServer],
    policy: IcePolicy,
    bind_addrs: Vec<String>,
) -> Result<RtcPeer, MeetingMediaError> {
    let setup = |what: &str| {
        let what = what.to_owned();
        move |e: rtc::shared::error::Error| MeetingMediaError::Setup(format!("{what}: {e}"))
    };
    let mut engine = MediaEngine::default();
    engine
        .register_codec(
            RTCRtpCodecParameters {
                rtp_codec: opus_codec(),
                payload_type: PT_OPUS,
            },
            RtpCodecKind::Audio,
        )
        .map_err(setup("Opus registration"))?;
    engine
        .register_codec(
            RTCRtpCodecParameters {
                rtp_codec: vp8_codec(),
                payload_type: PT_VP8,
            },
            RtpCodecKind::Video,
        )
        .map_err(setup("VP8 registration"))?;
    let registry = configure_rtcp_reports(Registry::new())
        .with(Slot::from(KEYFRAME_SLOT), KeyframeRequests::default());
    let (signals_tx, signals) = mpsc::unbounded_channel();
    let (gathered_tx, gathered) = watch::channel(false);
    let runtime =
        Arc::new(DriverRuntime::new().map_err(|e| MeetingMediaError::Setup(e.to_string()))?);
    let pc = PeerConnectionBuilder::new()
        .with_configuration(rtc_configuration(ice_servers, policy))
        .with_media_engine(engine)
        .with_interceptor_registry(registry)
        .with_setting_engine(rtc_settings(policy))
        .with_handler(Arc::new(SignalHandler {
            signals: signals_tx,
            gathered: gathered_tx,
        }))
        .with_udp_addrs(bind_addrs)
        .with_runtime(Arc::clone(&runtime) as Arc<dyn webrtc::runtime::Runtime>)
        .build()
        .await
        .map_err(|e| MeetingMediaError::Setup(format!("peer connection: {e}")))?;
    Ok(RtcPeer {
        pc: Arc::new(pc),
        runtime,
        signals,
        gathered,
    })
}
