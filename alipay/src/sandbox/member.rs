//! Member methods: identity certification (`alipay.user.certify.open.*`).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::api::Call;
use super::random;
use super::wire::{Failure, Node};
use super::{CertificationSnapshot, SandboxError, lock};

/// The scenes `biz_code` may name.
const BIZ_CODES: [&str; 4] = ["FACE", "CERT_PHOTO", "CERT_PHOTO_FACE", "SMART_FACE"];
/// The certificate types `identity_param.cert_type` may name.
const CERT_TYPES: [&str; 5] = [
    "IDENTITY_CARD",
    "HOME_VISIT_PERMIT_HK_MC",
    "HOME_VISIT_PERMIT_TAIWAN",
    "RESIDENCE_PERMIT_HK_MC",
    "RESIDENCE_PERMIT_TAIWAN",
];

/// Every certification, by `certify_id`.
#[derive(Debug, Default)]
pub(crate) struct State {
    records: HashMap<String, Record>,
}

#[derive(Debug, Clone)]
struct Record {
    snapshot: CertificationSnapshot,
    cert_type: String,
}

impl State {
    /// A certification, whichever app it belongs to.
    pub(crate) fn snapshot(&self, certify_id: &str) -> Option<CertificationSnapshot> {
        self.records.get(certify_id).map(|r| r.snapshot.clone())
    }

    /// The snapshot if the certification belongs to `app_id`.
    pub(crate) fn of_app(&self, app_id: &str, certify_id: &str) -> Option<CertificationSnapshot> {
        self.snapshot(certify_id).filter(|s| s.app_id == app_id)
    }

    /// The user passes or fails; only once.
    pub(crate) fn complete(
        &mut self,
        certify_id: &str,
        passed: bool,
    ) -> Result<CertificationSnapshot, SandboxError> {
        let Some(record) = self.records.get_mut(certify_id) else {
            return Err(SandboxError::UnknownCertification {
                certify_id: certify_id.to_owned(),
            });
        };
        if record.snapshot.passed.is_some() {
            return Err(SandboxError::CertificationCompleted {
                certify_id: certify_id.to_owned(),
            });
        }
        record.snapshot.passed = Some(passed);
        Ok(record.snapshot.clone())
    }
}

/// The refusal of an unknown (or another app's) `certify_id`.
pub(crate) fn expired() -> Failure {
    Failure::business("CERTIFY_ID_EXPIRED", "认证已失效，请重新发起认证")
}

/// `alipay.user.certify.open.initialize`: `outer_order_no`, `biz_code`, `identity_param` (with
/// `identity_type` `CERT_INFO`, `cert_type`, `cert_name`, `cert_no`) and `merchant_config`
/// (`return_url` optional) → `certify_id`.
pub(crate) fn initialize(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = &call.biz;
    let outer_order_no = biz.required("outer_order_no")?;
    let biz_code = biz.required("biz_code")?;
    if !BIZ_CODES.contains(&&*biz_code) {
        return Err(Failure::invalid(
            "isv.invalid-parameter",
            "认证场景码biz_code只能是FACE、CERT_PHOTO、CERT_PHOTO_FACE或SMART_FACE",
        ));
    }
    let identity = biz.required_object("identity_param")?;
    let field = |key: &str| {
        identity
            .text(key)?
            .ok_or_else(|| Failure::missing_field(&format!("identity_param.{key}")))
    };
    if field("identity_type")? != "CERT_INFO" {
        return Err(Failure::invalid(
            "isv.invalid-parameter",
            "身份信息参数类型identity_type必须是CERT_INFO",
        ));
    }
    let cert_type = field("cert_type")?;
    if !CERT_TYPES.contains(&&*cert_type) {
        return Err(Failure::invalid(
            "isv.invalid-parameter",
            "证件类型cert_type不支持",
        ));
    }
    let cert_name = field("cert_name")?;
    let cert_no = field("cert_no")?;
    let merchant = biz.required_object("merchant_config")?;
    let return_url = merchant.text("return_url")?;
    let certify_id = random::random_hex(32);
    let snapshot = CertificationSnapshot {
        app_id: call.app_id.to_owned(),
        certify_id: certify_id.clone(),
        outer_order_no: outer_order_no.into_owned(),
        biz_code: biz_code.into_owned(),
        cert_name: cert_name.into_owned(),
        cert_no: cert_no.into_owned(),
        return_url: return_url.map(|u| u.into_owned()),
        passed: None,
    };
    lock(&call.shared.certifications).records.insert(
        certify_id.clone(),
        Record {
            snapshot,
            cert_type: cert_type.into_owned(),
        },
    );
    let mut node = Node::success();
    node.str("certify_id", &certify_id);
    Ok(node)
}

/// `alipay.user.certify.open.query`: `passed` `T` once the user passed (`F` before or when
/// failed), with `identity_info` and `material_info` (JSON strings) once passed.
pub(crate) fn query(call: &mut Call<'_>) -> Result<Node, Failure> {
    let certify_id = call.biz.required("certify_id")?;
    let state = lock(&call.shared.certifications);
    let Some(record) = state
        .records
        .get(&*certify_id)
        .filter(|r| r.snapshot.app_id == call.app_id)
    else {
        return Err(expired());
    };
    let passed = record.snapshot.passed == Some(true);
    let mut node = Node::success();
    node.str("passed", if passed { "T" } else { "F" });
    if passed {
        let identity: Value = json!({
            "identity_type": "CERT_INFO",
            "cert_type": record.cert_type,
            "cert_name": record.snapshot.cert_name,
            "cert_no": record.snapshot.cert_no,
        });
        let material: Value = json!({
            "FACIAL_PICTURE_FRONT": base64_png(),
        });
        node.str("identity_info", &identity.to_string())
            .str("material_info", &material.to_string());
    }
    Ok(node)
}

/// The "face photo" of a passed certification: the sandbox's 1×1 PNG, in base64.
fn base64_png() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(super::open::PNG_1X1)
}
