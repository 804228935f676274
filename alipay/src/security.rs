//! Security capabilities (安全能力).
//!
//! | Easy SDK call | request | Alipay method |
//! |---|---|---|
//! | `TextRisk.detect` | [`text_risk::RiskContentDetect`] | `alipay.security.risk.content.detect` |

pub mod text_risk;
