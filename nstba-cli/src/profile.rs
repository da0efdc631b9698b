//! Credential profiles: `$XDG_CONFIG_HOME/nstba/credentials.toml` (or `~/.config/nstba/…`), mode 0600.
//!
//! ```toml
//! [default]
//! account_id = "1234567_SB1"
//! consumer_key = "…"
//! consumer_secret = "…"
//! token_id = "…"
//! token_secret = "…"
//!
//! [m2m]   # OAuth 2.0 machine-to-machine (`nstba configure --m2m`): never the key itself
//! account_id = "1234567_SB1"
//! client_id = "…"
//! certificate_id = "…"
//! private_key_path = "/home/me/.config/nstba/m2m-key.pem"
//! ```
//! `NETSUITE_*` variables override the file, one by one.

use crate::Failure;
use nstba::core::{AccountId, Credentials, ENV_VARIABLES};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The keys of a profile, in the order of [`ENV_VARIABLES`].
pub const KEYS: [&str; 5] = [
    "account_id",
    "consumer_key",
    "consumer_secret",
    "token_id",
    "token_secret",
];

/// The OAuth 2.0 M2M settings: variable and profile key. `NETSUITE_ACCOUNT_ID` is shared with TBA.
pub const M2M_VARIABLES: [(&str, &str); 5] = [
    ("NETSUITE_ACCOUNT_ID", "account_id"),
    ("NETSUITE_CLIENT_ID", "client_id"),
    ("NETSUITE_CERTIFICATE_ID", "certificate_id"),
    ("NETSUITE_PRIVATE_KEY_PATH", "private_key_path"),
    ("NETSUITE_SCOPES", "scopes"),
];

/// The OAuth 2.0 M2M settings of a command (what `nstba token m2m` and `whoami` use).
#[derive(Debug, Clone)]
pub struct M2mSettings {
    /// The account.
    pub account: AccountId,
    /// The integration's client id (`iss`).
    pub client_id: String,
    /// The certificate id from the M2M setup page (`kid`).
    pub certificate_id: String,
    /// Where the private key (PEM) is; the key itself is read only when signing.
    pub private_key_path: PathBuf,
    /// The scopes asked for (default `rest_webservices`).
    pub scopes: Vec<String>,
}

/// Which authentication a command's settings use.
pub enum Auth {
    /// Token-Based Authentication (OAuth 1.0a).
    Tba(Box<Credentials>),
    /// OAuth 2.0 client credentials (machine-to-machine).
    M2m(M2mSettings),
}

/// `$<xdg_var>/nstba` or `~/<home_dir>/nstba`: the XDG base-directory rule shared by the credentials
/// file (`XDG_CONFIG_HOME`, `.config`) and the schema cache (`XDG_CACHE_HOME`, `.cache`).
pub fn xdg_dir(xdg_var: &str, home_dir: &str, what: &str) -> Result<PathBuf, Failure> {
    let base = match std::env::var_os(xdg_var).filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home).join(home_dir),
            None => {
                return Err(Failure::Usage(format!(
                    "cannot find the {what} directory: set {xdg_var} or HOME"
                )))
            }
        },
    };
    Ok(base.join("nstba"))
}

/// Where the credentials file lives.
pub fn credentials_path() -> Result<PathBuf, Failure> {
    Ok(xdg_dir("XDG_CONFIG_HOME", ".config", "config")?.join("credentials.toml"))
}

type Profiles = BTreeMap<String, BTreeMap<String, String>>;

