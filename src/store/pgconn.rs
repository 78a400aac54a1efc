//! Opening a PostgreSQL connection the way a libpq user expects.
//!
//! `Target::parse` reads a `postgres://` / `postgresql://` URL together with
//! libpq's environment variables (`PGUSER`, `PGPORT`, `PGHOST`,
//! `PGPASSWORD`, `PGPASSFILE`, `PGSSLMODE`, `PGSSLROOTCERT`,
//! `PGCONNECT_TIMEOUT`, `PGAPPNAME`) and the password file (`~/.pgpass`);
//! `Target::connect` opens the connection over TLS as `sslmode` asks
//! (rustls with the ring provider, no OpenSSL) and checks the server's
//! version. Every failure is one `ConnectError` whose message names the
//! server and the database and never the password.
//!
//! Where libpq and this module differ: a database name is required (libpq
//! would fall back to `PGDATABASE` or the user name); a connection attempt
//! gives up after `DEFAULT_CONNECT_TIMEOUT` unless `connect_timeout` says
//! otherwise (libpq waits forever); an `sslrootcert` file named explicitly
//! must exist (libpq silently skips verification when it does not); a
//! password-file line for `localhost` also matches any Unix-socket directory
//! (libpq: only its compiled-in default directory).

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use postgres::config::SslMode as PgSslMode;
use postgres::error::SqlState;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use thiserror::Error;

/// The oldest server opweek runs on: PostgreSQL 13 (`server_version_num`).
pub const MIN_SERVER_VERSION: i32 = 130000;

/// How long a connection attempt waits for the server when neither the URL
/// (`connect_timeout`) nor `PGCONNECT_TIMEOUT` says. libpq waits forever;
/// a command-line tool should not.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Test hook: `OPWEEK_PG_MIN_VERSION=990000` raises the minimum server
/// version (never lowers it), so "server too old" can be tested against a
/// current server. Not documented for users.
const MIN_VERSION_HOOK: &str = "OPWEEK_PG_MIN_VERSION";

/// Where the server is: a host name or address reached over TCP, or a
/// directory holding the server's Unix socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Tcp(String),
    Socket(PathBuf),
}

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Never encrypt.
    Disable,
    /// Encrypt when the server offers it (libpq's default); verify the
    /// certificate chain only when a root certificate is present.
    Prefer,
    /// Always encrypt; verify the chain only when a root certificate is
    /// present (then it is `VerifyCa`, as in libpq).
    Require,
    /// Encrypt and verify the chain against the root certificates.
    VerifyCa,
    /// Encrypt, verify the chain and that the certificate names the host.
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// The certificates a server's chain is verified against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCert {
    /// A PEM file: `sslrootcert=FILE`, `PGSSLROOTCERT` or
    /// `~/.postgresql/root.crt`.
    File(PathBuf),
    /// The operating system's store (`sslrootcert=system`, or no file for
    /// `verify-ca` / `verify-full`).
    System,
}

/// Where a password came from, for the hint when the server refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PasswordSource {
    Url,
    Env,
    Passfile(PathBuf),
}

/// A password. Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
struct Password {
    value: String,
    source: PasswordSource,
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Password(<hidden>, from {:?})", self.source)
    }
}

/// What the user typed, parsed and completed from libpq's environment
/// variables and password file. Neither `Debug` nor `shown()` ever contains
/// the password.
#[derive(Debug, Clone)]
pub struct Target {
    pub host: Host,
    pub port: u16,
    pub dbname: String,
    pub user: String,
    password: Option<Password>,
    pub sslmode: SslMode,
    pub sslrootcert: Option<RootCert>,
    pub connect_timeout: Option<Duration>,
    pub application_name: String,
    /// Why the password file was not read, when that matters for a
    /// "no password" error (e.g. its permissions were too wide).
    passfile_note: Option<String>,
    min_version: i32,
}

/// Why a connection could not be made: one variant per thing a user can
/// fix. `server` is `HOST:PORT` (or the Unix socket's path).
#[derive(Debug, Error)]
pub enum ConnectError {
    #[error("the database URL is not valid: {0} (expected postgres://USER@HOST[:PORT]/DBNAME)")]
    BadUrl(String),
    #[error("the database URL {shown} names no database (add it after the host: postgres://USER@HOST[:PORT]/DBNAME)")]
    NoDatabase { shown: String },
    #[error("the connection parameter {0:?} is not supported by opweek (supported: sslmode, sslrootcert, connect_timeout, application_name, host, port, dbname, user, password)")]
    UnsupportedParameter(String),
    #[error("{name}={value:?} is not valid: {expected}")]
    BadParameter {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("cannot tell which user to connect as: put it in the URL (postgres://USER@HOST/DBNAME) or set PGUSER")]
    NoUser,
    #[error("cannot connect to the PostgreSQL server at {server} (database {db}): host {host} not found — check the host name in the URL")]
    HostNotFound {
        server: String,
        host: String,
        db: String,
    },
    #[error("cannot connect to the PostgreSQL server at {server} (database {db}): connection refused — is the server running and accepting TCP connections?")]
    Refused { server: String, db: String },
    #[error("cannot connect to the PostgreSQL server at {server} (database {db}): no server socket there — is the server running, and is that its socket directory?")]
    NoSocket { server: String, db: String },
    #[error("cannot connect to the PostgreSQL server at {server} (database {db}): no answer within {secs} seconds — check the host, the port and any firewall, or raise connect_timeout")]
    TimedOut {
        server: String,
        db: String,
        secs: u64,
    },
    #[error("cannot connect to the PostgreSQL server at {server} (database {db}): {reason}")]
    Unreachable {
        server: String,
        db: String,
        reason: String,
    },
    #[error("the server at {server} refused user {user} for database {db}: password authentication failed ({hint})")]
    PasswordFailed {
        server: String,
        user: String,
        db: String,
        hint: String,
    },
    #[error("the server at {server} asks user {user} for a password (database {db}) and none was given: put it in PGPASSWORD, in ~/.pgpass or in the URL{note}")]
    NoPassword {
        server: String,
        user: String,
        db: String,
        note: String,
    },
    #[error("the server at {server} refused user {user} for database {db}: {reason} (ask your database administrator to give this user access)")]
    AccessDenied {
        server: String,
        user: String,
        db: String,
        reason: String,
    },
    #[error("database {db} does not exist on {server} (ask your database administrator to create it; see README, 'Setting up a shared server')")]
    UnknownDatabase { server: String, db: String },
    #[error("the PostgreSQL server at {server} does not offer TLS, and sslmode={sslmode} requires it (use sslmode=prefer or disable only on a trusted network)")]
    TlsNotOffered {
        server: String,
        sslmode: &'static str,
    },
    #[error("the PostgreSQL server at {server} presented a certificate that is not trusted: {reason} (check sslrootcert / PGSSLROOTCERT / ~/.postgresql/root.crt)")]
    CertificateUntrusted { server: String, reason: String },
    #[error("the PostgreSQL server at {server} presented a certificate that is not valid for the host name {host} (sslmode=verify-full: connect with the name the certificate was issued for)")]
    HostnameMismatch { server: String, host: String },
    #[error("TLS with the PostgreSQL server at {server} failed: {reason}")]
    Tls { server: String, reason: String },
    #[error("cannot read the root certificate file {}: {reason}", .path.display())]
    RootCertUnreadable { path: PathBuf, reason: String },
    #[error("sslmode={sslmode} verifies the server's certificate but there are no root certificates to verify it against (give one with sslrootcert=FILE or PGSSLROOTCERT)")]
    NoRootCerts { sslmode: &'static str },
    #[error(
        "the PostgreSQL server at {server} is version {version}; opweek needs {needed} or later"
    )]
    ServerTooOld {
        server: String,
        version: String,
        needed: String,
    },
    #[error("the PostgreSQL server at {server} refused the connection to database {db}: {reason}")]
    Server {
        server: String,
        db: String,
        reason: String,
    },
}

