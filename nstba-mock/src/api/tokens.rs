//! `/rest/issuetoken` and `/rest/revoketoken`.

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
