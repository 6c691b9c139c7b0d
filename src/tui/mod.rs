//! The interactive browser: state and actions ([`app`]), key table ([`keymap`]),
//! drawing ([`ui`]), background work ([`jobs`]) and the terminal loop ([`run`]).

pub mod activity;
pub mod app;
pub mod jobs;
pub mod json_view;
pub mod keymap;
pub mod pipelines;
pub mod run;
pub mod theme;
pub mod ui;

pub use run::run;
