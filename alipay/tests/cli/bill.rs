//! `bill parse`: a bill's rows as JSON lines and a summary, and a footer that does not add up.

use super::*;

#[test]
fn bill_parse_prints_json_lines_and_a_summary() {
    let dir = temp_dir("bill");
    std::fs::create_dir_all(&dir).expect("dir");
    let bill = |footer: &str| {
        let text = format!(
            "#支付宝业务明细查询\r\n#账号：[2088000000000001]\r\n支付宝交易号,商户订单号,业务类型,商家实收（元）\r\n\
             2026120122001\t,T-1\t,交易,10.00\r\n2026120122001\t,T-1\t,退款,-2.50\r\n{footer}"
        );
        encoding_rs::GBK.encode(&text).0.into_owned()
    };
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        bill("#交易合计：1笔，商家实收共10.00元\r\n#退款合计：1笔，商家实收共-2.50元\r\n"),
    )
    .expect("write");
    let out = run(&["bill", "parse", good.to_str().expect("path")], b"");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["商户订单号"], "T-1");
    assert_eq!(lines[1]["商家实收（元）"], "-2.50");
    assert_eq!(lines[2]["summary"]["rows"], 2);
    assert_eq!(lines[2]["summary"]["totals_checked"], 4);
    assert_eq!(
        lines[2]["summary"]["metadata"]["account"],
        "2088000000000001"
    );

    let bad = dir.join("bad.csv");
    std::fs::write(&bad, bill("#交易合计：2笔，商家实收共10.00元\r\n")).expect("write");
    let out = run(&["bill", "parse", bad.to_str().expect("path")], b"");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("footer says 交易 笔数 is 2"),
        "{out:?}"
    );
    let out = run(
        &[
            "bill",
            "parse",
            dir.join("missing.zip").to_str().expect("path"),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
