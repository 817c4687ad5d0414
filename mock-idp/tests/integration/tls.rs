//! HTTPS: the local CA in the data directory, the issuer with its explicit port byte for byte, clients that do
//! not trust the CA refused, TLS 1.2 and 1.3 served and TLS 1.0/1.1 refused.

use std::io::{Read, Write};
use std::path::Path;

use cis2_mock_idp::{MockIdp, RunningMockIdp};

use crate::common::{REALM, idp_key};

/// A mock serving HTTPS on 443 (or, when 443 is taken or not allowed, a free port: said on stderr).
async fn start_tls(dir: &Path) -> RunningMockIdp {
    let idp = MockIdp::builder()
        .signing_key(idp_key("a"))
        .data_dir(dir)
        .tls_port(443)
        .start()
        .await
        .unwrap();
    let t = idp.tls().unwrap();
    if t.fell_back {
        eprintln!("port 443 could not be bound; HTTPS fell back to {}", t.addr);
    }
    idp
}

fn trusting(pem: &str) -> reqwest::ClientBuilder {
    reqwest::Client::builder().tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()])
}

#[tokio::test]
async fn discovery_over_https_with_only_the_generated_ca_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let idp = start_tls(dir.path()).await;
    let t = idp.tls().unwrap().clone();
    // The CA is in the data directory, as PEM.
    assert_eq!(t.ca_file, dir.path().join("ca.pem"));
    let pem = std::fs::read_to_string(&t.ca_file).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(pem, t.ca_pem);
    assert!(std::fs::metadata(dir.path().join("ca-key.pem")).is_ok());
    // The issuer names the port explicitly, 443 included.
    let port = t.addr.port();
    let expected = format!("https://localhost:{port}{REALM}");
    assert_eq!(idp.issuer(), expected);
    if !t.fell_back {
        assert_eq!(
            idp.issuer(),
            "https://localhost:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare"
        );
    }
    let client = trusting(&pem).build().unwrap();
    let res = client
        .get(format!("{}/.well-known/openid-configuration", idp.issuer()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    // Byte for byte in the document as served, `:443` (or the port) kept.
    assert!(body.contains(&format!("\"issuer\":\"{expected}\"")), "{body}");
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["issuer"], expected.as_str());
    assert_eq!(doc["jwks_uri"], format!("{expected}/connect/jwk_uri").as_str());
    // The JWKS answers over the same listener.
    let jwks = client
        .get(doc["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(jwks.status(), 200);
    // 127.0.0.1 is in the certificate too.
    let by_ip = client
        .get(format!(
            "https://127.0.0.1:{port}{REALM}/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(by_ip.status(), 200);
    idp.shutdown().await;
}

#[tokio::test]
async fn the_ca_is_reused_across_restarts_and_a_temporary_one_removed() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_tls(dir.path()).await;
    let pem = first.tls().unwrap().ca_pem.clone();
    first.shutdown().await;
    let second = start_tls(dir.path()).await;
    assert_eq!(
        second.tls().unwrap().ca_pem,
        pem,
        "an RP that trusted ca.pem keeps trusting it"
    );
    let client = trusting(&pem).build().unwrap();
    let res = client
        .get(format!("{}/.well-known/openid-configuration", second.issuer()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    second.shutdown().await;

    // No data directory: a temporary CA directory, gone after shutdown.
    let idp = MockIdp::builder()
        .signing_key(idp_key("a"))
        .tls_port(0)
        .start()
        .await
        .unwrap();
    let ca = idp.tls().unwrap().ca_file.clone();
    assert!(ca.exists());
    idp.shutdown().await;
    assert!(!ca.exists());
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let idp = MockIdp::builder()
        .signing_key(idp_key("a"))
        .data_dir(dir.path())
        .tls_port(0)
        .start()
        .await
        .unwrap();
    let url = format!("{}/.well-known/openid-configuration", idp.issuer());
    // System roots only.
    let err = reqwest::Client::new().get(&url).send().await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    // Another CA only (a second mock's).
    let other_dir = tempfile::tempdir().unwrap();
    let other = MockIdp::builder()
        .signing_key(idp_key("a"))
        .data_dir(other_dir.path())
        .tls_port(0)
        .start()
        .await
        .unwrap();
    assert_ne!(other.tls().unwrap().ca_pem, idp.tls().unwrap().ca_pem);
    let wrong = trusting(&other.tls().unwrap().ca_pem).build().unwrap();
    let err = wrong.get(&url).send().await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    other.shutdown().await;
    idp.shutdown().await;
}

#[tokio::test]
async fn tls_1_2_and_1_3_clients_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let idp = MockIdp::builder()
        .signing_key(idp_key("a"))
        .data_dir(dir.path())
        .tls_port(0)
        .start()
        .await
        .unwrap();
    let pem = idp.tls().unwrap().ca_pem.clone();
    let url = format!("{}/.well-known/openid-configuration", idp.issuer());
    let v = reqwest::tls::Version::TLS_1_2;
    let only_12 = trusting(&pem).tls_version_max(v).build().unwrap();
    assert_eq!(only_12.get(&url).send().await.unwrap().status(), 200);
    let only_13 = trusting(&pem)
        .tls_version_min(reqwest::tls::Version::TLS_1_3)
        .build()
        .unwrap();
    assert_eq!(only_13.get(&url).send().await.unwrap().status(), 200);
    idp.shutdown().await;
}

/// A TLS 1.0 or 1.1 ClientHello (no `supported_versions` extension, so that is all it offers), with
/// CBC suites those versions use and SNI `localhost`; `sig_algs` adds a `signature_algorithms` extension
/// (which real 1.0/1.1 clients do not send: rustls then answers `handshake_failure` before looking at the
/// version; with it, `protocol_version`).
fn legacy_client_hello(minor: u8, sig_algs: bool) -> Vec<u8> {
    let mut body = vec![3, minor];
    body.extend([0x42; 32]); // random
    body.push(0); // no session id
    let suites: [u16; 4] = [0xc009, 0xc013, 0x002f, 0x0035];
    body.extend(u16::try_from(suites.len() * 2).unwrap().to_be_bytes());
    for s in suites {
        body.extend(s.to_be_bytes());
    }
    body.extend([1, 0]); // null compression
    let host = b"localhost";
    let mut sni = Vec::new();
    sni.extend(u16::try_from(host.len() + 3).unwrap().to_be_bytes());
    sni.push(0);
    sni.extend(u16::try_from(host.len()).unwrap().to_be_bytes());
    sni.extend(host);
    let mut exts = Vec::new();
    exts.extend([0, 0]);
    exts.extend(u16::try_from(sni.len()).unwrap().to_be_bytes());
    exts.extend(sni);
    // supported_groups (secp256r1) and ec_point_formats (uncompressed), as 1.0/1.1 clients send for ECDHE.
    exts.extend([0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17]);
    exts.extend([0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
    if sig_algs {
        // ecdsa_secp256r1_sha256, rsa_pkcs1_sha256
        exts.extend([0x00, 0x0d, 0x00, 0x06, 0x00, 0x04, 0x04, 0x03, 0x04, 0x01]);
    }
    body.extend(u16::try_from(exts.len()).unwrap().to_be_bytes());
    body.extend(exts);
    let mut hs = vec![1];
    hs.extend(&u32::try_from(body.len()).unwrap().to_be_bytes()[1..]);
    hs.extend(body);
    let mut rec = vec![0x16, 3, 1];
    rec.extend(u16::try_from(hs.len()).unwrap().to_be_bytes());
    rec.extend(hs);
    rec
}

#[tokio::test]
async fn tls_1_0_and_1_1_are_refused_with_a_fatal_alert() {
    let dir = tempfile::tempdir().unwrap();
    let idp = MockIdp::builder()
        .signing_key(idp_key("a"))
        .data_dir(dir.path())
        .tls_port(0)
        .start()
        .await
        .unwrap();
    let addr = idp.tls().unwrap().addr;
    // (minor version, with signature_algorithms, the alert expected)
    let cases = [
        (1u8, false, 40u8, "TLS 1.0"),
        (2, false, 40, "TLS 1.1"),
        (1, true, 70, "TLS 1.0 + signature_algorithms"),
        (2, true, 70, "TLS 1.1 + signature_algorithms"),
    ];
    for (minor, sig_algs, alert, name) in cases {
        let answer = tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
                .unwrap();
            s.write_all(&legacy_client_hello(minor, sig_algs)).unwrap();
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf);
            buf
        })
        .await
        .unwrap();
        // One alert record, level fatal (2), then the connection closes; no ServerHello.
        assert_eq!(answer.len(), 7, "{name}: {answer:?}");
        assert_eq!(answer[0], 0x15, "{name}: not an alert record: {answer:?}");
        assert_eq!(&answer[5..7], &[2, alert], "{name}: {answer:?}");
    }
    // The same through OpenSSL, when it is installed (the client needs security level 0 to offer 1.0/1.1).
    let ca = idp.tls().unwrap().ca_file.clone();
    let target = format!("127.0.0.1:{}", addr.port());
    let r = tokio::task::spawn_blocking(move || openssl_checks(&target, &ca))
        .await
        .unwrap();
    if let Err(why) = r {
        eprintln!("openssl checks skipped: {why}");
    }
    idp.shutdown().await;
}

fn s_client(target: &str, ca: &Path, args: &[&str]) -> Result<(bool, String), String> {
    let mut c = std::process::Command::new("openssl");
    c.args([
        "s_client",
        "-connect",
        target,
        "-servername",
        "localhost",
        "-CAfile",
    ])
    .arg(ca)
    .args(["-verify_return_error", "-brief"])
    .args(args)
    .stdin(std::process::Stdio::null());
    let out = c.output().map_err(|e| format!("openssl: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok((out.status.success(), text))
}

fn openssl_checks(target: &str, ca: &Path) -> Result<(), String> {
    let (ok, text) = s_client(target, ca, &["-tls1_2"])?;
    assert!(ok && text.contains("TLSv1.2"), "openssl -tls1_2: {text}");
    let (ok, text) = s_client(target, ca, &["-tls1_3"])?;
    assert!(ok && text.contains("TLSv1.3"), "openssl -tls1_3: {text}");
    for v in ["-tls1", "-tls1_1"] {
        let (ok, text) = s_client(target, ca, &[v, "-cipher", "DEFAULT:@SECLEVEL=0"])?;
        assert!(!ok, "openssl {v} was served: {text}");
        // The server's fatal alert: handshake_failure (40, no signature_algorithms in a 1.0/1.1 hello) or
        // protocol_version (70).
        assert!(
            text.contains("SSL alert number 40") || text.contains("SSL alert number 70"),
            "openssl {v}: {text}"
        );
    }
    Ok(())
}

/// A one-connection-at-a-time HTTPS server answering every request with `body` (JSON), its certificate for
/// 127.0.0.1 signed by a fresh CA; returns the URL and the CA's PEM.
async fn https_json(body: String) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "RP private CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://127.0.0.1:{}/jwks", listener.local_addr().unwrap().port());
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let Ok(mut tls) = acceptor.accept(sock).await else {
                continue;
            };
            let mut buf = [0u8; 4096];
            let _ = tls.read(&mut buf).await;
            let resp = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tls.write_all(resp.as_bytes()).await;
            let _ = tls.shutdown().await;
        }
    });
    (url, ca_cert.pem())
}

