//! Reading keys, certificates and stdin; writing key and certificate files.

use std::io::Read;
use std::path::Path;

use crate::fatal::{Context, Fatal};

/// Reads a text file.
pub(crate) fn read(path: &Path) -> Result<String, Fatal> {
    std::fs::read_to_string(path).context(|| format!("cannot read `{}`", path.display()))
}

/// A key or certificate given as a file path or as the text itself: an existing file is read;
/// PEM, or bare base64 (at least 64 base64 characters, line breaks allowed), is the text
/// itself; anything else is read as a path (so a key's text is never shown as a path).
pub(crate) fn key_or_path(value: &str) -> Result<String, Fatal> {
    let trimmed = value.trim();
    let path = Path::new(trimmed);
    if !trimmed.contains("-----BEGIN") && path.is_file() {
        return read(path);
    }
    let bare_base64 = trimmed.len() >= 64
        && trimmed.bytes().all(|b| {
            b.is_ascii_alphanumeric() || b.is_ascii_whitespace() || matches!(b, b'+' | b'/' | b'=')
        });
    if trimmed.contains("-----BEGIN") || bare_base64 {
        return Ok(value.to_owned());
    }
    read(path)
}

/// The whole of stdin.
pub(crate) fn stdin() -> Result<Vec<u8>, Fatal> {
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .context(|| "cannot read stdin".to_owned())?;
    Ok(input)
}

/// Writes a new file (never over an existing one); `secret` files are the owner's only.
pub(crate) fn create(path: &Path, content: &[u8], secret: bool) -> Result<(), Fatal> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    options
        .open(path)
        .and_then(|mut file| file.write_all(content))
        .context(|| format!("cannot write `{}`", path.display()))
}

/// [`create`], replacing a file left by an earlier run (the sandbox issues new certificates at
/// each start).
pub(crate) fn replace(path: &Path, content: &[u8], secret: bool) -> Result<(), Fatal> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).context(|| format!("cannot replace `{}`", path.display())),
    }
    create(path, content, secret)
}
