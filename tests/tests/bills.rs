//! Bills: archives and files built here in both shapes (`trade`, `signcustomer`), old and new
//! column sets, hostile archives (each refused with a typed error, next to a control that
//! passes), and the download from the embedded sandbox over loopback.

#[path = "support/billzip.rs"]
mod billzip;
#[path = "support/logs.rs"]
mod logs;

use std::io::{Cursor, Write as _};
use std::sync::{Arc, Mutex};

use alipay::bill::{
    AccountRow, BillArchive, BillDate, BillError, BillFile, BillType, FileKind, TradeRow,
    UnpackLimits,
};
use alipay::payment::common::{TradeCreate, TradeRefund};
use alipay::{Amount, Client, Error};
use billzip::{Entry, gbk, zip_stored};

fn file(text: &str) -> BillFile {
    BillFile::from_bytes(gbk(text)).expect("bill file")
}

fn trade_rows(file: &BillFile) -> Result<Vec<TradeRow>, BillError> {
    file.trade_rows().collect()
}

fn cents(amount: &Option<Amount>) -> i64 {
    amount.as_ref().map_or(0, Amount::signed_cents)
}

/// A trade archive: detail then summary, GBK names.
fn trade_archive(detail: &str) -> Vec<u8> {
    zip_stored(&[
        Entry::gbk("2088_20260605_业务明细.csv", gbk(detail)),
        Entry::gbk(
            "2088_20260605_业务明细(汇总).csv",
            gbk("#支付宝业务汇总查询\r\n门店编号,交易订单总笔数\r\n合计,2\r\n"),
        ),
    ])
}

/// A deflated archive written with the zip crate.
fn deflated(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        writer.start_file(*name, options).expect("entry");
        writer.write_all(data).expect("write");
    }
    writer.finish().expect("zip").into_inner()
}

#[test]
fn trade_bill_new_columns_typed_with_metadata_and_checked_totals() {
    let archive = BillArchive::open(&trade_archive(&billzip::trade_detail_new(
        billzip::TRADE_FOOTER,
    )))
    .expect("archive");
    assert_eq!(
        archive.entry_names(),
        [
            "2088_20260605_业务明细.csv",
            "2088_20260605_业务明细(汇总).csv"
        ]
    );
    let detail = archive.detail();
    assert_eq!(detail.kind(), FileKind::TradeDetail);
    assert_eq!(
        archive.summary().map(BillFile::kind),
        Some(FileKind::TradeSummary)
    );
    let meta = detail.metadata();
    assert_eq!(meta.account.as_deref(), Some("20880000000000010156"));
    assert_eq!(
        meta.start.map(|t| t.to_string()).as_deref(),
        Some("2026-06-05 00:00:00")
    );
    assert_eq!(
        meta.end.map(|t| t.to_string()).as_deref(),
        Some("2026-06-06 00:00:00")
    );
    assert_eq!(
        meta.exported.map(|t| t.to_string()).as_deref(),
        Some("2026-06-06 09:01:02")
    );
    assert_eq!(meta.totals.len(), 2);
    assert_eq!(meta.totals[1].label, "退款");
    assert_eq!(meta.totals[1].amounts[0].1.signed_cents(), -100);

    let mut records = detail.records();
    let all: Vec<_> = records.by_ref().collect::<Result<_, _>>().expect("rows");
    assert_eq!(all.len(), 3);
    // Count and 商家实收 of both footer lines, plus 商家优惠 of both.
    assert_eq!(records.totals_checked(), 6);
    assert_eq!(
        all[0].get("支付宝交易号"),
        Some("2026060522001419931441931972")
    );

    let rows = trade_rows(detail).expect("typed rows");
    let refund = &rows[2];
    assert!(refund.is_refund() && !rows[0].is_refund());
    // Trailing tabs and spaces are gone.
    assert_eq!(refund.out_trade_no, "T-1");
    assert_eq!(refund.refund_request_no, "R-1");
    assert_eq!(refund.remark, "");
    assert_eq!(cents(&refund.receipt_amount), -100);
    assert_eq!(cents(&rows[0].service_fee), -6);
    assert_eq!(
        rows[0].created.map(|t| t.to_string()).as_deref(),
        Some("2026-06-05 10:00:00")
    );
    assert_eq!(rows[0].finished.map(|t| t.second()), Some(5));
    assert!(rows[0].extra.is_empty());
    assert_eq!(rows[1].line, 7);
}