#[tokio::test]
async fn outbound_jwks_uri_over_https_needs_the_rps_ca_in_extra_root_ca_file() {
    use crate::common::{REDIRECT, builder, rp_key, start_with};
    use cis2_sdk::LoginOptions;
    use serde_json::json;

    let jwks = cis2_sdk::JwkSet::from_keys([rp_key().public_jwk().unwrap()])
        .unwrap()
        .to_json();
    let (jwks_uri, rp_ca) = https_json(jwks.to_string()).await;
    let ca_dir = tempfile::tempdir().unwrap();
    let ca_file = ca_dir.path().join("rp-ca.pem");
    std::fs::write(&ca_file, &rp_ca).unwrap();
    let client = json!({
        "client_id": "100000000011.apps.supplier",
        "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks_uri": jwks_uri,
        "jwks_uri_signing_algorithm": "RS256",
    });
    // Trusting the RP's CA: the assertion is checked against the JWKS fetched over HTTPS.
    let h = start_with(builder().tls_extra_root_ca_file(&ca_file)).await;
    h.register(client.clone()).await;
    let rp = h
        .rp("100000000011.apps.supplier", crate::common::pkjwt_auth())
        .await;
    let (_, id) = rp
        .full(&h, &LoginOptions::default(), "656005750108", "smartcard")
        .await;
    assert_eq!(id.azp.as_deref(), Some("100000000011.apps.supplier"));

    // Without it (system roots only), the fetch fails and so does the client's authentication.
    let h = start_with(builder()).await;
    h.register(client).await;
    let rp = h
        .rp("100000000011.apps.supplier", crate::common::pkjwt_auth())
        .await;
    let login = rp
        .login(
            &h,
            &h.browser,
            &LoginOptions::default(),
            "656005750108",
            "smartcard",
        )
        .await;
    assert!(rp.finish(&h, &login).await.is_err());
}

