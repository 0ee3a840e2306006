//! Client → server requests (§4.1) in their full form, with the exact member names.

use connect_core::model::Sensitive;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::ProtoError;
use crate::signaling::RpcMethod;

/// A local or remote ICE candidate in its JSON form (`RTCIceCandidate.toJSON()`).
///
/// ```
/// use connect_softphone::signaling::proto::IceCandidate;
///
/// let c = IceCandidate::new("candidate:1 1 udp 41885439 198.51.100.7 52000 typ relay", "0", 0);
/// let json = serde_json::to_value(&c).unwrap();
/// assert_eq!(json["sdpMLineIndex"], 0);
/// // A bare string is accepted too.
/// let bare: IceCandidate = serde_json::from_value(serde_json::json!("candidate:2 1 udp 1 10.0.0.1 1 typ relay")).unwrap();
/// assert!(bare.is_relay());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IceCandidate {
    /// The `candidate:` line.
    pub candidate: String,
    /// The media id of its m-line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdp_mid: Option<String>,
    /// The index of its m-line.
    #[serde(rename = "sdpMLineIndex", skip_serializing_if = "Option::is_none")]
    pub sdp_m_line_index: Option<u16>,
    /// The ICE ufrag it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username_fragment: Option<String>,
    /// Members this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl IceCandidate {
    /// A candidate of m-line `index` with media id `mid`.
    pub fn new(candidate: impl Into<String>, mid: impl Into<String>, index: u16) -> Self {
        Self {
            candidate: candidate.into(),
            sdp_mid: Some(mid.into()),
            sdp_m_line_index: Some(index),
            username_fragment: None,
            extra: Map::new(),
        }
    }

    /// A TURN relay candidate (`typ relay`).
    pub fn is_relay(&self) -> bool {
        self.candidate.split_whitespace().any(|w| w == "relay") && self.candidate.contains(" typ ")
    }
}

impl<'de> Deserialize<'de> for IceCandidate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Full {
            candidate: String,
            #[serde(default)]
            sdp_mid: Option<String>,
            #[serde(default, rename = "sdpMLineIndex")]
            sdp_m_line_index: Option<u16>,
            #[serde(default)]
            username_fragment: Option<String>,
            #[serde(flatten)]
            extra: Map<String, Value>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Bare(String),
            Full(Full),
        }
        Ok(match Either::deserialize(deserializer)? {
            Either::Bare(candidate) => Self {
                candidate,
                sdp_mid: None,
                sdp_m_line_index: None,
                username_fragment: None,
                extra: Map::new(),
            },
            Either::Full(f) => Self {
                candidate: f.candidate,
                sdp_mid: f.sdp_mid,
                sdp_m_line_index: f.sdp_m_line_index,
                username_fragment: f.username_fragment,
                extra: f.extra,
            },
        })
    }
}

/// The persistent peer connection a request refers to (`null`s before the first answer).
///
/// ```
/// use connect_softphone::signaling::proto::PeerConnectionRef;
///
/// assert!(!PeerConnectionRef::default().is_allowlisted());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PeerConnectionRef {
    /// `peerConnectionId`.
    pub id: Option<String>,
    /// `peerConnectionToken`.
    pub token: Option<Sensitive>,
}

impl PeerConnectionRef {
    /// The server gave this PC an id: PPC and ICE restart are possible.
    pub fn is_allowlisted(&self) -> bool {
        self.id.is_some()
    }

    fn write(&self, params: &mut Map<String, Value>) {
        params.insert("peerConnectionId".into(), opt_str(self.id.as_deref()));
        params.insert(
            "peerConnectionToken".into(),
            opt_str(self.token.as_ref().map(Sensitive::expose)),
        );
    }
}

fn opt_str(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |v| Value::String(v.to_owned()))
}

