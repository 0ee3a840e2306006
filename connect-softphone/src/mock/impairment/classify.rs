//! Classifies the datagrams a TURN client and server exchange (RFC 8656, RFC 7983): media
//! travels in ChannelData messages and in Send/Data indications; everything else is a control
//! transaction (Allocate, Refresh, CreatePermission, ChannelBind and their responses).

/// STUN's magic cookie (RFC 5389 §6).
const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xA4, 0x42];

/// A STUN header's length.
const STUN_HEADER_LEN: usize = 20;

/// A ChannelData header's length.
const CHANNEL_DATA_HEADER_LEN: usize = 4;

/// STUN message type of a Send indication.
const SEND_INDICATION: u16 = 0x0016;

/// STUN message type of a Data indication.
const DATA_INDICATION: u16 = 0x0017;

/// What a datagram between a TURN client and its server is.
///
/// ```
/// use connect_softphone::mock::impairment::{classify, DatagramKind};
///
/// assert_eq!(classify(&[0x40, 0x00, 0x00, 0x00]), DatagramKind::ChannelData);
/// assert!(DatagramKind::ChannelData.carries_media());
/// assert!(!DatagramKind::Control.carries_media());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DatagramKind {
    /// A TURN ChannelData message (first byte 0x40–0x7F).
    ChannelData,
    /// A STUN Send indication (client → server, carries a peer datagram).
    SendIndication,
    /// A STUN Data indication (server → client, carries a peer datagram).
    DataIndication,
    /// Any other STUN message: a TURN or ICE control transaction.
    Control,
    /// Neither STUN nor ChannelData.
    Unknown,
}

impl DatagramKind {
    /// Whether the datagram relays a peer's packet (RTP, RTCP, DTLS or a connectivity check).
    pub fn carries_media(self) -> bool {
        matches!(
            self,
            Self::ChannelData | Self::SendIndication | Self::DataIndication
        )
    }
}

/// The STUN message type of `datagram`, if it is a STUN message (leading bits 00, the magic
/// cookie, a whole header).
///
/// ```
/// use connect_softphone::mock::impairment::stun_message_type;
///
/// let mut binding = [0u8; 20];
/// binding[1] = 0x01;
/// binding[4..8].copy_from_slice(&[0x21, 0x12, 0xA4, 0x42]);
/// assert_eq!(stun_message_type(&binding), Some(0x0001));
/// assert_eq!(stun_message_type(&[0x40, 0, 0, 0]), None);
/// ```
pub fn stun_message_type(datagram: &[u8]) -> Option<u16> {
    let header = datagram.get(..STUN_HEADER_LEN)?;
    (header[0] & 0xC0 == 0 && header[4..8] == MAGIC_COOKIE)
        .then(|| u16::from_be_bytes([header[0], header[1]]))
}

/// Whether `datagram` is a ChannelData message relaying a DTLS record (RFC 7983: a first
/// payload byte of 20–63).
///
/// ```
/// use connect_softphone::mock::impairment::relays_dtls;
///
/// assert!(relays_dtls(&[0x40, 0x00, 0x00, 0x01, 22])); // a handshake record
/// assert!(!relays_dtls(&[0x40, 0x00, 0x00, 0x01, 0x80])); // RTP
/// ```
pub fn relays_dtls(datagram: &[u8]) -> bool {
    classify(datagram) == DatagramKind::ChannelData
        && datagram
            .get(CHANNEL_DATA_HEADER_LEN)
            .is_some_and(|b| (20..=63).contains(b))
}

/// What `datagram` is.
///
/// ```
/// use connect_softphone::mock::impairment::{classify, DatagramKind};
///
/// let mut send = [0u8; 20];
/// send[1] = 0x16;
/// send[4..8].copy_from_slice(&[0x21, 0x12, 0xA4, 0x42]);
/// assert_eq!(classify(&send), DatagramKind::SendIndication);
/// assert_eq!(classify(&[0x80, 0x00, 0x00, 0x01]), DatagramKind::Unknown); // RTP, not TURN
/// ```
pub fn classify(datagram: &[u8]) -> DatagramKind {
    match datagram.first() {
        Some(0x40..=0x7F) if datagram.len() >= CHANNEL_DATA_HEADER_LEN => DatagramKind::ChannelData,
        _ => match stun_message_type(datagram) {
            Some(SEND_INDICATION) => DatagramKind::SendIndication,
            Some(DATA_INDICATION) => DatagramKind::DataIndication,
            Some(_) => DatagramKind::Control,
            None => DatagramKind::Unknown,
        },
    }
}
