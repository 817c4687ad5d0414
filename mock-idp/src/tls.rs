//! HTTPS: the local CA (created once in `[tls] ca_dir`, then reused), the server certificate it signs at each
//! start, the rustls server configuration (TLS 1.2 and 1.3 only) and an [`axum::serve::Listener`] that does
//! the handshakes off the accept loop. Also the mock's outbound HTTP client (TLS 1.2 or newer, system roots
//! plus `[tls] extra_root_ca_file`). A foundation: it names only the configuration.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::client_hello;
use crate::client_hello::TlsClientHello;
use crate::config::Config;
use crate::state::{AppState, lock};

/// The CA certificate's file name in `[tls] ca_dir`.
pub(crate) const CA_FILE: &str = "ca.pem";
/// The CA private key's file name in `[tls] ca_dir`.
pub(crate) const CA_KEY_FILE: &str = "ca-key.pem";
/// The longest a client may take over its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTPS side of a running mock: where it listens and the CA an RP must trust.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TlsInfo {
    /// The HTTPS socket.
    pub addr: SocketAddr,
    /// The port `[tls] port` asked for.
    pub requested_port: u16,
    /// Whether the requested port could not be bound and a free one was used instead (`[tls] fallback_port`).
    pub fell_back: bool,
    /// The CA certificate file (PEM) an RP must trust.
    pub ca_file: PathBuf,
    /// The same certificate, PEM text.
    pub ca_pem: String,
    /// The names the server certificate covers.
    pub names: Vec<String>,
    /// Standard base64 of the SHA-256 of the server certificate's SubjectPublicKeyInfo: what Chromium's
    /// `--ignore-certificate-errors-spki-list` pins (that one key, not every certificate).
    pub leaf_spki_sha256: String,
    /// The CA directory when it is a temporary one of this process (removed at shutdown).
    pub(crate) temporary_ca_dir: Option<PathBuf>,
}

/// The local CA: its certificate (as written to `ca.pem`) and what signs server certificates.
pub(crate) struct LocalCa {
    pub(crate) dir: PathBuf,
    /// True when `dir` is a temporary directory of this process (removed at shutdown).
    pub(crate) temporary: bool,
    pub(crate) cert_pem: String,
    cert_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

impl std::fmt::Debug for LocalCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalCa")
            .field("dir", &self.dir)
            .field("temporary", &self.temporary)
            .finish_non_exhaustive()
    }
}

fn ca_params() -> Result<CertificateParams, String> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "cis2-kit");
    dn.push(DnType::CommonName, "cis2-mock-idp local CA");
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.not_before = rcgen::date_time_ymd(2000, 1, 1);
    p.not_after = rcgen::date_time_ymd(2099, 12, 31);
    Ok(p)
}

fn first_cert_der(pem: &str) -> Result<CertificateDer<'static>, String> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem.as_bytes())
        .next()
        .ok_or_else(|| "no certificate in it".to_owned())?
        .map_err(|e| e.to_string())
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// The directory the CA lives in: `[tls] ca_dir`, else the data directory, else a fresh temporary one.
fn ca_dir(config: &Config) -> Result<(PathBuf, bool), String> {
    if let Some(d) = config.tls.ca_dir.as_ref().or(config.data_dir.as_ref()) {
        std::fs::create_dir_all(d).map_err(|e| format!("[tls] ca_dir {}: {e}", d.display()))?;
        return Ok((d.clone(), false));
    }
    let d = std::env::temp_dir().join(format!(
        "cis2-mock-idp-ca-{}-{:016x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&d).map_err(|e| format!("temporary CA directory {}: {e}", d.display()))?;
    Ok((d, true))
}

impl LocalCa {
    /// Loads the CA from its directory, or creates it (ECDSA P-256) and writes `ca.pem` and `ca-key.pem`.
    pub(crate) fn load_or_create(config: &Config) -> Result<Self, String> {
        let (dir, temporary) = ca_dir(config)?;
        let cert_path = dir.join(CA_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        let params = ca_params()?;
        if let (Ok(cert_pem), Ok(key_pem)) = (
            std::fs::read_to_string(&cert_path),
            std::fs::read_to_string(&key_path),
        ) {
            let key = KeyPair::from_pem(&key_pem).map_err(|e| format!("{}: {e}", key_path.display()))?;
            let cert_der = first_cert_der(&cert_pem).map_err(|e| format!("{}: {e}", cert_path.display()))?;
            return Ok(Self {
                dir,
                temporary,
                cert_pem,
                cert_der,
                issuer: Issuer::new(params, key),
            });
        }
        let key = KeyPair::generate().map_err(|e| format!("CA key: {e}"))?;
        let cert = params
            .self_signed(&key)
            .map_err(|e| format!("CA certificate: {e}"))?;
        let cert_pem = cert.pem();
        write_private(&key_path, &key.serialize_pem()).map_err(|e| format!("{}: {e}", key_path.display()))?;
        std::fs::write(&cert_path, &cert_pem).map_err(|e| format!("{}: {e}", cert_path.display()))?;
        Ok(Self {
            dir,
            temporary,
            cert_pem,
            cert_der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        })
    }

    /// The CA certificate file.
    pub(crate) fn cert_path(&self) -> PathBuf {
        self.dir.join(CA_FILE)
    }

    /// A fresh server certificate for `names` (DNS names or IP addresses), and its key.
    fn server_cert(&self, names: &[String]) -> Result<(CertificateDer<'static>, KeyPair), String> {
        let mut p = CertificateParams::new(names.to_vec()).map_err(|e| format!("server certificate: {e}"))?;
        p.distinguished_name = DistinguishedName::new();
        p.distinguished_name.push(
            DnType::CommonName,
            names.first().map_or("localhost", String::as_str),
        );
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.not_before = rcgen::date_time_ymd(2000, 1, 1);
        p.not_after = rcgen::date_time_ymd(2099, 12, 31);
        let key = KeyPair::generate().map_err(|e| format!("server key: {e}"))?;
        let cert = p
            .signed_by(&key, &self.issuer)
            .map_err(|e| format!("server certificate: {e}"))?;
        Ok((cert.der().clone(), key))
    }
}

/// The names the server certificate covers: loopback names, the issuer's host, the bind address (when not
/// unspecified) and `[tls] hosts`, without duplicates.
pub(crate) fn certificate_names(config: &Config, issuer: &str) -> Vec<String> {
    let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    if let Ok(u) = url::Url::parse(issuer)
        && let Some(h) = u.host_str()
    {
        names.push(h.trim_start_matches('[').trim_end_matches(']').to_owned());
    }
    if !config.bind.is_unspecified() {
        names.push(config.bind.to_string());
    }
    names.extend(config.tls.hosts.iter().cloned());
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.to_ascii_lowercase()));
    names
}

/// The rustls provider the mock uses (aws-lc-rs), explicitly, so no process-wide default is needed.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The server configuration: TLS 1.3 and 1.2 only (rustls implements nothing older, and the list says so),
/// HTTP/1.1 by ALPN, the chain leaf + CA. Also returns the leaf's SPKI hash ([`TlsInfo::leaf_spki_sha256`]).
pub(crate) fn server_config(
    ca: &LocalCa,
    names: &[String],
) -> Result<(Arc<rustls::ServerConfig>, String), String> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let (leaf, key) = ca.server_cert(names)?;
    let spki = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(
        rcgen::PublicKeyData::subject_public_key_info(&key),
    ));
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![leaf, ca.cert_der.clone()], key)
        .map_err(|e| format!("TLS: {e}"))?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((Arc::new(cfg), spki))
}

