//! The filter language (parsing, evaluation, fuzzy words), shared by the CLI and the TUI.

pub mod eval;
pub mod facets;
pub mod fields;
pub mod fuzzy;
pub mod matcher;
pub mod named;
pub mod parse;
pub mod pivot;
pub mod text;

pub use eval::{Compiled, Facet, Scope};
pub use parse::{Cond, Filter, Match, ParseError, Term};
