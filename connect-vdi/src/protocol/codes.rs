//! JSON-RPC error codes of `connect-vdi/1`: the standard ones and the protocol's own.

/// Invalid JSON.
pub const PARSE_ERROR: i64 = -32700;
/// Not a JSON-RPC 2.0 request (including batches, which v1 does not accept).
pub const INVALID_REQUEST: i64 = -32600;
/// The method does not exist.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// The params do not match the method.
pub const INVALID_PARAMS: i64 = -32602;
/// The engine failed internally.
pub const INTERNAL_ERROR: i64 = -32603;
/// The engine is not ready (no `hello` yet, media stack still starting).
pub const NOT_READY: i64 = -32001;
/// Wrong pairing token.
pub const UNAUTHORIZED: i64 = -32002;
/// No protocol version both sides speak.
pub const NO_COMMON_VERSION: i64 = -32003;
/// A `pcId`, `streamId` or `trackId` the engine never issued (or already closed).
pub const UNKNOWN_HANDLE: i64 = -32004;
/// The call is not valid in the current state (e.g. a second desktop connection).
pub const INVALID_STATE: i64 = -32005;
/// No device with that id.
pub const DEVICE_NOT_FOUND: i64 = -32010;
/// The device is busy or permission was denied.
pub const DEVICE_BUSY: i64 = -32011;
/// The media stack failed.
pub const MEDIA_FAILURE: i64 = -32020;
/// The feature is not supported (video, trickle after the answer, …).
pub const UNSUPPORTED_FEATURE: i64 = -32021;

/// WebSocket close code sent after an `UNAUTHORIZED` reply.
pub const CLOSE_UNAUTHORIZED: u16 = 4401;

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// The WebSocket subprotocol of version 1.
pub const SUBPROTOCOL: &str = "connect-vdi.v1";

/// Largest accepted text frame, in bytes (an SDP with candidates is a few kilobytes).
pub const MAX_FRAME_BYTES: usize = 256 * 1024;
