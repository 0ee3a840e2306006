//! Splitting SDP into lines and joining them back with CRLF.

/// The lines of an SDP, without their line endings (CRLF or LF accepted).
pub(crate) fn split(sdp: &str) -> Vec<String> {
    sdp.lines()
        .map(|line| line.trim_end_matches('\r').to_owned())
        .filter(|line| !line.is_empty())
        .collect()
}

/// Joins lines with CRLF, ending with CRLF (RFC 8866).
pub(crate) fn join(lines: &[String]) -> String {
    let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 2).sum());
    for line in lines {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out
}

/// The payload type an `a=<attribute>:<pt> …` line is about, if it is one.
pub(crate) fn attribute_pt(line: &str, attribute: &str) -> Option<String> {
    let rest = line
        .strip_prefix("a=")?
        .strip_prefix(attribute)?
        .strip_prefix(':')?;
    let pt = rest.split_whitespace().next()?;
    Some(pt.to_owned())
}

/// `a=rtpmap:<pt> <name>/<rate>[/<channels>]` → (pt, name, rate).
pub(crate) fn rtpmap(line: &str) -> Option<(String, String, u32)> {
    let pt = attribute_pt(line, "rtpmap")?;
    let encoding = line.split_whitespace().nth(1)?;
    let mut parts = encoding.split('/');
    let name = parts.next()?.to_owned();
    let rate = parts.next()?.parse().ok()?;
    Some((pt, name, rate))
}

/// The static payload types of RFC 3551 that audio offers use without `a=rtpmap`.
pub(crate) fn static_encoding(pt: &str) -> Option<(&'static str, u32)> {
    match pt {
        "0" => Some(("PCMU", 8000)),
        "8" => Some(("PCMA", 8000)),
        "9" => Some(("G722", 8000)),
        _ => None,
    }
}
