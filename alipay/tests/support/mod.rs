//! What the tests of the `alipay` binary share.

/// The proxy variables `alipay call` honours when no `--proxy` is given (curl's names, both
/// cases): cleared so the caller's shell cannot change a test.
pub(crate) const PROXY_VARIABLES: [&str; 8] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];
