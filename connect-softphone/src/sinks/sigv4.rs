//! AWS Signature Version 4 for the Elasticsearch/OpenSearch sink (feature `sigv4`): Amazon
//! OpenSearch Service domains (service `es`) and OpenSearch Serverless collections (`aoss`)
//! accept IAM-signed requests. Every request is signed over its method, path, query, the
//! `content-type`, `host`, `x-amz-content-sha256` and `x-amz-date` headers (and the session
//! token's header for temporary credentials) and the SHA-256 of its body.

use connect_core::log::format_iso8601;
use connect_core::model::{Sensitive, Timestamp};
use connect_core::time::{Clock, SystemClock};
use hmac::{Hmac, Mac};
use reqwest::header::HeaderValue;
use reqwest::RequestBuilder;
use sha2::{Digest, Sha256};

use super::SinkError;

/// IAM credentials and the scope they sign for.
///
/// ```
/// use connect_softphone::sinks::SigV4Credentials;
///
/// let credentials = SigV4Credentials::new("AKIDEXAMPLE", "secret-key", "eu-west-2", "aoss");
/// assert!(!format!("{credentials:?}").contains("secret-key"));
/// ```
#[derive(Clone, Debug)]
pub struct SigV4Credentials {
    /// The access key id (not secret: it names the key).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Sensitive,
    /// The session token of temporary credentials (`x-amz-security-token`).
    pub session_token: Option<Sensitive>,
    /// The region of the domain or collection, e.g. `us-east-1`.
    pub region: String,
    /// `es` for OpenSearch Service domains, `aoss` for OpenSearch Serverless.
    pub service: String,
}

impl SigV4Credentials {
    /// Long-term credentials for `service` in `region`.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        region: impl Into<String>,
        service: impl Into<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: Sensitive::new(secret_access_key.into()),
            session_token: None,
            region: region.into(),
            service: service.into(),
        }
    }

    /// The same credentials with the session token of temporary (STS) credentials.
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(Sensitive::new(token.into()));
        self
    }
}

/// One request to sign: what SigV4 covers of it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Unsigned<'a> {
    pub(crate) method: &'a str,
    pub(crate) url: &'a str,
    /// Headers besides `host` and the `x-amz-*` ones the signer adds (lower-case names).
    pub(crate) headers: &'a [(&'a str, &'a str)],
    pub(crate) body: &'a [u8],
}

/// The headers that carry a signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Signature {
    /// `(name, value)` pairs to add: `authorization`, `x-amz-date`, `x-amz-content-sha256` and,
    /// with a session token, `x-amz-security-token`.
    pub(crate) headers: Vec<(&'static str, String)>,
}

/// Signs `request` at `at` (the clock's time; the signature is valid for 15 minutes).
pub(crate) fn sign(
    request: &Unsigned<'_>,
    credentials: &SigV4Credentials,
    at: Timestamp,
) -> Result<Signature, SinkError> {
    let url = url::Url::parse(request.url)
        .map_err(|e| SinkError::permanent(format!("SigV4: bad URL: {e}")))?;
    let host = match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => return Err(SinkError::permanent("SigV4: the URL has no host")),
    };
    let amz_date = amz_date(at);
    let date = &amz_date[..8];
    let payload_hash = hex(&Sha256::digest(request.body));
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    headers.push(("host".to_owned(), host));
    headers.push(("x-amz-content-sha256".to_owned(), payload_hash.clone()));
    headers.push(("x-amz-date".to_owned(), amz_date.clone()));
    if let Some(token) = &credentials.session_token {
        headers.push(("x-amz-security-token".to_owned(), token.expose().to_owned()));
    }
    headers.sort();
    let signed_headers = headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let canonical_request = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{payload_hash}",
        request.method,
        canonical_path(url.path()),
        canonical_query(&url),
    );
    let scope = format!(
        "{date}/{}/{}/aws4_request",
        credentials.region, credentials.service
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let secret = format!("AWS4{}", credentials.secret_access_key.expose());
    let mut key = hmac(secret.as_bytes(), date.as_bytes());
    for part in [&credentials.region, &credentials.service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    let mut out = vec![
        (
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, \
                 Signature={signature}",
                credentials.access_key_id
            ),
        ),
        ("x-amz-date", amz_date),
        ("x-amz-content-sha256", payload_hash),
    ];
    if let Some(token) = &credentials.session_token {
        out.push(("x-amz-security-token", token.expose().to_owned()));
    }
    Ok(Signature { headers: out })
}