#[test]
fn trade_bill_old_columns_by_name_with_unknown_ones_kept() {
    let rows = trade_rows(&file(&billzip::trade_detail_old())).expect("old column set");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].subject, "茶,大杯");
    assert_eq!(cents(&rows[0].total_amount), 500);
    assert_eq!(rows[0].service_fee, None);
    assert_eq!(
        rows[0].extra.get("资金渠道").map(String::as_str),
        Some("余额")
    );
}

#[test]
fn signcustomer_summary_first_both_column_sets() {
    for (detail, income, expense) in [
        (billzip::account_detail_old(), 227_400, -7_400),
        (billzip::account_detail_new(), 0, -60),
    ] {
        let zip = zip_stored(&[
            Entry::gbk(
                "2088_20121229_账务明细(汇总).csv",
                gbk(&billzip::account_summary()),
            ),
            Entry::gbk("2088_20121229_账务明细.csv", gbk(&detail)),
        ]);
        let archive = BillArchive::open(&zip).expect("archive");
        assert_eq!(archive.detail().kind(), FileKind::AccountDetail);
        assert_eq!(archive.detail().name(), "2088_20121229_账务明细.csv");
        assert_eq!(
            archive.summary().map(BillFile::kind),
            Some(FileKind::AccountSummary)
        );
        let rows: Vec<AccountRow> = archive
            .detail()
            .account_rows()
            .collect::<Result<_, _>>()
            .expect("rows and totals agree");
        let sum =
            |f: fn(&AccountRow) -> &Option<Amount>| rows.iter().map(|r| cents(f(r))).sum::<i64>();
        assert_eq!((sum(|r| &r.income), sum(|r| &r.expense)), (income, expense));
        assert!(!rows[0].account_log_id.ends_with('\t'));
    }
    let new = file(&billzip::account_detail_new());
    let row = new.account_rows().next().expect("row").expect("typed");
    assert_eq!(
        (row.biz_base_order_no.as_str(), row.description.as_str()),
        ("B-1", "服务费")
    );
    let old = file(&billzip::account_detail_old());
    assert_eq!(
        old.metadata().footer_lines.last().map(String::as_str),
        Some("导出时间：[2012年12月31日 13:19:01]")
    );
}

#[test]
fn unsafe_entry_names_are_refused() {
    let detail = gbk(&billzip::trade_detail_new(billzip::TRADE_FOOTER));
    for name in [
        "../业务明细.csv",
        "a/../../业务明细.csv",
        "/tmp/业务明细.csv",
        "..\\业务明细.csv",
        "C:\\业务明细.csv",
    ] {
        let zip = zip_stored(&[Entry::gbk(name, detail.clone())]);
        assert_eq!(
            BillArchive::open(&zip).err(),
            Some(BillError::UnsafePath {
                name: name.to_owned()
            }),
            "{name}"
        );
    }
    // Control: a nested name, and a GBK name whose second byte is 0x5C (`\` in ASCII).
    for name in ["2088/业务明细.csv", "乗_业务明细.csv"] {
        let zip = zip_stored(&[Entry::gbk(name, detail.clone())]);
        let archive = BillArchive::open(&zip).expect(name);
        assert_eq!(archive.entry_names(), [name]);
    }
}

#[test]
fn links_are_refused() {
    let detail = gbk(&billzip::trade_detail_new(billzip::TRADE_FOOTER));
    let entry = |mode| Entry {
        name: gbk("业务明细.csv"),
        data: detail.clone(),
        unix_mode: Some(mode),
    };
    assert_eq!(
        BillArchive::open(&zip_stored(&[entry(0o120_777)])).err(),
        Some(BillError::NotAFile {
            name: "业务明细.csv".to_owned()
        })
    );
    assert!(BillArchive::open(&zip_stored(&[entry(0o100_644)])).is_ok());
}

#[test]
fn decompression_bombs_are_refused() {
    let detail = billzip::trade_detail_new(billzip::TRADE_FOOTER);
    let zeros = vec![b'0'; 8 << 20];
    let bomb = deflated(&[("detail.csv", &gbk(&detail)), ("pad.csv", &zeros)]);
    assert!(
        bomb.len() < 64 << 10,
        "the bomb compresses well: {}",
        bomb.len()
    );
    // By ratio (8 MiB from a few KiB), by entry size, by total size.
    for (limits, what) in [
        (UnpackLimits::default(), "the compression ratio"),
        (
            UnpackLimits::default()
                .max_ratio(100_000)
                .max_entry_size(1 << 20),
            "the size of one entry",
        ),
        (
            UnpackLimits::default()
                .max_ratio(100_000)
                .max_total_size(4 << 20),
            "the total size",
        ),
    ] {
        match BillArchive::open_with(&bomb, limits) {
            Err(BillError::TooLarge { name, limit }) => {
                assert_eq!(name, "pad.csv");
                assert!(limit.starts_with(what), "{limit}");
            }
            other => panic!("{what}: {other:?}"),
        }
    }
    assert!(matches!(
        BillArchive::open_with(&bomb, UnpackLimits::default().max_entries(1)),
        Err(BillError::TooManyEntries { found: 2, limit: 1 })
    ));
    // Control: generous limits let the same archive through, and an ordinary compressed bill
    // passes the defaults.
    assert!(BillArchive::open_with(&bomb, UnpackLimits::default().max_ratio(100_000)).is_ok());
    let ordinary = deflated(&[("detail.csv", &gbk(&detail))]);
    assert_eq!(
        trade_rows(BillArchive::open(&ordinary).expect("ordinary").detail()).map(|r| r.len()),
        Ok(3)
    );
}

