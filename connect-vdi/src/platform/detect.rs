//! Which platform to use (spec §9.5): explicit configuration, then `CONNECT_VDI_PLATFORM`, then
//! an engine URL in `Auto`, otherwise none. Heuristics only ever *suspect* a virtual desktop.

use std::collections::BTreeMap;

use connect_core::model::Sensitive;

use super::VdiPlatformKind;
use crate::VdiError;

/// Environment variable naming the platform (same identifiers as [`VdiPlatformKind`]).
pub const ENV_PLATFORM: &str = "CONNECT_VDI_PLATFORM";
/// Environment variable with the endpoint engine's URL.
pub const ENV_ENGINE_URL: &str = "CONNECT_VDI_ENGINE_URL";
/// Environment variable with the pairing token.
pub const ENV_ENGINE_TOKEN: &str = "CONNECT_VDI_ENGINE_TOKEN";
/// Environment variable with the path of a file holding the pairing token.
pub const ENV_ENGINE_TOKEN_FILE: &str = "CONNECT_VDI_ENGINE_TOKEN_FILE";

/// The application's configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VdiMode {
    /// Never redirect; the environment is not consulted.
    Off,
    /// Follow the environment (the default).
    #[default]
    Auto,
    /// Use this platform.
    Platform(VdiPlatformKind),
}

/// Reads environment variables; injected so detection is testable.
pub trait Environment {
    /// The value of `name`, if set.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Environment for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// What decided the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetectionSource {
    /// [`VdiMode::Off`] or [`VdiMode::Platform`].
    Configuration,
    /// `CONNECT_VDI_PLATFORM`.
    EnvironmentPlatform,
    /// `CONNECT_VDI_ENGINE_URL` in `Auto`.
    EngineUrl,
    /// Nothing configured.
    Default,
}

/// The endpoint engine's address and pairing token.
#[derive(Clone, PartialEq, Eq)]
pub struct EngineEndpoint {
    /// `ws://127.0.0.1:<port>` (loopback only) or `wss://…`.
    pub url: String,
    /// The pairing token (never logged).
    pub token: Sensitive,
}

impl std::fmt::Debug for EngineEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineEndpoint")
            .field("url", &self.url)
            .field("token", &self.token)
            .finish()
    }
}

/// The outcome of detection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    /// The platform to use.
    pub kind: VdiPlatformKind,
    /// What decided it.
    pub source: DetectionSource,
    /// The engine endpoint, when one is configured.
    pub engine: Option<EngineEndpoint>,
    /// A hint that this is a virtual desktop although no redirection is configured; the caller
    /// emits `VdiEvent::VdiSuspected` and a warning.
    pub suspected: Option<String>,
}

/// Resolves the platform. An unknown `CONNECT_VDI_PLATFORM` value or an unreadable token file
/// is a configuration error; a vendor platform on native is returned as asked (creating it
/// then yields `PlatformUnavailable`, handled by the fallback policy).
///
/// ```
/// use std::collections::BTreeMap;
/// use connect_vdi::platform::{detect, DetectionSource, VdiMode, VdiPlatformKind};
///
/// let env: BTreeMap<String, String> = [
///     ("CONNECT_VDI_ENGINE_URL".to_owned(), "ws://127.0.0.1:9443".to_owned()),
///     ("CONNECT_VDI_ENGINE_TOKEN".to_owned(), "0123456789abcdef0123456789abcdef".to_owned()),
/// ].into();
/// let found = detect(VdiMode::Auto, &env).unwrap();
/// assert_eq!((found.kind, found.source), (VdiPlatformKind::Engine, DetectionSource::EngineUrl));
/// ```
pub fn detect(mode: VdiMode, env: &dyn Environment) -> Result<Detection, VdiError> {
    let engine = engine_endpoint(env)?;
    let (kind, source) = match mode {
        VdiMode::Off => (VdiPlatformKind::None, DetectionSource::Configuration),
        VdiMode::Platform(kind) => (kind, DetectionSource::Configuration),
        VdiMode::Auto => match env.var(ENV_PLATFORM).filter(|v| !v.trim().is_empty()) {
            Some(value) => (
                value
                    .parse()
                    .map_err(|e| VdiError::Config(format!("{ENV_PLATFORM}: {e}")))?,
                DetectionSource::EnvironmentPlatform,
            ),
            None if engine.is_some() => (VdiPlatformKind::Engine, DetectionSource::EngineUrl),
            None => (VdiPlatformKind::None, DetectionSource::Default),
        },
    };
    if kind == VdiPlatformKind::Engine && engine.is_none() {
        return Err(VdiError::Config(format!(
            "ENDPOINT_ENGINE needs {ENV_ENGINE_URL} and a token"
        )));
    }
    let suspected = if kind.redirects() {
        None
    } else {
        virtual_desktop_hint(env)
    };
    if let Some(hint) = &suspected {
        tracing::warn!(target: "connect_vdi::detect", %hint, "this looks like a virtual desktop but media redirection is not configured: audio will be processed in the desktop");
    }
    Ok(Detection {
        kind,
        source,
        engine,
        suspected,
    })
}

