//! Recurring debit (周期扣款): a monthly plan, signed once, debited every month.
//!
//! ```text
//! cargo run --example subscription
//! ```
//!
//! The merchant renders the agreement signing page (`alipay.user.agreement.page.sign`); offline,
//! the embedded sandbox plays the subscriber's browser
//! ([`Sandbox::sign_agreement_in_cashier`]), and Alipay's `dut_user_sign` notification brings
//! the agreement number. The merchant then debits the first month, the subscriber cancels, and
//! the next month's debit is refused. With `ALIPAY_*` variables set (see the quickstart) it only
//! prints the signing URL and the app string: signing needs a real user.
//!
//! [`Sandbox::sign_agreement_in_cashier`]: alipay::sandbox::Sandbox::sign_agreement_in_cashier

use std::time::{SystemTime, UNIX_EPOCH};

use alipay::notify::Kind;
use alipay::payment::agreement::{
    AccessParams, AgreementPageSign, AgreementParams, AgreementPay, AgreementQuery,
    AgreementUnsign, PeriodRuleParams,
};
use alipay::{Amount, Error};
use alipay_examples::{NotifyEndpoint, Target};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut endpoint, listener) = NotifyEndpoint::bind().await?;
    let (client, target) = alipay_examples::connect(Some(&endpoint.url)).await?;
    endpoint.serve(listener, client.clone());

    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
    let plan = format!("PLAN{stamp}");
    let monthly = Amount::new("15.00")?;
    let signing = AgreementPageSign::builder()
        .personal_product_code("CYCLE_PAY_AUTH_P")
        .product_code("CYCLE_PAY_AUTH")
        .sign_scene("INDUSTRY|DIGITAL_MEDIA")
        .external_agreement_no(plan.clone())
        .access_params(AccessParams::channel("ALIPAYAPP"))
        .period_rule_params(PeriodRuleParams::new(
            "MONTH",
            1,
            "2026-12-05",
            monthly.clone(),
        ))
        .build();
    let url = client.render(signing.clone()).page_url()?;
    let app_string = client.render(signing).order_string()?;
    println!("Plan {plan}: 15.00 yuan a month, at most 15.00 per debit.");
    println!("The subscriber signs on this page:\n  {url}");
    println!(
        "(a mobile app hands this signed string to the Alipay app instead: {} characters)",
        app_string.len()
    );

    let Target::Sandbox { sandbox, .. } = &target else {
        return Ok(());
    };

    // The subscriber opens the page and agrees.
    sandbox.sign_agreement_in_cashier(&url).await?;
    let notification = endpoint.next().await.ok_or("no notification")??;
    let Kind::AgreementSigned(signed) = notification.kind()? else {
        return Err("expected the agreement signed notification".into());
    };
    println!(
        "Alipay told us the subscriber signed: agreement {} for our plan {}.",
        signed.agreement_no,
        signed.external_agreement_no.as_deref().unwrap_or("?")
    );
    let agreement = client
        .send(
            AgreementQuery::builder()
                .agreement_no(signed.agreement_no.clone())
                .build(),
        )
        .await?;
    println!(
        "The agreement is {}; next debit planned on {}.",
        agreement.status,
        agreement.next_deduct_time.as_deref().unwrap_or("?")
    );

    // The first month is debited without asking the subscriber.
    let debit = |month: &str| {
        AgreementPay::builder()
            .out_trade_no(format!("{plan}-{month}"))
            .total_amount(monthly.clone())
            .subject(format!("Plan {plan}, {month}"))
            .product_code("CYCLE_PAY_AUTH")
            .agreement_params(AgreementParams::new(signed.agreement_no.clone()))
            .build()
    };
    let paid = client.send(debit("2026-12")).await?;
    println!(
        "December: {} yuan debited (trade {}).",
        paid.total_amount, paid.trade_no
    );
    let notification = endpoint.next().await.ok_or("no notification")??;
    if let Kind::Trade(trade) = notification.kind()? {
        println!(
            "Alipay confirmed the payment of {}: {}.",
            trade.out_trade_no, trade.trade_status
        );
    }

    // The subscriber cancels; Alipay tells us.
    client
        .send(
            AgreementUnsign::builder()
                .agreement_no(signed.agreement_no.clone())
                .build(),
        )
        .await?;
    let notification = endpoint.next().await.ok_or("no notification")??;
    if let Kind::AgreementUnsigned(gone) = notification.kind()? {
        println!(
            "Alipay told us the agreement {} is now {}.",
            gone.agreement_no, gone.status
        );
    }

    // January's debit is refused: the agreement is no longer active.
    match client.send(debit("2027-01")).await {
        Err(Error::Api(refused)) => println!(
            "January: not debited, Alipay refused ({}: {}).",
            refused.sub_code.as_deref().unwrap_or(""),
            refused.sub_msg.as_deref().unwrap_or("")
        ),
        Ok(_) => return Err("a cancelled agreement was debited".into()),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