/// The environment `Target::parse` completes a URL from: libpq's variables,
/// the home directory and the operating-system user. Tests build their own.
#[derive(Debug, Clone, Default)]
struct Env {
    vars: HashMap<String, String>,
    home: Option<PathBuf>,
    os_user: Option<String>,
}

const ENV_VARS: &[&str] = &[
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGPASSFILE",
    "PGSSLMODE",
    "PGSSLROOTCERT",
    "PGCONNECT_TIMEOUT",
    "PGAPPNAME",
    MIN_VERSION_HOOK,
];

impl Env {
    fn process() -> Env {
        let vars = ENV_VARS
            .iter()
            .filter_map(|name| Some((name.to_string(), std::env::var(name).ok()?)))
            .collect();
        Env {
            vars,
            home: dirs::home_dir(),
            os_user: whoami::username().ok(),
        }
    }

    /// A variable's value; unset and empty are the same, as in libpq.
    fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// The URL's parts before the environment fills the gaps.
#[derive(Default)]
struct UrlParts {
    host: Option<String>,
    port: Option<String>,
    dbname: Option<String>,
    user: Option<String>,
    password: Option<String>,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    connect_timeout: Option<String>,
    application_name: Option<String>,
}

impl Target {
    /// Parses `postgres://[USER[:PASSWORD]@][HOST][:PORT]/DBNAME[?PARAMS]`
    /// (also `postgresql://`) and completes it from the environment.
    pub fn parse(url: &str) -> Result<Target, ConnectError> {
        Target::parse_with(url, &Env::process())
    }

    fn parse_with(url: &str, env: &Env) -> Result<Target, ConnectError> {
        let parts = split_url(url)?;

        let host = match parts.host.as_deref().filter(|h| !h.is_empty()) {
            Some(h) => h.to_string(),
            None => match env.var("PGHOST") {
                Some(h) => h.to_string(),
                None => default_socket_dir(),
            },
        };
        if host.contains(',') {
            return Err(ConnectError::BadUrl(
                "several hosts are not supported; name one".into(),
            ));
        }
        let host = if host.starts_with('/') {
            Host::Socket(PathBuf::from(host))
        } else {
            Host::Tcp(host)
        };

        let port = match parts
            .port
            .as_deref()
            .filter(|p| !p.is_empty())
            .or_else(|| env.var("PGPORT"))
        {
            Some(p) => parse_port(p)?,
            None => 5432,
        };

        let user = match parts.user.filter(|u| !u.is_empty()) {
            Some(u) => u,
            None => env
                .var("PGUSER")
                .map(str::to_string)
                .or_else(|| env.os_user.clone())
                .ok_or(ConnectError::NoUser)?,
        };

        let sslmode_text = parts
            .sslmode
            .or_else(|| env.var("PGSSLMODE").map(str::to_string));
        let rootcert_text = parts
            .sslrootcert
            .or_else(|| env.var("PGSSLROOTCERT").map(str::to_string))
            .filter(|r| !r.is_empty());
        let sslrootcert = match rootcert_text.as_deref() {
            Some("system") => Some(RootCert::System),
            Some(path) => Some(RootCert::File(PathBuf::from(path))),
            None => env
                .home
                .as_ref()
                .map(|h| h.join(".postgresql").join("root.crt"))
                .filter(|p| p.is_file())
                .map(RootCert::File),
        };
        let sslmode = match sslmode_text.as_deref() {
            Some(text) => SslMode::parse(text).ok_or_else(|| ConnectError::BadParameter {
                name: "sslmode",
                value: text.to_string(),
                expected: "one of disable, prefer, require, verify-ca, verify-full",
            })?,
            // libpq 16: sslrootcert=system makes verify-full the default.
            None if sslrootcert == Some(RootCert::System) => SslMode::VerifyFull,
            None => SslMode::Prefer,
        };
        if sslrootcert == Some(RootCert::System) && sslmode != SslMode::VerifyFull {
            return Err(ConnectError::BadParameter {
                name: "sslmode",
                value: sslmode.name().to_string(),
                expected: "sslrootcert=system needs sslmode=verify-full (as in libpq)",
            });
        }

        let connect_timeout = match parts
            .connect_timeout
            .or_else(|| env.var("PGCONNECT_TIMEOUT").map(str::to_string))
        {
            Some(text) => parse_timeout(&text)?,
            None => Some(DEFAULT_CONNECT_TIMEOUT),
        };

        let application_name = parts
            .application_name
            .or_else(|| env.var("PGAPPNAME").map(str::to_string))
            .unwrap_or_else(|| "opweek".to_string());

        let min_version = env
            .var(MIN_VERSION_HOOK)
            .and_then(|v| v.trim().parse::<i32>().ok())
            .map_or(MIN_SERVER_VERSION, |v| v.max(MIN_SERVER_VERSION));

        let mut target = Target {
            host,
            port,
            dbname: String::new(),
            user,
            password: None,
            sslmode,
            sslrootcert,
            connect_timeout,
            application_name,
            passfile_note: None,
            min_version,
        };
        target.dbname = match parts.dbname.filter(|d| !d.is_empty()) {
            Some(d) => d,
            None => {
                return Err(ConnectError::NoDatabase {
                    shown: target.shown(),
                })
            }
        };

        // Passwords, libpq's order: the URL, PGPASSWORD, the password file.
        target.password = match parts.password.filter(|p| !p.is_empty()) {
            Some(value) => Some(Password {
                value,
                source: PasswordSource::Url,
            }),
            None => match env.var("PGPASSWORD") {
                Some(value) => Some(Password {
                    value: value.to_string(),
                    source: PasswordSource::Env,
                }),
                None => target.password_from_file(env),
            },
        };
        Ok(target)
    }

    /// The password file's entry for this target, if any. A file readable
    /// by group or others is ignored, as libpq does.
    fn password_from_file(&mut self, env: &Env) -> Option<Password> {
        let path = match env.var("PGPASSFILE") {
            Some(p) => PathBuf::from(p),
            None => env.home.as_ref()?.join(".pgpass"),
        };
        let meta = std::fs::metadata(&path).ok()?;
        if !meta.is_file() {
            return None;
        }
        if let Some(note) = passfile_too_open(&path, &meta) {
            self.passfile_note = Some(note);
            return None;
        }
        let contents = std::fs::read_to_string(&path).ok()?;
        let port = self.port.to_string();
        let value = match &self.host {
            Host::Tcp(h) => pgpass_lookup(&contents, &[h], &port, &self.dbname, &self.user),
            Host::Socket(dir) => {
                let dir = dir.to_string_lossy();
                pgpass_lookup(
                    &contents,
                    &["localhost", &dir],
                    &port,
                    &self.dbname,
                    &self.user,
                )
            }
        }?;
        Some(Password {
            value,
            source: PasswordSource::Passfile(path),
        })
    }

    /// `postgres://USER@HOST:PORT/DBNAME`, for messages: never a password.
    pub fn shown(&self) -> String {
        let host = match &self.host {
            Host::Tcp(h) if h.contains(':') => format!("[{h}]"),
            Host::Tcp(h) => encode(h),
            Host::Socket(dir) => encode(&dir.to_string_lossy()),
        };
        format!(
            "postgres://{}@{}:{}/{}",
            encode(&self.user),
            host,
            self.port,
            encode(&self.dbname)
        )
    }

    /// `HOST:PORT`, or the Unix socket's path, for messages.
    fn server(&self) -> String {
        match &self.host {
            Host::Tcp(h) if h.contains(':') => format!("[{h}]:{}", self.port),
            Host::Tcp(h) => format!("{h}:{}", self.port),
            Host::Socket(dir) => dir
                .join(format!(".s.PGSQL.{}", self.port))
                .display()
                .to_string(),
        }
    }

