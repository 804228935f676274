//! The control endpoints under `/sandbox/`, for tools in other processes: the buyer pays,
//! the notification records, the fault rules.

use bytes::Bytes;
use http::{Method as HttpMethod, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use serde_json::Value;

use super::SandboxError;
use super::decode::param;
use super::fault::{self, RuleSpec};
use super::server::{JSON_CONTENT_TYPE, json_error, json_ok, read_body, respond};
use super::shared::{Shared, lock};
use crate::wire::form_decode;

/// `POST /sandbox/pay?app_id=…&out_trade_no=…`: the buyer pays, for tools outside the process.
pub(crate) async fn control_pay(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    if req.method() != HttpMethod::POST {
        return json_error(StatusCode::METHOD_NOT_ALLOWED, "use POST");
    }
    let params = match form_decode(req.uri().query().unwrap_or("").as_bytes()) {
        Ok(params) => params,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let get = |key: &str| param(&params, key);
    let (Some(app_id), Some(out_trade_no)) = (get("app_id"), get("out_trade_no")) else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "app_id and out_trade_no are required query parameters",
        );
    };
    match super::pay(shared, app_id, out_trade_no).await {
        Ok(snapshot) => match serde_json::to_string(&snapshot) {
            Ok(json) => respond(StatusCode::OK, JSON_CONTENT_TYPE, json),
            Err(e) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
        Err(e @ SandboxError::UnknownTrade { .. }) => {
            json_error(StatusCode::NOT_FOUND, &e.to_string())
        }
        Err(e @ SandboxError::WrongState { .. }) => {
            json_error(StatusCode::CONFLICT, &e.to_string())
        }
        Err(e) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// `GET /sandbox/notifications`: every delivery attempt, as JSON.
pub(crate) fn control_notifications(shared: &Shared, method: &HttpMethod) -> Response<Full<Bytes>> {
    if method != HttpMethod::GET {
        return json_error(StatusCode::METHOD_NOT_ALLOWED, "use GET");
    }
    let records = lock(&shared.notifications).clone();
    match serde_json::to_string(&records) {
        Ok(json) => json_ok(json),
        Err(e) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// `/sandbox/faults`: `GET` lists the rules, `POST` adds one (a JSON object
/// `{"fault":"KIND[=ARG]","method":"…","times":N}`, `method` and `times` optional) or several
/// (an array of them), `DELETE` removes them all. Every answer is the list of rules in force.
pub(crate) async fn control_faults(
    shared: &Shared,
    req: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let method = req.method().clone();
    if method == HttpMethod::POST {
        let body = match read_body(req).await {
            Ok(body) => body,
            Err(response) => return response,
        };
        let value: Value = match serde_json::from_slice(&body) {
            Ok(value) => value,
            Err(e) => return json_error(StatusCode::BAD_REQUEST, &format!("not JSON: {e}")),
        };
        let specs = match value {
            Value::Array(items) => items,
            other => vec![other],
        };
        let mut rules = Vec::with_capacity(specs.len());
        for spec in specs {
            let rule = serde_json::from_value::<RuleSpec>(spec)
                .map_err(|e| e.to_string())
                .and_then(|spec| spec.into_rule().map_err(|e| e.to_string()));
            match rule {
                Ok(rule) => rules.push(rule),
                Err(e) => return json_error(StatusCode::BAD_REQUEST, &e),
            }
        }
        let mut faults = lock(&shared.faults);
        for rule in rules {
            faults.add(rule);
        }
    } else if method == HttpMethod::DELETE {
        lock(&shared.faults).clear();
    } else if method != HttpMethod::GET {
        return json_error(StatusCode::METHOD_NOT_ALLOWED, "use GET, POST or DELETE");
    }
    let rules = lock(&shared.faults).list();
    let items: Vec<Value> = rules.iter().map(fault::FaultRule::to_json).collect();
    json_ok(Value::Array(items).to_string())
}
