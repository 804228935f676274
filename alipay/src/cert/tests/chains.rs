//! Chains of generated certificates: a chain that verifies, a forged certificate that does not
//! chain, validity checked along the chain, and the other RSA digests.

use super::*;

#[test]
fn chains_of_generated_certificates() {
    let pki = pki();
    let roots = [pki.root.cert.clone()];
    // Leaf → tricky CA → root.
    verify_chain(
        &pki.high_serial_leaf,
        std::slice::from_ref(&pki.tricky.cert),
        &roots,
        JAN_2025,
    )
    .expect("leaf chains through the intermediate");
    pki.high_serial_leaf
        .verify_signed_by(&pki.tricky.cert)
        .expect("signed by the tricky CA");
    // The intermediate itself chains; with irrelevant intermediates and roots around too.
    verify_chain(
        &pki.tricky.cert,
        &[pki.not_a_ca.clone(), pki.ecdsa_root.cert.clone()],
        &[
            pki.ecdsa_root.cert.clone(),
            pki.fake_root.cert.clone(),
            pki.root.cert.clone(),
        ],
        JAN_2025,
    )
    .expect("intermediate chains to the root");
    // A root is trusted as itself.
    verify_chain(&pki.root.cert, &[], &roots, JAN_2025).expect("root");
}

#[test]
fn a_forged_certificate_does_not_chain() {
    let pki = pki();
    let roots = [pki.root.cert.clone()];
    // Same issuer name as the real root, another key.
    assert_eq!(pki.forged_leaf.issuer(), pki.root.cert.subject());
    let err = verify_chain(&pki.forged_leaf, &[], &roots, JAN_2025).expect_err("forged");
    match &err {
        CertError::NotChained { subject, reason } => {
            assert!(subject.starts_with("OU=Alipay,CN=支付宝"), "{subject}");
            assert!(reason.contains("does not verify"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        pki.forged_leaf.verify_signed_by(&pki.root.cert),
        Err(CertError::BadSignature { .. })
    ));
    // Nor through the fake root presented as an intermediate.
    assert!(matches!(
        verify_chain(
            &pki.forged_leaf,
            std::slice::from_ref(&pki.fake_root.cert),
            &roots,
            JAN_2025
        ),
        Err(CertError::NotChained { .. })
    ));
    // A certificate issued by a non-CA certificate (e.g. a merchant's own app certificate).
    let err = verify_chain(
        &pki.below_not_a_ca,
        std::slice::from_ref(&pki.not_a_ca),
        &roots,
        JAN_2025,
    )
    .expect_err("not a CA");
    assert!(err.to_string().contains("is not a CA certificate"), "{err}");
}

#[test]
fn validity_is_checked_along_the_chain() {
    let pki = pki();
    let roots = [pki.root.cert.clone()];
    let err = verify_chain(&pki.expired_leaf, &[], &roots, JAN_2025).expect_err("expired");
    assert!(matches!(err, CertError::Expired { .. }), "{err}");
    verify_chain(&pki.expired_leaf, &[], &roots, 977_000_000).expect("valid in 2000");
    // The leaf is checked first.
    let err = verify_chain(
        &pki.high_serial_leaf,
        std::slice::from_ref(&pki.tricky.cert),
        &roots,
        1_262_304_000, // 2010
    )
    .expect_err("not yet valid");
    assert!(matches!(err, CertError::NotYetValid { .. }), "{err}");
    // An expired intermediate breaks the chain of a valid leaf.
    let mut ca_params = ca_params(&[(DnType::CommonName, printable("Short-lived CA"))]);
    ca_params.not_after = date_time_ymd(2022, 1, 1);
    let ca = issue(&ca_params, &pki.leaf_key, &pki.root);
    let leaf = issue_by(
        &leaf_params("leaf"),
        &pki.leaf_key,
        &Issuer::from_params(&ca_params, &pki.leaf_key),
    );
    verify_chain(&leaf, std::slice::from_ref(&ca), &roots, 1_640_000_000).expect("in 2021");
    let err = verify_chain(&leaf, &[ca], &roots, JAN_2025).expect_err("expired CA");
    match &err {
        CertError::NotChained { reason, .. } => assert!(
            reason.contains("`CN=Short-lived CA` expired at 2022-01-01 00:00:00 UTC"),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_rsa_digests_verify() {
    let pki = pki();
    for alg in [&PKCS_RSA_SHA384, &PKCS_RSA_SHA512] {
        let key = rsa_key(alg);
        let params = ca_params(&[(DnType::CommonName, printable("SHA-2 root"))]);
        let root = self_signed(params, key);
        root.cert
            .verify_signed_by(&root.cert)
            .expect("self-signature");
        let leaf = issue(&leaf_params("leaf"), &pki.leaf_key, &root);
        verify_chain(&leaf, &[], std::slice::from_ref(&root.cert), JAN_2025).expect("chain");
    }
    assert_eq!(
        Certificate::from_der(pki.ecdsa_root.cert.der())
            .expect("ECDSA root")
            .verify_signed_by(&pki.ecdsa_root.cert)
            .map_err(|e| e.to_string()),
        Err(
            "unsupported algorithm 1.2.840.10045.4.3.2: only RSA PKCS#1 v1.5 signatures \
             (SHA-1, SHA-256, SHA-384, SHA-512) are verified"
                .to_owned()
        )
    );
}
