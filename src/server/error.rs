//! The HTTP layer's one error type, [`ApiError`], and [`ApiQuery`], a query-string extractor
//! whose rejections are [`ApiError`]s too, so every error a client sees is JSON
//! `{"error": "...", "detail": "..."}`.
//!
//! 4xx errors carry a safe, specific message that says what to change. 5xx errors are logged
//! with their context and answered with a generic body, so no internals leak.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// JSON body of every error response.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Short, stable description, e.g. "unknown level".
    pub error: String,
    /// What was wrong and what is allowed.
    pub detail: String,
}

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed or names something that does not exist (400).
    #[error("{error}: {detail}")]
    BadRequest { error: &'static str, detail: String },
    /// The path names a resource that does not exist (404).
    #[error("{error}: {detail}")]
    NotFound { error: &'static str, detail: String },
    /// Too many requests of an expensive kind are running (503, `Retry-After`).
    #[error("{error}: {detail}")]
    Busy { error: &'static str, detail: String },
    /// Something failed on our side (500). The message is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(error: &'static str, detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            error,
            detail: detail.into(),
        }
    }

    pub fn not_found(error: &'static str, detail: impl Into<String>) -> Self {
        ApiError::NotFound {
            error,
            detail: detail.into(),
        }
    }

    pub fn internal(context: impl std::fmt::Display) -> Self {
        ApiError::Internal(context.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let busy = matches!(self, ApiError::Busy { .. });
        let body = match self {
            ApiError::BadRequest { error, detail }
            | ApiError::NotFound { error, detail }
            | ApiError::Busy { error, detail } => ErrorBody {
                error: error.to_string(),
                detail,
            },
            ApiError::Internal(context) => {
                tracing::error!(error = %context, "request failed");
                ErrorBody {
                    error: "internal server error".into(),
                    detail: "the server could not answer this request; it has been logged".into(),
                }
            }
        };
        let mut response = (status, Json(body)).into_response();
        if busy {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
        }
        response
    }
}

impl From<crate::public::PublicError> for ApiError {
    /// The public face's errors: asking for something that does not exist or is not allowed is
    /// the client's to fix (400, or 404 for an unknown area code); anything else is ours.
    fn from(e: crate::public::PublicError) -> Self {
        if !e.is_input_error() {
            return ApiError::internal(e);
        }
        // The one hint that names how to ask: in HTTP terms, a query parameter.
        if let crate::public::PublicError::Lookup(crate::lookup::LookupError::LevelNotAvailable {
            indicator,
            available,
            ..
        }) = &e
        {
            return ApiError::bad_request(
                e.kind(),
                format!("indicator {indicator} is published for level {available} only; ask for level={available}"),
            );
        }
        if e.is_not_found() {
            ApiError::not_found(e.kind(), e.to_string())
        } else {
            ApiError::bad_request(e.kind(), e.to_string())
        }
    }
}

impl From<crate::lookup::LookupError> for ApiError {
    fn from(e: crate::lookup::LookupError) -> Self {
        crate::public::PublicError::from(e).into()
    }
}

/// `Query<T>` whose rejection (a missing or malformed parameter) is a JSON 400.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| ApiQuery(q))
            .map_err(|rejection| ApiError::bad_request("bad query string", rejection.body_text()))
    }
}

/// Fallback for unknown paths: a JSON 404 rather than an empty body.
pub async fn no_such_route(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(
        "no such route",
        format!(
            "{} is not a gapmap route; see /openapi.json or /docs",
            uri.path()
        ),
    )
}