/// Signs a POST of `body` to `url` now and adds the signature's headers to `request`.
pub(crate) fn sign_request(
    request: RequestBuilder,
    credentials: &SigV4Credentials,
    url: &str,
    content_type: &str,
    body: &[u8],
) -> Result<RequestBuilder, SinkError> {
    let unsigned = Unsigned {
        method: "POST",
        url,
        headers: &[("content-type", content_type)],
        body,
    };
    let signature = sign(&unsigned, credentials, SystemClock::default().now())?;
    let mut request = request;
    for (name, value) in signature.headers {
        let mut value = HeaderValue::from_str(&value)
            .map_err(|_| SinkError::permanent(format!("SigV4: invalid value for header {name}")))?;
        value.set_sensitive(true);
        request = request.header(name, value);
    }
    Ok(request)
}

/// `YYYYMMDDTHHMMSSZ`.
fn amz_date(at: Timestamp) -> String {
    let iso = format_iso8601(at);
    let seconds = iso.split('.').next().unwrap_or(&iso);
    let compact: String = seconds.chars().filter(|c| *c != '-' && *c != ':').collect();
    format!("{compact}Z")
}

/// The path, each segment URI-encoded once more (all services but S3 sign the encoded path
/// encoded again).
fn canonical_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    path.split('/')
        .map(uri_encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// The query's parameters, URI-encoded and sorted.
fn canonical_query(url: &url::Url) -> String {
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (uri_encode(&k), uri_encode(&v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// RFC 3986 encoding: unreserved characters stay, every other byte becomes `%XX`.
fn uri_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2013-05-24T00:00:00Z.
    const MAY_24_2013: i64 = 1_369_353_600_000;

    /// The worked example of the AWS documentation ("Signature Calculations for the
    /// Authorization Header", GET Object): every intermediate value is published.
    #[test]
    fn the_documented_example_signs_to_the_published_signature() {
        let credentials = SigV4Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "us-east-1",
            "s3",
        );
        let request = Unsigned {
            method: "GET",
            url: "https://examplebucket.s3.amazonaws.com/test.txt",
            headers: &[("range", "bytes=0-9")],
            body: b"",
        };
        let signature =
            sign(&request, &credentials, Timestamp::from_millis(MAY_24_2013)).expect("signs");
        let authorization = &signature.headers[0].1;
        assert_eq!(
            authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        assert_eq!(
            signature.headers[1],
            ("x-amz-date", "20130524T000000Z".into())
        );
        assert_eq!(
            signature.headers[2].1,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_session_token_is_signed_and_sent_and_the_body_changes_the_signature() {
        let credentials = SigV4Credentials::new("AKID", "secret", "eu-west-2", "aoss")
            .with_session_token("session-token");
        let at = Timestamp::from_millis(MAY_24_2013);
        let request = |body: &'static [u8]| Unsigned {
            method: "POST",
            url: "https://abc.eu-west-2.aoss.amazonaws.com/_bulk",
            headers: &[("content-type", "application/x-ndjson")],
            body,
        };
        let one = sign(&request(b"{}\n"), &credentials, at).expect("signs");
        let two = sign(&request(b"{ }\n"), &credentials, at).expect("signs");
        assert!(one.headers[0].1.contains(
            "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token"
        ));
        assert!(one.headers[0].1.contains("/eu-west-2/aoss/aws4_request"));
        assert_eq!(
            one.headers[3],
            ("x-amz-security-token", "session-token".into())
        );
        assert_ne!(one.headers[0], two.headers[0]);
        assert!(!one.headers[0].1.contains("secret"));
    }

    #[test]
    fn paths_and_queries_are_canonical() {
        assert_eq!(canonical_path(""), "/");
        assert_eq!(canonical_path("/a b/_bulk"), "/a%20b/_bulk");
        let url = url::Url::parse("https://h/p?b=2&a=1&c=x%2Fy").expect("url");
        assert_eq!(canonical_query(&url), "a=1&b=2&c=x%2Fy");
        assert_eq!(
            amz_date(Timestamp::from_millis(MAY_24_2013 + 1_234)),
            "20130524T000001Z"
        );
    }

    #[test]
    fn a_url_without_host_is_a_typed_error() {
        let credentials = SigV4Credentials::new("AKID", "secret", "us-east-1", "es");
        let request = Unsigned {
            method: "POST",
            url: "unix:/var/run/socket",
            headers: &[],
            body: b"",
        };
        let error = sign(&request, &credentials, Timestamp::from_millis(0)).expect_err("no host");
        assert!(!error.retryable);
    }
}
