//! The error every command returns: it decides the exit status. It lives below
//! both the CLI and the browser so neither has to import the other.

/// What stopped a command, as the user sees it.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad arguments: exit 2.
    #[error("{0}")]
    Usage(String),
    /// Could not do the work: exit 1.
    #[error("{0}")]
    Failed(String),
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Failed(crate::sanitize::escape(&e.to_string()).into_owned())
    }
}

impl CliError {
    /// The process exit status for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Failed(_) => 1,
        }
    }
}
