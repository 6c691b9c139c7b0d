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
/// made loading several times slower and fragmented the heap. Built with
/// `no_thp` (no transparent huge pages): with them, each first touch of a 2 MB
/// region made the kernel zero all of it, most of the 80k-stage diff's time and
/// a tenth of a load's, for more resident memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe extern "C" {
    /// mimalloc's `mi_option_set` (linked in by `libmimalloc-sys`, the allocator's own bindings).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    /// mimalloc's `mi_collect`: frees what it holds for reuse, `force` included
    /// the arenas' freed blocks whose purge delay has not run out.
    fn mi_collect(force: bool);
}

/// Gives every block freed so far back to the system now. A load calls it after
/// each chunk of files is merged: the columns' growth frees blocks of tens of MB
/// at a time, and whether the delayed purge got to them before the next ones were
/// allocated decided between a 170 and a 225 MB peak in otherwise equal runs.
pub fn return_freed_memory_now() {
    // SAFETY: a plain call into the allocator, safe from any thread.
    unsafe { mi_collect(true) }
}

/// Gives freed memory back to the system at once instead of after mimalloc's
/// default 10 ms (and its arenas' 100 ms) delay, which a long-running process whose
/// allocations come in waves (the browser while loading and re-filtering) otherwise
/// keeps as resident size: on a million events it held 380 MB after loading instead of ≈ 180 MB.
pub fn return_freed_memory_promptly() {
    set_purge_delay(0);
}

/// Gives freed memory back after 1 ms, for the subcommands: at once, the
/// kernel zeroed pages again for each next file (a fifth of a load's time); after
/// mimalloc's default 10 ms, a load of 1M events peaked 30 MB higher. 1 ms costs
/// a few percent of the time and a few MB (`scripts/bench`).
pub fn return_freed_memory_soon() {
    set_purge_delay(1);
}

fn set_purge_delay(ms: std::ffi::c_long) {
    /// `mi_option_purge_delay` in mimalloc's `mi_option_t` (15 in both v2 and v3).
    const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
    // SAFETY: setting an option is thread-safe in mimalloc and takes plain integers.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, ms) }
}

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
pub mod s3;
pub mod sanitize;
pub mod tui;
