//! Named filters: `[filters]` in `$XDG_CONFIG_HOME/trailscope/config.toml`
//! (`~/.config/trailscope/config.toml`), used as `@name` in any filter, in the
//! browser and on the command line:
//!
//! ```toml
//! [filters]
//! prod-admins = "account:111122223333 type:AssumedRole user:*Admin*"
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The named filters, or why the configuration could not be read.
#[derive(Debug, Clone, Default)]
pub struct Named {
    pub filters: BTreeMap<String, String>,
    /// A configuration file that exists but cannot be used.
    pub problem: Option<String>,
}

#[derive(serde::Deserialize)]
struct Config {
    #[serde(default)]
    filters: BTreeMap<String, String>,
}

/// Where the configuration file is.
pub fn config_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("trailscope").join("config.toml"))
}

impl Named {
    /// Parses a configuration file's text.
    pub fn from_toml(text: &str) -> Named {
        match toml::from_str::<Config>(text) {
            Ok(c) => Named {
                filters: c.filters,
                problem: None,
            },
            Err(e) => Named {
                filters: BTreeMap::new(),
                problem: Some(e.message().to_string()),
            },
        }
    }

    fn load() -> Named {
        let Some(path) = config_path() else {
            return Named::default();
        };
        match std::fs::read(&path) {
            Ok(bytes) if bytes.len() <= 1 << 20 => {
                let mut named = Named::from_toml(&String::from_utf8_lossy(&bytes));
                if let Some(p) = &mut named.problem {
                    *p = format!("{}: {p}", path.display());
                }
                named
            }
            Ok(_) => Named {
                problem: Some(format!("{}: larger than 1 MiB", path.display())),
                ..Named::default()
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Named::default(),
            Err(e) => Named {
                problem: Some(format!("{}: {e}", path.display())),
                ..Named::default()
            },
        }
    }

    /// The user's named filters, read once.
    pub fn global() -> &'static Named {
        static NAMED: OnceLock<Named> = OnceLock::new();
        NAMED.get_or_init(Named::load)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_filters_table() {
        let n = Named::from_toml(
            "[filters]\nprod-admins = \"account:1 user:*Admin*\"\nci = 'user:ci-bot'\n",
        );
        assert_eq!(n.filters["prod-admins"], "account:1 user:*Admin*");
        assert_eq!(n.filters["ci"], "user:ci-bot");
        assert!(n.problem.is_none());
        let bad = Named::from_toml("[filters\nx = 1");
        assert!(bad.problem.is_some() && bad.filters.is_empty());
        assert!(Named::from_toml("").filters.is_empty());
    }
}
