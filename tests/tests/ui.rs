//! Compile-time checks of `#[derive(Request)]`: the mistakes it reports (with their exact
//! messages, in `ui/fail/*.stderr`) and the inputs it accepts (`ui/pass`).
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p alipay-tests --test ui`
//! and read every changed `.stderr` before committing it.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
