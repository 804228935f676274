//! Payment APIs (支付能力), one module per product.

pub mod common;
