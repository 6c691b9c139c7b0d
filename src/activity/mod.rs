//! Who and where: per-actor and per-repository summaries of the index, shared by
//! the `users`/`repos` subcommands and the browser's views.

pub mod repos;
pub mod users;
