//! The bill files the sandbox serves, in the real shape: GBK CSV (`\r\n` lines, `#` header and
//! footer lines, ID-like fields padded with a tab) inside a ZIP whose entry names are GBK
//! without the UTF-8 flag. The ZIP is written here, stored (uncompressed): the sandbox is an
//! oracle and needs no compressor.

use std::fmt::Write as _;

use super::store::{BillRequest, Movement, SANDBOX_BUYER_LOGON_ID};
use crate::sandbox::clock;
use crate::sandbox::wire::yuan;

/// The ZIP of a bill: detail then summary for `trade`, summary first for `signcustomer` (as
/// Alipay orders them).
pub(crate) fn archive(bill: &BillRequest, seller_id: &str, movements: &[Movement]) -> Vec<u8> {
    let day = bill.bill_date.replace('-', "");
    let exported = exported_text();
    let entries = if bill.bill_type == "signcustomer" {
        vec![
            (
                format!("{seller_id}_{day}_账务明细(汇总).csv"),
                account_summary(bill, seller_id, movements, &exported),
            ),
            (
                format!("{seller_id}_{day}_账务明细.csv"),
                account_detail(bill, seller_id, movements, &exported),
            ),
        ]
    } else {
        vec![
            (
                format!("{seller_id}_{day}_业务明细.csv"),
                trade_detail(bill, seller_id, movements, &exported),
            ),
            (
                format!("{seller_id}_{day}_业务明细(汇总).csv"),
                trade_summary(bill, seller_id, movements, &exported),
            ),
        ]
    };
    let entries: Vec<(Vec<u8>, Vec<u8>)> = entries
        .iter()
        .map(|(name, text)| (gbk(name), gbk(text)))
        .collect();
    zip_stored(&entries)
}

fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}