fn read_profiles(path: &Path) -> Result<Option<Profiles>, Failure> {
    warn_if_shared(path);
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map(Some).map_err(|e| {
            // toml's message quotes the offending line, which may hold a secret: keep only the place.
            let at = e
                .span()
                .map(|s| format!(" (byte {})", s.start))
                .unwrap_or_default();
            Failure::Usage(format!("{} is not valid TOML{at}", path.display()))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::Usage(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// The settings of one command: `NETSUITE_*` variables first, then the profile's entries (`default`
/// unless named). Read through [`Settings::get`] by the client's own `from_lookup`, so the CLI and
/// `Client::from_env` read the variables by the same rules.
pub struct Settings {
    section: BTreeMap<String, String>,
}

impl Settings {
    /// The value of a `NETSUITE_*` variable: the variable when set and not blank, else the profile's
    /// entry for it.
    pub fn get(&self, var: &str) -> Option<String> {
        let env = std::env::var(var).ok().filter(|v| !v.trim().is_empty());
        env.or_else(|| {
            let key = match ENV_VARIABLES.iter().position(|v| *v == var) {
                Some(i) => KEYS[i],
                None => M2M_VARIABLES.iter().find(|(v, _)| *v == var)?.1,
            };
            self.section.get(key).cloned()
        })
    }

    /// The OAuth 2.0 M2M settings, when any of client id, certificate id or private key path is set
    /// (then all of them and the account id must be).
    pub fn m2m(&self) -> Result<Option<M2mSettings>, Failure> {
        let [_, client, certificate, key_path, _] = M2M_VARIABLES.map(|(var, _)| var);
        if [client, certificate, key_path]
            .iter()
            .all(|var| self.get(var).is_none())
        {
            return Ok(None);
        }
        let need = |var: &str| {
            self.get(var).map(|v| v.trim().to_owned()).ok_or_else(|| {
                Failure::Usage(format!(
                    "{var} is not set: OAuth 2.0 M2M needs NETSUITE_ACCOUNT_ID, NETSUITE_CLIENT_ID, NETSUITE_CERTIFICATE_ID and NETSUITE_PRIVATE_KEY_PATH (or `nstba configure --m2m`)"
                ))
            })
        };
        let account = AccountId::parse(&need("NETSUITE_ACCOUNT_ID")?)
            .map_err(|e| Failure::Usage(e.to_string()))?;
        let scopes = self
            .get("NETSUITE_SCOPES")
            .map(|s| {
                s.split([',', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| vec!["rest_webservices".to_owned()]);
        Ok(Some(M2mSettings {
            account,
            client_id: need(client)?,
            certificate_id: need(certificate)?,
            private_key_path: PathBuf::from(need(key_path)?),
            scopes,
        }))
    }

    /// The authentication in use, by the client's own rule: TBA when its values are complete (it
    /// stays the default), else OAuth 2.0 M2M when its values are set, else the TBA error.
    pub fn auth(&self) -> Result<Auth, Failure> {
        if let Ok(creds) = Credentials::from_lookup(|var| self.get(var)) {
            return Ok(Auth::Tba(Box::new(creds)));
        }
        match self.m2m()? {
            Some(m2m) => Ok(Auth::M2m(m2m)),
            None => Ok(Auth::Tba(Box::new(self.credentials()?))),
        }
    }

    /// The credentials, or a usage error naming every missing or bad value.
    pub fn credentials(&self) -> Result<Credentials, Failure> {
        Credentials::from_lookup(|var| self.get(var)).map_err(|e| {
            let m2m_only = ["NETSUITE_CLIENT_ID", "NETSUITE_PRIVATE_KEY_PATH"]
                .iter()
                .any(|var| self.get(var).is_some());
            let hint = if m2m_only {
                " (OAuth 2.0 M2M settings are set, but this command needs TBA: it signs for another tool or builds a SOAP passport)"
            } else if self.section.is_empty() {
                " (set the variables, or run `nstba configure`)"
            } else {
                ""
            };
            Failure::Usage(format!("{e}{hint}"))
        })
    }
}

/// The settings for a command. A profile named explicitly must exist.
pub fn settings(profile: Option<&str>) -> Result<Settings, Failure> {
    // Without a config directory the variables alone must do, unless a profile was asked for.
    let (path, profiles) = match credentials_path() {
        Ok(path) => {
            let profiles = read_profiles(&path)?;
            (path, profiles)
        }
        Err(e) if profile.is_some() => return Err(e),
        Err(_) => (PathBuf::from("(no config directory)"), None),
    };
    let name = profile.unwrap_or("default");
    let section = match (&profiles, profile) {
        (Some(p), _) if p.contains_key(name) => p.get(name).cloned(),
        (_, Some(explicit)) => {
            return Err(Failure::Usage(format!(
                "profile {explicit:?} not found in {} (create it with `nstba configure --profile {explicit}`)",
                path.display()
            )))
        }
        _ => None,
    };
    Ok(Settings {
        section: section.unwrap_or_default(),
    })
}

/// Credentials for a command: `NETSUITE_*` variables first, then the profile (`default` unless named).
/// A profile named explicitly must exist.
pub fn load(profile: Option<&str>) -> Result<Credentials, Failure> {
    settings(profile)?.credentials()
}

/// One value: its `NETSUITE_*` variable when set, else the profile's entry. `key` is one of [`KEYS`].
pub fn value(profile: Option<&str>, key: &str) -> Result<Option<String>, Failure> {
    let i = KEYS
        .iter()
        .position(|k| *k == key)
        .expect("a known profile key");
    if let Some(v) = std::env::var(ENV_VARIABLES[i])
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        return Ok(Some(v));
    }
    let path = match credentials_path() {
        Ok(path) => path,
        Err(_) if profile.is_none() => return Ok(None),
        Err(e) => return Err(e),
    };
    let profiles = read_profiles(&path)?.unwrap_or_default();
    let name = profile.unwrap_or("default");
    match profiles.get(name) {
        Some(section) => Ok(section.get(key).cloned()),
        None if profile.is_some() => Err(Failure::Usage(format!(
            "profile {name:?} not found in {}",
            path.display()
        ))),
        None => Ok(None),
    }
}

/// The warning for a credentials file that others may read (unix: any group or other permission
/// bit), naming the file, its mode and the fix; `None` when the file is private or absent.
pub fn shared_file_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then(|| {
            format!(
                "warning: {} holds secrets but is accessible to other users (mode {mode:03o}); fix it with `chmod 600 {}`",
                path.display(),
                path.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Prints [`shared_file_warning`] on stderr, once per run.
fn warn_if_shared(path: &Path) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    if let Some(warning) = shared_file_warning(path) {
        WARNED.call_once(|| eprintln!("nstba: {warning}"));
    }
}

/// Stores one profile, creating the file with mode 0600 (and its directory 0700); an existing file is
/// set back to 0600 before it is rewritten.
pub fn store(profile: &str, values: &[(&str, String)]) -> Result<PathBuf, Failure> {
    let path = credentials_path()?;
    let mut profiles = read_profiles(&path)?.unwrap_or_default();
    let section = profiles.entry(profile.to_owned()).or_default();
    for (k, v) in values {
        section.insert((*k).to_owned(), v.clone());
    }
    let text = toml::to_string(&profiles)
        .map_err(|e| Failure::Usage(format!("cannot encode the profile: {e}")))?;
    let dir = path.parent().expect("the path has a directory");
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Usage(format!("cannot create {}: {e}", dir.display())))?;
    write_private(&path, text.as_bytes())
        .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if let Some(dir) = path.parent() {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let tmp = path.with_extension("toml.tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)
}
