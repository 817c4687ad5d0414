//! `GET /jwks`: the RP's public keys for private_key_jwt (current, staged next, recently retired).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};

use crate::auth::Cis2Auth;
use crate::error::ApiError;

pub(crate) async fn jwks(State(auth): State<Cis2Auth>) -> Response {
    match auth.jwks_document() {
        Ok(doc) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/jwk-set+json"),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=300"),
                ),
            ],
            doc.to_string(),
        )
            .into_response(),
        Err(e) => ApiError::unavailable(&e).into_response(),
    }
}
