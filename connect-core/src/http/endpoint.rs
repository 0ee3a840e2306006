//! Where requests go (spec §1.1, §4.3): the CTI endpoint and the authorize endpoint of a CCP
//! origin.

use url::Url;

use super::BuildError;

/// The legacy domain whose paths are prefixed with `/connect`.
const LEGACY_DOMAIN: &str = ".awsapps.com";

/// The origin (`scheme://host:port`) of any CCP URL.
///
/// ```
/// use connect_core::http::ccp_origin;
///
/// let origin = ccp_origin("https://example.my.connect.aws/ccp-v2/?x=1").unwrap();
/// assert_eq!(origin.as_str(), "https://example.my.connect.aws/");
/// assert!(ccp_origin("not a url").is_err());
/// ```
pub fn ccp_origin(ccp_url: &str) -> Result<Url, BuildError> {
    let url = Url::parse(ccp_url).map_err(|e| BuildError::InvalidUrl(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(BuildError::InvalidUrl(format!(
            "{ccp_url}: not an http(s) URL with a host"
        )));
    }
    let origin = url.origin().ascii_serialization();
    Url::parse(&origin).map_err(|e| BuildError::InvalidUrl(e.to_string()))
}

fn is_legacy(origin: &Url) -> bool {
    origin
        .host_str()
        .is_some_and(|host| host.to_ascii_lowercase().contains(LEGACY_DOMAIN))
}

fn join(origin: &Url, path: &str) -> Result<Url, BuildError> {
    origin
        .join(path)
        .map_err(|e| BuildError::InvalidUrl(e.to_string()))
}

/// The CTI endpoint of a CCP: `<origin>/connect/api` when the host contains `.awsapps.com`,
/// else `<origin>/api` (only the origin of `ccp_url` counts).
///
/// ```
/// use connect_core::http::cti_endpoint;
///
/// assert_eq!(cti_endpoint("https://example.my.connect.aws/ccp-v2").unwrap().as_str(),
///            "https://example.my.connect.aws/api");
/// assert_eq!(cti_endpoint("https://example.awsapps.com/connect/ccp-v2").unwrap().as_str(),
///            "https://example.awsapps.com/connect/api");
/// assert_eq!(cti_endpoint("http://127.0.0.1:8080").unwrap().as_str(), "http://127.0.0.1:8080/api");
/// ```
pub fn cti_endpoint(ccp_url: &str) -> Result<Url, BuildError> {
    let origin = ccp_origin(ccp_url)?;
    let path = if is_legacy(&origin) {
        "/connect/api"
    } else {
        "/api"
    };
    join(&origin, path)
}

/// The authorize endpoint of a CCP: `<origin>/connect/auth/authorize` on `*.awsapps.com`,
/// else `<origin>/auth/authorize`.
///
/// ```
/// use connect_core::http::authorize_endpoint;
///
/// assert_eq!(authorize_endpoint("https://x.my.connect.aws/ccp-v2").unwrap().as_str(),
///            "https://x.my.connect.aws/auth/authorize");
/// assert_eq!(authorize_endpoint("https://x.awsapps.com").unwrap().as_str(),
///            "https://x.awsapps.com/connect/auth/authorize");
/// ```
pub fn authorize_endpoint(ccp_url: &str) -> Result<Url, BuildError> {
    let origin = ccp_origin(ccp_url)?;
    let path = if is_legacy(&origin) {
        "/connect/auth/authorize"
    } else {
        "/auth/authorize"
    };
    join(&origin, path)
}

/// An explicit endpoint, used as given (it overrides the origin rule).
pub(crate) fn explicit_endpoint(endpoint: &str) -> Result<Url, BuildError> {
    let url = Url::parse(endpoint).map_err(|e| BuildError::InvalidUrl(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(BuildError::InvalidUrl(format!("{endpoint}: not http(s)")));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_domain_matches_on_the_host_only() {
        assert_eq!(
            cti_endpoint("https://AWSAPPS-LOOKALIKE.example/x.awsapps.com/")
                .expect("url")
                .path(),
            "/api"
        );
        assert_eq!(
            cti_endpoint("https://Alias.AWSAPPS.com:8443/")
                .expect("url")
                .as_str(),
            "https://alias.awsapps.com:8443/connect/api"
        );
        assert!(cti_endpoint("ftp://x.example/").is_err());
        assert!(explicit_endpoint("wss://x/").is_err());
        assert_eq!(
            explicit_endpoint("https://proxy.example/custom/api")
                .expect("url")
                .path(),
            "/custom/api"
        );
    }
}
