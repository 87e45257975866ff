//! The listening port: a byte relay in front of tiny_http that owns each client socket.
//!
//! tiny_http keeps a keep-alive connection open until the client ends it and never lends out
//! the socket, so on its own it cannot close a connection halfway through a body or write
//! one byte per `write()`. Each client connection is therefore relayed, byte for byte, to a
//! connection of its own to tiny_http, and a fault can reach the client socket through the
//! [`Conn`] registered under the port tiny_http sees as the request's peer.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Pause between two bytes written one at a time.
pub(crate) const BYTE_PAUSE: Duration = Duration::from_micros(50);

/// The first byte of a TLS handshake record (a ClientHello).
const TLS_HANDSHAKE: u8 = 0x16;

/// The answer to a TLS client.
const NOT_TLS: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 43\r\n\
Connection: close\r\n\r\nThis port speaks plain HTTP, not HTTPS/TLS.";

#[derive(Debug)]
pub(crate) struct Front {
    addr: SocketAddr,
    stopping: AtomicBool,
    /// Open connections, by the local port of their relay socket to tiny_http.
    conns: Mutex<HashMap<u16, Arc<Conn>>>,
}

/// One client connection.
#[derive(Debug)]
pub(crate) struct Conn {
    /// The client socket, for writing; whoever writes holds the lock for the whole response.
    client: Mutex<TcpStream>,
    /// The client socket again, to shut it down while a writer holds the lock.
    client_end: TcpStream,
    /// The relay's socket to tiny_http.
    server_end: TcpStream,
}

impl Front {
    /// Listens on `127.0.0.1:port` and relays every connection to `server`.
    pub(crate) fn start(port: u16, server: SocketAddr) -> io::Result<(Arc<Front>, JoinHandle<()>)> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
        let front = Arc::new(Front {
            addr: listener.local_addr()?,
            stopping: AtomicBool::new(false),
            conns: Mutex::default(),
        });
        let accept = {
            let front = front.clone();
            thread::Builder::new()
                .name("apify-stub-accept".into())
                .spawn(move || front.accept(&listener, server))?
        };
        Ok((front, accept))
    }

    pub(crate) fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The connection whose relay socket to tiny_http is `peer`.
    pub(crate) fn conn(&self, peer: Option<&SocketAddr>) -> Option<Arc<Conn>> {
        self.lock().get(&peer?.port()).cloned()
    }

    /// Stops accepting and closes every connection.
    pub(crate) fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop up with a connection of our own.
        let _ = TcpStream::connect(self.addr);
        for conn in self.lock().drain().map(|(_, conn)| conn) {
            conn.close();
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u16, Arc<Conn>>> {
        self.conns.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn accept(self: &Arc<Front>, listener: &TcpListener, server: SocketAddr) {
        loop {
            // At the cap, new clients wait in the kernel's backlog until a connection ends:
            // each open one takes three threads, and a queued client is still answered.
            while self.lock().len() >= crate::server::MAX_CONNECTIONS && !self.stopping.load(Ordering::SeqCst)
            {
                thread::sleep(Duration::from_millis(2));
            }
            let client = listener.accept().map(|(client, _)| client);
            if self.stopping.load(Ordering::SeqCst) {
                break;
            }
            match client {
                Ok(client) => {
                    let _ = self.relay(client, server);
                }
                // Out of descriptors or the like: let it pass rather than spin.
                Err(_) => thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    /// Connects `client` to tiny_http and starts the two pumps.
    fn relay(self: &Arc<Front>, client: TcpStream, server: SocketAddr) -> io::Result<()> {
        let to_server = TcpStream::connect(server)?;
        client.set_nodelay(true)?;
        to_server.set_nodelay(true)?;
        let key = to_server.local_addr()?.port();
        let conn = Arc::new(Conn {
            client: Mutex::new(client.try_clone()?),
            client_end: client.try_clone()?,
            server_end: to_server.try_clone()?,
        });
        self.lock().insert(key, conn.clone());

        let (mut from_client, mut upstream) = (client, to_server.try_clone()?);
        let plain = conn.clone();
        thread::Builder::new().name("apify-stub-up".into()).spawn(move || {
            let mut buf = [0; 8192];
            let mut first = true;
            while let Ok(n @ 1..) = from_client.read(&mut buf) {
                // A TLS handshake record on this plain-HTTP port: answer as web servers do,
                // in plain HTTP, so the client's TLS fails at once instead of waiting.
                if std::mem::take(&mut first) && buf[0] == TLS_HANDSHAKE {
                    let _ = plain.send(NOT_TLS, None);
                    plain.close();
                    break;
                }
                if upstream.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            // The client is done sending: tiny_http sees the end of the stream too.
            let _ = upstream.shutdown(Shutdown::Write);
        })?;

        let (front, mut from_server) = (self.clone(), to_server);
        thread::Builder::new().name("apify-stub-down".into()).spawn(move || {
            let mut buf = [0; 8192];
            while let Ok(n @ 1..) = from_server.read(&mut buf) {
                if conn.lock().write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            // tiny_http closed the connection (or a fault did): so does the client's.
            conn.close();
            front.lock().remove(&key);
        })?;
        Ok(())
    }
}

impl Conn {
    fn lock(&self) -> MutexGuard<'_, TcpStream> {
        self.client.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes `bytes` to the client, in one go, or with `pause` one byte per `write()` with
    /// a flush and the pause after each.
    pub(crate) fn send(&self, bytes: &[u8], pause: Option<Duration>) -> io::Result<()> {
        let mut client = self.lock();
        let Some(pause) = pause else {
            client.write_all(bytes)?;
            return client.flush();
        };
        for byte in bytes {
            client.write_all(std::slice::from_ref(byte))?;
            client.flush()?;
            thread::sleep(pause);
        }
        Ok(())
    }

    /// Closes the client connection (the client reads the end of the stream after whatever
    /// was sent) and the relay's connection to tiny_http.
    pub(crate) fn close(&self) {
        let _ = self.client_end.shutdown(Shutdown::Both);
        let _ = self.server_end.shutdown(Shutdown::Both);
    }
}
