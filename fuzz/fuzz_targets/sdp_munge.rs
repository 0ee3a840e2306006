//! First byte: munging options; the rest: SDP text → `munge_offer`, `negotiate` and the other
//! readers of `connect_softphone::media::sdp`. Never a panic; munging and candidate stripping
//! are idempotent, and a munged offer carries exactly one `a=ptime:20` / `a=maxptime:20` pair
//! at its end.
#![no_main]

use connect_softphone::audio::AudioCodec;
use connect_softphone::media::sdp::{
    audio_mid, ice_ufrag, munge_offer, negotiate, payload_map, strip_candidates, MungeOptions,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(sdp) = std::str::from_utf8(rest) else {
        return;
    };
    let options = MungeOptions {
        enable_opus_dtx: flags & 1 != 0,
        force_audio_codec: match (flags >> 1) % 3 {
            0 => None,
            1 => Some(AudioCodec::Opus),
            _ => Some(AudioCodec::Pcmu),
        },
    };
    let munged = munge_offer(sdp, options);
    assert_eq!(
        munge_offer(&munged, options),
        munged,
        "munging is not idempotent ({options:?}) on\n{sdp:?}\nfirst pass\n{munged:?}"
    );
    assert!(
        munged.ends_with("a=ptime:20\r\na=maxptime:20\r\n"),
        "{munged:?}"
    );
    let ptimes = munged.lines().filter(|l| l.starts_with("a=ptime:")).count();
    assert_eq!(ptimes, 1, "{munged:?}");

    let stripped = strip_candidates(sdp);
    assert_eq!(
        strip_candidates(&stripped),
        stripped,
        "stripping is not idempotent"
    );
    assert!(
        !stripped.lines().any(|l| l.starts_with("a=candidate:")),
        "{stripped:?}"
    );

    for text in [sdp, munged.as_str()] {
        let _ = (audio_mid(text), ice_ufrag(text), payload_map(text));
        for supported in [
            &[AudioCodec::Opus, AudioCodec::Pcmu][..],
            &[AudioCodec::Pcmu],
            &[],
        ] {
            if let Ok(codecs) = negotiate(text, supported) {
                assert!(supported.contains(&codecs.audio), "{codecs:?} not offered");
            }
        }
    }
});
