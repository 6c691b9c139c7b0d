//! Tab completion in the filter bar: field names, then values from the index
//! with their event counts (the values of `user:` are actors with theirs).

use super::ctx::Ctx;
use crate::index::StrId;
use crate::query::Facet;
use crate::query::fields::{FIELDS, Kind};
use crate::query::parse::{fold, quote};
use rustc_hash::FxHashMap;

/// Suggestions for the word being typed, and which one Tab put in.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// Where the completed part starts in the text, in characters.
    pub start: usize,
    /// What to put there, with an event count (0: a field name).
    pub candidates: Vec<(String, usize)>,
    /// The candidate in the text now.
    pub at: usize,
}

/// How many suggestions are kept.
const MAX: usize = 50;

/// The candidates for `text` with the cursor at `cursor` (characters): the
/// start of the completed part and the candidates, best first.
pub fn candidates(ctx: &Ctx, text: &str, cursor: usize) -> Option<(usize, Vec<(String, usize)>)> {
    let chars: Vec<char> = text.chars().collect();
    let cursor = cursor.min(chars.len());
    let mut start = cursor;
    while start > 0 && !chars[start - 1].is_whitespace() && !matches!(chars[start - 1], '(' | '|') {
        start -= 1;
    }
    if chars.get(start) == Some(&'-') {
        start += 1;
    }
    let word: String = chars[start..cursor].iter().collect();
    if let Some(typed) = word.strip_prefix('@') {
        let names = named_candidates(typed, &crate::query::named::Named::global().filters);
        return (!names.is_empty()).then_some((start, names));
    }
    match word.split_once(':') {
        None => {
            let typed = word.to_ascii_lowercase();
            let names: Vec<(String, usize)> = FIELDS
                .iter()
                .filter(|f| f.name.starts_with(&typed))
                .map(|f| {
                    let name = if f.kind == Kind::Word {
                        f.name.to_string()
                    } else {
                        format!("{}:", f.name)
                    };
                    (name, 0)
                })
                .collect();
            (!names.is_empty()).then_some((start, names))
        }
        Some((field, value)) => {
            // Complete the last value of a list, after any `=`.
            let prefix_len = value.rfind(',').map_or(0, |k| k + 1);
            let mut value_start =
                start + field.chars().count() + 1 + value[..prefix_len].chars().count();
            let mut typed = &value[prefix_len..];
            if let Some(rest) = typed.strip_prefix('=') {
                typed = rest;
                value_start += 1;
            }
            let typed = fold(typed.trim_matches('"'));
            let mut values: Vec<(String, usize)> = field_values(ctx, field)?
                .into_iter()
                .filter(|(v, _)| fold(v).contains(&typed))
                .collect();
            values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            values.truncate(MAX);
            let values = values
                .into_iter()
                .map(|(v, n)| (quote(&v), n))
                .collect::<Vec<_>>();
            (!values.is_empty()).then_some((value_start, values))
        }
    }
}

/// The named filters (`@name`) whose names start with `typed`.
pub fn named_candidates(
    typed: &str,
    filters: &std::collections::BTreeMap<String, String>,
) -> Vec<(String, usize)> {
    filters
        .keys()
        .filter(|name| name.starts_with(typed))
        .map(|name| (format!("@{name}"), 0))
        .collect()
}

/// Every value of a field in the index, with its event count.
fn field_values(ctx: &Ctx, field: &str) -> Option<Vec<(String, usize)>> {
    let index = ctx.index;
    let facet = match field.to_ascii_lowercase().as_str() {
        "user" => Some(Facet::User),
        "event" => Some(Facet::Event),
        "source" => Some(Facet::Source),
        "account" => Some(Facet::Account),
        "region" => Some(Facet::Region),
        "error" => Some(Facet::Error),
        "repo" | "repository" => Some(Facet::Repository),
        "pipeline" => Some(Facet::Pipeline),
        _ => None,
    };
    if let Some(facet) = facet {
        let k = Facet::ALL.iter().position(|f| *f == facet)?;
        // Counts under the filter; when it selects nothing (a word being typed
        // that matches no value), counts over every event.
        let filtered = ctx.results.selection.facets.get(k);
        let counts = match filtered {
            Some(c) if !c.is_empty() => c,
            _ => index.distinct().unfiltered_facets.get()?.get(k)?,
        };
        return Some(
            counts
                .iter()
                .map(|&(id, n)| (index.strings.get(id).to_string(), n as usize))
                .collect(),
        );
    }
    let c = &index.cols;
    let mut counts: FxHashMap<StrId, usize> = FxHashMap::default();
    match field.to_ascii_lowercase().as_str() {
        "ip" => c
            .source_ip
            .iter()
            .for_each(|&id| *counts.entry(id).or_default() += 1),
        "agent" => c
            .user_agent
            .iter()
            .for_each(|&id| *counts.entry(id).or_default() += 1),
        "type" => (0..index.len())
            .for_each(|i| *counts.entry(index.identity_of(i).kind).or_default() += 1),
        "key" => (0..index.len())
            .for_each(|i| *counts.entry(index.identity_of(i).access_key).or_default() += 1),
        _ => return None,
    }
    counts.remove(&0);
    Some(
        counts
            .into_iter()
            .map(|(id, n)| (index.strings.get(id).to_string(), n))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::named_candidates;

    #[test]
    fn named_filters_complete_after_an_at_sign() {
        let filters = [
            ("pushers", "event:GitPush"),
            ("prod-admins", "account:1"),
            ("ci", "x"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            named_candidates("p", &filters),
            [("@prod-admins".to_string(), 0), ("@pushers".to_string(), 0)]
        );
        assert!(named_candidates("zz", &filters).is_empty());
    }
}
