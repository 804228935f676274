//! Funds (资金): money held or moved outside a trade.
//!
//! | module | requests |
//! |---|---|
//! | [`payouts`] | transfer (转账), its query and refund, the account balance, e-receipts |
//! | [`preauth`] | pre-authorisation (预授权): freeze, app freeze (rendered locally), voucher, unfreeze, cancel, detail query, pay from a freeze, order info sync |

pub mod payouts;
pub mod preauth;
