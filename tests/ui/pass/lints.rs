// The generated code is clean under strict lints, for public and private requests alike.
#![deny(warnings, missing_docs, unreachable_pub, unused, rust_2018_idioms)]
//! Lint check.

/// Public requests.
pub mod public {
    /// The answer.
    #[derive(serde::Deserialize)]
    pub struct Answer {}

    /// A public request.
    #[derive(alipay::Request)]
    #[alipay(method = "alipay.trade.query", response = Answer)]
    pub struct Query<T: Clone> {
        /// Required.
        pub out_trade_no: String,
        /// Optional.
        pub extra: Option<T>,
        /// Defaulted.
        #[alipay(default)]
        pub count: u32,
        /// Skipped by serde.
        #[serde(skip)]
        #[alipay(default)]
        pub internal: u32,
        /// A text parameter.
        #[alipay(text)]
        pub token: Option<String>,
    }

    /// A public local request.
    #[derive(alipay::Request)]
    #[alipay(
        method = "alipay.trade.page.pay",
        local,
        fixed_biz(product_code = "FAST_INSTANT_TRADE_PAY")
    )]
    pub struct PagePay {}

    /// A public upload.
    #[derive(alipay::Request)]
    #[alipay(method = "alipay.offline.material.image.upload", response = Answer, upload)]
    pub struct Upload {
        /// The image.
        #[alipay(file)]
        pub image_content: alipay::request::FilePart,
    }
}

mod private {
    #[derive(alipay::Request)]
    #[alipay(method = "alipay.trade.query", response = serde_json::Value)]
    struct Private {
        a: String,
        b: Option<u32>,
    }

    #[derive(alipay::Request)]
    #[alipay(method = "alipay.trade.query", response = serde_json::Value)]
    pub(crate) struct Crate {
        a: String,
    }

    #[derive(alipay::Request)]
    #[alipay(method = "alipay.trade.query", response = serde_json::Value)]
    pub(super) struct Super<'a> {
        a: &'a str,
    }
}

fn main() {}
