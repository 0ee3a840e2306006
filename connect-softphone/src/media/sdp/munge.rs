//! The offer munging of spec §9, applied to every offer before it is set.

use tracing::warn;

use super::lines::{attribute_pt, join, rtpmap, split, static_encoding};
use crate::media::AudioCodec;

/// What the munging may change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MungeOptions {
    /// `usedtx=1` instead of `usedtx=0`.
    pub enable_opus_dtx: bool,
    /// Keep only this codec (and `telephone-event`).
    pub force_audio_codec: Option<AudioCodec>,
}

/// Munges an offer (spec §9): a fresh Opus `a=fmtp` right after each Opus `a=rtpmap` with
/// `minptime=20;useinbandfec=1;usedtx=0|1`, `a=ptime:20` and `a=maxptime:20` at the end, and the
/// optional forced codec. Idempotent.
///
/// ```
/// use connect_softphone::media::sdp::{munge_offer, MungeOptions};
///
/// let offer = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:0 PCMU/8000\r\n";
/// let munged = munge_offer(offer, MungeOptions::default());
/// assert!(munged.contains("a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=20;useinbandfec=1;usedtx=0\r\n"));
/// assert!(munged.ends_with("a=ptime:20\r\na=maxptime:20\r\n"));
/// ```
pub fn munge_offer(sdp: &str, options: MungeOptions) -> String {
    let mut lines = split(sdp);
    if let Some(codec) = options.force_audio_codec {
        lines = force_codec(lines, codec);
    }
    lines = rewrite_opus_fmtp(lines, options.enable_opus_dtx);
    lines.retain(|line| !line.starts_with("a=ptime:") && !line.starts_with("a=maxptime:"));
    lines.push("a=ptime:20".to_owned());
    lines.push("a=maxptime:20".to_owned());
    join(&lines)
}

/// Rule 1 and the `minptime` part of rule 2.
fn rewrite_opus_fmtp(lines: Vec<String>, dtx: bool) -> Vec<String> {
    let opus_pts: Vec<String> = lines
        .iter()
        .filter_map(|line| rtpmap(line))
        .filter(|(_, name, _)| name.eq_ignore_ascii_case("opus"))
        .map(|(pt, _, _)| pt)
        .collect();
    let mut out = Vec::with_capacity(lines.len() + opus_pts.len());
    for line in &lines {
        if attribute_pt(line, "fmtp").is_some_and(|pt| opus_pts.contains(&pt)) {
            continue;
        }
        out.push(line.clone());
        if let Some((pt, name, _)) = rtpmap(line) {
            if name.eq_ignore_ascii_case("opus") {
                let existing = lines
                    .iter()
                    .find(|l| attribute_pt(l, "fmtp").as_deref() == Some(pt.as_str()));
                out.push(opus_fmtp(&pt, existing.map(String::as_str), dtx));
            }
        }
    }
    out
}

/// The new Opus fmtp line, keeping every existing parameter.
fn opus_fmtp(pt: &str, existing: Option<&str>, dtx: bool) -> String {
    let mut params: Vec<(String, String)> = existing
        .and_then(|line| line.split_once(' '))
        .map(|(_, list)| {
            // Keys and values trimmed and empty keys dropped, so the line written back reads
            // the same (munging stays idempotent).
            list.split(';')
                .map(|p| p.split_once('=').unwrap_or((p, "")))
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .filter(|(k, _)| !k.is_empty())
                .collect()
        })
        .unwrap_or_default();
    match params.iter_mut().find(|(k, _)| k == "minptime") {
        Some((_, value)) if value == "10" => *value = "20".to_owned(),
        Some(_) => {}
        None => params.insert(0, ("minptime".to_owned(), "20".to_owned())),
    }
    set_param(&mut params, "useinbandfec", "1");
    set_param(&mut params, "usedtx", if dtx { "1" } else { "0" });
    let list: Vec<String> = params
        .into_iter()
        .map(|(k, v)| if v.is_empty() { k } else { format!("{k}={v}") })
        .collect();
    format!("a=fmtp:{pt} {}", list.join(";"))
}

fn set_param(params: &mut Vec<(String, String)>, key: &str, value: &str) {
    match params.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => *v = value.to_owned(),
        None => params.push((key.to_owned(), value.to_owned())),
    }
}

/// Rule 3: drop every payload type but the forced codec and `telephone-event`.
fn force_codec(lines: Vec<String>, codec: AudioCodec) -> Vec<String> {
    let encoding_of = |pt: &str| -> Option<(String, u32)> {
        lines
            .iter()
            .filter_map(|line| rtpmap(line))
            .find(|(p, _, _)| p == pt)
            .map(|(_, name, rate)| (name, rate))
            .or_else(|| static_encoding(pt).map(|(n, r)| (n.to_owned(), r)))
    };
    let keep = |pt: &str| match encoding_of(pt) {
        Some((name, rate)) => {
            name.eq_ignore_ascii_case("telephone-event")
                || (name.eq_ignore_ascii_case(codec.sdp_name()) && rate == codec.clock_rate())
        }
        None => false,
    };
    let mut found = false;
    let mut out = Vec::with_capacity(lines.len());
    for line in &lines {
        if let Some(rest) = line.strip_prefix("m=audio ") {
            let mut fields = rest.split_whitespace();
            let head: Vec<&str> = fields.by_ref().take(2).collect();
            let kept: Vec<&str> = fields.filter(|pt| keep(pt)).collect();
            found |= kept.iter().any(|pt| {
                encoding_of(pt).is_some_and(|(n, _)| !n.eq_ignore_ascii_case("telephone-event"))
            });
            out.push(format!("m=audio {} {}", head.join(" "), kept.join(" ")));
            continue;
        }
        let about = ["rtpmap", "fmtp", "rtcp-fb"]
            .iter()
            .find_map(|attribute| attribute_pt(line, attribute));
        match about {
            Some(pt) if pt != "*" && !keep(&pt) => {}
            _ => out.push(line.clone()),
        }
    }
    if found {
        out
    } else {
        warn!(
            ?codec,
            "forced codec is not in the offer; offer left unchanged"
        );
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `sdp_munge` fuzz target: a stray CR or an empty key in an Opus fmtp
    /// parameter made the second munging pass differ from the first.
    #[test]
    fn odd_opus_fmtp_parameters_munge_idempotently() {
        let offer = "v=0\r\nm=audio 9 RTP/AVP 111\r\na=rtpmap:111 OPUS/48000/2\r\n\
                     a=fmtp:111 stereo;x\r=;=5;;minptime = 10 \r\n";
        let options = MungeOptions {
            enable_opus_dtx: true,
            force_audio_codec: Some(AudioCodec::Pcmu),
        };
        let once = munge_offer(offer, options);
        assert!(
            once.contains("a=fmtp:111 stereo;x;minptime=20;useinbandfec=1;usedtx=1\r\n"),
            "{once:?}"
        );
        assert_eq!(munge_offer(&once, options), once);
    }
}
