//! `/rest/issuetoken`, `/rest/revoketoken` and the OAuth 2.0 token endpoint
//! (`/services/rest/auth/oauth2/v1/token`, client credentials with a JWT client assertion).

use super::problem::{self, Resp};
use super::Ctx;
use hyper::StatusCode;

/// The token registry as handlers see it. The authentication side implements it (it owns the
/// secrets and the Login Audit Trail).
pub(crate) trait Tokens: Send + Sync {
    /// Issues and registers a token for `consumer_key` in the account with this realm; returns
    /// `(token id, token secret)`, or `None` when the consumer is not an integration of the account
    /// (the implementation records the rejection for `method` and `path_and_query`).
    fn issue(
        &self,
        realm: &str,
        consumer_key: &str,
        method: &str,
        path_and_query: &str,
    ) -> Option<(String, String)>;

    /// Revokes a token: later requests signed with it are rejected.
    fn revoke(&self, token_id: &str);

    /// Answers an OAuth 2.0 client-credentials token request (the implementation verifies the client
    /// assertion and records a refusal's reason).
    fn client_credentials(&self, request: ClientCredentials<'_>) -> TokenAnswer;
}

/// An OAuth 2.0 token request as the handler received it.
pub(crate) struct ClientCredentials<'a> {
    /// The form body.
    pub body: &'a [u8],
    /// The emulator's own token URL (`http://{Host}/services/rest/auth/oauth2/v1/token`).
    pub own_token_url: &'a str,
    /// HTTP method, for the audit log.
    pub method: &'a str,
    /// Path and query, for the audit log.
    pub path_and_query: &'a str,
}

/// The answer to a token request.
pub(crate) enum TokenAnswer {
    /// A bearer token valid for `expires_in` seconds.
    Issued {
        /// The access token (a secret).
        access_token: String,
        /// Its lifetime in seconds.
        expires_in: u64,
    },
    /// Refused with NetSuite's bare OAuth error.
    Refused {
        /// 400 or 401.
        status: u16,
        /// `invalid_request`, `invalid_client` or `invalid_grant`.
        error: &'static str,
    },
}

/// `POST /services/rest/auth/oauth2/v1/token`: the client-credentials grant. The answer is
/// `{"access_token","expires_in","token_type":"bearer"}`, or `{"error":…}` without detail.
pub(crate) fn oauth2_token(ctx: &Ctx) -> Resp {
    let own_token_url = format!("{}{}", ctx.base, ctx.path);
    let answer = ctx.app.tokens.client_credentials(ClientCredentials {
        body: &ctx.body,
        own_token_url: &own_token_url,
        method: &ctx.method,
        path_and_query: &ctx.path_and_query,
    });
    match answer {
        TokenAnswer::Issued {
            access_token,
            expires_in,
        } => oauth2_json(
            StatusCode::OK,
            &serde_json::json!({
                "access_token": access_token,
                "expires_in": expires_in,
                "token_type": "bearer",
            }),
        ),
        TokenAnswer::Refused { status, error } => oauth2_error(status, error),
    }
}

/// An OAuth 2.0 error body `{"error":"…"}` (NetSuite gives no description).
pub(crate) fn oauth2_error(status: u16, error: &str) -> Resp {
    oauth2_json(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        &serde_json::json!({ "error": error }),
    )
}

fn oauth2_json(status: StatusCode, body: &serde_json::Value) -> Resp {
    let mut resp = problem::json_response(status, body, "application/json;charset=utf-8");
    resp.headers_mut().insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    resp
}

/// `GET|POST /rest/issuetoken?consumerKey=…` (the caller authenticated with NLAuth).
pub(crate) fn issue(ctx: &Ctx) -> Resp {
    let Some(consumer_key) = ctx.param("consumerKey") else {
        return problem::restlet_error(
            400,
            "INVALID_REQUEST",
            "The consumerKey query parameter is required.",
        );
    };
    match ctx.app.tokens.issue(
        &ctx.caller.account,
        consumer_key,
        &ctx.method,
        &ctx.path_and_query,
    ) {
        Some((token_id, token_secret)) => problem::json_response(
            StatusCode::OK,
            &serde_json::json!({"tokenId": token_id, "tokenSecret": token_secret}),
            "application/json;charset=utf-8",
        ),
        None => problem::restlet_error(401, "INVALID_LOGIN_ATTEMPT", "Invalid login attempt."),
    }
}

/// `GET|POST /rest/revoketoken` (TBA-signed): revokes the calling token.
pub(crate) fn revoke(ctx: &Ctx) -> Resp {
    if let Some(token_id) = &ctx.caller.token_id {
        ctx.app.tokens.revoke(token_id);
    }
    problem::json_response(
        StatusCode::OK,
        &serde_json::json!({}),
        "application/json;charset=utf-8",
    )
}
