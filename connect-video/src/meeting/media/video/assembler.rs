//! Rebuilding complete VP8 frames from RTP packets (RFC 7741): a frame starts with the S bit on
//! partition 0 and ends with the RTP marker bit; a sequence gap drops the frame it hits.

use tracing::debug;

use super::vp8::{Vp8Descriptor, Vp8Error, Vp8FrameInfo};

/// The RTP header fields the assembler needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpMeta {
    /// Sequence number.
    pub sequence: u16,
    /// RTP timestamp (90 kHz for video).
    pub timestamp: u32,
    /// The marker bit: last packet of a frame.
    pub marker: bool,
}

/// One complete encoded frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssembledFrame {
    /// The RTP timestamp of its packets.
    pub timestamp: u32,
    /// The encoded VP8 frame.
    pub data: Vec<u8>,
    /// What its header says (keyframe, dimensions).
    pub info: Vp8FrameInfo,
}

/// What the assembler has seen so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssemblerStats {
    /// Complete frames delivered.
    pub frames: u64,
    /// Of which keyframes.
    pub keyframes: u64,
    /// Frames started but not completed (a packet missing, or a malformed frame).
    pub dropped_frames: u64,
    /// Packets missing according to the sequence numbers.
    pub lost_packets: u64,
    /// Packets refused (bad descriptor or frame header), late or duplicate packets, and
    /// continuation packets of a frame whose start was missed.
    pub discarded_packets: u64,
}

#[derive(Debug)]
struct Partial {
    timestamp: u32,
    data: Vec<u8>,
}

/// Rebuilds frames from the VP8 RTP packets of one stream, in arrival order.
///
/// ```
/// use connect_video::meeting::media::video::{RtpMeta, Vp8FrameAssembler};
///
/// let mut assembler = Vp8FrameAssembler::new();
/// // A keyframe of 160x120 in two packets.
/// let first = [0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 160, 0, 120, 0];
/// let meta = |sequence, marker| RtpMeta { sequence, timestamp: 3000, marker };
/// assert_eq!(assembler.push(meta(7, false), &first), Ok(None));
/// let frame = assembler.push(meta(8, true), &[0x00, 0xaa]).expect("valid").expect("complete");
/// assert!(frame.info.keyframe);
/// assert_eq!(frame.data.len(), 11);
/// assert_eq!(assembler.stats().frames, 1);
/// assert_eq!(assembler.dimensions(), Some((160, 120)));
/// ```
#[derive(Debug, Default)]
pub struct Vp8FrameAssembler {
    last_sequence: Option<u16>,
    partial: Option<Partial>,
    stats: AssemblerStats,
    dimensions: Option<(u16, u16)>,
    needs_keyframe: bool,
}

impl Vp8FrameAssembler {
    /// An assembler waiting for its first keyframe.
    pub fn new() -> Self {
        Self {
            needs_keyframe: true,
            ..Self::default()
        }
    }

    /// The counts so far.
    pub fn stats(&self) -> AssemblerStats {
        self.stats
    }

    /// The picture size of the last keyframe.
    pub fn dimensions(&self) -> Option<(u16, u16)> {
        self.dimensions
    }

    /// Whether the decoder needs a keyframe: none seen yet, or a frame was lost since the last
    /// one (the receiver should send a PLI).
    pub fn needs_keyframe(&self) -> bool {
        self.needs_keyframe
    }

    /// Forgets the stream (its source changed): waits for a keyframe again. Counts are kept.
    pub fn reset(&mut self) {
        self.drop_partial();
        self.last_sequence = None;
        self.needs_keyframe = true;
    }

