//! The actix-web side (feature `actix-web`): the notification extractor, and the rejection,
//! `success` and page form as responses.

use std::any::type_name;
use std::future::Future;
use std::pin::Pin;

use actix_web::body::BoxBody;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpRequest, HttpResponse, Responder, ResponseError, web};
use serde::de::DeserializeOwned;

use super::notification::{
    Ack, NotificationRejection, NotifyVerifier, REFUSED, VerifiedNotification,
};
use super::page::PageForm;

/// Takes the raw body and verifies it with the `web::Data<V>` of the app (a
/// [`Client`](crate::Client) by default: `App::new().app_data(web::Data::new(client))`). The
/// body is limited by actix-web's `PayloadConfig` (256 kB by default).
impl<T, V> FromRequest for VerifiedNotification<T, V>
where
    T: DeserializeOwned + 'static,
    V: NotifyVerifier,
{
    type Error = NotificationRejection;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        let body = web::Bytes::from_request(&request, payload);
        Box::pin(async move {
            let body = body.await.map_err(|error| NotificationRejection::Body {
                status: error.as_response_error().status_code().as_u16(),
                reason: error.to_string(),
            })?;
            let verifier = request
                .app_data::<web::Data<V>>()
                .ok_or(NotificationRejection::NoVerifier(type_name::<V>()))?;
            let content_type = request
                .headers()
                .get(CONTENT_TYPE)
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
            Self::verify(verifier, content_type.as_deref(), &body)
        })
    }
}

/// `fail` with [`NotificationRejection::status`]; logs the reason.
impl ResponseError for NotificationRejection {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        HttpResponse::build(self.status_code())
            .content_type("text/plain; charset=utf-8")
            .body(REFUSED)
    }
}

/// HTTP 200, `success`.
impl Responder for Ack {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body(self.body())
    }
}

/// HTTP 200, the page as `text/html; charset=utf-8`.
impl Responder for PageForm {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        HttpResponse::Ok()
            .content_type(PageForm::CONTENT_TYPE)
            .body(self.into_html())
    }
}