/// `[2026年06月05日 00:00:00]   终止日期：[…]`: the bill's day or month, start and end.
fn period(bill_date: &str) -> String {
    let mut parts = bill_date.split('-').map(|p| p.parse::<u32>().unwrap_or(1));
    let (y, m) = (parts.next().unwrap_or(1970), parts.next().unwrap_or(1));
    let (start, end) = match parts.next() {
        Some(d) => {
            let last = crate::time::days_in_month(i64::from(y), m);
            let end = if d < last {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
            ((y, m, d), end)
        }
        None if m < 12 => ((y, m, 1), (y, m + 1, 1)),
        None => ((y, m, 1), (y + 1, 1, 1)),
    };
    let text = |(y, m, d): (u32, u32, u32)| format!("[{y:04}年{m:02}月{d:02}日 00:00:00]");
    format!("#起始日期：{}   终止日期：{}", text(start), text(end))
}

/// `#导出时间：[2026年06月06日 09:00:00]`, now.
fn exported_text() -> String {
    let now = clock::now_text();
    let (day, time) = now.split_once(' ').unwrap_or((&now, "00:00:00"));
    let mut parts = day.split('-');
    let (y, m, d) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    format!("#导出时间：[{y}年{m}月{d}日 {time}]")
}

/// A CSV line from fields, quoted where needed, ended with `\r\n`.
fn line(out: &mut String, fields: &[&str]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

/// An ID-like field as Alipay writes it: with a trailing tab, so spreadsheets keep the digits.
fn id(value: &str) -> String {
    format!("{value}\t")
}

fn signed_yuan(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}", yuan(cents.unsigned_abs()))
}

const TRADE_COLUMNS: &str = "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注";

fn trade_detail(bill: &BillRequest, seller_id: &str, rows: &[Movement], exported: &str) -> String {
    let mut out = String::with_capacity(1024 + rows.len() * 256);
    let _ = write!(
        out,
        "#支付宝业务明细查询\r\n#账号：[{seller_id}]\r\n{}\r\n",
        period(&bill.bill_date)
    );
    out.push_str("#-----------------------------------------业务明细列表----------------------------------------\r\n");
    out.push_str(TRADE_COLUMNS);
    out.push_str("\r\n");
    let (mut paid, mut refunded) = ((0u64, 0i64), (0u64, 0i64));
    for row in rows {
        let total = if row.kind == "退款" {
            &mut refunded
        } else {
            &mut paid
        };
        total.0 += 1;
        total.1 += row.cents;
        let amount = signed_yuan(row.cents);
        let request_no = if row.request_no.is_empty() {
            String::new()
        } else {
            id(&row.request_no)
        };
        line(
            &mut out,
            &[
                &id(&row.trade_no),
                &id(&row.out_trade_no),
                row.kind,
                &row.subject,
                &row.created,
                &row.done,
                "",
                "",
                "",
                "",
                SANDBOX_BUYER_LOGON_ID,
                &amount,
                &amount,
                "0.00",
                "0.00",
                "0.00",
                "0.00",
                "0.00",
                "",
                "0.00",
                "0.00",
                &request_no,
                "0.00",
                "0.00",
                "",
            ],
        );
    }
    out.push_str("#-----------------------------------------业务明细列表结束------------------------------------\r\n");
    let _ = write!(
        out,
        "#交易合计：{}笔，商家实收共{}元，商家优惠共0.00元\r\n#退款合计：{}笔，商家实收共{}元，商家优惠共0.00元\r\n{exported}\r\n",
        paid.0,
        signed_yuan(paid.1),
        refunded.0,
        signed_yuan(refunded.1)
    );
    out
}

fn trade_summary(bill: &BillRequest, seller_id: &str, rows: &[Movement], exported: &str) -> String {
    let paid = rows.iter().filter(|r| r.kind != "退款").count();
    let refunds = rows.len() - paid;
    let sum = signed_yuan(rows.iter().map(|r| r.cents).sum());
    let mut out = format!(
        "#支付宝业务汇总查询\r\n#账号：[{seller_id}]\r\n{}\r\n",
        period(&bill.bill_date)
    );
    out.push_str("#-----------------------------------------业务汇总列表----------------------------------------\r\n");
    out.push_str(
        "门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）\r\n",
    );
    line(
        &mut out,
        &[
            "",
            "合计",
            &paid.to_string(),
            &refunds.to_string(),
            &sum,
            &sum,
        ],
    );
    out.push_str("#-----------------------------------------业务汇总列表结束------------------------------------\r\n");
    out.push_str(exported);
    out.push_str("\r\n");
    out
}

fn account_detail(
    bill: &BillRequest,
    seller_id: &str,
    rows: &[Movement],
    exported: &str,
) -> String {
    let mut out = String::with_capacity(1024 + rows.len() * 200);
    let _ = write!(
        out,
        "#支付宝账务明细查询\r\n#账号：[{seller_id}]\r\n{}\r\n",
        period(&bill.bill_date)
    );
    out.push_str("#-----------------------------------------账务明细列表----------------------------------------\r\n");
    out.push_str("账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注\r\n");
    let (mut income, mut expense, mut balance) = ((0u64, 0i64), (0u64, 0i64), 0i64);
    for (n, row) in rows.iter().enumerate() {
        balance += row.cents;
        let (kind, plus, minus) = if row.cents < 0 {
            expense.0 += 1;
            expense.1 += row.cents;
            ("交易退款", "0.00".to_owned(), signed_yuan(row.cents))
        } else {
            income.0 += 1;
            income.1 += row.cents;
            ("在线支付", signed_yuan(row.cents), "0.00".to_owned())
        };
        let log_id = format!("{}{:06}", bill.bill_date.replace('-', ""), n + 1);
        line(
            &mut out,
            &[
                &id(&log_id),
                &id(&row.trade_no),
                &id(&row.out_trade_no),
                &id(&row.subject),
                &row.done,
                &id(SANDBOX_BUYER_LOGON_ID),
                &plus,
                &minus,
                &signed_yuan(balance),
                "支付宝",
                kind,
                "",
            ],
        );
    }
    out.push_str("#-----------------------------------------账务明细列表结束------------------------------------\r\n");
    let _ = write!(
        out,
        "#支出合计：{}笔，共{}元\r\n#收入合计：{}笔，共{}元\r\n{exported}\r\n",
        expense.0,
        signed_yuan(expense.1),
        income.0,
        signed_yuan(income.1)
    );
    out
}

fn account_summary(
    bill: &BillRequest,
    seller_id: &str,
    rows: &[Movement],
    exported: &str,
) -> String {
    let (plus, minus): (Vec<&Movement>, Vec<&Movement>) = rows.iter().partition(|r| r.cents >= 0);
    let sum = |rows: &[&Movement]| signed_yuan(rows.iter().map(|r| r.cents).sum());
    let mut out = format!(
        "#支付宝账务汇总查询\r\n#账号：[{seller_id}]\r\n{}\r\n",
        period(&bill.bill_date)
    );
    out.push_str("类型,收入笔数,收入金额（+元）,支出笔数,支出金额（-元）,总金额（元）\r\n");
    line(
        &mut out,
        &[
            "合计",
            &plus.len().to_string(),
            &sum(&plus),
            &minus.len().to_string(),
            &sum(&minus),
            &signed_yuan(rows.iter().map(|r| r.cents).sum()),
        ],
    );
    out.push_str(exported);
    out.push_str("\r\n");
    out
}

/// A ZIP of stored entries, names as given (no UTF-8 flag), dated 1980-01-01.
fn zip_stored(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    fn u16_of(n: usize) -> [u8; 2] {
        u16::try_from(n).unwrap_or(u16::MAX).to_le_bytes()
    }
    fn u32_of(n: usize) -> [u8; 4] {
        u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes()
    }
    const DOS_DATE: [u8; 2] = [0x21, 0x00];
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data) in entries {
        let offset = out.len();
        let crc = crc32fast::hash(data).to_le_bytes();
        // version 2.0, no flags, stored, time 00:00
        let common = [
            &[20, 0, 0, 0, 0, 0, 0, 0][..],
            &DOS_DATE,
            &crc,
            &u32_of(data.len()),
            &u32_of(data.len()),
            &u16_of(name.len()),
        ]
        .concat();
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&common);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name);
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02\x14\x00");
        central.extend_from_slice(&common);
        // extra, comment, disk, internal and external attributes
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&u32_of(offset));
        central.extend_from_slice(name);
    }
    let central_at = out.len();
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&u16_of(entries.len()));
    out.extend_from_slice(&u16_of(entries.len()));
    out.extend_from_slice(&u32_of(central.len()));
    out.extend_from_slice(&u32_of(central_at));
    out.extend_from_slice(&[0, 0]);
    out
}
