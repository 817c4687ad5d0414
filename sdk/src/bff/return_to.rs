//! Where the backend may send the browser after sign-in or sign-out: a same-origin relative path. Anything a
//! browser could read as another origin would make the backend (and the SDK that builds the URL) an open
//! redirect. The browser checks early for a typed error; the backend checks again, with the same function.

/// The longest `return_to` accepted, in bytes.
pub const MAX_RETURN_TO_LEN: usize = 2048;

/// Why a `return_to` was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReturnToError {
    /// Empty string.
    Empty,
    /// Longer than [`MAX_RETURN_TO_LEN`].
    TooLong,
    /// Does not start with `/` (absolute URL, `javascript:`, relative without slash, …).
    NotAbsolutePath,
    /// Starts with `//` or `/\`: browsers read it as another host (scheme-relative URL).
    SchemeRelative,
    /// Holds a backslash: some browsers turn `\` into `/`.
    Backslash,
    /// Holds a control character or whitespace: browsers strip tabs and newlines, so `/\t/evil` becomes
    /// `//evil`.
    ControlCharacter,
}

impl ReturnToError {
    /// What is wrong, as a sentence fragment for an error message.
    pub const fn message(self) -> &'static str {
        match self {
            ReturnToError::Empty => "return_to is empty",
            ReturnToError::TooLong => "return_to is longer than 2048 bytes",
            ReturnToError::NotAbsolutePath => "return_to must be a same-origin path starting with '/'",
            ReturnToError::SchemeRelative => "return_to must not start with '//' or '/\\' (another host)",
            ReturnToError::Backslash => "return_to must not contain '\\'",
            ReturnToError::ControlCharacter => "return_to must not contain spaces or control characters",
        }
    }
}

impl std::fmt::Display for ReturnToError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ReturnToError {}

/// Checks that `path` is a same-origin relative path (`/app/patients?id=1#top`) and returns it unchanged.
pub fn validate_return_to(path: &str) -> Result<&str, ReturnToError> {
    if path.is_empty() {
        return Err(ReturnToError::Empty);
    }
    if path.len() > MAX_RETURN_TO_LEN {
        return Err(ReturnToError::TooLong);
    }
    if path.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(ReturnToError::ControlCharacter);
    }
    if !path.starts_with('/') {
        return Err(ReturnToError::NotAbsolutePath);
    }
    if path.starts_with("//") || path.starts_with("/\\") {
        return Err(ReturnToError::SchemeRelative);
    }
    if path.contains('\\') {
        return Err(ReturnToError::Backslash);
    }
    Ok(path)
}
