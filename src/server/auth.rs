//! Bearer tokens for the routes that change data (uploads, deletes) and for `/metrics`.
//!
//! Tokens come from a tokens file (`--tokens-file`: one `name:secret` per line, `#` comments)
//! and/or the `GAPMAP_TOKEN` environment variable (its name in the audit log is `env`). With no
//! token at all, writes and `/metrics` are *disabled*: they answer 403 naming how to enable
//! them, so a server linked from public pages exposes nothing by default.
//!
//! A request authenticates with `Authorization: Bearer <secret>`. Secrets are compared as
//! sha256 digests in constant time (`subtle`), every configured token every time, so neither
//! the position of the first differing byte nor the secret's length nor which token matched
//! shows in the timing.

use super::error::ApiError;
use axum::http::{header, HeaderMap};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use subtle::ConstantTimeEq;

/// Shortest secret accepted: a guessable token on a public network is no guard.
pub const MIN_SECRET_LEN: usize = 16;

/// The configured tokens: names (for the audit log) and digests of their secrets.
#[derive(Clone, Default)]
pub struct Tokens {
    tokens: Vec<(String, [u8; 32])>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.tokens.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Tokens").field("names", &names).finish()
    }
}

/// A token file or variable that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{path}: cannot read the tokens file: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: expected `name:secret` (a name of letters, digits, - or _, a colon, then the secret)")]
    Malformed { path: PathBuf, line: usize },
    #[error("{source_name}: the secret of token {name:?} is {len} characters; use at least {MIN_SECRET_LEN} (e.g. `openssl rand -hex 32`)")]
    TooShort {
        source_name: String,
        name: String,
        len: usize,
    },
    #[error(
        "{path}:{line}: token name {name:?} is used twice; names identify writers in the audit log"
    )]
    DuplicateName {
        path: PathBuf,
        line: usize,
        name: String,
    },
}

fn digest(secret: &[u8]) -> [u8; 32] {
    Sha256::digest(secret).into()
}

impl Tokens {
    /// Tokens from an optional file and an optional `GAPMAP_TOKEN` value (named `env`).
    pub fn load(file: Option<&Path>, env_secret: Option<&str>) -> Result<Tokens, TokenError> {
        let mut tokens = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| TokenError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                Tokens::parse(path, &text)?
            }
            None => Tokens::default(),
        };
        if let Some(secret) = env_secret.map(str::trim).filter(|s| !s.is_empty()) {
            tokens.push("GAPMAP_TOKEN", "env", secret)?;
        }
        Ok(tokens)
    }

    /// Parse a tokens file's text (`name:secret` lines).
    pub fn parse(path: &Path, text: &str) -> Result<Tokens, TokenError> {
        let mut tokens = Tokens::default();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let Some((name, secret)) = trimmed.split_once(':') else {
                return Err(TokenError::Malformed {
                    path: path.into(),
                    line,
                });
            };
            let name = name.trim();
            let name_ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !name_ok {
                return Err(TokenError::Malformed {
                    path: path.into(),
                    line,
                });
            }
            if tokens.tokens.iter().any(|(n, _)| n == name) {
                return Err(TokenError::DuplicateName {
                    path: path.into(),
                    line,
                    name: name.into(),
                });
            }
            tokens.push(&format!("{}:{line}", path.display()), name, secret.trim())?;
        }
        Ok(tokens)
    }

    fn push(&mut self, source_name: &str, name: &str, secret: &str) -> Result<(), TokenError> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(TokenError::TooShort {
                source_name: source_name.into(),
                name: name.into(),
                len: secret.len(),
            });
        }
        self.tokens
            .push((name.to_string(), digest(secret.as_bytes())));
        Ok(())
    }

    /// True when no token is configured: writes and `/metrics` are off.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The name of the token that `secret` is, comparing with every token in constant time.
    fn name_of(&self, secret: &[u8]) -> Option<&str> {
        let given = digest(secret);
        let mut found = None;
        for (name, expected) in &self.tokens {
            if bool::from(expected.ct_eq(&given)) {
                found = Some(name.as_str());
            }
        }
        found
    }

    /// Check a request's `Authorization: Bearer …`; the token's name, or the error to answer:
    /// 403 when writes are disabled, 401 for a missing, malformed or wrong token.
    pub fn authorise(&self, headers: &HeaderMap, what: &str) -> Result<String, ApiError> {
        if self.is_empty() {
            return Err(ApiError::forbidden(
                "disabled",
                format!("{what} is disabled on this server: no token is configured (start it with GAPMAP_TOKEN or --tokens-file)"),
            ));
        }
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::unauthorised(format!(
                "{what} needs a token: send `Authorization: Bearer <token>`"
            )));
        };
        let secret = value
            .as_bytes()
            .strip_prefix(b"Bearer ")
            .or_else(|| value.as_bytes().strip_prefix(b"bearer "))
            .ok_or_else(|| {
                ApiError::unauthorised(
                    "the Authorization header must be `Bearer <token>`".to_string(),
                )
            })?;
        self.name_of(secret.trim_ascii())
            .map(str::to_string)
            .ok_or_else(|| ApiError::unauthorised("the token is not valid".to_string()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn bearer(secret: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {secret}")).unwrap(),
        );
        h
    }

    #[test]
    fn a_token_file_names_each_writer_and_the_env_token_is_named_env() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens");
        std::fs::write(
            &path,
            "# analysts\nalice:0123456789abcdef0123\n\nbob : fedcba9876543210fedc\n",
        )
        .unwrap();
        let tokens = Tokens::load(Some(&path), Some("env-secret-0123456789")).unwrap();
        assert_eq!(
            tokens
                .authorise(&bearer("fedcba9876543210fedc"), "x")
                .unwrap(),
            "bob"
        );
        assert_eq!(
            tokens
                .authorise(&bearer("env-secret-0123456789"), "x")
                .unwrap(),
            "env"
        );
        let wrong = tokens.authorise(&bearer("0123456789abcdef012"), "x");
        assert_eq!(wrong.unwrap_err().status(), 401);
    }

    #[test]
    fn no_token_disables_writes_with_403() {
        let err = Tokens::default()
            .authorise(&bearer("anything-at-all-123"), "uploading")
            .unwrap_err();
        assert_eq!(err.status(), 403);
        assert!(err.to_string().contains("GAPMAP_TOKEN"), "{err}");
    }

    #[test]
    fn bad_token_files_name_the_line() {
        let p = Path::new("tokens.txt");
        let e = Tokens::parse(p, "ok:0123456789abcdef\nno-colon-here\n").unwrap_err();
        assert!(e.to_string().starts_with("tokens.txt:2:"), "{e}");
        let e = Tokens::parse(p, "short:abc\n").unwrap_err();
        assert!(e.to_string().contains("at least 16"), "{e}");
        let e = Tokens::parse(p, "a:0123456789abcdef\na:0123456789abcdeg\n").unwrap_err();
        assert!(e.to_string().contains("used twice"), "{e}");
    }
}
