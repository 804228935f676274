//! Output to a closed pipe: every command ends quietly with its own exit code, and never
//! panics.

use super::*;

/// A pipe whose reading end is already closed.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer
}

/// Runs with stdout, stderr or both on a closed pipe.
fn run_closed(args: &[&str], stdin: &[u8], close_stdout: bool, close_stderr: bool) -> Output {
    let mut command = command(args);
    command.stdin(Stdio::piped());
    if close_stdout {
        command.stdout(closed_pipe());
    } else {
        command.stdout(Stdio::piped());
    }
    if close_stderr {
        command.stderr(closed_pipe());
    } else {
        command.stderr(Stdio::piped());
    }
    let mut child = command.spawn().expect("runs");
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    child.wait_with_output().expect("exits")
}

#[test]
fn a_closed_pipe_ends_the_command_quietly_with_its_own_exit_code() {
    let key = fixture("app_private_pkcs8.pem");
    let key = key.to_str().expect("path");
    let (notify_key, body) = notify_vector();
    let dir = temp_dir("pipes");
    std::fs::create_dir_all(&dir).expect("dir");
    let key_path = dir.join("alipay_public_key.txt");
    std::fs::write(&key_path, notify_key).expect("write key");
    let key_path = key_path.to_str().expect("path");
    let tampered = body.replace("total_price=0.01", "total_price=0.02");
    for (args, stdin, code) in [
        (
            vec!["sign", "--private-key", key, "--content"],
            PARAMS.as_bytes(),
            0,
        ),
        (vec!["sign", "--private-key", key], PARAMS.as_bytes(), 0),
        (vec!["--help"], b"", 0),
        (vec!["help", "sandbox", "serve"], b"", 0),
        (vec!["--version"], b"", 0),
        (vec!["completions", "bash"], b"", 0),
        (
            vec!["verify-notify", "--alipay-public-key", key_path],
            tampered.as_bytes(),
            1,
        ),
        (vec!["sign", "--private-key", key], b"not json", 2),
        (vec!["cert-sn", "/nonexistent/cert.crt"], b"", 2),
        (vec!["frobnicate"], b"", 2),
    ] {
        let out = run_closed(&args, stdin, true, false);
        assert_eq!(
            out.status.code(),
            Some(code),
            "stdout closed, {args:?}: {out:?}"
        );
        if code == 0 {
            assert_eq!(stderr(&out), "", "quietly: {args:?}");
        }
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
        let out = run_closed(&args, stdin, false, true);
        assert_eq!(
            out.status.code(),
            Some(code),
            "stderr closed, {args:?}: {out:?}"
        );
        let out = run_closed(&args, stdin, true, true);
        assert_eq!(
            out.status.code(),
            Some(code),
            "both closed, {args:?}: {out:?}"
        );
    }
    // The report of the issue, as a shell runs it.
    let script = format!(
        "'{BIN}' cert-sn /nonexistent 2>&1 >/dev/null | true; '{BIN}' cert-sn /nonexistent 2>&1 >/dev/null | (exec 0<&-; sleep 0); echo done"
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .output()
        .expect("sh");
    assert_eq!(stdout(&out), "done\n", "{out:?}");
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}
