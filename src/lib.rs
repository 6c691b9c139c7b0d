//! trailscope: browse AWS CloudTrail logs on your own disk.
//!
//! The architecture reads top to bottom:
//! - [`load`]: files → decoded events (every shape CloudTrail is saved in), in parallel;
//! - [`model`]: what an event is (lenient decoding, actor/repository/pipeline rules);
//! - [`index`]: compact columns of interned strings, in time order;
//! - [`query`]: the filter language shared by the CLI and the TUI;
//! - [`pipeline`]: CodePipeline version histories and structural diffs;
//! - [`output`] and [`tui`]: the views.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

/// mimalloc: the loader allocates from many threads at once; glibc's allocator
/// made loading several times slower and fragmented the heap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod activity;
pub mod cli;
pub mod corpus;
pub mod error;
pub mod format;
pub mod index;
pub mod load;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod query;
pub mod sanitize;
pub mod tui;
