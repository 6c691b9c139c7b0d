//! CodePipeline version histories rebuilt from the trail, and structural diffs.

pub mod diff;
pub mod history;
pub mod lines;
