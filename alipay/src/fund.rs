//! Funds (资金): payouts from the merchant's balance to Alipay accounts.
//!
//! | module | requests |
//! |---|---|
//! | [`payouts`] | transfer (转账), its query and refund, the account balance, e-receipts |

pub mod payouts;
