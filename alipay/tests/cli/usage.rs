//! How the tool is used from the command line: every command's `--help` and `help COMMAND`,
//! the README's command table as their usage, shell completions that name every command,
//! `sandbox serve --help` on faults and control endpoints, `--version`, unknown and mistyped
//! commands, and a flag's value after a space, after `=`, or from its environment variable.

use super::*;

#[test]
fn unknown_commands_exit_2() {
    assert_eq!(run(&["frobnicate"], b"").status.code(), Some(2));
    assert_eq!(run(&[], b"").status.code(), Some(2));
}

#[test]
fn usage_lists_the_new_commands() {
    let out = run(&["help"], b"");
    assert!(out.status.success());
    let usage = stdout(&out);
    for command in ["cert-sn", "root-cert-sn", "aes"] {
        assert!(
            usage.contains(&format!("\n  {command} ")),
            "{command}: {usage}"
        );
    }
    for (args, line) in [
        (&["help", "cert-sn"][..], "Usage: alipay cert-sn <FILE>"),
        (
            &["help", "root-cert-sn"],
            "Usage: alipay root-cert-sn <FILE>",
        ),
        (
            &["help", "aes", "encrypt"],
            "Usage: alipay aes encrypt --key <B64>",
        ),
        (
            &["help", "aes", "decrypt"],
            "Usage: alipay aes decrypt --key <B64>",
        ),
    ] {
        let out = run(args, b"");
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert!(stdout(&out).contains(line), "{args:?}: {}", stdout(&out));
    }
}

/// The commands listed under `Commands:` in a help text (`help` left out).
fn listed_commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Every command that runs something (`sandbox serve`, not `sandbox`), found by walking the
/// `--help` texts; each `--help` and `help COMMAND` exits 0 with its usage.
fn leaf_commands() -> Vec<Vec<String>> {
    let mut leaves = Vec::new();
    let mut pending: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = pending.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        let help = stdout(&out);
        let usage = format!(
            "Usage: {}",
            ["alipay"]
                .into_iter()
                .chain(args[..args.len() - 1].iter().copied())
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(help.contains(&usage), "{args:?}: {help}");
        if !path.is_empty() {
            let mut by_help = vec!["help"];
            by_help.extend(&args[..args.len() - 1]);
            let out = run(&by_help, b"");
            assert_eq!(out.status.code(), Some(0), "{by_help:?}: {out:?}");
            assert_eq!(stdout(&out), help, "`alipay help …` is `--help`");
        }
        let children = listed_commands(&help);
        if children.is_empty() {
            leaves.push(path);
        } else {
            for child in children.into_iter().rev() {
                let mut next = path.clone();
                next.push(child);
                pending.push(next);
            }
        }
    }
    leaves
}

/// The README's command table, as `-h` tells it: usage, then the first line.
fn command_table(leaves: &[Vec<String>]) -> String {
    let mut table = String::from("| command | what it does |\n|---|---|\n");
    for path in leaves {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("-h");
        let help = stdout(&run(&args, b""));
        let about = help.lines().next().expect("a first line");
        let usage = help
            .lines()
            .find_map(|line| line.strip_prefix("Usage: "))
            .expect("a usage line");
        table.push_str(&format!("| `{usage}` | {about} |\n"));
    }
    table
}

#[test]
fn every_command_has_help_and_the_readme_table_is_its_usage() {
    let leaves = leaf_commands();
    let names: Vec<String> = leaves.iter().map(|p| p.join(" ")).collect();
    for expected in [
        "sign",
        "verify-notify",
        "keygen",
        "cert-sn",
        "root-cert-sn",
        "aes encrypt",
        "aes decrypt",
        "call",
        "bill parse",
        "bill download",
        "sandbox serve",
        "sandbox pay",
        "completions",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected}: {names:?}");
    }
    let table = command_table(&leaves);
    let readme = include_str!("../../../README.md");
    assert!(
        readme.contains(&table),
        "README.md's command table must be exactly:\n{table}"
    );
    // The top-level help documents the exit codes.
    let help = stdout(&run(&["--help"], b""));
    for code in ["0  success", "1  the call or check failed", "2  usage"] {
        assert!(help.contains(code), "{code}: {help}");
    }
}