#[test]
fn broken_archives_are_typed_errors() {
    let zip = trade_archive(&billzip::trade_detail_new(billzip::TRADE_FOOTER));
    for bad in [&zip[..zip.len() / 2], b"PK\x03\x04", b"", b"not a zip"] {
        assert!(matches!(BillArchive::open(bad), Err(BillError::Zip(_))));
    }
    // A flipped byte in the data fails the checksum.
    let mut flipped = zip.clone();
    let at = flipped.windows(4).position(|w| w == b"T-1\t").expect("row");
    flipped[at] = b'X';
    assert!(matches!(
        BillArchive::open(&flipped),
        Err(BillError::Zip(_))
    ));
    // No detail file.
    let summary_only = zip_stored(&[Entry::gbk("汇总.csv", gbk(&billzip::account_summary()))]);
    assert!(matches!(
        BillArchive::open(&summary_only),
        Err(BillError::NoDetail { .. })
    ));
    assert!(BillArchive::open(&zip).is_ok());
}

#[test]
fn bytes_that_are_not_gbk_are_refused_with_their_line() {
    let good = gbk(&billzip::trade_detail_new(billzip::TRADE_FOOTER));
    let at = good.windows(4).position(|w| w == b"T-2\t").expect("row");
    let mut bad = good.clone();
    bad[at + 1] = 0xFF;
    let file = BillFile::from_bytes(bad).expect("header lines are fine");
    assert_eq!(
        trade_rows(&file).err(),
        Some(BillError::Encoding { line: 7 })
    );
    let mut bad_header = good.clone();
    bad_header[1] = 0x80;
    assert_eq!(
        BillFile::from_bytes(bad_header).err(),
        Some(BillError::Encoding { line: 1 })
    );
    assert!(trade_rows(&BillFile::from_bytes(good).expect("control")).is_ok());
}

#[test]
fn a_row_with_fewer_columns_is_refused() {
    let text = billzip::trade_detail_new(billzip::TRADE_FOOTER);
    let short = text.replacen(",,-0.06,0.00,  \r\n", "\r\n", 1);
    assert_ne!(short, text);
    assert_eq!(
        trade_rows(&file(&short)).err(),
        Some(BillError::Columns {
            line: 6,
            expected: 25,
            found: 21
        })
    );
    let missing = file("#支付宝业务明细查询\n商户订单号,业务类型\nT-1,交易\n");
    assert_eq!(
        trade_rows(&missing).err(),
        Some(BillError::MissingColumn("支付宝交易号".to_owned()))
    );
    let bad_amount = text.replacen(",9.90,9.90,", ",9.90,9,90,", 1);
    assert!(matches!(
        trade_rows(&file(&bad_amount)),
        Err(BillError::Columns { .. })
    ));
    let bad_value = text.replacen(",9.90,9.90,", ",9.90,9.9x,", 1);
    assert!(matches!(
        trade_rows(&file(&bad_value)),
        Err(BillError::Field { line: 6, .. })
    ));
    assert!(trade_rows(&file(&text)).is_ok());
}

#[test]
fn footer_totals_that_do_not_match_the_rows_are_reported() {
    for (footer, label, what) in [
        ("#交易合计：3笔，商家实收共9.93元\r\n", "交易", "笔数"),
        ("#交易合计：2笔，商家实收共9.94元\r\n", "交易", "商家实收"),
        ("#退款合计：1笔，商家实收共1.00元\r\n", "退款", "商家实收"),
    ] {
        let file = file(&billzip::trade_detail_new(footer));
        let results: Vec<_> = file.records().collect();
        // Every row first, then the mismatch.
        assert_eq!(results.len(), 4, "{footer}");
        match results.last() {
            Some(Err(BillError::TotalsMismatch {
                label: l, what: w, ..
            })) => {
                assert_eq!((l.as_str(), w.as_str()), (label, what));
            }
            other => panic!("{footer}: {other:?}"),
        }
    }
    let wrong_income = billzip::account_detail_old().replace("共2274.00元", "共2275.00元");
    assert!(matches!(
        file(&wrong_income).account_rows().last(),
        Some(Err(BillError::TotalsMismatch { .. }))
    ));
    assert!(trade_rows(&file(&billzip::trade_detail_new(billzip::TRADE_FOOTER))).is_ok());
}

