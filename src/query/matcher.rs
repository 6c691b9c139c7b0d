//! Matching one field's value against a term's list of values, compiled once per
//! filter: exact values in a set, substrings in one Aho-Corasick automaton,
//! prefixes, wildcard patterns and IP networks. A list of 1,000 values costs
//! about what one value does. Everything is case- and accent-insensitive.

use super::parse::{Match, fold, has_wildcard, wildcard_match};
use rustc_hash::FxHashSet;
use std::net::IpAddr;

/// How a field reads its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Substring, or the whole value with `=`.
    Text,
    /// The whole value, always.
    Whole,
    /// The whole value with `=`, else a prefix (access keys).
    Prefix,
    /// An address: exact, a CIDR network, else a substring.
    Ip,
}

pub struct Matcher {
    exact: FxHashSet<String>,
    substrings: Option<aho_corasick::AhoCorasick>,
    prefixes: Vec<String>,
    /// Folded patterns that must match the whole value.
    patterns: Vec<String>,
    nets: Vec<(IpAddr, u8)>,
    /// An empty substring: every non-empty value matches.
    any: bool,
}

impl Matcher {
    pub fn new(list: &[Match], mode: Mode) -> Matcher {
        let mut m = Matcher {
            exact: FxHashSet::default(),
            substrings: None,
            prefixes: Vec::new(),
            patterns: Vec::new(),
            nets: Vec::new(),
            any: false,
        };
        let mut needles = Vec::new();
        for value in list {
            let text = fold(&value.text);
            if mode == Mode::Ip
                && !value.exact
                && let Some(net) = parse_net(&value.text)
            {
                m.nets.push(net);
                continue;
            }
            let whole = value.exact
                || mode == Mode::Whole
                || (mode == Mode::Ip && value.text.parse::<IpAddr>().is_ok());
            match (whole, has_wildcard(&text), mode) {
                (true, false, _) => {
                    m.exact.insert(text);
                }
                (true, true, _) => m.patterns.push(text),
                (false, true, Mode::Prefix) => m.patterns.push(format!("{text}*")),
                (false, true, _) => m.patterns.push(format!("*{text}*")),
                (false, false, Mode::Prefix) => m.prefixes.push(text),
                (false, false, _) if text.is_empty() => m.any = true,
                (false, false, _) => needles.push(text),
            }
        }
        if !needles.is_empty() {
            // A DFA searches fastest but costs milliseconds to build for a long
            // list; an NFA builds 1,000 values in about a millisecond and still
            // searches in one pass. The needles are folded, and values are
            // lower-cased before the search ([`lowered`]): a case-insensitive
            // automaton would cost three times as much to build.
            let kind = if needles.len() > 64 {
                aho_corasick::AhoCorasickKind::NoncontiguousNFA
            } else {
                aho_corasick::AhoCorasickKind::DFA
            };
            m.substrings = aho_corasick::AhoCorasick::builder()
                .kind(Some(kind))
                .build(&needles)
                .ok();
        }
        m
    }

    /// Whether the list is empty (nothing can match).
    pub fn is_empty(&self) -> bool {
        !self.any
            && self.exact.is_empty()
            && self.substrings.is_none()
            && self.prefixes.is_empty()
            && self.patterns.is_empty()
            && self.nets.is_empty()
    }

    /// Whether a non-empty `value` matches any value of the list.
    pub fn is_match(&self, value: &str) -> bool {
        if value.is_empty() {
            return false;
        }
        if self.any {
            return true;
        }
        // The common case, substrings of an ASCII value: no allocation.
        if value.is_ascii()
            && let Some(ac) = &self.substrings
            && lowered(value, |v| ac.is_match(v))
        {
            return true;
        }
        if !self.nets.is_empty()
            && let Ok(ip) = value.parse::<IpAddr>()
            && self.nets.iter().any(|&(net, bits)| in_net(ip, net, bits))
        {
            return true;
        }
        let needs_fold = !self.exact.is_empty()
            || !self.prefixes.is_empty()
            || !self.patterns.is_empty()
            || (self.substrings.is_some() && !value.is_ascii());
        if !needs_fold {
            return false;
        }
        let folded = |v: &str| {
            self.exact.contains(v)
                || self.prefixes.iter().any(|p| v.starts_with(p.as_str()))
                || self.patterns.iter().any(|p| wildcard_match(p, v))
        };
        if value.is_ascii() {
            // Folding ASCII is lower-casing: done on the stack, no allocation.
            return lowered(value, |v| std::str::from_utf8(v).is_ok_and(folded));
        }
        let v = fold(value);
        folded(&v) || self.substrings.as_ref().is_some_and(|ac| ac.is_match(&v))
    }
}

