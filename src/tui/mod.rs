//! The interactive browser.
use crate::cli::CliError;
use crate::load::LoadOptions;
use std::path::PathBuf;

pub fn run(
    _paths: Vec<PathBuf>,
    _filter: Option<String>,
    _opts: &LoadOptions,
) -> Result<i32, CliError> {
    Err(CliError::Failed(
        "the interactive browser is not built yet".into(),
    ))
}
