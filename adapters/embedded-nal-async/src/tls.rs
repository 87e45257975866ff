//! TLS 1.3 over the stack's connections (feature `tls`): embedded-tls, no allocation, the
//! server's certificate checked against a CA the caller supplies before a request byte (so
//! before the token) is written.

use core::marker::PhantomData;
use core::net::SocketAddr;

use apify_core::call::{Cause, Stage, TransportFailure};
use apify_core::client::Clock;
use apify_core::client::Receive;
use apify_core::encode::Request;
use embedded_hal_async::delay::DelayNs;
use embedded_nal_async::TcpConnect;
use embedded_tls::pki::CertVerifier;
use embedded_tls::{
    Aes128GcmSha256, Certificate, CertificateRef, CertificateVerifyRef, CryptoProvider, CryptoRngCore,
    NoVerify, TlsConfig, TlsConnection, TlsContext, TlsVerifier,
};

pub use embedded_tls::{NoClock, TlsClock, TlsError};

use crate::io::{Deadline, Failed, Link, NetError, connect, sealed, talk};

/// Largest server certificate kept for checking its signature (bytes, DER). A larger one ends
/// the handshake with [`TlsError::InsufficientSpace`].
pub const MAX_CERTIFICATE_LEN: usize = 4096;

/// Smallest record buffer for reading: the largest TLS record (16,384 bytes of data) plus its
/// header and the cipher's overhead. Servers do not have to honour a smaller maximum fragment
/// length (rustls and most CDNs ignore the extension), so this is what a device must set aside.
pub const READ_RECORD_LEN: usize = 16_640;

/// A good size for the record buffer for writing: requests go out in records of up to this
/// size (minus 256 bytes of overhead), and the ClientHello fits.
pub const WRITE_RECORD_LEN: usize = 2048;

/// TLS for a [`Client`](crate::Client) ([`ClientBuilder::tls`](crate::ClientBuilder::tls)):
/// the record buffers, a random number generator, and how the server is checked.
///
/// `K` is the wall clock for certificate validity dates ([`NoClock`] by default: dates are
/// not checked, for devices that do not know the time; give one with
/// [`with_clock`](Self::with_clock) once the device has it from SNTP or an RTC).
pub struct Tls<'t, R, K = NoClock> {
    check: Check<'t>,
    read_record: &'t mut [u8],
    write_record: &'t mut [u8],
    rng: R,
    clock: PhantomData<K>,
}

#[derive(Debug, Clone, Copy)]
enum Check<'t> {
    /// The server's chain must lead to this CA certificate (DER) and name the host.
    Ca(&'t [u8]),
    /// Anything goes (named so on purpose).
    AcceptAny,
}

impl<R, K> core::fmt::Debug for Tls<'_, R, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tls")
            .field("check", &self.check)
            .field("read_record", &self.read_record.len())
            .field("write_record", &self.write_record.len())
            .finish_non_exhaustive()
    }
}

impl<'t, R: CryptoRngCore> Tls<'t, R, NoClock> {
    /// TLS whose server must present a chain that leads to `ca` (a DER certificate: the root
    /// or intermediate that signed the server's chain) and names the base URL's host.
    /// `read_record` should be [`READ_RECORD_LEN`] bytes, `write_record`
    /// [`WRITE_RECORD_LEN`]; `rng` must be a cryptographic RNG (the chip's TRNG).
    pub fn verify(ca: &'t [u8], read_record: &'t mut [u8], write_record: &'t mut [u8], rng: R) -> Self {
        Tls { check: Check::Ca(ca), read_record, write_record, rng, clock: PhantomData }
    }

    /// TLS that accepts any certificate: encrypted, but anyone on the path can pose as the
    /// server and read the token. For tests against a stand-in only.
    pub fn danger_accept_any_certificate(
        read_record: &'t mut [u8],
        write_record: &'t mut [u8],
        rng: R,
    ) -> Self {
        Tls { check: Check::AcceptAny, read_record, write_record, rng, clock: PhantomData }
    }
}

impl<'t, R, K> Tls<'t, R, K> {
    /// Checks certificate validity dates against `K2::now()` (seconds since the Unix epoch).
    pub fn with_clock<K2: TlsClock>(self) -> Tls<'t, R, K2> {
        let Tls { check, read_record, write_record, rng, .. } = self;
        Tls { check, read_record, write_record, rng, clock: PhantomData }
    }
}

