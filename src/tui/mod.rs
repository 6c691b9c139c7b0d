//! The interactive browser.
//!
//! - [`run`]: the terminal, the event loop, the [`viewport::Viewport`] from the terminal size;
//! - [`app`]: the one owner of state — view stack, key routing, dispatch;
//! - [`views`]: one module per view, each with its state, update and draw;
//! - [`widgets`]: the table, cursor and line editor every view draws with;
//! - [`results`]: what a filter gives the screen (events, facet counts, the [`timeline`]);
//! - [`ctx`]: what a view may read; [`keymap`]: every key binding; [`jobs`]: work off the UI thread;
//! - [`draw`]: the whole screen from `&App`.

pub mod app;
pub mod complete;
pub mod ctx;
pub mod draw;
mod editing;
pub mod filter_bar;
pub mod following;
pub mod history;
pub mod jobs;
pub mod json_view;
pub mod keymap;
pub mod prompt;
pub mod results;
pub mod run;
mod summaries;
pub mod text_search;
pub mod theme;
pub mod timeline;
pub mod viewport;
pub mod views;
pub mod widgets;

pub use run::run;