/// `invite` params (§4.1, full form).
///
/// ```
/// use connect_softphone::signaling::proto::{InviteParams, PeerConnectionRef};
///
/// let call = InviteParams::call("v=0", vec![], None, "c-1", "browser", false);
/// let p = call.to_params();
/// assert_eq!(p["callContextToken"], serde_json::Value::Null);
/// assert_eq!(p["iceRestart"], false);
/// let restart = InviteParams::ice_restart("v=0", vec![], "browser", PeerConnectionRef::default());
/// assert!(restart.to_params().get("contactId").is_none());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct InviteParams {
    /// The munged offer.
    pub sdp: String,
    /// Every gathered local candidate.
    pub candidates: Vec<IceCandidate>,
    /// `Some` on call invites (`null` when there is no token); `None` omits it (ICE restart).
    pub call_context_token: Option<Option<Sensitive>>,
    /// `Some` on call invites (`""` without a contact); `None` omits it (ICE restart).
    pub contact_id: Option<String>,
    /// `browserId`.
    pub browser_id: String,
    /// `persistentConnection`.
    pub persistent_connection: bool,
    /// `peerConnectionId` / `peerConnectionToken`.
    pub peer_connection: PeerConnectionRef,
    /// `iceRestart`.
    pub ice_restart: bool,
    /// `allowExtendedPersistentConnection` (v2).
    pub allow_extended_persistent_connection: bool,
}

impl InviteParams {
    /// The invite that sets a call (or a page-load PPC, with no token and `contact_id` `""`) up.
    pub fn call(
        sdp: impl Into<String>,
        candidates: Vec<IceCandidate>,
        call_context_token: Option<Sensitive>,
        contact_id: impl Into<String>,
        browser_id: impl Into<String>,
        persistent_connection: bool,
    ) -> Self {
        Self {
            sdp: sdp.into(),
            candidates,
            call_context_token: Some(call_context_token),
            contact_id: Some(contact_id.into()),
            browser_id: browser_id.into(),
            persistent_connection,
            peer_connection: PeerConnectionRef::default(),
            ice_restart: false,
            allow_extended_persistent_connection: persistent_connection,
        }
    }

    /// The ICE-restart invite on an allowlisted PC: no token, no contact id.
    pub fn ice_restart(
        sdp: impl Into<String>,
        candidates: Vec<IceCandidate>,
        browser_id: impl Into<String>,
        peer_connection: PeerConnectionRef,
    ) -> Self {
        Self {
            sdp: sdp.into(),
            candidates,
            call_context_token: None,
            contact_id: None,
            browser_id: browser_id.into(),
            persistent_connection: true,
            peer_connection,
            ice_restart: true,
            allow_extended_persistent_connection: true,
        }
    }

    /// The `params` object.
    pub fn to_params(&self) -> Value {
        let mut p = Map::new();
        p.insert("sdp".into(), Value::String(self.sdp.clone()));
        p.insert(
            "candidates".into(),
            serde_json::to_value(&self.candidates).unwrap_or_else(|_| Value::Array(Vec::new())),
        );
        if let Some(token) = &self.call_context_token {
            p.insert(
                "callContextToken".into(),
                opt_str(token.as_ref().map(Sensitive::expose)),
            );
        }
        if let Some(contact) = &self.contact_id {
            p.insert("contactId".into(), Value::String(contact.clone()));
        }
        p.insert("browserId".into(), Value::String(self.browser_id.clone()));
        p.insert(
            "persistentConnection".into(),
            Value::Bool(self.persistent_connection),
        );
        self.peer_connection.write(&mut p);
        p.insert("iceRestart".into(), Value::Bool(self.ice_restart));
        p.insert(
            "allowExtendedPersistentConnection".into(),
            Value::Bool(self.allow_extended_persistent_connection),
        );
        Value::Object(p)
    }