#[tokio::test]
async fn a_missing_extra_root_ca_file_stops_the_start() {
    let err = MockIdp::builder()
        .signing_key(idp_key("a"))
        .tls_extra_root_ca_file("/nonexistent/rp-ca.pem")
        .start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("extra_root_ca_file"), "{err}");
}

/// What the mock's outbound client offers: the versions in a ClientHello's `supported_versions` extension.
fn offered_versions(hello: &[u8]) -> Option<Vec<u16>> {
    let hs = hello.get(5..)?;
    let mut i = 4 + 2 + 32; // handshake header, legacy_version, random
    i += 1 + usize::from(*hs.get(i)?); // session id
    i += 2 + usize::from(u16::from_be_bytes([*hs.get(i)?, *hs.get(i + 1)?])); // cipher suites
    i += 1 + usize::from(*hs.get(i)?); // compression methods
    let end = i + 2 + usize::from(u16::from_be_bytes([*hs.get(i)?, *hs.get(i + 1)?]));
    i += 2;
    while i + 4 <= end {
        let ty = u16::from_be_bytes([*hs.get(i)?, *hs.get(i + 1)?]);
        let len = usize::from(u16::from_be_bytes([*hs.get(i + 2)?, *hs.get(i + 3)?]));
        let data = hs.get(i + 4..i + 4 + len)?;
        if ty == 0x002b {
            return Some(
                data.get(1..)?
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect(),
            );
        }
        i += 4 + len;
    }
    None
}

