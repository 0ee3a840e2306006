//! The offer munging of spec §9 and the answer inspection, table-driven.

use connect_softphone::audio::AudioCodec;
use connect_softphone::media::sdp::{munge_offer, negotiate, strip_candidates, MungeOptions};

/// A browser-like audio offer (Opus, PCMU, telephone-event) with one candidate.
const OFFER: &str = "v=0\r\n\
o=- 1 2 IN IP4 127.0.0.1\r\n\
s=-\r\n\
t=0 0\r\n\
a=group:BUNDLE 0\r\n\
m=audio 9 UDP/TLS/RTP/SAVPF 111 0 110 126\r\n\
c=IN IP4 0.0.0.0\r\n\
a=mid:0\r\n\
a=ice-ufrag:Xy1z\r\n\
a=rtpmap:111 opus/48000/2\r\n\
a=rtcp-fb:111 transport-cc\r\n\
a=fmtp:111 minptime=10;useinbandfec=1\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtcp-fb:* nack\r\n\
a=rtpmap:110 telephone-event/48000\r\n\
a=rtpmap:126 telephone-event/8000\r\n\
a=candidate:1 1 udp 41885439 127.0.0.1 50000 typ relay raddr 0.0.0.0 rport 0\r\n\
a=sendrecv\r\n";

fn opts(dtx: bool, force: Option<AudioCodec>) -> MungeOptions {
    MungeOptions {
        enable_opus_dtx: dtx,
        force_audio_codec: force,
    }
}

#[test]
fn opus_fmtp_table() {
    // (original fmtp line or none, dtx, expected fmtp)
    let cases = [
        (
            Some("a=fmtp:111 minptime=10;useinbandfec=1"),
            false,
            "a=fmtp:111 minptime=20;useinbandfec=1;usedtx=0",
        ),
        (
            Some("a=fmtp:111 minptime=10;useinbandfec=1"),
            true,
            "a=fmtp:111 minptime=20;useinbandfec=1;usedtx=1",
        ),
        (
            Some("a=fmtp:111 useinbandfec=0;stereo=0"),
            false,
            "a=fmtp:111 minptime=20;useinbandfec=1;stereo=0;usedtx=0",
        ),
        (
            Some("a=fmtp:111 minptime=10;usedtx=1;sprop-maxcapturerate=16000"),
            false,
            "a=fmtp:111 minptime=20;usedtx=0;sprop-maxcapturerate=16000;useinbandfec=1",
        ),
        (
            Some("a=fmtp:111 minptime=40"),
            false,
            "a=fmtp:111 minptime=40;useinbandfec=1;usedtx=0",
        ),
        (
            None,
            false,
            "a=fmtp:111 minptime=20;useinbandfec=1;usedtx=0",
        ),
    ];
    for (original, dtx, expected) in cases {
        let offer = match original {
            Some(line) => OFFER.replace("a=fmtp:111 minptime=10;useinbandfec=1", line),
            None => OFFER.replace("a=fmtp:111 minptime=10;useinbandfec=1\r\n", ""),
        };
        let munged = munge_offer(&offer, opts(dtx, None));
        let fmtp: Vec<&str> = munged
            .lines()
            .filter(|l| l.starts_with("a=fmtp:111"))
            .collect();
        assert_eq!(fmtp, vec![expected], "from {original:?}");
        assert!(
            munged.contains(&format!("a=rtpmap:111 opus/48000/2\r\n{expected}\r\n")),
            "directly after rtpmap"
        );
    }
}

#[test]
fn packetisation_is_appended_once_and_munging_is_idempotent() {
    let once = munge_offer(OFFER, opts(false, None));
    assert!(once.ends_with("a=ptime:20\r\na=maxptime:20\r\n"));
    assert_eq!(munge_offer(&once, opts(false, None)), once);
    assert_eq!(once.matches("a=ptime:20").count(), 1);
    assert!(once.contains("m=audio 9 UDP/TLS/RTP/SAVPF 111 0 110 126\r\n"));
    assert!(!once.contains("maxaveragebitrate") && !once.contains("b=") && !once.contains("cbr"));
}

#[test]
fn forced_codec_table() {
    // (forced codec, expected m= line, payload types that must be gone)
    let cases = [
        (
            AudioCodec::Opus,
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 110 126",
            vec!["a=rtpmap:0 "],
        ),
        (
            AudioCodec::Pcmu,
            "m=audio 9 UDP/TLS/RTP/SAVPF 0 110 126",
            vec!["a=rtpmap:111", "a=fmtp:111", "a=rtcp-fb:111"],
        ),
    ];
    for (codec, m_line, gone) in cases {
        let munged = munge_offer(OFFER, opts(false, Some(codec)));
        assert!(
            munged.contains(&format!("{m_line}\r\n")),
            "{codec:?}: {munged}"
        );
        for prefix in gone {
            assert!(!munged.contains(prefix), "{codec:?} keeps {prefix}");
        }
        assert!(
            munged.contains("a=rtcp-fb:* nack"),
            "wildcard feedback is kept"
        );
        assert!(
            munged.contains("telephone-event/48000") && munged.contains("telephone-event/8000")
        );
    }
}

#[test]
fn candidates_are_stripped_and_answers_negotiated() {
    let stripped = strip_candidates(OFFER);
    assert!(!stripped.contains("a=candidate"));
    assert!(stripped.contains("a=sendrecv"));

    // (answer m= formats, supported, expected codec, pt, telephone-event pt)
    let cases = [
        (
            "111 110",
            vec![AudioCodec::Opus, AudioCodec::Pcmu],
            AudioCodec::Opus,
            111,
            Some(110),
        ),
        (
            "0 126",
            vec![AudioCodec::Opus, AudioCodec::Pcmu],
            AudioCodec::Pcmu,
            0,
            Some(126),
        ),
        (
            "111 0 110",
            vec![AudioCodec::Pcmu],
            AudioCodec::Pcmu,
            0,
            None,
        ),
        ("0", vec![AudioCodec::Pcmu], AudioCodec::Pcmu, 0, None),
    ];
    for (formats, supported, codec, pt, event) in cases {
        let answer = OFFER.replace("111 0 110 126", formats).replace(
            "a=rtpmap:126 telephone-event/8000\r\n",
            if formats.contains("126") {
                "a=rtpmap:126 telephone-event/8000\r\n"
            } else {
                ""
            },
        );
        let found = negotiate(&answer, &supported).expect("a common codec");
        assert_eq!((found.audio, found.payload_type), (codec, pt), "{formats}");
        assert_eq!(found.telephone_event, event, "{formats}");
    }
    let no_audio = OFFER.replace("111 0 110 126", "110");
    assert!(negotiate(&no_audio, &[AudioCodec::Opus])
        .expect_err("no codec")
        .is_remote_description());
}
