//! What an event is to trailscope: the decoded record, the indexing rules, times.

pub mod content;
pub mod fields;
pub mod lenient;
pub mod record;
pub mod time;

pub use fields::{EventFields, Parsed, parse_value};
pub use time::{Millis, NO_TIME};