#[tokio::test]
async fn outbound_calls_offer_tls_1_3_and_1_2_only() {
    use crate::common::{REDIRECT, builder, start_with};
    use cis2_sdk::LoginOptions;
    use serde_json::json;
    use tokio::io::AsyncReadExt;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let uri = format!("https://127.0.0.1:{}/jwks", listener.local_addr().unwrap().port());
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 8192];
        let mut n = 0;
        // Read the whole first record.
        while n < 5 || n < 5 + usize::from(u16::from_be_bytes([buf[3], buf[4]])) {
            let m = s.read(&mut buf[n..]).await.unwrap();
            if m == 0 {
                break;
            }
            n += m;
        }
        let _ = tx.send(buf[..n].to_vec());
    });
    let h = start_with(builder()).await;
    h.register(json!({
        "client_id": "100000000012.apps.supplier",
        "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks_uri": uri,
        "jwks_uri_signing_algorithm": "RS256",
    }))
    .await;
    let rp = h
        .rp("100000000012.apps.supplier", crate::common::pkjwt_auth())
        .await;
    let login = rp
        .login(
            &h,
            &h.browser,
            &LoginOptions::default(),
            "656005750108",
            "smartcard",
        )
        .await;
    let finish = rp.finish(&h, &login);
    let (res, hello) = tokio::join!(finish, rx);
    assert!(res.is_err());
    let hello = hello.unwrap();
    assert_eq!(hello[0], 0x16, "a TLS handshake record");
    let mut versions = offered_versions(&hello).expect("supported_versions");
    versions.retain(|v| v & 0x0f0f != 0x0a0a); // GREASE
    assert_eq!(versions, [0x0304, 0x0303], "TLS 1.3 and 1.2 only");
}

#[tokio::test]
async fn the_kits_http_client_trusts_the_mock_through_extra_root_certificate_pem() {
    use cis2_reqwest::{HttpClient, HttpSettings};
    let dir = tempfile::tempdir().unwrap();
    let idp = MockIdp::builder()
        .signing_key(idp_key("a"))
        .data_dir(dir.path())
        .tls_port(0)
        .start()
        .await
        .unwrap();
    let issuer = cis2_sdk::IssuerUrl::new(idp.issuer()).unwrap();
    let req = || cis2_sdk::discovery_request(&issuer).unwrap();
    let pem = std::fs::read_to_string(&idp.tls().unwrap().ca_file).unwrap();
    let trusting = HttpClient::new(HttpSettings::default().extra_root_certificate_pem(pem)).unwrap();
    let resp = trusting.send(req(), cis2_sdk::limits::DISCOVERY).await.unwrap();
    assert_eq!(resp.status(), 200);
    let plain = HttpClient::new(HttpSettings::default()).unwrap();
    assert!(plain.send(req(), cis2_sdk::limits::DISCOVERY).await.is_err());
    idp.shutdown().await;
}
