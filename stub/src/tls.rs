//! The HTTPS front: a CA and a server certificate made at start, and a TLS listener whose
//! connections are relayed, decrypted, to the plain front. Everything behind it (the request
//! log, faults, runs) is the same as over plain HTTP; a client that rejects the certificate
//! never gets a request through.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, date_time_ymd};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// How the stand-in's certificate and TLS versions are set up (see [`StubConfig::tls`](crate::StubConfig::tls)).
#[derive(Debug, Clone)]
pub struct TlsOptions {
    /// The names the server certificate is valid for (DNS names or IP addresses).
    pub names: Vec<String>,
    /// Make the server certificate one that expired in 2001.
    pub expired: bool,
    /// Offer TLS 1.2 only (a client that insists on TLS 1.3 must refuse it).
    pub tls12_only: bool,
}

impl Default for TlsOptions {
    /// Valid for `localhost` and `127.0.0.1`, not expired, TLS 1.3 and 1.2.
    fn default() -> TlsOptions {
        TlsOptions { names: vec!["localhost".into(), "127.0.0.1".into()], expired: false, tls12_only: false }
    }
}

/// The CA a client must trust, in the two encodings clients take.
#[derive(Debug, Clone)]
pub(crate) struct Ca {
    pub(crate) der: Vec<u8>,
    pub(crate) pem: String,
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(ErrorKind::InvalidInput, e.to_string())
}

/// A new CA, and a server configuration whose certificate that CA signed.
fn certificates(options: &TlsOptions) -> io::Result<(Ca, Arc<ServerConfig>)> {
    let ca_key = KeyPair::generate().map_err(invalid)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(invalid)?;
    ca_params.distinguished_name.push(DnType::CommonName, "apify-stub test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = ca_params.self_signed(&ca_key).map_err(invalid)?;

    let key = KeyPair::generate().map_err(invalid)?;
    let mut params = CertificateParams::new(options.names.clone()).map_err(invalid)?;
    params.distinguished_name.push(DnType::CommonName, "apify-stub");
    if options.expired {
        params.not_before = date_time_ymd(2000, 1, 1);
        params.not_after = date_time_ymd(2001, 1, 1);
    }
    let cert = params.signed_by(&key, &ca, &ca_key).map_err(invalid)?;

    let versions: &[&rustls::SupportedProtocolVersion] = if options.tls12_only {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = vec![cert.der().clone(), CertificateDer::from(ca.der().to_vec())];
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(invalid)?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(invalid)?;
    Ok((Ca { der: ca.der().to_vec(), pem: ca.pem() }, Arc::new(config)))
}

/// The TLS listener in front of the plain one.
#[derive(Debug)]
pub(crate) struct TlsFront {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    pub(crate) ca: Ca,
}

impl TlsFront {
    /// Listens on `127.0.0.1:port` and relays each connection's plaintext to `plain`.
    pub(crate) fn start(port: u16, plain: SocketAddr, options: &TlsOptions) -> io::Result<TlsFront> {
        let (ca, config) = certificates(options)?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
        let addr = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let flag = stopping.clone();
        thread::Builder::new().name("apify-stub-tls-accept".into()).spawn(move || {
            for client in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else {
                    thread::sleep(Duration::from_millis(10));
                    continue;
                };
                let config = config.clone();
                let _ = thread::Builder::new()
                    .name("apify-stub-tls".into())
                    .spawn(move || relay(client, plain, config));
            }
        })?;
        Ok(TlsFront { addr, stopping, ca })
    }

    pub(crate) fn port(&self) -> u16 {
        self.addr.port()
    }

    pub(crate) fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// Pause of the TLS side's reads, so that the other direction gets the session in between.
const TURN: Duration = Duration::from_millis(5);

/// Handshakes with `client`, then pumps plaintext both ways between it and a new connection
/// to `plain` until either side closes. A failed handshake ends here: nothing reaches `plain`.
fn relay(client: TcpStream, plain: SocketAddr, config: Arc<ServerConfig>) -> io::Result<()> {
    client.set_nodelay(true)?;
    let Ok(session) = ServerConnection::new(config) else { return Ok(()) };
    let mut tls = StreamOwned::new(session, client);
    // The handshake first, with the socket blocking (bounded: a silent client times out).
    tls.sock.set_read_timeout(Some(Duration::from_secs(10)))?;
    while tls.conn.is_handshaking() {
        if tls.conn.complete_io(&mut tls.sock).is_err() {
            let _ = tls.sock.shutdown(Shutdown::Both);
            return Ok(());
        }
    }
    tls.sock.set_read_timeout(Some(TURN))?;
    let upstream = TcpStream::connect(plain)?;
    upstream.set_nodelay(true)?;
    let tls = Arc::new(Mutex::new(tls));

    // Down: whatever the stand-in answers goes back encrypted.
    let down = {
        let (tls, mut from_plain) = (tls.clone(), upstream.try_clone()?);
        thread::Builder::new().name("apify-stub-tls-down".into()).spawn(move || {
            let mut buf = [0; 8192];
            while let Ok(n @ 1..) = from_plain.read(&mut buf) {
                let mut tls = tls.lock().unwrap_or_else(PoisonError::into_inner);
                if tls.write_all(&buf[..n]).and_then(|()| tls.flush()).is_err() {
                    break;
                }
            }
            let mut guard = tls.lock().unwrap_or_else(PoisonError::into_inner);
            let StreamOwned { conn, sock } = &mut *guard;
            conn.send_close_notify();
            let _ = conn.complete_io(sock);
            let _ = sock.shutdown(Shutdown::Both);
        })?
    };

    // Up: the client's plaintext to the stand-in.
    let mut to_plain = upstream;
    let mut buf = [0; 8192];
    loop {
        let read = tls.lock().unwrap_or_else(PoisonError::into_inner).read(&mut buf);
        match read {
            Ok(0) => break,
            Ok(n) => {
                if to_plain.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if down.is_finished() {
                    break;
                }
                thread::sleep(Duration::from_millis(1));
            }
            Err(_) => break,
        }
    }
    let _ = to_plain.shutdown(Shutdown::Write);
    let _ = down.join();
    Ok(())
}
