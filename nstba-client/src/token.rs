//! Token endpoints: issue a TBA token with NLAuth (`/rest/issuetoken`), revoke the calling token
//! (`/rest/revoketoken`), and ask the OAuth 2.0 token endpoint for an M2M access token.

use crate::client::{Auth, Call, Client};
use crate::error::{Error, ErrorKind, Result};
use crate::records::push_param;
use nstba_core::{AccountId, Credentials};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The issue-token endpoint path (on the RESTlet host).
pub const ISSUE_TOKEN_PATH: &str = "/rest/issuetoken";
/// The revoke-token endpoint path (on the RESTlet host).
pub const REVOKE_TOKEN_PATH: &str = "/rest/revoketoken";

impl Client {
    /// For a client authorized with OAuth 2.0 M2M ([`crate::ClientBuilder::m2m`]): one new access
    /// token, asked for now from the token endpoint — the same request the client makes when its
    /// cached token needs replacing, through the same limiter. The client's own cached token is
    /// neither read nor replaced. What `nstba token m2m` prints.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] when the client is not authorized with M2M; the token endpoint's
    /// refusal as [`ErrorKind::TokenRefused`], a transport error as [`ErrorKind::Authorization`].
    pub async fn fetch_access_token(&self) -> Result<nstba_core::m2m::AccessToken> {
        let Some(request) = self.inner.authorizer.fetch_access_token() else {
            return Err(Error::config(
                Some("authorizer"),
                "the client is not authorized with OAuth 2.0 M2M, so it has no token endpoint",
            ));
        };
        Ok(request.await?)
    }

    /// Issues a TBA token for the user `email` / `password` in `role`, for the integration
    /// `consumer_key` (its record needs the ISSUETOKEN permission). The request is authorized with
    /// NLAuth, not TBA; the account is the client's.
    ///
    /// ```no_run
    /// # async fn demo(client: nstba_client::Client) -> Result<(), nstba_client::Error> {
    /// let token = client
    ///     .issue_token("jane@example.com", "password", "3", "consumer-key")
    ///     .send()
    ///     .await?;
    /// println!("new token id {}", token.token_id());
    /// # Ok(()) }
    /// ```
    pub fn issue_token(
        &self,
        email: impl Into<String>,
        password: impl Into<String>,
        role: impl Into<String>,
        consumer_key: impl Into<String>,
    ) -> IssueToken {
        IssueToken {
            client: self.clone(),
            email: email.into(),
            password: SecretString::from(password.into()),
            role: role.into(),
            consumer_key: consumer_key.into(),
            otp: None,
        }
    }

    /// Revokes the token this client signs with (`POST /rest/revoketoken`). Later calls with it fail
    /// with `INVALID_LOGIN`.
    pub async fn revoke_token(&self) -> Result<()> {
        let url = self.restlet_join(REVOKE_TOKEN_PATH)?;
        // A POST: never sent again once it may have reached NetSuite.
        self.execute(Call::new(Method::POST, url)).await?;
        Ok(())
    }
}

/// An issue-token request. Finish with [`IssueToken::send`].
#[must_use = "requests do nothing until `.send().await`"]
pub struct IssueToken {
    client: Client,
    email: String,
    password: SecretString,
    role: String,
    consumer_key: String,
    otp: Option<SecretString>,
}

impl std::fmt::Debug for IssueToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssueToken")
            .field("email", &self.email)
            .field("password", &"[redacted]")
            .field("role", &self.role)
            .field("consumer_key", &self.consumer_key)
            .finish_non_exhaustive()
    }
}

fn nlauth_value(what: &'static str, v: &str) -> Result<()> {
    if v.is_empty() || v.chars().any(|c| c.is_control() || c == ',') {
        return Err(Error::invalid(
            what,
            "must be non-empty, without commas or control characters",
        ));
    }
    Ok(())
}

impl IssueToken {
    /// A one-time password for accounts with two-factor authentication (`nlauth_otp`).
    pub fn otp(mut self, code: impl Into<String>) -> Self {
        self.otp = Some(SecretString::from(code.into()));
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<IssuedToken> {
        let account = self
            .client
            .account()
            .ok_or_else(|| {
                Error::invalid("account", "the client has no account to issue a token in")
            })?
            .clone();
        nlauth_value("email", &self.email)?;
        nlauth_value("password", self.password.expose_secret())?;
        nlauth_value("role", &self.role)?;
        nlauth_value("consumer_key", &self.consumer_key)?;
        let mut header = format!(
            "NLAuth nlauth_account={}, nlauth_email={}, nlauth_signature={}, nlauth_role={}",
            account.realm(),
            self.email,
            self.password.expose_secret(),
            self.role
        );
        if let Some(otp) = &self.otp {
            nlauth_value("otp", otp.expose_secret())?;
            header.push_str(", nlauth_otp=");
            header.push_str(otp.expose_secret());
        }
        let mut q = String::new();
        push_param(&mut q, "consumerKey", &self.consumer_key);
        let url = self
            .client
            .restlet_join(&format!("{ISSUE_TOKEN_PATH}{q}"))?;
        let mut call = Call::new(Method::POST, url);
        call.auth = Auth::Header(SecretString::from(header));
        let reply = self.client.execute(call).await?;
        // The body holds the new token secret: never let it into an error.
        let raw: RawToken = reply.json().map_err(|mut e| {
            if let ErrorKind::Decode { body, .. } = e.kind_mut() {
                *body = "[redacted: token response]".into();
            }
            e
        })?;
        Ok(IssuedToken {
            account,
            consumer_key: self.consumer_key,
            token_id: raw.token_id,
            token_secret: SecretString::from(raw.token_secret),
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawToken {
    token_id: String,
    token_secret: String,
}

/// A newly issued token. `Debug` redacts the secret.
pub struct IssuedToken {
    account: AccountId,
    consumer_key: String,
    token_id: String,
    token_secret: SecretString,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("token_id", &self.token_id)
            .field("token_secret", &"[redacted]")
            .finish()
    }
}

impl IssuedToken {
    /// The token id (not secret).
    pub fn token_id(&self) -> &str {
        &self.token_id
    }

    /// The token secret.
    pub fn token_secret(&self) -> &SecretString {
        &self.token_secret
    }

    /// TBA credentials for this token, given the integration's consumer secret.
    pub fn credentials(&self, consumer_secret: impl Into<String>) -> Result<Credentials> {
        Ok(Credentials::new(
            self.account.clone(),
            self.consumer_key.clone(),
            consumer_secret,
            self.token_id.clone(),
            self.token_secret.expose_secret(),
        )?)
    }
}
