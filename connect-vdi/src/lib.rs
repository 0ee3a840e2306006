//! # connect-vdi
//!
//! VDI platforms for the Amazon Connect softphone, and media redirection from the virtual
//! desktop to a media engine on the agent's own machine.
//!
//! Without redirection, a softphone inside a virtual desktop captures the microphone through
//! the display protocol and runs Opus, SRTP and the jitter buffer on the shared host. With
//! redirection, call control (CTI, signaling, SDP munging) stays in the desktop while the
//! media engine runs on the endpoint, and media flows directly between the endpoint and
//! Amazon Connect.
//!
//! - [`platform`]: the platform identifiers and profiles (readiness signals, timeouts,
//!   limitations), detection from configuration and environment, and the [`VdiPlatform`]
//!   trait. Native builds run `None` (local media) and `Engine` (this crate's protocol); the
//!   vendor platforms report `PlatformUnavailable`, which the fallback policy handles.
//! - [`protocol`]: the redirection protocol `connect-vdi/1`, as plain data.
//! - [`desktop`]: the desktop side — [`RedirectedMediaEngine`], a
//!   [`MediaEngine`](connect_softphone::media::MediaEngine) that runs every call's media on the
//!   endpoint, with an explicit [`FallbackPolicy`].
//! - [`engine`]: the endpoint media engine as a library ([`EndpointEngine`]); the
//!   `connect-media-engine` binary runs it. Its devices are fake by default (a tone
//!   microphone and a recording speaker, for CI and machines without audio hardware); with
//!   feature `devices`, `DeviceSet::live()` and `--devices live` use the machine's own
//!   microphones and speakers (cpal), enumerated and selected through the protocol.
//!
//! ## The protocol `connect-vdi/1`
//!
//! **Transport.** A WebSocket with subprotocol `connect-vdi.v1`; the desktop is the client.
//! One JSON-RPC 2.0 message per text frame; a batch gets one `-32600` error. `ws://` only to
//! loopback, `wss://` otherwise.
//!
//! **Authentication.** `hello` carries a pairing token (at least 128 random bits, configured
//! on both sides). A wrong token gets `-32002`, then close code 4401. Neither side logs the
//! token or the TURN credentials.
//!
//! **Liveness.** The desktop pings every 500 ms; 5 s without any frame means the endpoint is
//! lost (`endpointDisconnected`). The engine tears down every peer connection of a desktop
//! connection that stayed silent for 5 s. One desktop connection at a time: a second `hello`
//! gets `-32005`. Handles (`pcId`, `streamId`, `trackId`) are opaque ids issued by the engine.
//!
//! | Method | Params | Result |
//! |---|---|---|
//! | `hello` | `protocols:[1]`, `token`, `client:{name,version}`, `desktopId` | `protocol`, `engine:{name,version}`, `capabilities:{earlyMedia, iceRestart, codecs:["opus"], video:false, dtmf?, replaceTrack?, answer?}` |
//! | `getUserMedia` | `audio:{deviceId?, echoCancellation, noiseSuppression?, autoGainControl?}` | `streamId`, `tracks:[{trackId, kind, label, deviceId}]`; `video` gets `-32021` |
//! | `enumerateDevices` | — | `devices:[{deviceId, kind: audioinput\|audiooutput, label, groupId, isDefault}]` |
//! | `createPeerConnection` | `iceServers:[{urls,username,credential}]`, `iceTransportPolicy`, `bundlePolicy`, `rtcpMuxPolicy`, `codecs?`, `opusDtx?` | `pcId` |
//! | `addTrack` | `pcId`, `trackId`, `streamId` | `{}` |
//! | `createOffer` | `pcId`, `iceRestart?`, `iceServers?` | `sdp` |
//! | `setLocalDescription` | `pcId`, `type:"offer"\|"answer"`, `sdp` (the offer munged, the answer as made) | `{}`; then `iceCandidate`… `null` |
//! | `setRemoteDescription` | `pcId`, `type:"answer"\|"offer"`, `sdp`, `candidates?` | `{}`; an offer is answered (the engine gathers meanwhile) |
//! | `createAnswer` | `pcId` | `sdp` (the answer to the offer set last) |
//! | `addIceCandidate` | `pcId`, `candidate`, `sdpMid`, `sdpMLineIndex`, `usernameFragment?` | `{}` |
//! | `getStats` | `pcId` | `reports:[…]` (W3C `inbound-rtp`, `outbound-rtp`, `remote-inbound-rtp`, `media-source`) |
//! | `setDevice` | `kind`, `deviceId` | `{deviceId, label}`; an input change swaps the sender's source on every peer connection, an output change moves playout |
//! | `mute` | `trackId`, `muted` | `{}`; a muted track keeps sending silence |
//! | `insertDtmf` | `pcId`, `tones` (`0-9 * # A-D`, `,` = 500 ms pause) | `{}` once queued; RFC 4733 `telephone-event`; `-32021` when it was not negotiated |
//! | `replaceTrack` | `pcId`, `trackId` \| `null` | `{}`; the sender sends that track (or silence) without renegotiation, mute state kept |
//! | `close` | `pcId` \| `streamId` \| `all:true` | `{}`; `all` ends the desktop connection cleanly |
//!
//! | Notification (engine → desktop) | Params |
//! |---|---|
//! | `connected` | `engine`, `protocol`, `mediaStack`, `os:{architecture, distro, edition, family, version}`, `clientPlatform`; resolves `when_connected` |
//! | `disconnected` | `reason: failure \| endpointDisconnected \| endpointUnsupported`, `message?`; sent before any voluntary close |
//! | `deviceChange` | `devices` (the full list) |
//! | `iceStateChange` | `pcId`, `ice`, `connection`, `gathering` |
//! | `iceCandidate` | `pcId`, candidate fields, or `candidate: null` when gathering is complete |
//! | `trackStarted` | `pcId`, `trackId`, `kind`, `firstPacketAt` (ms from peer creation to the first remote RTP) |
//!
//! Error codes: the JSON-RPC ones plus `-32001` not ready, `-32002` unauthorised, `-32003` no
//! common protocol version, `-32004` unknown handle, `-32005` invalid state, `-32010` device
//! not found, `-32011` device busy, `-32020` media failure, `-32021` unsupported feature
//! ([`protocol::codes`]). Unknown fields and notifications are ignored, so additive changes
//! need no version bump. `codecs`, `opusDtx` and `iceServers` on `createOffer` are such
//! additive fields of this SDK: the engine's offer matches the desktop's munging, and an ICE
//! restart carries Connect's fresh TURN credentials. `createAnswer`, `insertDtmf`,
//! `replaceTrack` and `setRemoteDescription{type:"offer"}` are additive methods of version 1:
//! an engine announces them with the `hello` capabilities `answer`, `dtmf` and
//! `replaceTrack` (absent = false), and the desktop side never calls a method its engine did
//! not announce. The golden fixtures in `tests/fixtures/` pin every message's shape.
//!
//! **ICE restart.** The engine's peers never restart on their own (TURN credentials come from
//! CTI, on the desktop). The softphone's session machine restarts a redirected call exactly as
//! an in-desktop one: the engine reports `iceStateChange{disconnected}`, the desktop fetches
//! fresh credentials and sends `createOffer{iceRestart:true, iceServers}`, then the answer. A
//! redirected peer whose configuration carries a credential provider restarts itself the same
//! way after the grace period, and reports `IceRestartStarted`, `IceRestartOffer` and
//! `IceRestartFailed` like the in-desktop engine.
//!
//! **Timeouts.** `hello` 2 s; `getUserMedia` 10 s; others 5 s, except `createOffer`, which
//! also covers the engine's ICE gathering (8 s): this engine gathers while it creates the
//! offer, then reports the candidates as `iceCandidate` after `setLocalDescription`.
//!
//! **Call sequence.** `hello` → `connected` → `getUserMedia` → `createPeerConnection` →
//! `addTrack` → `createOffer` → munge → `setLocalDescription` → `iceCandidate`… `null` →
//! Connect `invite` → answer → `setRemoteDescription` → `iceStateChange(connected)` →
//! `trackStarted` → `getStats` → `close`.
//!
//! ## Fallback policy
//!
//! [`FallbackPolicy::FailClosed`] (the default) refuses a call's media with
//! [`VdiError::RedirectionUnavailable`] when redirection is unavailable;
//! [`FallbackPolicy::InDesktop`] runs it locally instead. Either way the application gets an
//! event ([`VdiEvent::FailedClosed`] or [`VdiEvent::FallbackEngaged`]) and one log line (target
//! `connect_vdi::fallback`, `error` or `warn`). A call whose redirection drops is torn down,
//! never migrated; redirection comes back only at a call boundary.

mod error;
mod event;
mod reason;

#[cfg(not(target_arch = "wasm32"))]
pub mod desktop;
#[cfg(not(target_arch = "wasm32"))]
pub mod engine;
pub mod platform;
pub mod protocol;

/// The softphone crate this crate plugs into, re-exported so that its types match.
pub use connect_softphone as softphone;
#[cfg(not(target_arch = "wasm32"))]
pub use desktop::{FallbackPolicy, RedirectedMediaEngine};
#[cfg(not(target_arch = "wasm32"))]
pub use engine::EndpointEngine;
pub use error::VdiError;
pub use event::VdiEvent;
pub use platform::{VdiPlatform, VdiPlatformKind};
pub use reason::{FailureKind, VdiDisconnectReason};
