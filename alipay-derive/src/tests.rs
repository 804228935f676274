//! Snapshots of whole expansions: each `tests/expand/NAME.rs` holds one derive input, and
//! `tests/expand/NAME.expanded.rs` the code it expands to, formatted with prettyplease. A change
//! to the generated code fails here until the snapshot is regenerated with
//! `ALIPAY_DERIVE_BLESS=1 cargo test -p alipay-derive` and the diff read before committing it.

use std::path::{Path, PathBuf};

/// Set to regenerate the snapshots instead of comparing with them.
const BLESS: &str = "ALIPAY_DERIVE_BLESS";

/// The expansion of `input`, formatted.
fn expand(input: &str) -> String {
    let input: syn::DeriveInput = syn::parse_str(input).expect("the input is a struct");
    let file: syn::File = syn::parse2(crate::expand::derive(&input)).expect("items");
    prettyplease::unparse(&file)
}

/// Compares the expansion of `tests/expand/NAME.rs` with `tests/expand/NAME.expanded.rs`, or
/// writes it there when [`BLESS`] is set.
fn check(name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let input = std::fs::read_to_string(dir.join(format!("{name}.rs"))).expect("read the input");
    let actual = expand(&input);
    let snapshot: PathBuf = dir.join(format!("{name}.expanded.rs"));
    if std::env::var_os(BLESS).is_some() {
        std::fs::write(&snapshot, &actual).expect("write the snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&snapshot).unwrap_or_default();
    if actual == expected {
        return;
    }
    let (line, (want, got)) = expected
        .lines()
        .chain(std::iter::repeat("<end of file>"))
        .zip(actual.lines().chain(std::iter::repeat("<end of file>")))
        .enumerate()
        .find(|(_, (want, got))| want != got)
        .expect("the texts differ");
    panic!(
        "the expansion of tests/expand/{name}.rs differs from {} at line {}:\n  \
         expected: {want}\n  actual:   {got}\n\
         If the change is intended, rerun with {BLESS}=1 and review the diff.",
        snapshot.display(),
        line + 1,
    );
}

#[test]
fn uni_transfer() {
    check("uni_transfer");
}

#[test]
fn generic_upload() {
    check("generic_upload");
}