    /// Opens the connection and checks the server's version.
    pub fn connect(&self) -> Result<postgres::Client, ConnectError> {
        let mut config = postgres::Config::new();
        match &self.host {
            Host::Tcp(h) => config.host(h),
            Host::Socket(dir) => config.host_path(dir),
        };
        config
            .port(self.port)
            .dbname(&self.dbname)
            .user(&self.user)
            .application_name(&self.application_name);
        if let Some(password) = &self.password {
            config.password(password.value.as_bytes());
        }
        if let Some(timeout) = self.connect_timeout {
            config.connect_timeout(timeout);
        }
        // libpq never uses TLS over a Unix socket, whatever sslmode says.
        let sslmode = match self.host {
            Host::Socket(_) => SslMode::Disable,
            Host::Tcp(_) => self.sslmode,
        };
        let connected = match sslmode {
            SslMode::Disable => {
                config.ssl_mode(PgSslMode::Disable);
                config.connect(postgres::NoTls)
            }
            SslMode::Prefer => {
                config.ssl_mode(PgSslMode::Prefer);
                config.connect(self.tls()?)
            }
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                config.ssl_mode(PgSslMode::Require);
                config.connect(self.tls()?)
            }
        };
        let mut client = connected.map_err(|e| self.classify(&e))?;
        self.check_version(&mut client)?;
        Ok(client)
    }

    fn tls(&self) -> Result<tokio_postgres_rustls::MakeRustlsConnect, ConnectError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = match &self.sslrootcert {
            Some(RootCert::File(path)) => Some(roots_from_file(path)?),
            Some(RootCert::System) => Some((system_roots(self.sslmode)?, Vec::new())),
            None if matches!(self.sslmode, SslMode::VerifyCa | SslMode::VerifyFull) => {
                Some((system_roots(self.sslmode)?, Vec::new()))
            }
            None => None,
        };
        let verifier: Arc<dyn ServerCertVerifier> = match roots {
            // No root certificate: prefer and require encrypt without
            // verifying, as libpq does.
            None => Arc::new(AcceptAnyCert(provider.clone())),
            Some((roots, anchors)) => {
                let webpki =
                    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                        .build()
                        .map_err(|e| ConnectError::Tls {
                            server: self.server(),
                            reason: e.to_string(),
                        })?;
                Arc::new(Verify {
                    webpki,
                    anchors,
                    check_name: self.sslmode == SslMode::VerifyFull,
                })
            }
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ConnectError::Tls {
                server: self.server(),
                reason: e.to_string(),
            })?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }

    fn check_version(&self, client: &mut postgres::Client) -> Result<(), ConnectError> {
        let version = client
            .simple_query("SHOW server_version_num")
            .map_err(|e| self.classify(&e))?
            .into_iter()
            .find_map(|m| match m {
                postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
                _ => None,
            })
            .and_then(|v| v.trim().parse::<i32>().ok())
            .unwrap_or(0);
        if version < self.min_version {
            return Err(ConnectError::ServerTooOld {
                server: self.server(),
                version: version_text(version),
                needed: version_text(self.min_version),
            });
        }
        Ok(())
    }

    /// Turns the client library's error into the one thing the user can fix.
    fn classify(&self, error: &postgres::Error) -> ConnectError {
        let server = self.server();
        let db = self.dbname.clone();
        let user = self.user.clone();
        if let Some(dberr) = error.as_db_error() {
            let code = dberr.code();
            return if *code == SqlState::INVALID_PASSWORD {
                ConnectError::PasswordFailed {
                    server,
                    user,
                    db,
                    hint: self.password_hint(),
                }
            } else if *code == SqlState::UNDEFINED_DATABASE {
                ConnectError::UnknownDatabase { server, db }
            } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
                ConnectError::AccessDenied {
                    server,
                    user,
                    db,
                    reason: dberr.message().to_string(),
                }
            } else {
                ConnectError::Server {
                    server,
                    db,
                    reason: dberr.message().to_string(),
                }
            };
        }
        // Walk the causes: an io::Error hides its inner error from
        // `source()`, so look inside it with `get_ref()`.
        let mut next: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
        while let Some(cause) = next {
            if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
                return self.classify_tls(tls);
            }
            if let Some(ioerr) = cause.downcast_ref::<io::Error>() {
                if let Some(tls) = ioerr
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                {
                    return self.classify_tls(tls);
                }
                return self.classify_io(ioerr);
            }
            let text = cause.to_string();
            if text == "server does not support TLS" {
                return ConnectError::TlsNotOffered {
                    server,
                    sslmode: self.sslmode.name(),
                };
            }
            if text == "password missing" {
                let note = match &self.passfile_note {
                    Some(n) => format!(" ({n})"),
                    None => String::new(),
                };
                return ConnectError::NoPassword {
                    server,
                    user,
                    db,
                    note,
                };
            }
            next = cause.source();
        }
        if error.is_closed() {
            return self.closed_early(error.to_string());
        }
        let reason = match std::error::Error::source(error) {
            Some(cause) => format!("{error}: {cause}"),
            None => error.to_string(),
        };
        ConnectError::Unreachable { server, db, reason }
    }

    /// Something answered on the port but hung up or spoke another protocol.
    fn closed_early(&self, detail: String) -> ConnectError {
        ConnectError::Unreachable {
            server: self.server(),
            db: self.dbname.clone(),
            reason: format!(
                "the connection was closed before the server answered ({detail}) — is {} the port of a PostgreSQL server?",
                self.port
            ),
        }
    }

    fn classify_io(&self, error: &io::Error) -> ConnectError {
        let server = self.server();
        let db = self.dbname.clone();
        match error.kind() {
            io::ErrorKind::ConnectionRefused => match self.host {
                Host::Socket(_) => ConnectError::NoSocket { server, db },
                Host::Tcp(_) => ConnectError::Refused { server, db },
            },
            io::ErrorKind::NotFound if matches!(self.host, Host::Socket(_)) => {
                ConnectError::NoSocket { server, db }
            }
            io::ErrorKind::TimedOut => ConnectError::TimedOut {
                server,
                db,
                secs: self.connect_timeout.map_or(0, |t| t.as_secs()),
            },
            _ => match &self.host {
                Host::Tcp(host) if (host.as_str(), self.port).to_socket_addrs().is_err() => {
                    ConnectError::HostNotFound {
                        server,
                        host: host.clone(),
                        db,
                    }
                }
                _ if matches!(
                    error.kind(),
                    io::ErrorKind::UnexpectedEof
                        | io::ErrorKind::InvalidInput
                        | io::ErrorKind::InvalidData
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::ConnectionAborted
                ) || error.to_string() == "bytes remaining on stream" =>
                {
                    self.closed_early(error.to_string())
                }
                _ => ConnectError::Unreachable {
                    server,
                    db,
                    reason: error.to_string(),
                },
            },
        }
    }

    fn classify_tls(&self, error: &rustls::Error) -> ConnectError {
        let server = self.server();
        match error {
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            ) => ConnectError::HostnameMismatch {
                server,
                host: match &self.host {
                    Host::Tcp(h) => h.clone(),
                    Host::Socket(dir) => dir.display().to_string(),
                },
            },
            rustls::Error::InvalidCertificate(cert) => ConnectError::CertificateUntrusted {
                server,
                reason: certificate_reason(cert),
            },
            other => ConnectError::Tls {
                server,
                reason: other.to_string(),
            },
        }
    }

    fn password_hint(&self) -> String {
        let from = match self.password.as_ref().map(|p| &p.source) {
            Some(PasswordSource::Url) => "the password came from the URL; ".to_string(),
            Some(PasswordSource::Env) => "the password came from PGPASSWORD; ".to_string(),
            Some(PasswordSource::Passfile(path)) => {
                format!("the password came from {}; ", path.display())
            }
            None => String::new(),
        };
        format!("{from}check PGPASSWORD, ~/.pgpass or the password in the URL")
    }
}

fn certificate_reason(error: &CertificateError) -> String {
    match error {
        CertificateError::UnknownIssuer => {
            "it is not signed by any of the root certificates".to_string()
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "it has expired".to_string()
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "it is not valid yet".to_string()
        }
        CertificateError::Revoked => "it has been revoked".to_string(),
        // webpki's own reasons arrive wrapped; name the common one.
        CertificateError::Other(other) if format!("{other:?}").contains("CaUsedAsEndEntity") => {
            "it is a CA certificate used as the server's own certificate, and it is not itself in the root certificates".to_string()
        }
        CertificateError::Other(other) => format!("{other:?}"),
        other => other.to_string(),
    }
}

