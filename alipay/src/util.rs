//! Utilities (辅助工具): AES encryption with the app's AES key, and the generic call for any
//! Alipay method this crate does not ship.
//!
//! | Easy SDK call | here |
//! |---|---|
//! | `AES.encrypt` / `AES.decrypt` | [`Client::aes_encrypt`](crate::Client::aes_encrypt) / [`Client::aes_decrypt`](crate::Client::aes_decrypt) ([`aes`]) |
//! | `Generic.execute` | [`Client::execute`](crate::Client::execute), [`generic::Generic`] |
//! | `Generic.fileExecute` | [`generic::Generic::file`] |
//! | `Generic.sdkExecute` | [`Client::sdk_execute`](crate::Client::sdk_execute), [`generic::GenericLocal`] |

pub mod aes;
pub mod generic;
