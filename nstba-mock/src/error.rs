//! The error of starting the emulator.

/// Errors starting the emulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// Binding or serving failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The SQLite store failed.
    #[error("store error: {0}")]
    Store(String),
    /// A builder value is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
}
