//! How a scenario ended.

/// How a scenario ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Proven conformant; the reason says what the RP did.
    Pass(String),
    /// Proven not conformant; the reason says what the RP did and what it should do.
    Fail(String),
    /// Not decidable; the reason says why and what to fix.
    Error(String),
}
