//! Reading an SDP: what the answer negotiated, the payload types to expect, and the values a
//! candidate's JSON form needs.

use std::collections::HashMap;

use super::lines::{join, rtpmap, split, static_encoding};
use crate::media::{AudioCodec, MediaError, NegotiatedCodecs};

/// What an inbound payload type carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadKind {
    /// Audio in this codec.
    Audio(AudioCodec),
    /// RFC 4733 events at this clock rate.
    TelephoneEvent(u32),
}

/// The SDP without `a=candidate` and `a=end-of-candidates` lines: candidates travel beside it.
pub fn strip_candidates(sdp: &str) -> String {
    let lines: Vec<String> = split(sdp)
        .into_iter()
        .filter(|line| !line.starts_with("a=candidate:") && line != "a=end-of-candidates")
        .collect();
    join(&lines)
}

/// The `a=mid` of the first audio m-section.
pub fn audio_mid(sdp: &str) -> Option<String> {
    audio_section(sdp)
        .into_iter()
        .find_map(|line| line.strip_prefix("a=mid:").map(str::to_owned))
}

/// The ICE user name fragment (media-level first, then session-level).
pub fn ice_ufrag(sdp: &str) -> Option<String> {
    let find = |lines: &[String]| {
        lines
            .iter()
            .find_map(|line| line.strip_prefix("a=ice-ufrag:").map(str::to_owned))
    };
    find(&audio_section(sdp)).or_else(|| find(&split(sdp)))
}

/// Every payload type of the audio m-section this engine understands.
pub fn payload_map(sdp: &str) -> HashMap<u8, PayloadKind> {
    let section = audio_section(sdp);
    let mut map = HashMap::new();
    for pt in formats(&section) {
        let Ok(number) = pt.parse::<u8>() else {
            continue;
        };
        if let Some(kind) = encoding(&section, &pt).and_then(|(n, r)| classify(&n, r)) {
            map.insert(number, kind);
        }
    }
    map
}

/// What an answer negotiated: the first audio format in `supported`, and `telephone-event` at
/// its clock rate.
///
/// ```
/// use connect_softphone::media::{sdp::negotiate, AudioCodec};
///
/// let answer = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0 126\r\na=rtpmap:126 telephone-event/8000\r\n";
/// let codecs = negotiate(answer, &[AudioCodec::Opus, AudioCodec::Pcmu]).unwrap();
/// assert_eq!(codecs.audio, AudioCodec::Pcmu);
/// assert_eq!((codecs.payload_type, codecs.telephone_event), (0, Some(126)));
/// ```
pub fn negotiate(sdp: &str, supported: &[AudioCodec]) -> Result<NegotiatedCodecs, MediaError> {
    let section = audio_section(sdp);
    if section.is_empty() {
        return Err(MediaError::InvalidRemoteSdp("no audio m-section".into()));
    }
    let map = payload_map(sdp);
    let audio = formats(&section)
        .iter()
        .filter_map(|pt| pt.parse::<u8>().ok())
        .find_map(|pt| match map.get(&pt) {
            Some(PayloadKind::Audio(codec)) if supported.contains(codec) => Some((pt, *codec)),
            _ => None,
        })
        .ok_or_else(|| {
            MediaError::NoCommonCodec(format!("answer formats {:?}", formats(&section)))
        })?;
    let telephone_event = map.iter().find_map(|(pt, kind)| match kind {
        PayloadKind::TelephoneEvent(rate) if *rate == audio.1.clock_rate() => Some(*pt),
        _ => None,
    });
    Ok(NegotiatedCodecs {
        audio: audio.1,
        payload_type: audio.0,
        telephone_event,
    })
}

fn classify(name: &str, rate: u32) -> Option<PayloadKind> {
    if name.eq_ignore_ascii_case("telephone-event") {
        return Some(PayloadKind::TelephoneEvent(rate));
    }
    [AudioCodec::Opus, AudioCodec::Pcmu]
        .into_iter()
        .find(|codec| name.eq_ignore_ascii_case(codec.sdp_name()) && rate == codec.clock_rate())
        .map(PayloadKind::Audio)
}

/// The lines of the first audio m-section, its `m=` line first.
fn audio_section(sdp: &str) -> Vec<String> {
    split(sdp)
        .into_iter()
        .skip_while(|line| !line.starts_with("m=audio "))
        .enumerate()
        .take_while(|(i, line)| *i == 0 || !line.starts_with("m="))
        .map(|(_, line)| line)
        .collect()
}

fn formats(section: &[String]) -> Vec<String> {
    section
        .first()
        .map(|m| m.split_whitespace().skip(3).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn encoding(section: &[String], pt: &str) -> Option<(String, u32)> {
    section
        .iter()
        .filter_map(|line| rtpmap(line))
        .find(|(p, _, _)| p == pt)
        .map(|(_, name, rate)| (name, rate))
        .or_else(|| static_encoding(pt).map(|(name, rate)| (name.to_owned(), rate)))
}
