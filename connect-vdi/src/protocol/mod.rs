//! The redirection protocol `connect-vdi/1`: JSON-RPC 2.0 over a WebSocket (subprotocol
//! `connect-vdi.v1`) from the virtual desktop (client) to the endpoint media engine (server).
//!
//! Plain data and pure parsing: [`Frame`] is the envelope, [`Request`] and [`Notification`]
//! type the catalogue, [`codes`] names the error codes. See the crate documentation for the
//! full catalogue, the call sequence and the rules (authentication, liveness, timeouts).

pub mod codes;
mod frame;
mod methods;
mod notifications;
mod types;

pub use frame::{Frame, FrameError, RequestId, RpcError};
pub use methods::{
    AddIceCandidateParams, AddTrackParams, AudioConstraints, CloseParams, CreateOfferParams,
    CreatePeerConnectionParams, DeviceList, Empty, GetUserMediaParams, GetUserMediaResult,
    HelloParams, HelloResult, InsertDtmfParams, MuteParams, PcRef, ReplaceTrackParams, Request,
    SdpResult, SetDeviceParams, SetDeviceResult, SetLocalDescriptionParams,
    SetRemoteDescriptionParams, StatsResult,
};
pub use notifications::{
    ConnectedParams, DisconnectedParams, IceCandidateParams, IceStateParams, Notification,
    NotificationError, TrackStartedParams,
};
pub use types::{
    Capabilities, DeviceInfo, DeviceKind, NameVersion, OsInfo, SdpType, StatsReport, TrackInfo,
};