/// Binds the HTTPS port: `[tls] port`, or a free one when that fails and `[tls] fallback_port` allows.
/// Returns the listener and whether it fell back.
pub(crate) async fn bind(config: &Config) -> Result<(TcpListener, bool), String> {
    let want = SocketAddr::new(config.bind, config.tls.port);
    match TcpListener::bind(want).await {
        Ok(l) => Ok((l, false)),
        Err(e) if config.tls.fallback_port && config.tls.port != 0 => {
            let l = TcpListener::bind(SocketAddr::new(config.bind, 0))
                .await
                .map_err(|e2| format!("HTTPS port {want}: {e}; a free port: {e2}"))?;
            tracing::warn!(
                wanted = %want,
                bound = ?l.local_addr().ok(),
                "HTTPS port {want} cannot be bound ({e}); serving HTTPS on a free port instead ([tls] fallback_port)"
            );
            Ok((l, true))
        }
        Err(e) => Err(format!(
            "HTTPS port {want}: {e} (set [tls] port, or [tls] fallback_port = true)"
        )),
    }
}

/// Accepts TCP connections and hands axum the ones whose TLS handshake succeeded. Handshakes run in their own
/// tasks (bounded by a timeout), so a slow or hostile client never holds up the others.
pub(crate) struct TlsListener {
    rx: tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    /// Each connection's ClientHello is peeked at and recorded in `state` ([`AppState::tls_client_hellos`])
    /// before rustls reads it.
    pub(crate) fn new(
        tcp: TcpListener,
        config: Arc<rustls::ServerConfig>,
        state: AppState,
    ) -> std::io::Result<Self> {
        let addr = tcp.local_addr()?;
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let acceptor = TlsAcceptor::from(config);
        let task = tokio::spawn(async move {
            while !tx.is_closed() {
                let (sock, peer) = match tcp.accept().await {
                    Ok(x) => x,
                    Err(e) => {
                        tracing::debug!("HTTPS accept: {e}");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                let state = state.clone();
                tokio::spawn(async move {
                    if let Some((legacy_version, supported_versions, server_name)) =
                        client_hello::peek(&sock, HANDSHAKE_TIMEOUT).await
                    {
                        lock(&state.0.client_hellos).push(TlsClientHello {
                            peer,
                            at_ms: state.0.clock.now_ms(),
                            legacy_version,
                            supported_versions,
                            server_name,
                        });
                    }
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(sock)).await {
                        Ok(Ok(s)) => {
                            let _ = tx.send((s, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self { rx, addr, task })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(c) => c,
            // The accept loop ended (it never does while the listener lives): wait for shutdown.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.addr)
    }
}

/// The mock's outbound client (back-channel logout POSTs, client `jwks_uri` fetches): no redirects, the
/// configured timeout, TLS 1.2 or newer, the system roots plus `[tls] extra_root_ca_file`.
pub(crate) fn outbound_client(config: &Config) -> Result<reqwest::Client, String> {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_millis(config.http_timeout_ms))
        .tls_version_min(reqwest::tls::Version::TLS_1_2);
    if let Some(path) = &config.tls.extra_root_ca_file {
        let pem =
            std::fs::read(path).map_err(|e| format!("[tls] extra_root_ca_file {}: {e}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("[tls] extra_root_ca_file {}: {e}", path.display()))?;
        if certs.is_empty() {
            return Err(format!(
                "[tls] extra_root_ca_file {}: no PEM certificate in it",
                path.display()
            ));
        }
        b = b.tls_certs_merge(certs);
    }
    b.build().map_err(|e| format!("HTTP client: {e}"))
}