    /// Reads `invite` params (the simulator's side); tolerant of missing members.
    pub fn from_params(params: &Value) -> Result<Self, ProtoError> {
        let sdp =
            str_member(params, "sdp").ok_or_else(|| ProtoError::new("invite without `sdp`"))?;
        let candidates = match params.get("candidates") {
            Some(c) => serde_json::from_value(c.clone())
                .map_err(|e| ProtoError::new(format!("invite `candidates`: {e}")))?,
            None => Vec::new(),
        };
        Ok(Self {
            sdp,
            candidates,
            call_context_token: params
                .get("callContextToken")
                .map(|t| t.as_str().map(Sensitive::new)),
            contact_id: str_member(params, "contactId"),
            browser_id: str_member(params, "browserId").unwrap_or_default(),
            persistent_connection: bool_member(params, "persistentConnection"),
            peer_connection: peer_ref(params),
            ice_restart: bool_member(params, "iceRestart"),
            allow_extended_persistent_connection: bool_member(
                params,
                "allowExtendedPersistentConnection",
            ),
        })
    }
}

fn str_member(v: &Value, name: &str) -> Option<String> {
    v.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn bool_member(v: &Value, name: &str) -> bool {
    v.get(name).and_then(Value::as_bool).unwrap_or(false)
}

/// `peerConnectionId` / `peerConnectionToken` of a message (params or top level).
pub(crate) fn peer_ref(v: &Value) -> PeerConnectionRef {
    PeerConnectionRef {
        id: str_member(v, "peerConnectionId"),
        token: str_member(v, "peerConnectionToken").map(Sensitive::new),
    }
}

/// One client → server request with its params.
///
/// ```
/// use connect_softphone::signaling::proto::{ClientRequest, PeerConnectionRef};
///
/// let bye = ClientRequest::Bye {
///     contact_id: Some("c-1".into()),
///     persistent_connection: false,
///     peer_connection: PeerConnectionRef::default(),
///     call_context_token: None,
/// };
/// assert_eq!(bye.method().as_str(), "bye");
/// assert_eq!(bye.params()["contactId"], "c-1");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum ClientRequest {
    /// `invite`.
    Invite(InviteParams),
    /// `accept{contactId, persistentConnection, peerConnectionId, peerConnectionToken}`.
    Accept {
        /// `contactId` (`null` without a contact).
        contact_id: Option<String>,
        /// `persistentConnection`.
        persistent_connection: bool,
        /// The PC.
        peer_connection: PeerConnectionRef,
    },
    /// `connectContact{contactId, persistentConnection, peerConnectionId, peerConnectionToken,
    /// callContextToken}`.
    ConnectContact {
        /// `contactId`.
        contact_id: String,
        /// `persistentConnection`.
        persistent_connection: bool,
        /// The PC.
        peer_connection: PeerConnectionRef,
        /// `callContextToken`.
        call_context_token: Option<Sensitive>,
    },
    /// `disconnectContact{contactId, peerConnectionId, peerConnectionToken}`.
    DisconnectContact {
        /// `contactId`.
        contact_id: String,
        /// The PC.
        peer_connection: PeerConnectionRef,
    },
    /// `bye{contactId, persistentConnection, peerConnectionId, peerConnectionToken,
    /// callContextToken}`.
    Bye {
        /// `contactId` (`null` when the PC carries no call).
        contact_id: Option<String>,
        /// `persistentConnection`.
        persistent_connection: bool,
        /// The PC.
        peer_connection: PeerConnectionRef,
        /// `callContextToken`.
        call_context_token: Option<Sensitive>,
    },
}

impl ClientRequest {
    /// The method.
    pub fn method(&self) -> RpcMethod {
        match self {
            Self::Invite(_) => RpcMethod::Invite,
            Self::Accept { .. } => RpcMethod::Accept,
            Self::ConnectContact { .. } => RpcMethod::ConnectContact,
            Self::DisconnectContact { .. } => RpcMethod::DisconnectContact,
            Self::Bye { .. } => RpcMethod::Bye,
        }
    }

