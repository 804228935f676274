//! How a server lives on: its `--state` file across a restart and a crash, and serving on when
//! nobody reads its stdout or stderr.

use super::*;

#[test]
fn state_survives_a_restart_and_a_crash() {
    let dir = temp_dir("state");
    let state = dir.join("sandbox.json");
    let state_arg = state.to_str().expect("path");
    let key_arg = fixture("app_public.b64");
    let key_arg = key_arg.to_str().expect("path");

    let first = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        key_arg,
        "--state",
        state_arg,
    ]);
    let client = first.client();
    create(&client, "P-1", None);
    let (code, _) = raw_post(
        &first.addr,
        &format!("/sandbox/pay?app_id={APP_ID}&out_trade_no=P-1"),
        None,
        "",
    );
    assert_eq!(code, 200);
    let first_key = first.alipay_key_text.clone();
    first.stop();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&state)
            .expect("state file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the state file holds a private key");
    }

    // Restarted without registering the app again: app, trade and Alipay key are back.
    let second = Server::start(&["--state", state_arg]);
    assert_eq!(second.alipay_key_text, first_key, "the same Alipay key");
    let client = second.client();
    assert_eq!(status(&client, "P-1"), TradeStatus::TradeSuccess);
    create(&client, "P-2", None);
    // A crash right after an acknowledged change loses nothing.
    second.signal("-KILL");
    let (status_code, _) = second.wait();
    assert!(!status_code.success());

    let third = Server::start(&["--state", state_arg]);
    let client = third.client();
    assert_eq!(status(&client, "P-2"), TradeStatus::WaitBuyerPay);
    assert_eq!(status(&client, "P-1"), TradeStatus::TradeSuccess);
    third.stop();
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers, [std::ffi::OsString::from("sandbox.json")]);
    let _ = std::fs::remove_dir_all(dir);
}

/// A pipe whose reading end is already closed.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer
}

#[test]
fn serve_keeps_serving_when_nobody_reads_its_output() {
    let app = format!("--app={APP_ID}={}", fixture("app_public.b64").display());
    // Stderr closed: the two lines, then serving as usual.
    let mut child = alipay(&["sandbox", "serve", &app])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(closed_pipe())
        .spawn()
        .expect("runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let url = lines.next().expect("line 1").expect("text");
    let key = lines.next().expect("line 2").expect("text");
    let client = |url: &str, key: &str| {
        Client::builder()
            .app_id(APP_ID)
            .app_private_key_parsed(app_key())
            .alipay_public_key(key.to_owned())
            .gateway_url(url.to_owned())
            .build()
            .expect("client")
    };
    create(&client(&url, &key), "Q-1", None);
    let stop = |child: &mut Child| {
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let status = child.wait().expect("exits");
        assert_eq!(status.code(), Some(0), "{status:?}");
    };
    stop(&mut child);

    // Stdout closed: the URL is on stderr's labelled lines; the key is the state file's.
    let dir = temp_dir("closed-stdout");
    let state = dir.join("sandbox.json");
    let state = state.to_str().expect("path");
    let first = Server::start(&[&app, "--state", state]);
    let key = first.alipay_key_text.clone();
    first.stop();
    let mut child = alipay(&["sandbox", "serve", "--state", state])
        .stdin(Stdio::null())
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut notes = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let url = notes
        .find_map(|line| {
            line.ok()?
                .strip_prefix("alipay sandbox: gateway")
                .map(|rest| rest.trim().to_owned())
        })
        .expect("the gateway line");
    create(&client(&url, &key), "Q-2", None);
    stop(&mut child);
    let _ = std::fs::remove_dir_all(dir);
}
