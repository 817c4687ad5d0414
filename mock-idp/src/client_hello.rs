//! What TLS clients offer the mock: the ClientHello of each inbound HTTPS connection, read with `peek` (so
//! rustls still gets every byte) before the handshake and parsed with `tls-parser`. rustls cannot serve TLS
//! 1.0/1.1, so this is how a test proves which versions a client (a relying party's HTTP client) would accept:
//! the `supported_versions` extension lists them all; without it only the highest is known (`legacy_version`).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use serde::Serialize;
use tls_parser::{TlsExtension, TlsMessage, TlsMessageHandshake};
use tokio::net::TcpStream;

/// Records kept (oldest dropped first).
const KEEP: usize = 1024;
/// The largest ClientHello read: one TLS record.
const MAX_RECORD: usize = 5 + 16_384;

/// TLS 1.2's wire version.
const TLS12: u16 = 0x0303;

/// One inbound connection's ClientHello.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TlsClientHello {
    /// The client's address.
    pub peer: SocketAddr,
    /// When, on the mock's clock: milliseconds since the UNIX epoch.
    pub at_ms: u64,
    /// `legacy_version`: the highest version a client without `supported_versions` offers (0x0303 = TLS 1.2).
    pub legacy_version: u16,
    /// The `supported_versions` extension, GREASE values left out; `None` when the client sent none.
    pub supported_versions: Option<Vec<u16>>,
    /// The server name (SNI) asked for.
    pub server_name: Option<String>,
}

impl TlsClientHello {
    /// Whether the client offers a version older than TLS 1.2: `Some(true)` when it lists one in
    /// `supported_versions` or its `legacy_version` is older; `Some(false)` when `supported_versions` lists
    /// only TLS 1.2 and newer; `None` when it cannot be told (no `supported_versions`, `legacy_version` TLS
    /// 1.2: the highest version is known, the lowest the client would accept is not).
    pub fn offers_below_tls12(&self) -> Option<bool> {
        match &self.supported_versions {
            Some(v) => Some(v.iter().any(|&x| x < TLS12)),
            None if self.legacy_version < TLS12 => Some(true),
            None => None,
        }
    }

    /// The versions offered, in words (`TLS 1.3, TLS 1.2`; `up to TLS 1.2` without `supported_versions`).
    pub fn offered(&self) -> String {
        match &self.supported_versions {
            Some(v) => v.iter().map(|&x| version_name(x)).collect::<Vec<_>>().join(", "),
            None => format!(
                "up to {} (no supported_versions extension)",
                version_name(self.legacy_version)
            ),
        }
    }
}

/// `TLS 1.2`, `SSL 3.0`, or the hex value.
pub fn version_name(v: u16) -> String {
    match v {
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        0x0304 => "TLS 1.3".into(),
        v => format!("0x{v:04x}"),
    }
}

/// GREASE values (RFC 8701) are 0x?a?a with equal bytes; clients send them to keep servers honest.
fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && (v >> 8) == (v & 0xff)
}

/// Parses the first TLS record of a connection as a ClientHello: (`legacy_version`, `supported_versions`,
/// SNI). `None` when it is not one, or is cut short.
pub(crate) fn parse(bytes: &[u8]) -> Option<(u16, Option<Vec<u16>>, Option<String>)> {
    let (_, record) = tls_parser::parse_tls_plaintext(bytes).ok()?;
    let hello = record.msg.iter().find_map(|m| match m {
        TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch)) => Some(ch),
        _ => None,
    })?;
    let mut supported = None;
    let mut sni = None;
    if let Some(ext) = hello.ext
        && let Ok((_, exts)) = tls_parser::parse_tls_extensions(ext)
    {
        for e in exts {
            match e {
                TlsExtension::SupportedVersions(v) => {
                    supported = Some(v.iter().map(|x| x.0).filter(|&x| !is_grease(x)).collect());
                }
                TlsExtension::SNI(names) => {
                    sni = names
                        .first()
                        .and_then(|(_, n)| std::str::from_utf8(n).ok())
                        .map(str::to_owned);
                }
                _ => {}
            }
        }
    }
    Some((hello.version.0, supported, sni))
}