    /// Takes one packet; returns the frame it completes, if any. A malformed packet is counted,
    /// drops the frame in progress and gives its error.
    pub fn push(
        &mut self,
        meta: RtpMeta,
        payload: &[u8],
    ) -> Result<Option<AssembledFrame>, Vp8Error> {
        if let Some(last) = self.last_sequence {
            let ahead = meta.sequence.wrapping_sub(last);
            if ahead == 0 || ahead >= u16::MAX / 2 {
                self.stats.discarded_packets += 1;
                return Ok(None);
            }
            if ahead > 1 {
                self.stats.lost_packets += u64::from(ahead - 1);
                self.needs_keyframe = true;
                self.drop_partial();
            }
        }
        self.last_sequence = Some(meta.sequence);
        let (descriptor, header_len) = match Vp8Descriptor::parse(payload) {
            Ok(parsed) => parsed,
            Err(error) => {
                debug!(%error, sequence = meta.sequence, "VP8 packet refused");
                self.stats.discarded_packets += 1;
                self.drop_partial();
                return Err(error);
            }
        };
        let data = &payload[header_len..];
        if descriptor.starts_frame() {
            self.drop_partial();
            self.partial = Some(Partial {
                timestamp: meta.timestamp,
                data: data.to_vec(),
            });
        } else {
            match &mut self.partial {
                Some(partial) if partial.timestamp == meta.timestamp => {
                    partial.data.extend_from_slice(data);
                }
                _ => {
                    self.drop_partial();
                    self.stats.discarded_packets += 1;
                    return Ok(None);
                }
            }
        }
        if !meta.marker {
            return Ok(None);
        }
        let Some(partial) = self.partial.take() else {
            return Ok(None);
        };
        match Vp8FrameInfo::parse(&partial.data) {
            Ok(info) => Ok(Some(self.complete(partial, info))),
            Err(error) => {
                debug!(%error, "assembled VP8 frame refused");
                self.stats.dropped_frames += 1;
                self.needs_keyframe = true;
                Err(error)
            }
        }
    }

    fn complete(&mut self, partial: Partial, info: Vp8FrameInfo) -> AssembledFrame {
        self.stats.frames += 1;
        if info.keyframe {
            self.stats.keyframes += 1;
            self.needs_keyframe = false;
            self.dimensions = info.dimensions;
        }
        AssembledFrame {
            timestamp: partial.timestamp,
            data: partial.data,
            info,
        }
    }

