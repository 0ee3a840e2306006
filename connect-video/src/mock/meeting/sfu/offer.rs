//! Reading what an SDP offer asks for, m-section by m-section (kind, mid, direction).

/// The direction attribute of an m-section, from its sender's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Direction {
    /// `a=sendrecv` (the default).
    SendRecv,
    /// `a=sendonly`.
    SendOnly,
    /// `a=recvonly`.
    RecvOnly,
    /// `a=inactive`.
    Inactive,
}

/// One m-section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct MediaSection {
    /// `audio`, `video`, `application`...
    pub(super) kind: String,
    /// The `a=mid`, if any.
    pub(super) mid: Option<String>,
    /// The direction.
    pub(super) direction: Direction,
}

/// The m-sections of an SDP, in order. Tolerant: unknown lines are skipped.
pub(super) fn media_sections(sdp: &str) -> Vec<MediaSection> {
    let mut sections: Vec<MediaSection> = Vec::new();
    for line in sdp.lines().map(str::trim_end) {
        if let Some(media) = line.strip_prefix("m=") {
            sections.push(MediaSection {
                kind: media.split(' ').next().unwrap_or_default().to_owned(),
                mid: None,
                direction: Direction::SendRecv,
            });
            continue;
        }
        let Some(section) = sections.last_mut() else {
            continue;
        };
        match line {
            "a=sendrecv" => section.direction = Direction::SendRecv,
            "a=sendonly" => section.direction = Direction::SendOnly,
            "a=recvonly" => section.direction = Direction::RecvOnly,
            "a=inactive" => section.direction = Direction::Inactive,
            _ => {
                if let Some(mid) = line.strip_prefix("a=mid:") {
                    section.mid = Some(mid.to_owned());
                }
            }
        }
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_with_kind_mid_and_direction() {
        let sdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n\
                   m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendrecv\r\n\
                   m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=sendonly\r\n\
                   m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=recvonly\r\na=mid:2\r\n\
                   m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=inactive\r\n";
        let sections = media_sections(sdp);
        assert_eq!(sections.len(), 4);
        assert_eq!(sections[0].kind, "audio");
        assert_eq!(sections[1].direction, Direction::SendOnly);
        assert_eq!(sections[2].mid.as_deref(), Some("2"));
        assert_eq!(sections[2].direction, Direction::RecvOnly);
        assert_eq!(sections[3].mid, None);
        assert_eq!(sections[3].direction, Direction::Inactive);
        assert!(media_sections("garbage\nm=\n")
            .iter()
            .all(|s| s.kind.is_empty()));
    }
}
