//! Payment APIs (支付能力), one module per product.
//!
//! | Easy SDK | module | requests |
//! |---|---|---|
//! | `Common` | [`common`] | create, query, refund, asynchronous refund, close, cancel, refund query, bill URL |
//! | `Huabei` | [`huabei`] | [`HuabeiCreate`](huabei::HuabeiCreate) |
//! | `FaceToFace` | [`face_to_face`] | [`TradePay`](face_to_face::TradePay), [`TradePrecreate`](face_to_face::TradePrecreate) |
//! | `Page` | [`page`] | [`TradePagePay`](page::TradePagePay) (rendered locally) |
//! | `Wap` | [`wap`] | [`TradeWapPay`](wap::TradeWapPay) (rendered locally) |
//! | `App` | [`app`] | [`TradeAppPay`](app::TradeAppPay) (rendered locally) |
//! | (recurring debit) | [`agreement`] | [`AgreementPageSign`](agreement::AgreementPageSign) (rendered locally), query, unsign, execution plan, [`AgreementPay`](agreement::AgreementPay) |
//! | — | [`settle`] | settlement (分账): receivers, [`TradeOrderSettle`](settle::TradeOrderSettle), its queries |

pub mod agreement;
pub mod app;
pub mod common;
pub mod face_to_face;
pub mod huabei;
pub mod page;
pub mod settle;
pub mod wap;