/// Calls `f` with the ASCII `value` in lower case: the value itself when it has no
/// upper case, else a copy on the stack (or, past 256 bytes, on the heap).
pub fn lowered<R>(value: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    let bytes = value.as_bytes();
    if !bytes.iter().any(u8::is_ascii_uppercase) {
        return f(bytes);
    }
    let mut stack = [0u8; 256];
    let mut heap = Vec::new();
    let buf: &mut [u8] = if bytes.len() <= stack.len() {
        &mut stack[..bytes.len()]
    } else {
        heap.resize(bytes.len(), 0);
        &mut heap
    };
    for (b, &c) in buf.iter_mut().zip(bytes) {
        *b = c.to_ascii_lowercase();
    }
    f(buf)
}

/// `10.0.0.0/8` or `2001:db8::/32`.
fn parse_net(text: &str) -> Option<(IpAddr, u8)> {
    let (addr, bits) = text.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let bits: u8 = bits.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((addr, bits))
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    let (ip, net, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        (IpAddr::V6(a), IpAddr::V4(b)) => match a.to_ipv4_mapped() {
            Some(a) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
            None => return false,
        },
        _ => return false,
    };
    if bits == 0 {
        return true;
    }
    let shift = width - u32::from(bits);
    (ip >> shift) == (net >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(values: &[&str], mode: Mode) -> Matcher {
        let list: Vec<Match> = values
            .iter()
            .map(|v| match v.strip_prefix('=') {
                Some(v) => Match::exact(v),
                None => Match::substring(v),
            })
            .collect();
        Matcher::new(&list, mode)
    }

    #[test]
    fn agrees_with_match_for_text() {
        let lists: [&[&str]; 4] = [
            &["ALICE", "=bob"],
            &["José", "=ÉVE"],
            &["=x y", "ci-4"],
            &["*@example.com", "=a?c"],
        ];
        let values = [
            "alice",
            "xALICEx",
            "bob",
            "Bob",
            "bobby",
            "josé garcía",
            "JOSE",
            "éve",
            "Eve",
            "x y",
            "Deployer/ci-42",
            "",
            "carol",
            "Admin/alice@example.com",
            "abc",
            "abbc",
        ];
        for list in lists {
            let matcher = m(list, Mode::Text);
            let matches: Vec<Match> = list
                .iter()
                .map(|v| match v.strip_prefix('=') {
                    Some(v) => Match::exact(v),
                    None => Match::substring(v),
                })
                .collect();
            for v in values {
                let want = !v.is_empty() && matches.iter().any(|x| x.is_match(v));
                assert_eq!(matcher.is_match(v), want, "{list:?} {v:?}");
            }
        }
    }

    #[test]
    fn prefixes_whole_values_and_networks() {
        let keys = m(&["ASIAYH0G", "=AKIAEXACT"], Mode::Prefix);
        assert!(keys.is_match("ASIAYH0G3HZI14TBOBRR"));
        assert!(!keys.is_match("XASIAYH0G"));
        assert!(keys.is_match("akiaexact"));
        assert!(!keys.is_match("AKIAEXACT2"));
        let events = m(&["Git*", "GetObject"], Mode::Whole);
        assert!(events.is_match("GitPush") && events.is_match("getobject"));
        assert!(!events.is_match("GetObjectAcl") && !events.is_match("xGitPush"));
        let ips = m(
            &["10.0.0.0/8", "2001:db8::/32", "203.0.113.12", "amazonaws"],
            Mode::Ip,
        );
        assert!(ips.is_match("10.200.3.4"));
        assert!(!ips.is_match("11.0.0.1"));
        assert!(ips.is_match("2001:db8:1::5"));
        assert!(!ips.is_match("2001:db9::1"));
        assert!(ips.is_match("203.0.113.12"));
        assert!(
            !ips.is_match("203.0.113.120"),
            "an address is exact, not a substring"
        );
        assert!(ips.is_match("ec2.amazonaws.com"));
        assert!(ips.is_match("::ffff:10.1.2.3"), "IPv4-mapped IPv6");
        assert!(m(&["0.0.0.0/0"], Mode::Ip).is_match("8.8.8.8"));
    }

    #[test]
    fn a_long_list_is_one_automaton() {
        let list: Vec<Match> = (0..1000)
            .map(|i| Match::substring(&format!("user-{i:04}-x")))
            .collect();
        let set = Matcher::new(&list, Mode::Text);
        assert!(set.substrings.is_some() && set.exact.is_empty() && set.patterns.is_empty());
        assert!(set.is_match("arn:aws:iam::1:user/USER-0999-x"));
        assert!(!set.is_match("arn:aws:iam::1:user/user-1000-x"));
    }
}