/// Every row through [`alipay::bill::TradeRows::read_into`], one row refilled: clones of it.
fn trade_rows_refilled(file: &BillFile) -> Result<Vec<TradeRow>, BillError> {
    let mut rows = file.trade_rows();
    let mut row = TradeRow::default();
    let mut all = Vec::new();
    while rows.read_into(&mut row)? {
        all.push(row.clone());
    }
    Ok(all)
}

#[test]
fn read_into_refills_one_row_with_what_the_iterator_gives() {
    for text in [
        billzip::trade_detail_new(billzip::TRADE_FOOTER),
        billzip::trade_detail_old(),
    ] {
        let file = file(&text);
        let expected = trade_rows(&file).expect("iterator");
        assert!(!expected.is_empty());
        assert_eq!(trade_rows_refilled(&file).expect("refilled"), expected);
    }
    // A row filled from another file first: every field, `extra` too, is replaced.
    let old = file(&billzip::trade_detail_old());
    let new = file(&billzip::trade_detail_new(billzip::TRADE_FOOTER));
    let mut row = TradeRow::default();
    assert_eq!(old.trade_rows().read_into(&mut row), Ok(true));
    assert!(!row.extra.is_empty() && row.total_amount.is_some());
    let mut rows = new.trade_rows();
    assert_eq!(rows.read_into(&mut row), Ok(true));
    assert_eq!(Some(&row), trade_rows(&new).expect("rows").first());
    assert!(row.extra.is_empty());
    while rows.read_into(&mut row).expect("rows") {}
    assert_eq!(rows.records().totals_checked(), 6);
    assert_eq!(rows.read_into(&mut row), Ok(false), "and stays at the end");
}

#[test]
fn read_into_reports_what_the_iterator_reports() {
    let text = billzip::trade_detail_new(billzip::TRADE_FOOTER);
    // 订单金额 is not in a footer total: the row is refused, the next ones are read.
    let bad_total = text.replacen(",9.90,9.90,", ",9.9x,9.90,", 1);
    let file = file(&bad_total);
    let mut rows = file.trade_rows();
    let mut row = TradeRow::default();
    assert!(matches!(
        rows.read_into(&mut row),
        Err(BillError::Field { line: 6, ref column, ref value, .. })
            if column == "订单金额（元）" && value == "9.9x"
    ));
    assert_eq!(rows.read_into(&mut row), Ok(true));
    assert_eq!(row.out_trade_no, "T-2");
    // Bytes that are not GBK: the rows before them are read, then the error ends the reading.
    let mut bad = gbk(&text);
    let at = bad.windows(4).position(|w| w == b"T-2\t").expect("row");
    bad[at + 1] = 0xFF;
    let file = BillFile::from_bytes(bad).expect("header lines are fine");
    let mut rows = file.trade_rows();
    assert_eq!(rows.read_into(&mut row), Ok(true));
    assert_eq!(row.out_trade_no, "T-1");
    assert_eq!(
        rows.read_into(&mut row),
        Err(BillError::Encoding { line: 7 })
    );
    assert_eq!(rows.read_into(&mut row), Ok(false));
    let missing = self::file("#支付宝业务明细查询\n商户订单号,业务类型\nT-1,交易\n");
    assert_eq!(
        missing.trade_rows().read_into(&mut row),
        Err(BillError::MissingColumn("支付宝交易号".to_owned()))
    );
    assert_eq!(
        trade_rows_refilled(&self::file(&text)).map(|r| r.len()),
        Ok(3)
    );
}

#[test]
fn full_width_spaces_are_trimmed_and_footer_labels_still_match() {
    let text = billzip::trade_detail_new(billzip::TRADE_FOOTER).replacen(
        ",交易,冰红茶,",
        ",交易\u{3000},\u{3000}冰红茶,",
        1,
    );
    let file = file(&text);
    let mut records = file.records();
    let first = records.next().expect("a row").expect("read");
    assert_eq!(
        (first.get("业务类型"), first.get("商品名称")),
        (Some("交易"), Some("冰红茶"))
    );
    records.by_ref().for_each(drop);
    assert_eq!(records.totals_checked(), 6, "the 交易 row still counted");
    assert_eq!(trade_rows(&file).expect("rows")[0].subject, "冰红茶");
}

