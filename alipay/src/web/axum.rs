//! The axum side (feature `axum`): the notification extractor, and the rejection, `success`
//! and page form as responses. Implemented on axum-core's traits, which axum re-exports.

use axum_core::body::Body;
use axum_core::extract::{FromRef, FromRequest, Request};
use axum_core::response::{IntoResponse, Response};
use bytes::Bytes;
use http::StatusCode;
use http::header::{CONTENT_TYPE, HeaderValue};
use serde::de::DeserializeOwned;

use super::notification::{
    Ack, NotificationRejection, NotifyVerifier, REFUSED, VerifiedNotification,
};
use super::page::PageForm;

/// Takes the raw body and verifies it with the `V` (a [`Client`](crate::Client) by default) of
/// the router's state (`V: FromRef<S>`, so `with_state(client)` or a state struct with a
/// `FromRef` impl). The body is limited by axum's `DefaultBodyLimit` (2 MB by default).
impl<S, T, V> FromRequest<S> for VerifiedNotification<T, V>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
    V: NotifyVerifier + FromRef<S>,
{
    type Rejection = NotificationRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| NotificationRejection::Body {
                status: rejection.status().as_u16(),
                reason: rejection.body_text(),
            })?;
        let verifier = V::from_ref(state);
        Self::verify(&verifier, content_type.as_deref(), &body)
    }
}

/// `fail` with [`NotificationRejection::status`]; logs the reason.
impl IntoResponse for NotificationRejection {
    fn into_response(self) -> Response {
        self.log();
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        text(status, "text/plain; charset=utf-8", REFUSED.into())
    }
}

/// HTTP 200, `success`.
impl IntoResponse for Ack {
    fn into_response(self) -> Response {
        text(
            StatusCode::OK,
            "text/plain; charset=utf-8",
            self.body().into(),
        )
    }
}

/// HTTP 200, the page as `text/html; charset=utf-8`.
impl IntoResponse for PageForm {
    fn into_response(self) -> Response {
        text(
            StatusCode::OK,
            PageForm::CONTENT_TYPE,
            self.into_html().into(),
        )
    }
}

fn text(status: StatusCode, content_type: &'static str, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