/// `170004` → `17.4`; `90624` → `9.6.24`.
fn version_text(num: i32) -> String {
    if num >= 100_000 {
        let minor = num % 10_000;
        if minor == 0 {
            format!("{}", num / 10_000)
        } else {
            format!("{}.{}", num / 10_000, minor)
        }
    } else {
        format!("{}.{}.{}", num / 10_000, (num / 100) % 100, num % 100)
    }
}

/// Debian's libpq looks for the server's socket in /var/run/postgresql;
/// upstream builds use /tmp.
fn default_socket_dir() -> String {
    if Path::new("/var/run/postgresql").is_dir() {
        "/var/run/postgresql".to_string()
    } else {
        "/tmp".to_string()
    }
}

fn parse_port(text: &str) -> Result<u16, ConnectError> {
    match text.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(ConnectError::BadParameter {
            name: "port",
            value: text.to_string(),
            expected: "a number from 1 to 65535",
        }),
    }
}

/// libpq: seconds; zero or less waits forever; 1 counts as 2.
fn parse_timeout(text: &str) -> Result<Option<Duration>, ConnectError> {
    match text.trim().parse::<i64>() {
        Ok(s) if s <= 0 => Ok(None),
        Ok(s) => Ok(Some(Duration::from_secs(s.max(2).unsigned_abs()))),
        Err(_) => Err(ConnectError::BadParameter {
            name: "connect_timeout",
            value: text.to_string(),
            expected: "a whole number of seconds",
        }),
    }
}

/// Splits the URL into its parts, percent-decoded. Errors never quote the
/// URL, which may hold a password.
fn split_url(url: &str) -> Result<UrlParts, ConnectError> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .ok_or_else(|| {
            ConnectError::BadUrl("it must start with postgres:// or postgresql://".into())
        })?;
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    let mut parts = UrlParts::default();
    let hostport = match authority.rfind('@') {
        Some(i) => {
            let userinfo = &authority[..i];
            let (user, password) = match userinfo.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (userinfo, None),
            };
            parts.user = Some(decode(user, "the user name")?);
            if let Some(p) = password {
                parts.password = Some(decode(p, "the password")?);
            }
            &authority[i + 1..]
        }
        None => authority,
    };
    let (host, port) = if let Some(bracketed) = hostport.strip_prefix('[') {
        let (h, after) = bracketed.split_once(']').ok_or_else(|| {
            ConnectError::BadUrl("an IPv6 address is missing its closing ]".into())
        })?;
        match after {
            "" => (h.to_string(), None),
            _ => match after.strip_prefix(':') {
                Some(p) => (h.to_string(), Some(p)),
                None => {
                    return Err(ConnectError::BadUrl(
                        "unexpected text after the IPv6 address".into(),
                    ))
                }
            },
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (decode(h, "the host")?, Some(p)),
            None => (decode(hostport, "the host")?, None),
        }
    };
    parts.host = Some(host);
    parts.port = port.map(str::to_string);
    parts.dbname = Some(decode(path, "the database name")?);

    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            ConnectError::BadUrl("a query parameter has no value (expected NAME=VALUE)".into())
        })?;
        let key = decode(key, "a query parameter's name")?;
        let value = decode(value, "a query parameter's value")?;
        let slot = match key.as_str() {
            "host" => &mut parts.host,
            "port" => &mut parts.port,
            "dbname" => &mut parts.dbname,
            "user" => &mut parts.user,
            "password" => &mut parts.password,
            "sslmode" => &mut parts.sslmode,
            "sslrootcert" => &mut parts.sslrootcert,
            "connect_timeout" => &mut parts.connect_timeout,
            "application_name" => &mut parts.application_name,
            // JDBC's spelling, which libpq accepts too.
            "ssl" if value == "true" => {
                parts.sslmode = Some("require".into());
                continue;
            }
            _ => return Err(ConnectError::UnsupportedParameter(key)),
        };
        *slot = Some(value);
    }
    Ok(parts)
}

/// Strict percent-decoding to UTF-8. `what` names the part for the error;
/// the text itself is never quoted (it may be a password).
fn decode(text: &str, what: &str) -> Result<String, ConnectError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    ConnectError::BadUrl(format!(
                        "{what} has a % that is not followed by two hex digits (write %25 for a literal %)"
                    ))
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| ConnectError::BadUrl(format!("{what} is not valid UTF-8 once decoded")))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Why a password file must be ignored: libpq refuses one that group or
/// others can read or write.
fn passfile_too_open(path: &Path, meta: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "the password file {} was ignored because group or others can read it; run chmod 0600 on it",
            path.display()
        )
    })
}

/// The password of the first line of a `.pgpass` file that matches:
/// `host:port:database:user:password`, `*` matching anything, `\:` and
/// `\\` escaping. `hosts` are the names the host field may have.
fn pgpass_lookup(
    contents: &str,
    hosts: &[&str],
    port: &str,
    db: &str,
    user: &str,
) -> Option<String> {
    for line in contents.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields = split_pgpass_line(line);
        if fields.len() < 5 {
            continue;
        }
        let matches = |field: &(String, bool), want: &str| field.1 || field.0 == want;
        if hosts.iter().any(|h| matches(&fields[0], h))
            && matches(&fields[1], port)
            && matches(&fields[2], db)
            && matches(&fields[3], user)
        {
            let password = fields[4].0.clone();
            return (!password.is_empty()).then_some(password);
        }
    }
    None
}

/// Splits a `.pgpass` line on unescaped colons, unescaping `\x` to `x`.
/// Each field comes with whether it was exactly an unescaped `*`. As in
/// libpq, the password ends at the next unescaped colon.
fn split_pgpass_line(line: &str) -> Vec<(String, bool)> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut raw = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                raw.push(c);
                if let Some(next) = chars.next() {
                    raw.push(next);
                    field.push(next);
                }
            }
            ':' => {
                fields.push((std::mem::take(&mut field), raw == "*"));
                raw.clear();
                if fields.len() == 5 {
                    return fields;
                }
            }
            c => {
                raw.push(c);
                field.push(c);
            }
        }
    }
    fields.push((field, raw == "*"));
    fields
}

/// The root store from a PEM file, and the certificates themselves.
fn roots_from_file(
    path: &Path,
) -> Result<(RootCertStore, Vec<CertificateDer<'static>>), ConnectError> {
    let unreadable = |reason: String| ConnectError::RootCertUnreadable {
        path: path.to_path_buf(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    let mut roots = RootCertStore::empty();
    let mut anchors = Vec::new();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| unreadable(format!("not a PEM certificate file ({e})")))?;
        roots
            .add(cert.clone())
            .map_err(|e| unreadable(format!("a certificate in it is not usable ({e})")))?;
        anchors.push(cert);
    }
    if roots.is_empty() {
        return Err(unreadable("it holds no PEM certificate".into()));
    }
    Ok((roots, anchors))
}

fn system_roots(sslmode: SslMode) -> Result<RootCertStore, ConnectError> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        return Err(ConnectError::NoRootCerts {
            sslmode: sslmode.name(),
        });
    }
    Ok(roots)
}

/// sslmode=prefer/require without a root certificate: encrypt, trust any
/// certificate (libpq's meaning), but still check the handshake signatures.
#[derive(Debug)]
struct AcceptAnyCert(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// sslmode=verify-ca / verify-full (and require/prefer with a root
/// certificate): the chain must lead to a trusted root, and for verify-full
/// the certificate must name the host. As with libpq (OpenSSL), a server
/// certificate that is itself in the root file is trusted (a self-signed
/// server certificate given as sslrootcert), and a certificate without a
/// subjectAltName is matched on its subject's common name.
#[derive(Debug)]
struct Verify {
    webpki: Arc<WebPkiServerVerifier>,
    anchors: Vec<CertificateDer<'static>>,
    check_name: bool,
}

fn not_valid_for_name(error: &rustls::Error) -> bool {
    matches!(
        error,
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
        )
    )
}