    /// The `params` object.
    pub fn params(&self) -> Value {
        let mut p = Map::new();
        match self {
            Self::Invite(invite) => return invite.to_params(),
            Self::Accept {
                contact_id,
                persistent_connection,
                peer_connection,
            } => {
                p.insert("contactId".into(), opt_str(contact_id.as_deref()));
                p.insert(
                    "persistentConnection".into(),
                    (*persistent_connection).into(),
                );
                peer_connection.write(&mut p);
            }
            Self::ConnectContact {
                contact_id,
                persistent_connection,
                peer_connection,
                call_context_token,
            } => {
                p.insert("contactId".into(), Value::String(contact_id.clone()));
                p.insert(
                    "persistentConnection".into(),
                    (*persistent_connection).into(),
                );
                peer_connection.write(&mut p);
                p.insert(
                    "callContextToken".into(),
                    opt_str(call_context_token.as_ref().map(Sensitive::expose)),
                );
            }
            Self::DisconnectContact {
                contact_id,
                peer_connection,
            } => {
                p.insert("contactId".into(), Value::String(contact_id.clone()));
                peer_connection.write(&mut p);
            }
            Self::Bye {
                contact_id,
                persistent_connection,
                peer_connection,
                call_context_token,
            } => {
                p.insert("contactId".into(), opt_str(contact_id.as_deref()));
                p.insert(
                    "persistentConnection".into(),
                    (*persistent_connection).into(),
                );
                peer_connection.write(&mut p);
                p.insert(
                    "callContextToken".into(),
                    opt_str(call_context_token.as_ref().map(Sensitive::expose)),
                );
            }
        }
        Value::Object(p)
    }

    /// The whole JSON-RPC request with `id`.
    pub fn to_message(&self, id: &str) -> Value {
        super::request(self.method().as_str(), self.params(), id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pc() -> PeerConnectionRef {
        PeerConnectionRef {
            id: Some("pc-1".into()),
            token: Some(Sensitive::new("pct")),
        }
    }

    #[test]
    fn full_forms_carry_every_member() {
        let cases = [
            (
                ClientRequest::Accept {
                    contact_id: None,
                    persistent_connection: true,
                    peer_connection: pc(),
                },
                json!({"contactId":null,"persistentConnection":true,"peerConnectionId":"pc-1","peerConnectionToken":"pct"}),
            ),
            (
                ClientRequest::ConnectContact {
                    contact_id: "c".into(),
                    persistent_connection: true,
                    peer_connection: pc(),
                    call_context_token: Some(Sensitive::new("cct")),
                },
                json!({"contactId":"c","persistentConnection":true,"peerConnectionId":"pc-1","peerConnectionToken":"pct","callContextToken":"cct"}),
            ),
            (
                ClientRequest::DisconnectContact {
                    contact_id: "c".into(),
                    peer_connection: pc(),
                },
                json!({"contactId":"c","peerConnectionId":"pc-1","peerConnectionToken":"pct"}),
            ),
            (
                ClientRequest::Bye {
                    contact_id: Some("c".into()),
                    persistent_connection: false,
                    peer_connection: PeerConnectionRef::default(),
                    call_context_token: Some(Sensitive::new("cct")),
                },
                json!({"contactId":"c","persistentConnection":false,"peerConnectionId":null,"peerConnectionToken":null,"callContextToken":"cct"}),
            ),
        ];
        for (request, params) in cases {
            assert_eq!(request.params(), params, "{:?}", request.method());
            let msg = request.to_message("i");
            assert_eq!(msg["jsonrpc"], "2.0");
            assert_eq!(msg["id"], "i");
        }
    }

    #[test]
    fn invite_round_trips_through_the_simulator_parser() {
        let mut invite = InviteParams::call(
            "v=0",
            vec![IceCandidate::new(
                "candidate:1 1 udp 1 1.2.3.4 5 typ relay",
                "0",
                0,
            )],
            Some(Sensitive::new("cct")),
            "c-1",
            "b",
            true,
        );
        invite.peer_connection = pc();
        let parsed = InviteParams::from_params(&invite.to_params()).expect("parses");
        assert_eq!(parsed, invite);
        let restart = InviteParams::ice_restart("v=0", vec![], "b", pc());
        let p = restart.to_params();
        assert!(p.get("callContextToken").is_none() && p.get("contactId").is_none());
        assert_eq!(p["iceRestart"], true);
        assert!(InviteParams::from_params(&json!({})).is_err());
        assert!(!format!("{invite:?}").contains("cct"));
    }
}
