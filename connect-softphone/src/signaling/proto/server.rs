//! Server → client messages (§4.2): the invite result, acknowledgements and server requests.

use connect_core::model::Sensitive;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::client::{peer_ref, IceCandidate, PeerConnectionRef};
use super::ProtoError;

/// `result` of `invite`: the answer, the remote candidates and the PC identity.
///
/// ```
/// use connect_softphone::signaling::proto::InviteResult;
///
/// let r = InviteResult::parse(&serde_json::json!({"sdp":"v=0\r\na=AmazonConnect silenceSupp",
///   "candidates":[], "inactivityDuration": 600000, "peerConnectionId":"pc-1", "peerConnectionToken":"t",
///   "somethingNew": 1})).unwrap();
/// assert!(r.peer_connection().is_allowlisted());
/// assert!(!r.is_media_cluster_path());
/// assert_eq!(r.extra["somethingNew"], 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteResult {
    /// The answer SDP (may be empty: the session fails with `INVALID_REMOTE_SDP`).
    #[serde(default)]
    pub sdp: String,
    /// The remote candidates (no trickle).
    #[serde(default)]
    pub candidates: Vec<IceCandidate>,
    /// How long an idle PPC may live, in ms (`0`: not persistent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactivity_duration: Option<u64>,
    /// Non-null ⇒ allowlisted PC.
    #[serde(default)]
    pub peer_connection_id: Option<String>,
    /// The PC's token.
    #[serde(default)]
    pub peer_connection_token: Option<Sensitive>,
    /// Members this SDK does not model, kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl InviteResult {
    /// Reads a `result` object.
    pub fn parse(result: &Value) -> Result<Self, ProtoError> {
        serde_json::from_value(result.clone())
            .map_err(|e| ProtoError::new(format!("invite result: {e}")))
    }

    /// The PC identity it carries.
    pub fn peer_connection(&self) -> PeerConnectionRef {
        PeerConnectionRef {
            id: self.peer_connection_id.clone(),
            token: self.peer_connection_token.clone(),
        }
    }

    /// `isMediaClusterPath = !(sdp contains "AmazonConnect" && sdp contains "silenceSupp")`.
    pub fn is_media_cluster_path(&self) -> bool {
        !(self.sdp.contains("AmazonConnect") && self.sdp.contains("silenceSupp"))
    }
}

/// `result` of `accept` / `connectContact` / `disconnectContact` (all members optional: the
/// mock returns the PC identity, the pre-2021 protocol a `clientToken`).
///
/// ```
/// use connect_softphone::signaling::proto::AckResult;
///
/// let ack = AckResult::parse(&serde_json::json!({"clientToken": "ct"}));
/// assert_eq!(ack.client_token.unwrap().expose(), "ct");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AckResult {
    /// The PC identity, if the server repeated it.
    pub peer_connection: PeerConnectionRef,
    /// A client token (legacy accept acknowledgement).
    pub client_token: Option<Sensitive>,
}

impl AckResult {
    /// Reads a `result` object; never fails (an acknowledgement is its id).
    pub fn parse(result: &Value) -> Self {
        Self {
            peer_connection: peer_ref(result),
            client_token: result
                .get("clientToken")
                .and_then(Value::as_str)
                .map(Sensitive::new),
        }
    }
}

/// A request or notification from the server (§4.2).
///
/// ```
/// use connect_softphone::signaling::proto::{classify, Classified, ServerMessage};
///
/// let msg = serde_json::json!({"method":"PCBye","peerConnectionId":"pc-1"});
/// let Classified::Request { method, id, params, message } = classify(&msg, |_| false).unwrap() else { panic!() };
/// let m = ServerMessage::from_request(&method, id, &params, &message).unwrap();
/// assert_eq!(m, ServerMessage::PcBye { peer_connection_id: Some("pc-1".into()) });
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ServerMessage {
    /// Remote hang-up; answer `result{}` with `id`.
    Bye {
        /// The id to answer with.
        id: Option<Value>,
    },
    /// Tear the PC down without `bye` (id top-level, `params` tolerated).
    PcBye {
        /// The PC it is about.
        peer_connection_id: Option<String>,
    },
    /// A token for the direct transport's reconnect URL.
    RenewClientToken {
        /// `params.clientToken`.
        client_token: Sensitive,
    },
    /// Close the idle PPC.
    IdleConnection,
    /// Close the idle PC; another softphone holds the agent.
    QuotaBreached,
    /// A method this SDK does not know (logged).
    Other {
        /// Its name.
        method: String,
    },
}

impl ServerMessage {
    /// Interprets a classified request.
    pub fn from_request(
        method: &str,
        id: Option<Value>,
        params: &Value,
        message: &Map<String, Value>,
    ) -> Result<Self, ProtoError> {
        Ok(match method {
            "bye" => Self::Bye { id },
            "PCBye" => {
                let top = message
                    .get("peerConnectionId")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                Self::PcBye {
                    peer_connection_id: top.or_else(|| peer_ref(params).id),
                }
            }
            "renewClientToken" => Self::RenewClientToken {
                client_token: params
                    .get("clientToken")
                    .and_then(Value::as_str)
                    .map(Sensitive::new)
                    .ok_or_else(|| {
                        ProtoError::new("renewClientToken without params.clientToken")
                    })?,
            },
            "idleConnection" => Self::IdleConnection,
            "quotaBreached" => Self::QuotaBreached,
            other => Self::Other {
                method: other.to_owned(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(msg: Value) -> Result<ServerMessage, ProtoError> {
        let object = msg.as_object().cloned().unwrap_or_default();
        let method = object["method"].as_str().unwrap_or_default().to_owned();
        let params = object.get("params").cloned().unwrap_or(Value::Null);
        ServerMessage::from_request(&method, object.get("id").cloned(), &params, &object)
    }

    #[test]
    fn every_server_message() {
        let cases = [
            (
                json!({"method":"bye","id":"s"}),
                Some(ServerMessage::Bye {
                    id: Some(json!("s")),
                }),
            ),
            (
                json!({"method":"PCBye","params":{"peerConnectionId":"p"}}),
                Some(ServerMessage::PcBye {
                    peer_connection_id: Some("p".into()),
                }),
            ),
            (
                json!({"method":"renewClientToken","params":{"clientToken":"ct"}}),
                Some(ServerMessage::RenewClientToken {
                    client_token: Sensitive::new("ct"),
                }),
            ),
            (json!({"method":"renewClientToken"}), None),
            (
                json!({"method":"idleConnection","clientId":"x"}),
                Some(ServerMessage::IdleConnection),
            ),
            (
                json!({"method":"quotaBreached"}),
                Some(ServerMessage::QuotaBreached),
            ),
            (
                json!({"method":"hello"}),
                Some(ServerMessage::Other {
                    method: "hello".into(),
                }),
            ),
        ];
        for (msg, expected) in cases {
            assert_eq!(parse(msg.clone()).ok(), expected, "{msg}");
        }
    }

    #[test]
    fn invite_result_tolerates_missing_members_and_keeps_unknown_ones() {
        let r = InviteResult::parse(&json!({"extra": true})).expect("tolerant");
        assert_eq!(r.sdp, "");
        assert!(r.is_media_cluster_path());
        assert!(!r.peer_connection().is_allowlisted());
        let back = serde_json::to_value(&r).expect("serialises");
        assert_eq!(back["extra"], true);
        assert!(InviteResult::parse(&json!({"sdp": 5})).is_err());
    }
}
