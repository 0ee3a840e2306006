//! The server's test PKI: a CA generated per server, a certificate for `127.0.0.1` and
//! `localhost` signed by it, and the CA's PEM written to a file a client can trust.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

use super::builder::SimServerError;

/// The generated material: what the accept loop uses and what clients must trust.
pub(super) struct TestPki {
    pub acceptor: TlsAcceptor,
    pub ca_pem: String,
    pub ca_path: PathBuf,
}

impl Drop for TestPki {
    fn drop(&mut self) {
        // Best effort: the file lives in the temp dir anyway.
        let _ = std::fs::remove_file(&self.ca_path);
    }
}

fn tls_error(what: &str, err: impl std::fmt::Display) -> SimServerError {
    SimServerError::Tls(format!("{what}: {err}"))
}

impl TestPki {
    /// A fresh CA and server certificate; the CA's PEM is written to a new file in the
    /// temp dir (removed when the server is dropped).
    pub fn generate() -> Result<Self, SimServerError> {
        let ca_key = KeyPair::generate().map_err(|e| tls_error("CA key", e))?;
        let mut ca_params =
            CertificateParams::new(Vec::<String>::new()).map_err(|e| tls_error("CA params", e))?;
        let mut ca_name = DistinguishedName::new();
        ca_name.push(DnType::CommonName, "connect-sim test CA");
        ca_params.distinguished_name = ca_name;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key)
            .map_err(|e| tls_error("CA certificate", e))?;

        let server_key = KeyPair::generate().map_err(|e| tls_error("server key", e))?;
        let mut server_params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .map_err(|e| tls_error("server params", e))?;
        let mut server_name = DistinguishedName::new();
        server_name.push(DnType::CommonName, "localhost");
        server_params.distinguished_name = server_name;
        let server_cert = server_params
            .signed_by(&server_key, &ca)
            .map_err(|e| tls_error("server certificate", e))?;

        let chain: Vec<CertificateDer<'static>> = vec![server_cert.der().clone(), ca.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error("TLS versions", e))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| tls_error("TLS config", e))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];

        let ca_pem = ca.pem();
        let ca_path = ca_file_path();
        std::fs::write(&ca_path, &ca_pem).map_err(SimServerError::Io)?;
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            ca_pem,
            ca_path,
        })
    }

    pub fn ca_path(&self) -> &Path {
        &self.ca_path
    }
}

/// A file name unique within the machine: process id and a per-process counter.
fn ca_file_path() -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("connect-sim-ca-{}-{n}.pem", std::process::id()))
}
