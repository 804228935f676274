//! `alipay call` through an HTTP forward proxy: `ALIPAY_PROXY` or `--proxy`, and `HTTP_PROXY`
//! with `NO_PROXY` from the environment when no proxy is given.

use super::*;

/// A one-thread HTTP forward proxy on loopback: it records each request head and either
/// forwards the connection to the absolute-form target (`forward`) or answers `407`.
fn forward_proxy(forward: bool) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let (heads, received) = mpsc::channel();
    std::thread::spawn(move || {
        for inbound in listener.incoming() {
            let Ok(mut inbound) = inbound else { return };
            let mut reader = BufReader::new(inbound.try_clone().expect("clone"));
            let mut head = String::new();
            while !head.ends_with("\r\n\r\n") {
                if reader.read_line(&mut head).unwrap_or(0) == 0 {
                    break;
                }
            }
            let _ = heads.send(head.clone());
            if !forward {
                let _ = inbound.write_all(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n",
                );
                continue;
            }
            let target = head
                .split(' ')
                .nth(1)
                .and_then(|uri| uri.strip_prefix("http://"))
                .and_then(|rest| rest.split('/').next())
                .unwrap_or_default()
                .to_owned();
            let Ok(mut outbound) = TcpStream::connect(&target) else {
                continue;
            };
            // The origin accepts the absolute form: the bytes go on unchanged.
            let _ = outbound.write_all(head.as_bytes());
            let mut back = outbound.try_clone().expect("clone");
            let mut to_client = inbound.try_clone().expect("clone");
            std::thread::spawn(move || std::io::copy(&mut back, &mut to_client));
            std::thread::spawn(move || std::io::copy(&mut reader, &mut outbound));
        }
    });
    (addr, received)
}

#[test]
fn alipay_call_goes_through_the_proxy_of_alipay_proxy_or_proxy() {
    let server = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        fixture("app_public.b64").to_str().expect("path"),
    ]);
    let query = [
        "alipay.trade.query",
        "--biz",
        r#"{"out_trade_no":"CLI-PROXY"}"#,
    ];
    let password = "cli-Pr0xy-Secret";
    let (proxy, heads) = forward_proxy(true);
    let out = call_command()
        .args(query)
        .env("ALIPAY_APP_ID", APP_ID)
        .env("ALIPAY_PRIVATE_KEY", fixture("app_private_pkcs8.pem"))
        .env("ALIPAY_PUBLIC_KEY", &server.alipay_key_text)
        .env("ALIPAY_GATEWAY", &server.url)
        .env("ALIPAY_PROXY", format!("http://alice:{password}@{proxy}"))
        .output()
        .expect("the binary runs");
    // The verified answer (an unknown trade) came back through the proxy.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let head = heads.recv_timeout(Duration::from_secs(5)).expect("proxied");
    assert!(head.starts_with(&format!("POST {}?", server.url)), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("proxy-authorization: basic "),
        "{head}"
    );

    // `--proxy` (here a proxy that refuses the credentials): exit 2, the password not shown.
    let (refusing, heads) = forward_proxy(false);
    let mut args = query.to_vec();
    let flag = format!("--proxy=http://alice:{password}@{refusing}");
    args.push(&flag);
    let out = alipay_call(&server, &args, None);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        heads.recv_timeout(Duration::from_secs(5)).is_ok(),
        "proxied"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("407"), "{stderr}");
    assert!(!stderr.contains(password), "{stderr}");
}

#[test]
fn alipay_call_without_proxy_honours_http_proxy_and_no_proxy_from_the_environment() {
    let server = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        fixture("app_public.b64").to_str().expect("path"),
    ]);
    let (proxy, heads) = forward_proxy(true);
    let call = |no_proxy: Option<&str>| {
        let mut command = call_command();
        command
            .args([
                "alipay.trade.query",
                "--biz",
                r#"{"out_trade_no":"CLI-ENV-PROXY"}"#,
            ])
            .env("ALIPAY_APP_ID", APP_ID)
            .env("ALIPAY_PRIVATE_KEY", fixture("app_private_pkcs8.pem"))
            .env("ALIPAY_PUBLIC_KEY", &server.alipay_key_text)
            .env("ALIPAY_GATEWAY", &server.url)
            .env("HTTP_PROXY", format!("http://{proxy}"));
        if let Some(hosts) = no_proxy {
            command.env("NO_PROXY", hosts);
        }
        command.output().expect("the binary runs")
    };
    // HTTP_PROXY (the gateway is http://): the verified answer came through the proxy.
    let out = call(None);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let head = heads.recv_timeout(Duration::from_secs(5)).expect("proxied");
    assert!(head.starts_with(&format!("POST {}?", server.url)), "{head}");
    // NO_PROXY naming the gateway's host: the same call goes straight to the gateway.
    let out = call(Some("127.0.0.1"));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        heads.recv_timeout(Duration::from_millis(300)).is_err(),
        "NO_PROXY is honoured"
    );
}
