//! Bill archives and bill files built in the tests: a stored ZIP writer that keeps entry names
//! as raw bytes (GBK without the UTF-8 flag, or hostile paths), GBK encoding, and bill texts in
//! Alipay's shapes. Shared with `#[path = "support/billzip.rs"] mod billzip;`.

/// One entry: its raw name, its bytes, and a Unix mode (e.g. a symlink's `0o120777`).
pub(crate) struct Entry {
    pub(crate) name: Vec<u8>,
    pub(crate) data: Vec<u8>,
    pub(crate) unix_mode: Option<u32>,
}

impl Entry {
    /// A regular file named by `name` encoded in GBK.
    pub(crate) fn gbk(name: &str, data: Vec<u8>) -> Self {
        Self {
            name: gbk(name),
            data,
            unix_mode: None,
        }
    }
}

/// GBK bytes of `text`.
pub(crate) fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable, "test text not in GBK");
    bytes.into_owned()
}

/// A ZIP of stored entries, names as given, no UTF-8 flag.
pub(crate) fn zip_stored(entries: &[Entry]) -> Vec<u8> {
    let le16 = |n: usize| u16::try_from(n).expect("small").to_le_bytes();
    let le32 = |n: usize| u32::try_from(n).expect("small").to_le_bytes();
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for entry in entries {
        let offset = out.len();
        let mut common = vec![20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0];
        common.extend(crc32fast::hash(&entry.data).to_le_bytes());
        common.extend(le32(entry.data.len()));
        common.extend(le32(entry.data.len()));
        common.extend(le16(entry.name.len()));
        out.extend(b"PK\x03\x04");
        out.extend(&common);
        out.extend([0, 0]);
        out.extend(&entry.name);
        out.extend(&entry.data);
        central.extend(b"PK\x01\x02");
        // Made by Unix (3) when a mode is given, so readers look at it.
        central.extend(if entry.unix_mode.is_some() {
            [20, 3]
        } else {
            [20, 0]
        });
        central.extend(&common);
        central.extend([0; 8]);
        central.extend(entry.unix_mode.map_or(0, |mode| mode << 16).to_le_bytes());
        central.extend(le32(offset));
        central.extend(&entry.name);
    }
    let at = out.len();
    out.extend(&central);
    out.extend(b"PK\x05\x06\0\0\0\0");
    out.extend(le16(entries.len()));
    out.extend(le16(entries.len()));
    out.extend(le32(central.len()));
    out.extend(le32(at));
    out.extend([0, 0]);
    out
}

/// The 25 columns of a trade detail file since 2017.
pub(crate) const TRADE_COLUMNS_NEW: &str = "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注";

/// A trade detail file with the new columns: two payments and a refund, ID-like fields with
/// trailing tabs, `footer` as the totals lines.
pub(crate) fn trade_detail_new(footer: &str) -> String {
    let row = |no: &str, out: &str, kind: &str, amount: &str, fee: &str, request: &str| {
        format!(
            "{no}\t,{out}\t,{kind},冰红茶, 2026-06-05 10:00:00 ,2026-06-05 10:00:05,S1\t,一号店,op\t,T9\t,tes***@x.com,{amount},{amount},0.00,0.00,0.00,0.00,0.00,,0.00,0.00,{request},{fee},0.00,  \r\n"
        )
    };
    let mut text = String::from(
        "#支付宝业务明细查询\r\n#账号：[20880000000000010156]\r\n#起始日期：[2026年06月05日 00:00:00]   终止日期：[2026年06月06日 00:00:00]\r\n#-----------------------------------------业务明细列表----------------------------------------\r\n",
    );
    text.push_str(TRADE_COLUMNS_NEW);
    text.push_str("\r\n");
    text.push_str(&row(
        "2026060522001419931441931972",
        "T-1",
        "交易",
        "9.90",
        "-0.06",
        "",
    ));
    text.push_str(&row(
        "2026060522001419931441931973",
        "T-2",
        "交易",
        "0.03",
        "0.00",
        "",
    ));
    text.push_str(&row(
        "2026060522001419931441931972",
        "T-1",
        "退款",
        "-1.00",
        "0.01",
        "R-1\t",
    ));
    text.push_str("#-----------------------------------------业务明细列表结束------------------------------------\r\n");
    text.push_str(footer);
    text.push_str("#导出时间：[2026年06月06日 09:01:02]\r\n");
    text
}

/// The footer matching [`trade_detail_new`]'s rows.
pub(crate) const TRADE_FOOTER: &str = "#交易合计：2笔，商家实收共9.93元，商家优惠共0.00元\r\n#退款合计：1笔，商家实收共-1.00元，商家优惠共0.00元\r\n";

/// A trade detail file with the older, shorter column set (ASCII parentheses) and a column
/// this version does not know.
pub(crate) fn trade_detail_old() -> String {
    "#支付宝业务明细查询\n#账号：[2088000000000001]\n支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,对方账户,订单金额(元),商家实收(元),资金渠道,备注\n2016010122001\t,O-1\t,交易,\"茶,大杯\",2016-01-01 08:00:00,2016-01-01 08:00:09,a***@b.com,5.00,5.00,余额,\n#交易合计：1笔，商家实收共5.00元\n".to_owned()
}

/// A signcustomer detail file, the 2012 column set, footer padded with commas.
pub(crate) fn account_detail_old() -> String {
    "#支付宝账务明细查询\r\n#账号：[20880000000000010156]\r\n#起始日期：[2012年12月29日 00:00:00]   终止日期：[2012年12月30日 00:00:00]\r\n#-----------------------------------------账务明细列表----------------------------------------\r\n账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注\r\n54632446537371\t,2012122923922029\t,3226563\t,海航机票\t,2012-12-29 21:02:06,陈晶 (c***@x.com)\t,2274.00,0.00,14533.03,支付宝,在线支付,\r\n54632446537372\t,2012122923922030\t,3226564\t,退票\t,2012-12-29 22:00:00,陈晶 (c***@x.com)\t,0.00,-74.00,14459.03,支付宝,交易退款,\r\n#----------------------------------------账务明细列表结束-------------------------------------,,,,,,,\r\n#支出合计：1笔，共-74.00元,,,,,,,\r\n#收入合计：1笔，共2274.00元,,,,,,,\r\n#导出时间：[2012年12月31日 13:19:01],,,,,,,\r\n".to_owned()
}

/// A signcustomer detail file with the 2026 column set.
pub(crate) fn account_detail_new() -> String {
    "#支付宝账务明细查询\r\n#账号：[20880000000000010156]\r\n账务流水号,业务流水号,商户订单号,业务基础订单号,业务订单号,业务账单来源,业务描述,收入金额（+元）,支出金额（-元）,账户余额（元）,发生时间,业务类型,备注\r\n3000\t,4000\t,M-9\t,B-1\t,B-2\t,商家中心\t,服务费\t,0.00,-0.60,99.40,2026-06-05 23:59:59,收费,\r\n#支出合计：1笔，共0.60元\r\n#收入合计：0笔，共0.00元\r\n".to_owned()
}

/// A signcustomer summary file.
pub(crate) fn account_summary() -> String {
    "#支付宝账务汇总查询\r\n#账号：[20880000000000010156]\r\n类型,收入笔数,收入金额（+元）,支出笔数,支出金额（-元）,总金额（元）\r\n在线支付,1,2274.00,0,0.00,2274.00\r\n".to_owned()
}