fn today() -> String {
    alipay::time::beijing_timestamp(std::time::SystemTime::now())[..10].to_owned()
}

async fn pay(
    sandbox: &alipay::sandbox::Sandbox,
    app_id: &str,
    client: &Client,
    out: &str,
    total: &str,
) {
    client
        .send(
            TradeCreate::builder()
                .out_trade_no(out)
                .total_amount(Amount::new(total).expect("amount"))
                .subject("账单测试")
                .buyer_id("2088000000000001")
                .build(),
        )
        .await
        .expect("created");
    sandbox.pay(app_id, out).await.expect("paid");
}

#[tokio::test]
async fn sandbox_bills_download_end_to_end_without_showing_the_url() {
    logs::capture();
    let sandbox = alipay::sandbox::Sandbox::start().await.expect("sandbox");
    let app = sandbox.create_app().expect("app");
    let answers = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::clone(&answers);
    let client = sandbox
        .client_builder(&app)
        .on_response(move |record| {
            seen.lock()
                .expect("lock")
                .push(String::from_utf8_lossy(record.body).into_owned());
        })
        .build()
        .expect("client");
    pay(&sandbox, &app.app_id, &client, "B-1", "10.00").await;
    pay(&sandbox, &app.app_id, &client, "B-2", "0.50").await;
    client
        .send(
            TradeRefund::builder()
                .out_trade_no("B-1")
                .refund_amount(Amount::new("2.50").expect("amount"))
                .out_request_no("R-1")
                .build(),
        )
        .await
        .expect("refunded");

    let day: BillDate = today().parse().expect("today");
    let bill = client
        .download_bill(BillType::Trade, day)
        .await
        .expect("trade bill");
    let archive = bill.archive().expect("unpacked");
    let rows: Vec<TradeRow> = archive
        .detail()
        .trade_rows()
        .collect::<Result<_, _>>()
        .expect("rows");
    let mut seen_rows: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.out_trade_no.as_str(),
                r.kind.as_str(),
                cents(&r.receipt_amount),
            )
        })
        .collect();
    seen_rows.sort();
    assert_eq!(
        seen_rows,
        [
            ("B-1", "交易", 1000),
            ("B-1", "退款", -250),
            ("B-2", "交易", 50)
        ]
    );
    assert!(
        archive.detail().records().totals_checked() == 0,
        "nothing checked before reading"
    );
    let refund = rows.iter().find(|r| r.is_refund()).expect("refund row");
    assert_eq!(refund.refund_request_no, "R-1");
    assert!(
        archive
            .detail()
            .metadata()
            .account
            .as_ref()
            .is_some_and(|a| a.starts_with("2088"))
    );

    let month: BillDate = today()[..7].parse().expect("month");
    let account = client
        .download_bill(BillType::SignCustomer, month)
        .await
        .expect("signcustomer bill")
        .archive()
        .expect("unpacked");
    assert!(account.entry_names()[0].contains("汇总"), "summary first");
    let movements: Vec<AccountRow> = account
        .detail()
        .account_rows()
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(movements.len(), 3);
    assert_eq!(
        movements.iter().map(|r| cents(&r.balance)).next_back(),
        Some(800)
    );

    let zft = client
        .download_bill(
            BillType::TradeZftMerchant {
                smid: "2088000000000099".into(),
            },
            day,
        )
        .await
        .expect("zft bill");
    assert_eq!(
        zft.archive().expect("zft").detail().kind(),
        FileKind::TradeDetail
    );

    // A bill larger than the limit is refused; the error does not carry the URL.
    let small = client
        .download_bill(BillType::Trade, day)
        .max_size(100)
        .await;
    let error = small.expect_err("over the limit");
    assert!(matches!(error, Error::BodyTooLarge { limit: 100 }));

    let urls: Vec<String> = answers
        .lock()
        .expect("lock")
        .iter()
        .filter_map(|body| {
            let value: serde_json::Value = serde_json::from_str(body).ok()?;
            let url = value["alipay_data_dataservice_bill_downloadurl_query_response"]["bill_download_url"].as_str()?;
            Some(url.rsplit('/').next()?.trim_end_matches(".zip").to_owned())
        })
        .collect();
    assert_eq!(urls.len(), 4, "every download asked for a URL");
    let shown = format!("{bill:?} {error} {error:?} {zft:?}");
    let logged = logs::text();
    for token in &urls {
        assert!(!shown.contains(token.as_str()), "{shown}");
        assert!(!logged.contains(token.as_str()), "the URL was logged");
    }
}
