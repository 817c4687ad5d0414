//! `returnTo` must be a same-origin relative path: the backend redirects there after sign-in, so anything that
//! a browser could read as another origin would make the SDK an open-redirect helper. The backend checks it
//! again (the contract says "same-origin relative path only"); this check gives the caller an early, typed error.

use crate::error::{Error, ErrorCode};

/// The longest `returnTo` accepted, in bytes.
pub(crate) const MAX_RETURN_TO_LEN: usize = 2048;

/// Why a `returnTo` was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReturnToError {
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
    /// Holds a control character or space: browsers strip tabs and newlines, so `/\t/evil` becomes `//evil`.
    ControlCharacter,
}

impl ReturnToError {
    fn message(self) -> &'static str {
        match self {
            ReturnToError::Empty => "returnTo is empty",
            ReturnToError::TooLong => "returnTo is longer than 2048 bytes",
            ReturnToError::NotAbsolutePath => "returnTo must be a same-origin path starting with '/'",
            ReturnToError::SchemeRelative => "returnTo must not start with '//' or '/\\' (another host)",
            ReturnToError::Backslash => "returnTo must not contain '\\'",
            ReturnToError::ControlCharacter => "returnTo must not contain spaces or control characters",
        }
    }
}

impl From<ReturnToError> for Error {
    fn from(e: ReturnToError) -> Error {
        Error::new(ErrorCode::InvalidReturnTo, e.message())
    }
}

/// Checks that `path` is a same-origin relative path (`/app/patients?id=1#top`) and returns it unchanged.
pub(crate) fn validate_return_to(path: &str) -> Result<&str, ReturnToError> {
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

#[cfg(test)]
mod tests;