    fn drop_partial(&mut self) {
        if self.partial.take().is_some() {
            self.stats.dropped_frames += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use proptest::prelude::*;
    use rtc::rtp::codec::vp8::Vp8Payloader;
    use rtc::rtp::packetizer::Payloader;

    fn keyframe(len: usize) -> Vec<u8> {
        let mut frame = vec![0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 64, 0, 48, 0];
        frame.resize(len.max(10), 0x55);
        frame
    }

    fn inter_frame(len: usize) -> Vec<u8> {
        let mut frame = vec![0x31, 0x00, 0x00];
        frame.resize(len.max(3), 0x66);
        frame
    }

    /// Packetises frames with webrtc-rs's own VP8 payloader, as a sender does.
    fn packetise(frames: &[Vec<u8>], mtu: usize, picture_id: bool) -> Vec<(RtpMeta, Bytes)> {
        let mut payloader = Vp8Payloader::default();
        payloader.enable_picture_id = picture_id;
        let mut sequence = 65_530u16;
        let mut packets = Vec::new();
        for (i, frame) in frames.iter().enumerate() {
            let payloads = payloader
                .payload(mtu, &Bytes::copy_from_slice(frame))
                .expect("payloads");
            let last = payloads.len() - 1;
            for (j, payload) in payloads.into_iter().enumerate() {
                let meta = RtpMeta {
                    sequence,
                    timestamp: 3000 * i as u32,
                    marker: j == last,
                };
                sequence = sequence.wrapping_add(1);
                packets.push((meta, payload));
            }
        }
        packets
    }

    fn run(assembler: &mut Vp8FrameAssembler, packets: &[(RtpMeta, Bytes)]) -> Vec<AssembledFrame> {
        packets
            .iter()
            .filter_map(|(meta, payload)| assembler.push(*meta, payload).ok().flatten())
            .collect()
    }

    #[test]
    fn frames_come_back_whole_across_sequence_wrap() {
        let frames = vec![keyframe(3000), inter_frame(500), inter_frame(1500)];
        let mut assembler = Vp8FrameAssembler::new();
        assert!(assembler.needs_keyframe());
        let out = run(&mut assembler, &packetise(&frames, 1200, true));
        assert_eq!(out.len(), 3);
        for (got, sent) in out.iter().zip(&frames) {
            assert_eq!(&got.data, sent);
        }
        assert_eq!(assembler.stats().keyframes, 1);
        assert!(!assembler.needs_keyframe());
        assert_eq!(assembler.dimensions(), Some((64, 48)));
    }

    #[test]
    fn a_lost_packet_drops_its_frame_and_asks_for_a_keyframe() {
        let frames = vec![keyframe(3000), inter_frame(2500), inter_frame(100)];
        let mut packets = packetise(&frames, 1200, false);
        packets.remove(4); // the middle of the second frame
        let mut assembler = Vp8FrameAssembler::new();
        let out = run(&mut assembler, &packets);
        assert_eq!(out.len(), 2);
        let stats = assembler.stats();
        assert_eq!(stats.dropped_frames, 1);
        assert_eq!(stats.lost_packets, 1);
        assert!(stats.discarded_packets >= 1, "the orphan tail: {stats:?}");
        assert!(assembler.needs_keyframe());
    }

    #[test]
    fn duplicates_and_late_packets_are_discarded() {
        let packets = packetise(&[keyframe(100)], 1200, false);
        let mut assembler = Vp8FrameAssembler::new();
        let (meta, payload) = &packets[0];
        assert!(assembler.push(*meta, payload).expect("ok").is_some());
        assert_eq!(assembler.push(*meta, payload), Ok(None));
        let late = RtpMeta {
            sequence: meta.sequence.wrapping_sub(5),
            ..*meta
        };
        assert_eq!(assembler.push(late, payload), Ok(None));
        assert_eq!(assembler.stats().discarded_packets, 2);
        assert_eq!(assembler.stats().frames, 1);
    }

    #[test]
    fn malformed_packets_are_typed() {
        let mut assembler = Vp8FrameAssembler::new();
        let meta = RtpMeta {
            sequence: 1,
            timestamp: 0,
            marker: true,
        };
        assert!(assembler.push(meta, &[]).is_err());
        let meta = RtpMeta {
            sequence: 2,
            ..meta
        };
        assert_eq!(
            assembler.push(meta, &[0x10, 0x10, 0x00, 0x00]),
            Err(Vp8Error::Truncated {
                what: "keyframe header"
            })
        );
        assert_eq!(assembler.stats().dropped_frames, 1);
    }

    proptest! {
        #[test]
        fn arbitrary_packets_never_panic(packets in proptest::collection::vec(
            (any::<u16>(), any::<u32>(), any::<bool>(), proptest::collection::vec(any::<u8>(), 0..40)),
            0..60,
        )) {
            let mut assembler = Vp8FrameAssembler::new();
            for (sequence, timestamp, marker, payload) in packets {
                let _ = assembler.push(RtpMeta { sequence, timestamp, marker }, &payload);
            }
            let stats = assembler.stats();
            prop_assert!(stats.keyframes <= stats.frames);
        }

        #[test]
        fn in_order_packets_rebuild_every_frame(
            sizes in proptest::collection::vec(1usize..4000, 1..12),
            mtu in 20usize..1400,
            picture_id in any::<bool>(),
        ) {
            let frames: Vec<Vec<u8>> = sizes
                .iter()
                .enumerate()
                .map(|(i, &n)| if i == 0 { keyframe(n) } else { inter_frame(n) })
                .collect();
            let mut assembler = Vp8FrameAssembler::new();
            let out = run(&mut assembler, &packetise(&frames, mtu, picture_id));
            prop_assert_eq!(out.len(), frames.len());
            for (got, sent) in out.iter().zip(&frames) {
                prop_assert_eq!(&got.data, sent);
            }
            prop_assert_eq!(assembler.stats().dropped_frames, 0);
        }

        #[test]
        fn a_gap_never_yields_a_corrupt_frame(
            sizes in proptest::collection::vec(1usize..3000, 2..8),
            drop_at in any::<prop::sample::Index>(),
        ) {
            let frames: Vec<Vec<u8>> = sizes
                .iter()
                .enumerate()
                .map(|(i, &n)| if i == 0 { keyframe(n) } else { inter_frame(n) })
                .collect();
            let mut packets = packetise(&frames, 500, true);
            packets.remove(drop_at.index(packets.len()));
            let mut assembler = Vp8FrameAssembler::new();
            let out = run(&mut assembler, &packets);
            prop_assert_eq!(out.len(), frames.len() - 1);
            for frame in &out {
                prop_assert!(frames.contains(&frame.data));
            }
        }
    }
}