#[test]
fn completions_for_bash_zsh_and_fish_name_every_command() {
    let leaves = leaf_commands();
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&["completions", shell], b"");
        assert_eq!(out.status.code(), Some(0), "{shell}: {out:?}");
        let script = stdout(&out);
        for path in &leaves {
            let last = path.last().expect("a name");
            assert!(script.contains(last.as_str()), "{shell}: {last}");
        }
        assert!(script.contains("out-trade-no"), "{shell}: flags too");
    }
    // The bash script is valid bash.
    let dir = temp_dir("completions");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("alipay.bash");
    std::fs::write(&file, run(&["completions", "bash"], b"").stdout).expect("write");
    if let Ok(status) = Command::new("bash").arg("-n").arg(&file).status() {
        assert!(status.success(), "bash -n");
    }
    let out = run(&["completions", "tcsh"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("possible values"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn version_help_and_suggestions() {
    let out = run(&["--version"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        format!("alipay {}\n", env!("CARGO_PKG_VERSION"))
    );
    // A mistyped flag: a usage error naming the right one.
    let out = run(&["sign", "--privte-key", "k.pem"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a similar argument exists: '--private-key'"),
        "{}",
        stderr(&out)
    );
    let out = run(&["verify-notfy"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("verify-notify"), "{}", stderr(&out));
}

#[test]
fn flags_take_their_value_after_a_space_or_an_equals_sign_or_from_the_environment() {
    let key = fixture("app_private_pkcs8.pem");
    let key = key.to_str().expect("path");
    let joined = format!("--private-key={key}");
    for args in [
        vec!["sign", "--private-key", key, "--content"],
        vec!["sign", joined.as_str(), "--content"],
    ] {
        let out = run(&args, PARAMS.as_bytes());
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert_eq!(stdout(&out).trim_end(), CONTENT);
    }
    let from_env = |value: &str, args: &[&str]| {
        let mut child = command(args)
            .env("ALIPAY_PRIVATE_KEY", value)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs");
        let _ = child
            .stdin
            .take()
            .expect("stdin")
            .write_all(PARAMS.as_bytes());
        child.wait_with_output().expect("exits")
    };
    // The variable holds a path, or the key itself.
    let key_text = std::fs::read_to_string(fixture("app_private_pkcs8.pem")).expect("fixture");
    let expected = stdout(&run(&["sign", "--private-key", key], PARAMS.as_bytes()));
    for value in [key, key_text.as_str()] {
        let out = from_env(value, &["sign"]);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(stdout(&out), expected);
    }
    // `--help` names the variable but never shows its value.
    let out = from_env(&key_text, &["sign", "--help"]);
    assert!(out.status.success());
    let help = stdout(&out);
    assert!(help.contains("[env: ALIPAY_PRIVATE_KEY]"), "{help}");
    let body_line = key_text.lines().nth(1).expect("a base64 line");
    assert!(!help.contains(body_line), "the key is not shown: {help}");
}

#[test]
fn serve_help_explains_every_fault_kind_and_the_control_endpoints() {
    let out = run(&["sandbox", "serve", "--help"], b"");
    assert!(out.status.success(), "{out:?}");
    let help = stdout(&out);
    let kinds: Vec<&str> = help
        .lines()
        .skip_while(|line| !line.starts_with("Fault kinds"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(kinds.len(), 9, "{help}");
    for kind in kinds {
        // `latency[=MS]` is read as `latency` and as `latency=1`.
        let (bare, with_arg) = match kind.split_once("[=") {
            Some((bare, _)) => (bare, Some(format!("{bare}=1"))),
            None => (kind, None),
        };
        for text in std::iter::once(bare.to_owned()).chain(with_arg) {
            let text = if text == "5xx=1" {
                "5xx=503".to_owned()
            } else {
                text
            };
            alipay::sandbox::FaultRule::parse_cli(&text)
                .unwrap_or_else(|e| panic!("`{text}` in --help is a fault: {e}"));
        }
    }
    for endpoint in [
        "POST   /sandbox/pay?app_id=ID&out_trade_no=T",
        "GET    /sandbox/notifications",
        "GET    /sandbox/faults",
        "POST   /sandbox/faults",
        "DELETE /sandbox/faults",
    ] {
        assert!(help.contains(endpoint), "{endpoint}: {help}");
    }
    // Line 1 and 2 of stdout are documented as scripts read them.
    assert!(help.contains("Line 1 of stdout is the gateway URL, line 2 the Alipay public key"));
}