/// Peeks at `sock` until its first TLS record is complete (or `timeout` passes, or the peer closes), then
/// parses it. Nothing is consumed.
pub(crate) async fn peek(
    sock: &TcpStream,
    timeout: Duration,
) -> Option<(u16, Option<Vec<u16>>, Option<String>)> {
    let mut buf = vec![0u8; MAX_RECORD];
    let read = async {
        loop {
            let n = sock.peek(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            let want = match buf.get(3..5) {
                Some(&[hi, lo]) => 5 + usize::from(u16::from_be_bytes([hi, lo])),
                _ => usize::MAX,
            };
            if n >= want.min(MAX_RECORD) {
                return Some(n);
            }
            // `peek` returns at once with what has arrived; a ClientHello split over segments needs the rest
            // (tokio has no "readable beyond n bytes" wait), so wait a moment before looking again.
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    };
    let n = tokio::time::timeout(timeout, read).await.ok()??;
    parse(buf.get(..n)?)
}

/// A minimal ClientHello record (one cipher suite, `supported_versions` when `versions` is given): what an
/// old or a strict TLS client sends first, for tests that check what the mock records.
pub fn client_hello_record(legacy_version: u16, versions: Option<&[u16]>) -> Vec<u8> {
    fn len16(n: usize) -> [u8; 2] {
        u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes()
    }
    let mut ext = Vec::new();
    if let Some(v) = versions {
        let list: Vec<u8> = v.iter().flat_map(|x| x.to_be_bytes()).collect();
        ext.extend_from_slice(&[0x00, 0x2b]);
        ext.extend_from_slice(&len16(list.len() + 1));
        ext.push(u8::try_from(list.len()).unwrap_or(u8::MAX));
        ext.extend_from_slice(&list);
    }
    let mut body = legacy_version.to_be_bytes().to_vec();
    body.extend_from_slice(&[7u8; 32]); // random
    body.push(0); // no session id
    body.extend_from_slice(&[0x00, 0x02, 0x13, 0x01]); // one cipher suite
    body.extend_from_slice(&[0x01, 0x00]); // null compression
    body.extend_from_slice(&len16(ext.len()));
    body.extend_from_slice(&ext);
    let mut hs = vec![0x01];
    hs.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes()[1..]);
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16, 0x03, 0x01];
    rec.extend_from_slice(&len16(hs.len()));
    rec.extend_from_slice(&hs);
    rec
}

/// The log of ClientHellos, newest last.
#[derive(Debug, Default)]
pub(crate) struct ClientHelloLog(VecDeque<TlsClientHello>);

impl ClientHelloLog {
    pub(crate) fn push(&mut self, h: TlsClientHello) {
        if self.0.len() >= KEEP {
            self.0.pop_front();
        }
        self.0.push_back(h);
    }

    pub(crate) fn all(&self) -> Vec<TlsClientHello> {
        self.0.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(legacy: u16, versions: Option<&[u16]>) -> Vec<u8> {
        client_hello_record(legacy, versions)
    }

    fn seen(legacy: u16, versions: Option<&[u16]>) -> TlsClientHello {
        let (legacy_version, supported_versions, server_name) = parse(&hello(legacy, versions)).unwrap();
        TlsClientHello {
            peer: "127.0.0.1:1".parse().unwrap(),
            at_ms: 0,
            legacy_version,
            supported_versions,
            server_name,
        }
    }

    #[test]
    fn versions_are_read_from_supported_versions_without_grease() {
        let h = seen(0x0303, Some(&[0x3a3a, 0x0304, 0x0303]));
        assert_eq!(h.supported_versions, Some(vec![0x0304, 0x0303]));
        assert_eq!(h.offers_below_tls12(), Some(false));
        assert_eq!(h.offered(), "TLS 1.3, TLS 1.2");
        let old = seen(0x0303, Some(&[0x0304, 0x0303, 0x0302, 0x0301]));
        assert_eq!(old.offers_below_tls12(), Some(true));
    }

    #[test]
    fn without_the_extension_only_an_old_legacy_version_decides() {
        assert_eq!(seen(0x0301, None).offers_below_tls12(), Some(true));
        let h = seen(0x0303, None);
        assert_eq!(h.offers_below_tls12(), None);
        assert!(h.offered().starts_with("up to TLS 1.2"), "{}", h.offered());
    }

    #[test]
    fn what_is_not_a_client_hello_is_none() {
        assert_eq!(parse(b"GET / HTTP/1.1\r\n\r\n"), None);
        let full = hello(0x0303, Some(&[0x0304]));
        assert_eq!(parse(&full[..20]), None);
    }
}