fn engine_endpoint(env: &dyn Environment) -> Result<Option<EngineEndpoint>, VdiError> {
    let Some(url) = env.var(ENV_ENGINE_URL).filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    let token = match (env.var(ENV_ENGINE_TOKEN), env.var(ENV_ENGINE_TOKEN_FILE)) {
        (Some(token), _) => token,
        (None, Some(path)) => std::fs::read_to_string(&path)
            .map_err(|e| VdiError::Config(format!("{ENV_ENGINE_TOKEN_FILE}: {e}")))?,
        (None, None) => {
            return Err(VdiError::Config(format!(
                "{ENV_ENGINE_URL} is set but neither {ENV_ENGINE_TOKEN} nor {ENV_ENGINE_TOKEN_FILE}"
            )))
        }
    };
    Ok(Some(EngineEndpoint {
        url: url.trim().to_owned(),
        token: Sensitive::new(token.trim()),
    }))
}

/// A hint that this process runs in a virtual desktop (never enables anything).
pub fn virtual_desktop_hint(env: &dyn Environment) -> Option<String> {
    if let Some(session) = env.var("SESSIONNAME") {
        let upper = session.to_ascii_uppercase();
        if upper.starts_with("ICA-") || upper.starts_with("RDP-") {
            return Some(format!("SESSIONNAME={session}"));
        }
    }
    [
        "CITRIX_SESSION_ID",
        "VMWARE_HORIZON_SESSION",
        "WORKSPACES_SESSION",
    ]
    .into_iter()
    .find(|name| env.var(name).is_some())
    .map(|name| format!("{name} is set"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn resolution_order_first_match_wins() {
        use DetectionSource as S;
        use VdiPlatformKind as K;
        let url = (ENV_ENGINE_URL, "ws://127.0.0.1:9");
        let tok = (ENV_ENGINE_TOKEN, "t0k3n");
        type Row<'a> = (VdiMode, Vec<(&'a str, &'a str)>, K, S);
        let table: Vec<Row<'_>> = vec![
            (
                VdiMode::Off,
                vec![(ENV_PLATFORM, "CITRIX"), url, tok],
                K::None,
                S::Configuration,
            ),
            (
                VdiMode::Platform(K::Omnissa),
                vec![url, tok],
                K::Omnissa,
                S::Configuration,
            ),
            (
                VdiMode::Platform(K::Engine),
                vec![url, tok],
                K::Engine,
                S::Configuration,
            ),
            (
                VdiMode::Auto,
                vec![(ENV_PLATFORM, "azure"), url, tok],
                K::Azure,
                S::EnvironmentPlatform,
            ),
            (
                VdiMode::Auto,
                vec![(ENV_PLATFORM, " "), url, tok],
                K::Engine,
                S::EngineUrl,
            ),
            (VdiMode::Auto, vec![url, tok], K::Engine, S::EngineUrl),
            (VdiMode::Auto, vec![], K::None, S::Default),
            (
                VdiMode::Auto,
                vec![(ENV_PLATFORM, "NONE"), url, tok],
                K::None,
                S::EnvironmentPlatform,
            ),
        ];
        for (mode, vars, kind, source) in table {
            let found = detect(mode, &env(&vars)).expect("detects");
            assert_eq!(
                (found.kind, found.source),
                (kind, source),
                "{mode:?} {vars:?}"
            );
        }
    }

    #[test]
    fn configuration_errors_are_typed() {
        let cases = [
            env(&[(ENV_PLATFORM, "VMWARE")]),
            env(&[(ENV_ENGINE_URL, "ws://127.0.0.1:9")]),
            env(&[
                (ENV_ENGINE_URL, "ws://127.0.0.1:9"),
                (ENV_ENGINE_TOKEN_FILE, "/nonexistent/token"),
            ]),
        ];
        for vars in cases {
            assert!(
                matches!(detect(VdiMode::Auto, &vars), Err(VdiError::Config(_))),
                "{vars:?}"
            );
        }
        assert!(matches!(
            detect(VdiMode::Platform(VdiPlatformKind::Engine), &env(&[])),
            Err(VdiError::Config(_))
        ));
    }

    #[test]
    fn heuristics_only_suspect() {
        let table = [
            (
                vec![("SESSIONNAME", "ICA-tcp#0")],
                Some("SESSIONNAME=ICA-tcp#0"),
            ),
            (
                vec![("SESSIONNAME", "RDP-Tcp#3")],
                Some("SESSIONNAME=RDP-Tcp#3"),
            ),
            (vec![("SESSIONNAME", "Console")], None),
            (
                vec![("CITRIX_SESSION_ID", "1")],
                Some("CITRIX_SESSION_ID is set"),
            ),
        ];
        for (vars, hint) in table {
            let found = detect(VdiMode::Auto, &env(&vars)).expect("detects");
            assert_eq!(found.kind, VdiPlatformKind::None);
            assert_eq!(found.suspected.as_deref(), hint, "{vars:?}");
        }
        let configured = detect(
            VdiMode::Auto,
            &env(&[
                ("SESSIONNAME", "ICA-tcp#0"),
                (ENV_ENGINE_URL, "ws://127.0.0.1:9"),
                (ENV_ENGINE_TOKEN, "x"),
            ]),
        )
        .expect("detects");
        assert_eq!(configured.suspected, None);
    }

    #[test]
    fn the_token_never_shows_in_debug() {
        let found = detect(
            VdiMode::Auto,
            &env(&[
                (ENV_ENGINE_URL, "ws://127.0.0.1:9"),
                (ENV_ENGINE_TOKEN, "hunter2-secret"),
            ]),
        )
        .expect("detects");
        assert!(!format!("{found:?}").contains("hunter2"));
    }
}