impl ServerCertVerifier for Verify {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let pinned = self
            .anchors
            .iter()
            .any(|a| a.as_ref() == end_entity.as_ref());
        if pinned {
            check_validity(end_entity, now)?;
        } else {
            match self.webpki.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ) {
                Ok(verified) => return Ok(verified),
                // The chain is good (webpki checks the name last).
                Err(e) if not_valid_for_name(&e) => {}
                Err(e) => return Err(e),
            }
        }
        if !self.check_name {
            return Ok(ServerCertVerified::assertion());
        }
        let parsed = ParsedCertificate::try_from(end_entity)?;
        match rustls::client::verify_server_name(&parsed, server_name) {
            Ok(()) => Ok(ServerCertVerified::assertion()),
            Err(e) if not_valid_for_name(&e) && common_name_matches(end_entity, server_name) => {
                Ok(ServerCertVerified::assertion())
            }
            Err(e) => Err(e),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

fn parse_x509(der: &CertificateDer<'_>) -> Result<x509_cert::Certificate, rustls::Error> {
    use x509_cert::der::Decode;
    x509_cert::Certificate::from_der(der.as_ref())
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))
}

/// The validity dates of a certificate trusted as it stands.
fn check_validity(der: &CertificateDer<'_>, now: UnixTime) -> Result<(), rustls::Error> {
    let cert = parse_x509(der)?;
    let validity = &cert.tbs_certificate.validity;
    let now = now.as_secs();
    if now < validity.not_before.to_unix_duration().as_secs() {
        return Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidYet,
        ));
    }
    if now > validity.not_after.to_unix_duration().as_secs() {
        return Err(rustls::Error::InvalidCertificate(CertificateError::Expired));
    }
    Ok(())
}

