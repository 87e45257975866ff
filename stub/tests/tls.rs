//! The stand-in over HTTPS: a client that trusts its CA gets the API; one that does not, or
//! that wants another name, gets nothing through.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use apify_stub::{Stub, StubConfig, TlsOptions};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

fn client(ca: &[u8]) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(ca.to_vec())).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// `GET path` over TLS to the stub as `name`; the answer, or the TLS error.
fn get(stub: &Stub, ca: &[u8], name: &str, path: &str) -> Result<String, std::io::Error> {
    let name = ServerName::try_from(name.to_string()).unwrap();
    let session = ClientConnection::new(client(ca), name).unwrap();
    let socket = TcpStream::connect(("127.0.0.1", stub.port())).unwrap();
    let mut tls = StreamOwned::new(session, socket);
    tls.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())?;
    let mut answer = String::new();
    tls.read_to_string(&mut answer)?;
    Ok(answer)
}

fn tls_stub(options: TlsOptions) -> Stub {
    Stub::start(StubConfig { tls: Some(options), ..StubConfig::default() }).unwrap()
}

#[test]
fn a_client_that_trusts_the_ca_gets_the_api() {
    let stub = tls_stub(TlsOptions::default());
    assert!(stub.base_url().starts_with("https://127.0.0.1:"));
    assert!(stub.ca_pem().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
    let ca = stub.ca_der().unwrap().to_vec();
    for name in ["localhost", "127.0.0.1"] {
        let answer = get(&stub, &ca, name, "/v2/actor-runs/NoSuchRun").unwrap();
        assert!(answer.starts_with("HTTP/1.1 404 "), "{answer}");
        assert!(answer.contains("record-not-found"));
    }
    assert_eq!(stub.requests().len(), 2);
}

#[test]
fn a_wrong_ca_a_wrong_name_an_expired_certificate_get_nothing_through() {
    let stub = tls_stub(TlsOptions::default());
    let other = tls_stub(TlsOptions::default());
    assert!(get(&stub, other.ca_der().unwrap(), "localhost", "/v2/actor-runs/x").is_err(), "wrong CA");
    assert!(get(&stub, stub.ca_der().unwrap(), "api.apify.com", "/v2/actor-runs/x").is_err(), "wrong name");
    let expired = tls_stub(TlsOptions { expired: true, ..TlsOptions::default() });
    assert!(get(&expired, expired.ca_der().unwrap(), "localhost", "/v2/actor-runs/x").is_err(), "expired");
    for stub in [&stub, &expired] {
        assert!(stub.requests().is_empty());
    }
}
