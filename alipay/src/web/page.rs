//! The page (or WAP) pay form as an HTML response.

use crate::request::LocalRequest;
use crate::{Error, Render};

/// An HTML page holding the auto-submitting pay form of
/// [`Render::page_form`] (`alipay.trade.page.pay`,
/// <https://opendocs.alipay.com/open/028r8t>, or
/// `alipay.trade.wap.pay`), answered as `text/html; charset=utf-8` (axum `IntoResponse`,
/// actix-web `Responder`). The buyer's browser loads it and goes on to the Alipay cashier.
///
/// ```
/// use alipay::payment::page::TradePagePay;
/// use alipay::web::PageForm;
/// use alipay::{Amount, Client};
///
/// fn checkout(client: &Client) -> Result<PageForm, Box<dyn std::error::Error>> {
///     let page = PageForm::new(client.render(
///         TradePagePay::builder()
///             .out_trade_no("T-1001")
///             .total_amount(Amount::new("88.80")?)
///             .subject("Iced tea")
///             .build(),
///     ))?;
///     Ok(page)
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageForm {
    html: String,
}

impl PageForm {
    /// Renders the form (signing the request) into a whole page.
    pub fn new<R: LocalRequest>(render: Render<'_, R>) -> Result<Self, Error> {
        Ok(Self::from_form(&render.page_form()?))
    }

    /// A page around a form already rendered with [`Render::page_form`].
    ///
    /// ```
    /// let page = alipay::web::PageForm::from_form("<form></form>");
    /// assert!(page.html().contains("<body>\n<form></form>\n</body>"));
    /// ```
    pub fn from_form(form: &str) -> Self {
        Self {
            html: format!(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
                 <title>Alipay</title></head>\n<body>\n{form}\n</body></html>\n"
            ),
        }
    }

    /// The page.
    pub fn html(&self) -> &str {
        &self.html
    }

    /// The page, by value.
    pub fn into_html(self) -> String {
        self.html
    }

    /// The `Content-Type` it is answered with.
    pub const CONTENT_TYPE: &'static str = "text/html; charset=utf-8";
}