/// libpq's fallback: a certificate with no subjectAltName names its host in
/// the subject's common name (a leading `*.` matches one label).
fn common_name_matches(der: &CertificateDer<'_>, server_name: &ServerName<'_>) -> bool {
    const SUBJECT_ALT_NAME: x509_cert::der::oid::ObjectIdentifier =
        x509_cert::der::oid::ObjectIdentifier::new_unwrap("2.5.29.17");
    const COMMON_NAME: x509_cert::der::oid::ObjectIdentifier =
        x509_cert::der::oid::ObjectIdentifier::new_unwrap("2.5.4.3");
    let Ok(cert) = parse_x509(der) else {
        return false;
    };
    let tbs = &cert.tbs_certificate;
    if tbs
        .extensions
        .iter()
        .flatten()
        .any(|e| e.extn_id == SUBJECT_ALT_NAME)
    {
        return false;
    }
    let host = match server_name {
        ServerName::DnsName(name) => name.as_ref().to_ascii_lowercase(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        _ => return false,
    };
    tbs.subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .any(|atv| {
            if atv.oid != COMMON_NAME {
                return false;
            }
            let Ok(cn) = std::str::from_utf8(atv.value.value()) else {
                return false;
            };
            let cn = cn.to_ascii_lowercase();
            match cn.strip_prefix("*.") {
                Some(suffix) => host
                    .split_once('.')
                    .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix),
                None => cn == host,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::os::unix::fs::PermissionsExt;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            home: None,
            os_user: Some("osuser".into()),
        }
    }

    fn parse(url: &str) -> Target {
        Target::parse_with(url, &env(&[])).unwrap()
    }

    fn password(t: &Target) -> Option<&str> {
        t.password.as_ref().map(|p| p.value.as_str())
    }

    fn err(url: &str) -> String {
        Target::parse_with(url, &env(&[])).unwrap_err().to_string()
    }

    #[test]
    fn parses_user_host_db() {
        let t = parse("postgres://alice@db.example.org/week");
        assert_eq!(t.host, Host::Tcp("db.example.org".into()));
        assert_eq!(t.port, 5432);
        assert_eq!(t.user, "alice");
        assert_eq!(t.dbname, "week");
        assert_eq!(password(&t), None);
        assert_eq!(t.sslmode, SslMode::Prefer);
        assert_eq!(t.sslrootcert, None);
        assert_eq!(t.connect_timeout, Some(DEFAULT_CONNECT_TIMEOUT));
        assert_eq!(t.application_name, "opweek");
        assert_eq!(t.min_version, MIN_SERVER_VERSION);
    }

    #[test]
    fn parses_password_and_port_and_postgresql_scheme() {
        let t = parse("postgresql://bob:pw@db:5433/week");
        assert_eq!(t.host, Host::Tcp("db".into()));
        assert_eq!(
            (t.port, t.user.as_str(), t.dbname.as_str()),
            (5433, "bob", "week")
        );
        assert_eq!(password(&t), Some("pw"));
        assert_eq!(t.password.unwrap().source, PasswordSource::Url);
    }

    #[test]
    fn percent_decodes_every_part() {
        let t = parse("postgres://j%40smith:p%3Aw%2F%40%25d@my%2Dhost:5433/week%20one");
        assert_eq!(t.user, "j@smith");
        assert_eq!(password(&t), Some("p:w/@%d"));
        assert_eq!(t.host, Host::Tcp("my-host".into()));
        assert_eq!(t.dbname, "week one");
        // An unencoded @ in the password still works: the last @ ends it.
        let t = parse("postgres://u:a@b@h/d");
        assert_eq!(password(&t), Some("a@b"));
        assert_eq!(t.host, Host::Tcp("h".into()));
    }

    #[test]
    fn socket_directory_as_host() {
        let t = parse("postgres://u@%2Ftmp%2Fsock/db");
        assert_eq!(t.host, Host::Socket("/tmp/sock".into()));
        assert_eq!(t.server(), "/tmp/sock/.s.PGSQL.5432");
        let t = parse("postgres://u@/db?host=/tmp/sock&port=6000");
        assert_eq!(t.host, Host::Socket("/tmp/sock".into()));
        assert_eq!(t.port, 6000);
        assert_eq!(t.shown(), "postgres://u@%2Ftmp%2Fsock:6000/db");
        // No host at all: PGHOST, else the default socket directory.
        let t = Target::parse_with("postgres://u@/db", &env(&[("PGHOST", "/run/pg")])).unwrap();
        assert_eq!(t.host, Host::Socket("/run/pg".into()));
        let t = parse("postgres:///db");
        assert_eq!(t.host, Host::Socket(default_socket_dir().into()));
    }

    #[test]
    fn ipv6_host() {
        let t = parse("postgres://u@[::1]:5433/db");
        assert_eq!(t.host, Host::Tcp("::1".into()));
        assert_eq!(t.port, 5433);
        assert_eq!(t.server(), "[::1]:5433");
        assert_eq!(t.shown(), "postgres://u@[::1]:5433/db");
        assert_eq!(parse("postgres://u@[::1]/db").port, 5432);
        assert!(err("postgres://u@[::1/db").contains("closing ]"));
    }

    #[test]
    fn query_parameters() {
        let t = parse(
            "postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&connect_timeout=5&application_name=week%20desk",
        );
        assert_eq!(t.sslmode, SslMode::VerifyFull);
        assert_eq!(t.sslrootcert, Some(RootCert::File("/etc/ca.pem".into())));
        assert_eq!(t.connect_timeout, Some(Duration::from_secs(5)));
        assert_eq!(t.application_name, "week desk");
        assert_eq!(
            parse("postgres://u@h/db?connect_timeout=0").connect_timeout,
            None
        );
        assert_eq!(
            parse("postgres://u@h/db?connect_timeout=1").connect_timeout,
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            parse("postgres://u@h/db?ssl=true").sslmode,
            SslMode::Require
        );
        let t = parse("postgres://h/?dbname=d&user=v&password=s");
        assert_eq!((t.dbname.as_str(), t.user.as_str()), ("d", "v"));
        assert_eq!(password(&t), Some("s"));
        for mode in ["disable", "prefer", "require", "verify-ca"] {
            let t = parse(&format!("postgres://u@h/db?sslmode={mode}"));
            assert_eq!(t.sslmode.name(), mode);
        }
    }

    #[test]
    fn sslrootcert_system_means_verify_full() {
        let t = parse("postgres://u@h/db?sslrootcert=system");
        assert_eq!(t.sslrootcert, Some(RootCert::System));
        assert_eq!(t.sslmode, SslMode::VerifyFull);
        assert!(err("postgres://u@h/db?sslrootcert=system&sslmode=require")
            .contains("sslrootcert=system needs sslmode=verify-full"));
    }

    #[test]
    fn environment_fills_the_gaps() {
        let e = env(&[
            ("PGUSER", "envuser"),
            ("PGPORT", "6543"),
            ("PGSSLMODE", "require"),
            ("PGSSLROOTCERT", "/ca.pem"),
            ("PGCONNECT_TIMEOUT", "7"),
            ("PGAPPNAME", "desk"),
        ]);
        let t = Target::parse_with("postgres://h/db", &e).unwrap();
        assert_eq!((t.user.as_str(), t.port), ("envuser", 6543));
        assert_eq!(t.sslmode, SslMode::Require);
        assert_eq!(t.sslrootcert, Some(RootCert::File("/ca.pem".into())));
        assert_eq!(t.connect_timeout, Some(Duration::from_secs(7)));
        assert_eq!(t.application_name, "desk");
        // The URL wins over the environment.
        let t = Target::parse_with("postgres://u@h:1234/db?sslmode=disable", &e).unwrap();
        assert_eq!(
            (t.user.as_str(), t.port, t.sslmode),
            ("u", 1234, SslMode::Disable)
        );
        // No PGUSER: the operating-system user.
        assert_eq!(parse("postgres://h/db").user, "osuser");
        let none = Env::default();
        assert!(matches!(
            Target::parse_with("postgres://h/db", &none),
            Err(ConnectError::NoUser)
        ));
    }

    #[test]
    fn default_root_certificate_from_home() {
        let home = tempfile::tempdir().unwrap();
        let mut e = env(&[]);
        e.home = Some(home.path().to_path_buf());
        let t = Target::parse_with("postgres://u@h/db", &e).unwrap();
        assert_eq!(t.sslrootcert, None);
        std::fs::create_dir(home.path().join(".postgresql")).unwrap();
        std::fs::write(home.path().join(".postgresql/root.crt"), "x").unwrap();
        let t = Target::parse_with("postgres://u@h/db", &e).unwrap();
        assert_eq!(
            t.sslrootcert,
            Some(RootCert::File(home.path().join(".postgresql/root.crt")))
        );
    }

    #[test]
    fn rejects_bad_urls_without_quoting_them() {
        assert!(err("mysql://u@h/db").contains("must start with postgres://"));
        assert!(err("postgres://u@h").contains("names no database"));
        assert!(err("postgres://u@h/").contains("postgres://u@h:5432/ names no database"));
        assert!(err("postgres://u@h:99999/db").contains("port=\"99999\" is not valid"));
        assert!(err("postgres://u@h:0/db").contains("port=\"0\""));
        assert!(err("postgres://u@h/db?sslmode=always").contains("sslmode=\"always\""));
        assert!(err("postgres://u@h/db?connect_timeout=soon").contains("connect_timeout"));
        assert!(err("postgres://u@h/db?sslcert=/x").contains("\"sslcert\" is not supported"));
        assert!(err("postgres://u@h/db?sslmode").contains("has no value"));
        assert!(err("postgres://u@a,b/db").contains("several hosts"));
        let e = err("postgres://u:sec%zzret@h/db");
        assert!(e.contains("the password has a %"), "{e}");
        assert!(!e.contains("sec"), "{e}");
        let e = err("postgres://u:sec%FFret@h/db");
        assert!(
            e.contains("password is not valid UTF-8") && !e.contains("sec"),
            "{e}"
        );
    }

    #[test]
    fn password_never_shown() {
        let secret = "Hunter2-secret";
        let mut targets = vec![
            parse(&format!("postgres://u:{secret}@h:5433/db?sslmode=require")),
            parse(&format!("postgres://u@h/db?password={secret}")),
            Target::parse_with("postgres://u@h/db", &env(&[("PGPASSWORD", secret)])).unwrap(),
        ];
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, format!("*:*:*:*:{secret}\n")).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let e = env(&[("PGPASSFILE", file.to_str().unwrap())]);
        targets.push(Target::parse_with("postgres://u@h/db", &e).unwrap());
        for t in &targets {
            assert_eq!(password(t), Some(secret));
            assert!(!t.shown().contains(secret));
            assert!(!format!("{t:?}").contains(secret), "{t:?}");
            assert!(format!("{t:?}").contains("<hidden>"));
            let failed = ConnectError::PasswordFailed {
                server: t.server(),
                user: t.user.clone(),
                db: t.dbname.clone(),
                hint: t.password_hint(),
            };
            assert!(!failed.to_string().contains(secret));
        }
        assert_eq!(targets[0].shown(), "postgres://u@h:5433/db");
    }

    #[test]
    fn shown_encodes_odd_names() {
        let t = parse("postgres://j%40smith@h/week%2Fone");
        assert_eq!(t.shown(), "postgres://j%40smith@h:5432/week%2Fone");
    }

    #[test]
    fn password_order_url_then_pgpassword_then_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "h:5432:db:u:fromfile\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let pf = file.to_str().unwrap();
        let both = env(&[("PGPASSFILE", pf), ("PGPASSWORD", "fromenv")]);
        let t = Target::parse_with("postgres://u:fromurl@h/db", &both).unwrap();
        assert_eq!(password(&t), Some("fromurl"));
        let t = Target::parse_with("postgres://u@h/db", &both).unwrap();
        assert_eq!(password(&t), Some("fromenv"));
        assert!(t
            .password_hint()
            .starts_with("the password came from PGPASSWORD; "));
        let t = Target::parse_with("postgres://u@h/db", &env(&[("PGPASSFILE", pf)])).unwrap();
        assert_eq!(password(&t), Some("fromfile"));
        assert_eq!(
            t.password.as_ref().unwrap().source,
            PasswordSource::Passfile(file.clone())
        );
        // An empty password in the URL counts as none, as in libpq.
        let t = Target::parse_with("postgres://u:@h/db", &env(&[("PGPASSFILE", pf)])).unwrap();
        assert_eq!(password(&t), Some("fromfile"));
        // ~/.pgpass when PGPASSFILE is unset.
        let mut e = env(&[]);
        e.home = Some(dir.path().to_path_buf());
        std::fs::rename(&file, dir.path().join(".pgpass")).unwrap();
        let t = Target::parse_with("postgres://u@h/db", &e).unwrap();
        assert_eq!(password(&t), Some("fromfile"));
    }

    #[test]
    fn pgpass_matching() {
        let file = "\
# comment line
\n\
other:5432:db:u:wrong-host
h:5433:db:u:wrong-port
h:5432:db:someone:wrong-user
h:5432:db2:u:wrong-db
h:*:db:u:first-match\r
*:*:*:*:catch-all
";
        assert_eq!(
            pgpass_lookup(file, &["h"], "5432", "db", "u").as_deref(),
            Some("first-match")
        );
        assert_eq!(
            pgpass_lookup(file, &["x"], "1", "y", "z").as_deref(),
            Some("catch-all")
        );
        assert_eq!(
            pgpass_lookup("h:5432:db:u\n", &["h"], "5432", "db", "u"),
            None
        );
        assert_eq!(
            pgpass_lookup("h:5432:db:u:\n", &["h"], "5432", "db", "u"),
            None
        );
        // Escapes: \: and \\ in any field; the password ends at an unescaped colon.
        let escaped = r"my\:host:5432:d\\b:u:pa\:ss\\word:trailing";
        assert_eq!(
            pgpass_lookup(escaped, &["my:host"], "5432", r"d\b", "u").as_deref(),
            Some(r"pa:ss\word")
        );
        // An escaped star is a literal star, not a wildcard.
        let literal = r"\*:5432:db:u:star";
        assert_eq!(pgpass_lookup(literal, &["h"], "5432", "db", "u"), None);
        assert_eq!(
            pgpass_lookup(literal, &["*"], "5432", "db", "u").as_deref(),
            Some("star")
        );
        // A star inside a field is literal too.
        assert_eq!(
            pgpass_lookup("h*:5432:db:u:p", &["hx"], "5432", "db", "u"),
            None
        );
    }

    #[test]
    fn pgpass_for_a_socket_matches_localhost_or_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let e = env(&[("PGPASSFILE", file.to_str().unwrap())]);
        for (line, want) in [
            ("localhost:5432:db:u:viahost\n", Some("viahost")),
            ("/tmp/sock:5432:db:u:viadir\n", Some("viadir")),
            ("127.0.0.1:5432:db:u:viaip\n", None),
        ] {
            std::fs::write(&file, line).unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
            let t = Target::parse_with("postgres://u@%2Ftmp%2Fsock/db", &e).unwrap();
            assert_eq!(password(&t), want, "{line}");
        }
    }

    #[test]
    fn pgpass_readable_by_others_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "*:*:*:*:secret\n").unwrap();
        let e = env(&[("PGPASSFILE", file.to_str().unwrap())]);
        for mode in [0o644, 0o640, 0o604, 0o660] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            let t = Target::parse_with("postgres://u@h/db", &e).unwrap();
            assert_eq!(password(&t), None, "{mode:o}");
            let note = t.passfile_note.as_deref().unwrap();
            assert!(note.contains("was ignored because group or others can read it"));
            assert!(note.contains("chmod 0600"));
        }
        for mode in [0o600, 0o400] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            let t = Target::parse_with("postgres://u@h/db", &e).unwrap();
            assert_eq!(password(&t), Some("secret"), "{mode:o}");
        }
        // A directory or a missing file: silently no password.
        let e = env(&[("PGPASSFILE", dir.path().to_str().unwrap())]);
        assert_eq!(
            password(&Target::parse_with("postgres://u@h/db", &e).unwrap()),
            None
        );
    }

    #[test]
    fn min_version_hook_only_raises() {
        let t =
            Target::parse_with("postgres://u@h/db", &env(&[(MIN_VERSION_HOOK, "990000")])).unwrap();
        assert_eq!(t.min_version, 990000);
        let t =
            Target::parse_with("postgres://u@h/db", &env(&[(MIN_VERSION_HOOK, "90000")])).unwrap();
        assert_eq!(t.min_version, MIN_SERVER_VERSION);
    }

    #[test]
    fn version_texts() {
        assert_eq!(version_text(170004), "17.4");
        assert_eq!(version_text(130000), "13");
        assert_eq!(version_text(990000), "99");
        assert_eq!(version_text(90624), "9.6.24");
    }

    /// A port nothing listens on.
    fn closed_port() -> u16 {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }

    #[test]
    fn connection_refused() {
        let port = closed_port();
        let t = parse(&format!("postgres://u:secret@127.0.0.1:{port}/week"));
        let e = t.connect().err().expect("the connection should fail");
        assert!(matches!(e, ConnectError::Refused { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!("cannot connect to the PostgreSQL server at 127.0.0.1:{port} (database week): connection refused — is the server running and accepting TCP connections?")
        );
    }

    #[test]
    fn no_socket() {
        let dir = tempfile::tempdir().unwrap();
        let t = Target::parse_with(
            "postgres://u@/week",
            &env(&[("PGHOST", dir.path().to_str().unwrap())]),
        )
        .unwrap();
        let e = t.connect().err().expect("the connection should fail");
        assert!(matches!(e, ConnectError::NoSocket { .. }), "{e:?}");
        assert!(e
            .to_string()
            .contains(".s.PGSQL.5432 (database week): no server socket"));
    }

    /// A fake server on a thread: reads what the client sends first, then
    /// writes `reply`, then waits for the client to hang up (or, with an
    /// empty reply, hangs up itself).
    fn fake_server(reply: &'static [u8]) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut len = [0u8; 4];
            s.read_exact(&mut len).unwrap();
            let mut rest = vec![0u8; u32::from_be_bytes(len) as usize - 4];
            s.read_exact(&mut rest).unwrap();
            s.write_all(reply).unwrap();
            if !reply.is_empty() {
                let _ = s.read(&mut [0u8; 64]);
            }
        });
        port
    }

    #[test]
    fn tls_required_but_not_offered() {
        let port = fake_server(b"N");
        let t = parse(&format!(
            "postgres://u@127.0.0.1:{port}/week?sslmode=require"
        ));
        let e = t.connect().err().expect("the connection should fail");
        assert!(matches!(e, ConnectError::TlsNotOffered { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!("the PostgreSQL server at 127.0.0.1:{port} does not offer TLS, and sslmode=require requires it (use sslmode=prefer or disable only on a trusted network)")
        );
    }

    #[test]
    fn server_asks_for_a_password_and_none_was_given() {
        // AuthenticationCleartextPassword: 'R', length 8, code 3.
        let port = fake_server(b"R\0\0\0\x08\0\0\0\x03");
        let t = parse(&format!(
            "postgres://u@127.0.0.1:{port}/week?sslmode=disable"
        ));
        let e = t.connect().err().expect("the connection should fail");
        assert!(matches!(e, ConnectError::NoPassword { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!("the server at 127.0.0.1:{port} asks user u for a password (database week) and none was given: put it in PGPASSWORD, in ~/.pgpass or in the URL")
        );
    }

    #[test]
    fn not_a_postgresql_server() {
        // Something that reads the startup message and hangs up.
        let port = fake_server(b"");
        let t = parse(&format!(
            "postgres://u@127.0.0.1:{port}/week?sslmode=disable"
        ));
        let e = t.connect().err().expect("the connection should fail");
        assert!(matches!(e, ConnectError::Unreachable { .. }), "{e:?}");
        let shown = e.to_string();
        assert!(shown.starts_with(&format!("cannot connect to the PostgreSQL server at 127.0.0.1:{port} (database week): the connection was closed before the server answered (")), "{shown}");
        assert!(
            shown.ends_with(&format!(") — is {port} the port of a PostgreSQL server?")),
            "{shown}"
        );
    }

    #[test]
    fn missing_root_certificate_file() {
        let t =
            parse("postgres://u@127.0.0.1:1/week?sslmode=verify-full&sslrootcert=%2Fno%2Fsuch.pem");
        let e = t.connect().err().expect("the connection should fail");
        assert!(
            matches!(e, ConnectError::RootCertUnreadable { .. }),
            "{e:?}"
        );
        assert!(e
            .to_string()
            .starts_with("cannot read the root certificate file /no/such.pem: "));
    }

    // Against a real server, when OPWEEK_TEST_PG names one. See
    // `live_setup` for what it must have.

    /// `OPWEEK_TEST_PG`: postgres://ROLE:PASSWORD@127.0.0.1:PORT/DB for a
    /// role that logs in with a password (scram-sha-256 over TCP) on a
    /// server with ssl=on. Returns the URL's parts; None (with a note)
    /// when unset.
    fn live_setup(test: &str) -> Option<(Target, String)> {
        let Ok(url) = std::env::var("OPWEEK_TEST_PG") else {
            eprintln!("note: {test} skipped (set OPWEEK_TEST_PG to a server URL to run it)");
            return None;
        };
        let t = Target::parse_with(&url, &env(&[])).expect("OPWEEK_TEST_PG is a valid URL");
        let pw = password(&t)
            .expect("OPWEEK_TEST_PG has a password")
            .to_string();
        Some((t, pw))
    }

    /// The URL of `t` with `change` applied, no password, plus a query.
    fn url_of(t: &Target, query: &str) -> String {
        format!("{}{query}", t.shown())
    }

    fn live_env(vars: &[(&str, &str)]) -> Env {
        let mut e = env(vars);
        // An empty home: the tester's own ~/.pgpass and root.crt stay out.
        e.home = Some(std::env::temp_dir().join("opweek-pgconn-no-home"));
        e
    }

    fn must_connect(url: &str, e: &Env) -> postgres::Client {
        let t = Target::parse_with(url, e).unwrap();
        match t.connect() {
            Ok(c) => c,
            Err(err) => panic!("{} did not connect: {err}", t.shown()),
        }
    }

    fn encrypted(client: &mut postgres::Client) -> bool {
        client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .unwrap()
            .get(0)
    }

    fn live_err(url: &str, e: &Env) -> ConnectError {
        Target::parse_with(url, e)
            .unwrap()
            .connect()
            .err()
            .expect("the connection should fail")
    }

    #[test]
    fn live_password_from_url_env_and_pgpass() {
        let Some((t, pw)) = live_setup("live_password_from_url_env_and_pgpass") else {
            return;
        };
        let url = std::env::var("OPWEEK_TEST_PG").unwrap();
        let mut c = must_connect(&url, &live_env(&[]));
        let user: String = c
            .query_one("SELECT current_user::text", &[])
            .unwrap()
            .get(0);
        assert_eq!(user, t.user);

        must_connect(&url_of(&t, ""), &live_env(&[("PGPASSWORD", &pw)]));

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        let esc = |s: &str| s.replace('\\', r"\\").replace(':', r"\:");
        let Host::Tcp(host) = &t.host else {
            panic!("OPWEEK_TEST_PG must name a TCP host")
        };
        std::fs::write(
            &file,
            format!("{}:{}:*:{}:{}\n", esc(host), t.port, esc(&t.user), esc(&pw)),
        )
        .unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let pf = file.to_str().unwrap();
        must_connect(&url_of(&t, ""), &live_env(&[("PGPASSFILE", pf)]));

        // The same file readable by others is ignored: no password.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = live_err(&url_of(&t, ""), &live_env(&[("PGPASSFILE", pf)]));
        assert!(matches!(e, ConnectError::NoPassword { .. }), "{e:?}");
        assert!(
            e.to_string()
                .contains("was ignored because group or others"),
            "{e}"
        );
    }

    #[test]
    fn live_wrong_password_missing_db_too_old() {
        let Some((t, pw)) = live_setup("live_wrong_password_missing_db_too_old") else {
            return;
        };
        let wrong = format!("{pw}-wrong");
        let e = live_err(&url_of(&t, ""), &live_env(&[("PGPASSWORD", &wrong)]));
        assert!(matches!(e, ConnectError::PasswordFailed { .. }), "{e:?}");
        let shown = e.to_string();
        assert_eq!(
            shown,
            format!("the server at {} refused user {} for database {}: password authentication failed (the password came from PGPASSWORD; check PGPASSWORD, ~/.pgpass or the password in the URL)", t.server(), t.user, t.dbname)
        );
        assert!(!shown.contains(&wrong) && !format!("{e:?}").contains(&wrong));

        let missing = Target {
            dbname: "opweek_no_such_database".into(),
            ..t.clone()
        };
        let e = missing.connect().err().expect("the connection should fail");
        assert!(matches!(e, ConnectError::UnknownDatabase { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!("database opweek_no_such_database does not exist on {} (ask your database administrator to create it; see README, 'Setting up a shared server')", t.server())
        );

        let old = Target {
            min_version: 990000,
            ..t.clone()
        };
        let e = old.connect().err().expect("the connection should fail");
        assert!(matches!(e, ConnectError::ServerTooOld { .. }), "{e:?}");
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!(
                "the PostgreSQL server at {} is version 1",
                t.server()
            )),
            "{shown}"
        );
        assert!(shown.ends_with("; opweek needs 99 or later"), "{shown}");

        let e = Target {
            host: Host::Tcp("no-such-host.invalid".into()),
            ..t.clone()
        }
        .connect()
        .err()
        .expect("the connection should fail");
        assert!(matches!(e, ConnectError::HostNotFound { .. }), "{e:?}");
        assert!(e
            .to_string()
            .contains("host no-such-host.invalid not found"));
    }

    #[test]
    fn live_sslmodes() {
        let Some((t, pw)) = live_setup("live_sslmodes") else {
            return;
        };
        let e = live_env(&[("PGPASSWORD", &pw)]);
        let mut c = must_connect(&url_of(&t, "?sslmode=require"), &e);
        assert!(encrypted(&mut c));
        let mut c = must_connect(&url_of(&t, ""), &e);
        assert!(
            encrypted(&mut c),
            "sslmode=prefer encrypts when the server offers TLS"
        );
        let mut c = must_connect(&url_of(&t, "?sslmode=disable"), &e);
        assert!(!encrypted(&mut c));
        // require with a root file that does not hold the server's
        // certificate is verify-ca, as in libpq: refused.
        let system = "/etc/ssl/certs/ca-certificates.crt";
        if Path::new(system).is_file() {
            let err = live_err(
                &url_of(&t, &format!("?sslmode=require&sslrootcert={system}")),
                &e,
            );
            assert!(
                matches!(err, ConnectError::CertificateUntrusted { .. }),
                "{err:?}"
            );
            assert!(err.to_string().contains("is not trusted"), "{err}");
            // verify-full with the system store (no sslrootcert) likewise.
            let err = live_err(&url_of(&t, "?sslmode=verify-full"), &e);
            assert!(
                matches!(err, ConnectError::CertificateUntrusted { .. }),
                "{err:?}"
            );
        }
    }

    /// `OPWEEK_TEST_PG_TLS_DIR`: a directory holding `server.crt`, the
    /// server's self-signed certificate for CN=localhost (no
    /// subjectAltName needed), with OPWEEK_TEST_PG set as above.
    #[test]
    fn live_verify_full_and_verify_ca() {
        let Some((t, pw)) = live_setup("live_verify_full_and_verify_ca") else {
            return;
        };
        let Ok(dir) = std::env::var("OPWEEK_TEST_PG_TLS_DIR") else {
            eprintln!("note: live_verify_full_and_verify_ca skipped (set OPWEEK_TEST_PG_TLS_DIR)");
            return;
        };
        let cert = Path::new(&dir).join("server.crt");
        let cert = encode(cert.to_str().unwrap());
        let e = live_env(&[("PGPASSWORD", &pw)]);
        let at = |host: &str, query: &str| {
            format!(
                "postgres://{}@{host}:{}/{}{query}",
                encode(&t.user),
                t.port,
                encode(&t.dbname)
            )
        };
        let mut c = must_connect(
            &at(
                "localhost",
                &format!("?sslmode=verify-full&sslrootcert={cert}"),
            ),
            &e,
        );
        assert!(encrypted(&mut c));
        must_connect(
            &at(
                "127.0.0.1",
                &format!("?sslmode=verify-ca&sslrootcert={cert}"),
            ),
            &e,
        );
        must_connect(
            &at("127.0.0.1", &format!("?sslmode=require&sslrootcert={cert}")),
            &e,
        );
        let err = live_err(
            &at(
                "127.0.0.1",
                &format!("?sslmode=verify-full&sslrootcert={cert}"),
            ),
            &e,
        );
        assert!(
            matches!(err, ConnectError::HostnameMismatch { .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("the PostgreSQL server at 127.0.0.1:{} presented a certificate that is not valid for the host name 127.0.0.1 (sslmode=verify-full: connect with the name the certificate was issued for)", t.port)
        );
        // The root certificate from PGSSLROOTCERT and from ~/.postgresql/root.crt.
        let path = Path::new(&dir).join("server.crt");
        let e2 = live_env(&[
            ("PGPASSWORD", &pw),
            ("PGSSLROOTCERT", path.to_str().unwrap()),
        ]);
        must_connect(&at("localhost", "?sslmode=verify-full"), &e2);
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".postgresql")).unwrap();
        std::fs::copy(&path, home.path().join(".postgresql/root.crt")).unwrap();
        let mut e3 = live_env(&[("PGPASSWORD", &pw)]);
        e3.home = Some(home.path().to_path_buf());
        must_connect(&at("localhost", "?sslmode=verify-full"), &e3);
        let err = live_err(&at("127.0.0.1", "?sslmode=verify-full"), &e3);
        assert!(
            matches!(err, ConnectError::HostnameMismatch { .. }),
            "{err:?}"
        );
    }
}