/// The verifier a handshake uses. The CA variant is large (it keeps the server's certificate
/// to check its signature) and lives in the call's future only during the handshake; without
/// an allocator there is nothing to box it in.
#[allow(clippy::large_enum_variant)]
enum Verifier<'v, K: TlsClock> {
    Ca(CertVerifier<'v, Aes128GcmSha256, K, MAX_CERTIFICATE_LEN>),
    Any(NoVerify),
}

impl<K: TlsClock> TlsVerifier<Aes128GcmSha256> for Verifier<'_, K> {
    fn set_hostname_verification(&mut self, hostname: &str) -> Result<(), TlsError> {
        match self {
            Verifier::Ca(v) => v.set_hostname_verification(hostname),
            Verifier::Any(v) => TlsVerifier::<Aes128GcmSha256>::set_hostname_verification(v, hostname),
        }
    }

    fn verify_certificate(
        &mut self,
        transcript: &<Aes128GcmSha256 as embedded_tls::TlsCipherSuite>::Hash,
        cert: CertificateRef<'_>,
    ) -> Result<(), TlsError> {
        match self {
            Verifier::Ca(v) => v.verify_certificate(transcript, cert),
            Verifier::Any(v) => TlsVerifier::<Aes128GcmSha256>::verify_certificate(v, transcript, cert),
        }
    }

    fn verify_signature(&mut self, verify: CertificateVerifyRef<'_>) -> Result<(), TlsError> {
        match self {
            Verifier::Ca(v) => v.verify_signature(verify),
            Verifier::Any(v) => TlsVerifier::<Aes128GcmSha256>::verify_signature(v, verify),
        }
    }
}

/// The RNG and the verifier, for one handshake.
struct Provider<'p, R, K: TlsClock> {
    rng: &'p mut R,
    verifier: Verifier<'p, K>,
}

impl<R: CryptoRngCore, K: TlsClock> CryptoProvider for Provider<'_, R, K> {
    type CipherSuite = Aes128GcmSha256;
    type Signature = [u8; 0];

    fn rng(&mut self) -> impl CryptoRngCore {
        &mut *self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl TlsVerifier<Aes128GcmSha256>, TlsError> {
        Ok(&mut self.verifier)
    }
}

impl<R, K> sealed::Sealed for Tls<'_, R, K> {}

impl<R: CryptoRngCore, K: TlsClock> Link for Tls<'_, R, K> {
    const SECURE: bool = true;

    async fn exchange<T: TcpConnect, C: Clock, D: DelayNs, Rx: Receive>(
        &mut self,
        connector: &T,
        remote: SocketAddr,
        host: &str,
        deadline: &mut Deadline<'_, C, D>,
        request: &Request<'_>,
        buffer: &mut [u8],
        reader: &mut Rx,
    ) -> Result<(), Failed<NetError<T::Error>>> {
        let connection = connect(connector, remote, deadline).await?;
        let mut session = TlsConnection::<_, Aes128GcmSha256>::new(
            connection,
            &mut *self.read_record,
            &mut *self.write_record,
        );
        let config = TlsConfig::new().with_server_name(host);
        let verifier = match self.check {
            Check::Ca(ca) => Verifier::<K>::Ca(CertVerifier::new(Certificate::X509(ca))),
            Check::AcceptAny => Verifier::Any(NoVerify),
        };
        let provider = Provider { rng: &mut self.rng, verifier };
        // Nothing of the request is written until the handshake, and with it the server's
        // certificate, has passed.
        match deadline.within(session.open(TlsContext::new(&config, provider))).await {
            Some(Ok(())) => {}
            Some(Err(e)) => {
                return Err((TransportFailure::new(Stage::Tls, Cause::TlsRejected), Some(NetError::Tls(e))));
            }
            None => return Err((TransportFailure::new(Stage::Tls, Cause::Timeout), None)),
        }
        talk(&mut session, deadline, request, buffer, reader)
            .await
            .map_err(|(f, e)| (f, e.map(NetError::Tls)))
    }
}
