//! The shipped test pattern (`assets/test-pattern.ivf`): how it is made, and that it decodes.
//!
//! Regenerate it with libvpx (Debian `libvpx-dev`, `scripts/setup vpx`):
//!
//! ```text
//! cargo test -p connect-video --features vpx --test generate_test_pattern -- --ignored
//! ```
//!
//! It is one second of `TestPicture` (scrolling diagonal bands over a changing colour wash),
//! 160x120 at 30 frames/s, encoded by `Vp8Encoder` (libvpx real-time defaults) at 150 kbit/s:
//! a keyframe first and no other, so that looping it restarts on a keyframe every second.
#![cfg(feature = "vpx")]

use connect_video::meeting::media::video::{
    IvfHeader, IvfReader, IvfWriter, TestPatternSource, TestPicture, Vp8Encoder, Vp8EncoderConfig,
    Vp8FrameInfo,
};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 120;
const FPS: u32 = 30;

#[test]
#[ignore = "rewrites the shipped asset; run by hand after changing the pattern"]
fn generate_the_test_pattern_asset() {
    let config = Vp8EncoderConfig {
        width: WIDTH,
        height: HEIGHT,
        fps: FPS,
        bitrate_kbps: 150,
    };
    let mut encoder = Vp8Encoder::new(config).expect("libvpx encoder");
    let picture = TestPicture::new(WIDTH, HEIGHT);
    let mut writer = IvfWriter::new(IvfHeader::vp8(WIDTH, HEIGHT, FPS));
    for index in 0..u64::from(FPS) {
        for frame in encoder
            .encode(&picture.render(index), false)
            .expect("encoded")
        {
            writer.write_frame(index, &frame);
        }
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/test-pattern.ivf");
    std::fs::write(path, writer.finish()).expect("asset written");
}

#[test]
fn the_shipped_asset_is_a_keyframe_then_inter_frames() {
    let mut reader = IvfReader::new(TestPatternSource::ASSET).expect("valid IVF");
    assert_eq!(
        (reader.header().width, reader.header().height),
        (WIDTH, HEIGHT)
    );
    let mut frames = 0;
    while let Some(frame) = reader.next_frame().expect("valid frame") {
        let info = Vp8FrameInfo::parse(&frame.data).expect("VP8 frame");
        assert_eq!(
            info.keyframe,
            frames == 0,
            "only the first frame is a keyframe"
        );
        if info.keyframe {
            assert_eq!(info.dimensions, Some((WIDTH, HEIGHT)));
        }
        frames += 1;
    }
    assert_eq!(frames, FPS);
}

#[test]
fn a_fresh_encoding_matches_the_asset_layout() {
    let config = Vp8EncoderConfig {
        width: WIDTH,
        height: HEIGHT,
        fps: FPS,
        bitrate_kbps: 150,
    };
    let mut encoder = Vp8Encoder::new(config).expect("libvpx encoder");
    let picture = TestPicture::new(WIDTH, HEIGHT);
    let first = encoder.encode(&picture.render(0), false).expect("encoded");
    assert!(Vp8FrameInfo::parse(&first[0]).expect("VP8").keyframe);
    let second = encoder.encode(&picture.render(1), false).expect("encoded");
    assert!(!Vp8FrameInfo::parse(&second[0]).expect("VP8").keyframe);
    let forced = encoder.encode(&picture.render(2), true).expect("encoded");
    assert!(Vp8FrameInfo::parse(&forced[0]).expect("VP8").keyframe);
}
