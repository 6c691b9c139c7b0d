//! Command-line arguments → configuration → subcommands.

use crate::error::CliError;
use crate::format::thousands;
use crate::load::scan::scan;
use crate::load::{self, LoadOptions, LoadReport, Progress};
use crate::output::{self, stats, table};
use crate::query::parse::{fold, quote};
use crate::query::{Compiled, Cond, Filter};
use crate::sanitize::escape;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "trailscope",
    version,
    about = "Browse AWS CloudTrail logs on your own disk",
    long_about = "Browse AWS CloudTrail logs on your own disk.\n\nWith no subcommand, opens the interactive browser on PATHs (files or directories; - is standard input), \
                  on the current directory when it holds CloudTrail files, or on the bundled demo trail.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Start the browser with this filter applied (same language as the filter bar).
    #[arg(long, allow_hyphen_values = true)]
    pub filter: Option<String>,
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub follow: FollowArgs,
    /// Files, directories or s3://bucket[/prefix] locations to open.
    pub paths: Vec<PathBuf>,
}

/// Keep watching the inputs for new deliveries.
#[derive(Args, Debug, Clone, Default)]
pub struct FollowArgs {
    /// Keep watching: local directories (file-system notifications, with polling
    /// as a fallback) and S3 prefixes (today's day folders, every --poll seconds).
    #[arg(long)]
    pub follow: bool,
    /// Seconds between two listings of S3 prefixes (and local polls) with --follow.
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub poll: u64,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the events that match, oldest first.
    Query(QueryArgs),
    /// Counts: events, files, failures, busiest sources, events and actors.
    Stats(StatsArgs),
    /// Every CodePipeline pipeline lifetime with its version history.
    Pipelines(PipelinesArgs),
    /// What changed in a pipeline between two versions.
    Diff(DiffArgs),
    /// Every actor: identity type, accounts, events, errors, first/last seen, IPs, top events.
    Users(ActivityArgs),
    /// Every CodeCommit repository: pushes, pulls, branches, pipelines that read it.
    Repos(ActivityArgs),
    /// The S3 object cache: its location and size; `cache clear` empties it.
    Cache(CacheArgs),
}

#[derive(Args, Debug)]
pub struct CacheArgs {
    #[command(subcommand)]
    pub action: Option<CacheAction>,
}

#[derive(Subcommand, Debug, Clone, Copy)]
pub enum CacheAction {
    /// Delete every cached object.
    Clear,
}

#[derive(Args, Debug)]
pub struct ActivityArgs {
    /// Aggregate over the events that match (every event without a filter).
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    pub format: TableOrJson,
    pub paths: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct PipelinesArgs {
    /// List the pipelines with events that match; `--pipeline NAME` naming one
    /// pipeline exactly prints its version history.
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    pub format: TableOrJson,
    pub paths: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The pipeline's name (exact).
    #[arg(long)]
    pub pipeline: String,
    /// The account, when the name exists in several.
    #[arg(long)]
    pub account: Option<String>,
    /// The region, when the name exists in several.
    #[arg(long)]
    pub region: Option<String>,
    /// The older version (default: the one before --to).
    #[arg(long)]
    pub from: Option<u64>,
    /// The newer version (default: the newest loaded).
    #[arg(long)]
    pub to: Option<u64>,
    /// Which lifetime of a pipeline deleted and re-created (default: the newest).
    #[arg(long)]
    pub lifetime: Option<u32>,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    pub paths: Vec<PathBuf>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableOrJson {
    Table,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct LoadArgs {
    /// Largest decompressed size accepted for one file (bytes; K, M, G suffixes).
    #[arg(long, value_parser = parse_size, default_value = "4G", global = true)]
    pub max_file_bytes: u64,
    /// Exit with status 1 if any file failed to load.
    #[arg(long, global = true)]
    pub strict: bool,
    /// AWS profile for s3:// inputs (default: AWS_PROFILE, else `default`); SSO and assume-role profiles work.
    #[arg(long, value_name = "NAME", global = true)]
    pub profile: Option<String>,
    /// S3-compatible endpoint for s3:// inputs (also AWS_ENDPOINT_URL); addressed by path.
    #[arg(long, value_name = "URL", global = true)]
    pub endpoint_url: Option<String>,
    /// Read s3:// inputs without credentials (public buckets).
    #[arg(long, global = true)]
    pub no_sign_request: bool,
    /// Concurrent S3 downloads.
    #[arg(long, value_name = "N", default_value_t = crate::s3::DEFAULT_CONCURRENCY, value_parser = parse_concurrency, global = true)]
    pub s3_concurrency: usize,
    /// Cap of the S3 object cache ($XDG_CACHE_HOME/trailscope); least recently used objects go first.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "2G", global = true)]
    pub cache_size: u64,
    /// Do not keep fetched S3 objects (they are read from temporary files, deleted on exit).
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// Load an s3:// trail of more than a year with no --since/--until/--last.
    #[arg(long, global = true)]
    pub all: bool,
}

impl LoadArgs {
    pub fn options(&self) -> LoadOptions {
        LoadOptions {
            max_file_bytes: self.max_file_bytes,
            s3: crate::s3::S3Options {
                profile: self.profile.clone(),
                endpoint_url: self.endpoint_url.clone(),
                no_sign_request: self.no_sign_request,
                concurrency: self.s3_concurrency,
                cache_bytes: (!self.no_cache).then_some(self.cache_size),
                all: self.all,
                prune: Default::default(),
                confirm: None,
            },
        }
    }
}

/// The filter flags: each sets the filter-language term of the same name
/// (see `query::fields::FIELDS`, which lists them and their flags).
#[derive(Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Filter text in the filter language (terms AND together with the flags below).
    #[arg(long = "filter", value_name = "TEXT", allow_hyphen_values = true)]
    pub text_filter: Option<String>,
    /// Actor, ARN or principal contains T (case- and accent-insensitive; =T exact, also the access key).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub user: Option<String>,
    /// Access key id: exact, or a prefix of 4 or more characters.
    #[arg(long, value_name = "K")]
    pub key: Option<String>,
    /// Source IP: exact, a CIDR (10.0.0.0/8, IPv6 too), else a substring.
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
    /// User agent contains T.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub agent: Option<String>,
    /// Identity type contains T (IAMUser, AssumedRole, Root, AWSService…).
    #[arg(long = "type", value_name = "T")]
    pub identity_type: Option<String>,
    /// A CodeCommit repository of the event contains T.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub repo: Option<String>,
    /// A CodePipeline pipeline of the event contains T.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub pipeline: Option<String>,
    /// Any resource the event names (repository, pipeline, resource) contains T.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub resource: Option<String>,
    /// eventID, requestID or sharedEventID is one of A,B,… (exact).
    #[arg(long, value_name = "A,B")]
    pub id: Option<String>,
    /// Event name is one of A,B,… (case-insensitive; * and ? wildcards).
    #[arg(long, value_name = "A,B")]
    pub event: Option<String>,
    /// Event source (`codecommit` means codecommit.amazonaws.com).
    #[arg(long, value_name = "S")]
    pub source: Option<String>,
    #[arg(long, value_name = "A")]
    pub account: Option<String>,
    #[arg(long, value_name = "R")]
    pub region: Option<String>,
    /// Error code is one of A,B,….
    #[arg(long, value_name = "CODE")]
    pub error: Option<String>,
    /// From this time on: RFC 3339, YYYY-MM-DD, 2024-03-02T10:00 (UTC unless an offset), or -2h.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub since: Option<String>,
    /// Before this time (exclusive); same forms as --since.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub until: Option<String>,
    /// Within this span before the newest loaded event (2h, 30m, 7d).
    #[arg(long, value_name = "SPAN")]
    pub last: Option<String>,
    /// Only events with an errorCode.
    #[arg(long)]
    pub errors: bool,
    /// Only read-only events.
    #[arg(long, alias = "readonly", conflicts_with = "mutating")]
    pub read_only: bool,
    /// Only mutating events.
    #[arg(long)]
    pub mutating: bool,
    /// The raw event JSON contains T (case-insensitive).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub text: Option<String>,
    /// Only events whose eventID is shared by a record with different content.
    #[arg(long)]
    pub conflicts: bool,
}

#[derive(Args, Debug)]
pub struct QueryArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
    pub format: QueryFormat,
    /// Then print new matching events as they are delivered, until interrupted.
    #[command(flatten)]
    pub follow: FollowArgs,
    pub paths: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    pub paths: Vec<PathBuf>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryFormat {
    Table,
    Jsonl,
    /// One JSON array of the events.
    Json,
    Csv,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOrJson {
    Text,
    Json,
}

/// 1 to 1024 concurrent downloads.
fn parse_concurrency(text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=1024).contains(n))
        .ok_or_else(|| format!("`{text}` is not a number from 1 to 1024"))
}

/// `4G`, `512M`, `100K` or a number of bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, 'K' | 'k')) => (&t[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&t[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&t[..i], 1 << 30),
        Some((i, 'T' | 't')) => (&t[..i], 1 << 40),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("`{text}` is not a size (examples: 4G, 512M, 1000000)"))
}

/// How a flag's value is written as its term's value (one quoted value, or a list).
type WriteValue = dyn Fn(&str) -> String;

impl FilterArgs {
    /// The flags and `--filter` text as one filter. Each flag is written as its
    /// filter term and parsed, so flags and text follow the same rules.
    pub fn to_filter(&self) -> Result<Filter, String> {
        let mut f = match &self.text_filter {
            Some(t) => {
                Filter::parse(t).map_err(|e| format!("--filter: {}", escape(&e.to_string())))?
            }
            None => Filter::default(),
        };
        let one = |v: &str| quote(v);
        // As after `field:` in a filter: a leading `=` for exact, a comma-separated
        // list of values; a value already in quotes is taken as written (say, a user
        // agent with a comma in it).
        let list = |v: &str| {
            let v = v.trim();
            if v.starts_with('"') {
                return v.to_string();
            }
            let (exact, rest) = match v.strip_prefix('=') {
                Some(rest) => ("=", rest),
                None => ("", v),
            };
            let items: Vec<String> = rest.split(',').map(|x| quote(x.trim())).collect();
            format!("{exact}{}", items.join(","))
        };
        let values: [(&str, &Option<String>, &WriteValue); 17] = [
            ("user", &self.user, &list),
            ("key", &self.key, &list),
            ("ip", &self.ip, &list),
            ("agent", &self.agent, &list),
            ("type", &self.identity_type, &list),
            ("repo", &self.repo, &list),
            ("pipeline", &self.pipeline, &list),
            ("resource", &self.resource, &list),
            ("id", &self.id, &list),
            ("event", &self.event, &list),
            ("source", &self.source, &list),
            ("account", &self.account, &list),
            ("region", &self.region, &list),
            ("error", &self.error, &list),
            ("since", &self.since, &one),
            ("until", &self.until, &one),
            ("last", &self.last, &one),
        ];
        let mut terms: Vec<String> = values
            .iter()
            .filter_map(|(field, value, write)| {
                value.as_ref().map(|v| format!("{field}:{}", write(v)))
            })
            .collect();
        for (word, on) in [
            ("conflict", self.conflicts),
            ("errors", self.errors),
            ("readonly", self.read_only),
            ("mutating", self.mutating),
        ] {
            if on {
                terms.push(word.to_string());
            }
        }
        if let Some(t) = &self.text {
            terms.push(format!("text:{}", quote(t)));
        }
        for term in terms {
            let flag = term.split(':').next().unwrap_or_default().to_string();
            let parsed =
                Filter::parse(&term).map_err(|e| format!("--{flag}: {}", escape(&e.message)))?;
            f.terms.extend(parsed.terms);
        }
        Ok(f)
    }
}

/// Runs the program; returns the exit status.
///
/// Every value embedded in an error message (names from the logs, arguments) is
/// escaped where it is embedded, on one line; only the message's own line breaks
/// (a list of choices) reach standard error.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let mut opts = cli.load.options();
    // The filter narrows what s3:// inputs list (a bad filter is reported by the command).
    let filter = match &cli.command {
        Some(Command::Query(a)) => a.filter.to_filter().ok(),
        Some(Command::Stats(a)) => a.filter.to_filter().ok(),
        Some(Command::Pipelines(a)) => a.filter.to_filter().ok(),
        Some(Command::Users(a) | Command::Repos(a)) => a.filter.to_filter().ok(),
        Some(Command::Diff(a)) => FilterArgs {
            account: a.account.clone(),
            region: a.region.clone(),
            ..Default::default()
        }
        .to_filter()
        .ok(),
        Some(Command::Cache(_)) => None,
        None => cli.filter.as_deref().and_then(|t| Filter::parse(t).ok()),
    };
    if let Some(f) = &filter {
        opts.s3.prune = crate::s3::layout::Prune::from_filter(f);
    }
    let strict = cli.load.strict;
    if command_paths(&cli)
        .iter()
        .any(|p| crate::s3::S3Url::is_s3(p))
        && cli.command.is_some()
    {
        stop_on_interrupt();
    }
    let result = match cli.command {
        Some(Command::Query(args)) => query(args, &opts, strict),
        Some(Command::Stats(args)) => stats_command(args, &opts, strict),
        Some(Command::Pipelines(args)) => pipelines_command(args, &opts, strict),
        Some(Command::Diff(args)) => diff_command(args, &opts, strict),
        Some(Command::Users(args)) => users_command(args, &opts, strict),
        Some(Command::Repos(args)) => repos_command(args, &opts, strict),
        Some(Command::Cache(args)) => cache_command(args, &opts),
        None => crate::tui::run(cli.paths, cli.filter, &opts, &cli.follow),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "trailscope: {}",
                crate::sanitize::escape_keep_lines(&e.to_string())
            );
            e.exit_code()
        }
    }
}

/// The PATHs the command was given.
fn command_paths(cli: &Cli) -> &[PathBuf] {
    match &cli.command {
        Some(Command::Query(a)) => &a.paths,
        Some(Command::Stats(a)) => &a.paths,
        Some(Command::Pipelines(a)) => &a.paths,
        Some(Command::Diff(a)) => &a.paths,
        Some(Command::Users(a) | Command::Repos(a)) => &a.paths,
        Some(Command::Cache(_)) => &[],
        None => &cli.paths,
    }
}

/// Ctrl-C (and SIGTERM) while a subcommand reads S3: stop at once — downloads
/// are cancelled with the process — after deleting the temporary copies of
/// objects (`--no-cache`) and erasing the progress line. (Partial downloads in
/// the cache's `tmp/` are removed by a later run.)
fn stop_on_interrupt() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            crate::load::remove_spools();
            use std::io::IsTerminal;
            if std::io::stderr().is_terminal() {
                let _ = write!(std::io::stderr(), "\r\x1b[2K");
            }
            std::process::exit(128 + signal);
        }
    });
}

fn default_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    }
}

/// Prints load problems (one line per file) and a summary line to stderr.
pub fn report_problems(report: &LoadReport, events: usize, duplicates: usize) {
    let mut err = std::io::stderr().lock();
    for p in &report.failures {
        let _ = writeln!(
            err,
            "trailscope: {}: {}",
            escape(&p.path),
            escape(&p.message)
        );
    }
    for p in &report.warnings {
        let _ = writeln!(
            err,
            "trailscope: warning: {}: {}",
            escape(&p.path),
            escape(&p.message)
        );
    }
    if !report.failures.is_empty() || !report.warnings.is_empty() {
        let _ = writeln!(
            err,
            "trailscope: loaded {} events from {} files ({} skipped, {} failed, {} duplicate deliveries dropped)",
            thousands(events),
            thousands(report.files_read),
            thousands(report.files_skipped),
            thousands(report.files_failed),
            thousands(duplicates)
        );
    }
}

/// Loads PATHs (the current directory by default) and reports load problems on stderr.
fn load_reporting(
    paths: Vec<PathBuf>,
    opts: &LoadOptions,
) -> Result<(crate::index::Index, LoadReport), CliError> {
    let (index, report) = load_metered(&default_paths(paths), opts);
    stop_if_fatal(&report, index.len())?;
    report_problems(&report, index.len(), index.duplicates);
    Ok((index, report))
}

/// Loads with a progress line on standard error while `s3://` inputs are read
/// (when standard error is a terminal).
fn load_metered(paths: &[PathBuf], opts: &LoadOptions) -> (crate::index::Index, LoadReport) {
    let progress = std::sync::Arc::new(Progress::default());
    let _meter = Meter::start(paths, &progress);
    load::load(paths, opts, &progress)
}

/// An input the user must fix (S3 access, credentials, `--all`) and nothing
/// loaded: one line and the exit status, instead of an empty result.
fn stop_if_fatal(report: &LoadReport, events: usize) -> Result<(), CliError> {
    match &report.fatal {
        Some(f) if events == 0 => Err(if f.usage {
            CliError::Usage(f.message.clone())
        } else {
            CliError::Failed(f.message.clone())
        }),
        _ => Ok(()),
    }
}

/// The progress line on standard error: listing and download counts and
/// throughput, redrawn in place every 200 ms; erased when loading ends.
pub struct Meter {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Meter {
    pub fn start(paths: &[PathBuf], progress: &std::sync::Arc<Progress>) -> Meter {
        use std::io::IsTerminal;
        use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let wanted =
            std::io::stderr().is_terminal() && paths.iter().any(|p| crate::s3::S3Url::is_s3(p));
        let thread = wanted.then(|| {
            let stop = stop.clone();
            let progress = progress.clone();
            std::thread::spawn(move || {
                let mut shown = false;
                while !stop.load(Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    if stop.load(Relaxed) {
                        break;
                    }
                    let line = format!(
                        "{} · {} events",
                        progress.s3.line(progress.files_done.load(Relaxed)),
                        thousands(progress.events.load(Relaxed))
                    );
                    let _ = write!(std::io::stderr(), "\r\x1b[2K{line}");
                    shown = true;
                }
                if shown {
                    let _ = write!(std::io::stderr(), "\r\x1b[2K");
                }
            })
        });
        Meter { stop, thread }
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn cache_command(args: CacheArgs, opts: &LoadOptions) -> Result<i32, CliError> {
    use crate::format::human_bytes;
    let cap = opts
        .s3
        .cache_bytes
        .unwrap_or(crate::s3::cache::DEFAULT_CACHE_BYTES);
    let Some(cache) = crate::s3::cache::Cache::open(cap) else {
        return Err(CliError::Failed(
            "no cache directory: set XDG_CACHE_HOME or HOME".into(),
        ));
    };
    let dir = crate::sanitize::escape_path(cache.dir());
    match args.action {
        None => {
            let u = cache.usage();
            write_stdout(&format!(
                "{dir}\n{} in {} objects (cap {}, --cache-size)\n",
                human_bytes(u.bytes),
                thousands(u.objects),
                human_bytes(cap)
            ))?;
        }
        Some(CacheAction::Clear) => {
            let u = cache.clear()?;
            write_stdout(&format!(
                "{dir}: removed {} in {} objects\n",
                human_bytes(u.bytes),
                thousands(u.objects)
            ))?;
        }
    }
    Ok(0)
}

fn exit_status(report: &LoadReport, events_seen: usize, strict: bool) -> i32 {
    if events_seen == 0 || (strict && report.files_failed > 0) {
        1
    } else {
        0
    }
}

struct Cells {
    cells: Vec<String>,
    /// (eventID hash, raw-bytes hash): the same delivery seen again under --follow.
    key: (u64, u64),
}

/// One event as `query` prints it: its JSON, or its table/CSV cells.
fn event_row(format: QueryFormat, raw: &str, f: &crate::model::EventFields<'_>) -> Cells {
    use crate::model::content;
    let key = (content::id_hash(&f.event_id), content::raw_hash(raw));
    match format {
        QueryFormat::Jsonl | QueryFormat::Json => Cells {
            cells: vec![load::fetch::compact(raw)],
            key,
        },
        _ => Cells {
            cells: output::event_cells(
                f.time,
                &f.name,
                &f.source,
                &f.actor,
                f.resource(),
                &f.region,
                &f.source_ip,
                &f.error_code,
            ),
            key,
        },
    }
}

fn query(args: QueryArgs, opts: &LoadOptions, strict: bool) -> Result<i32, CliError> {
    let filter = args.filter.to_filter().map_err(CliError::Usage)?;
    if args.follow.follow && args.format == QueryFormat::Json {
        return Err(CliError::Usage(
            "--follow prints events as they arrive: use --format jsonl, table or csv, not json"
                .into(),
        ));
    }
    let paths = default_paths(args.paths);
    // Fuzzy words match the distinct values of the whole trail and `last:`
    // counts from its newest event: those filters need the index first.
    let prepared = if filter.needs_index() || !filter.fuzzy_words().is_empty() {
        let (index, report) = load_metered(&paths, opts);
        stop_if_fatal(&report, index.len())?;
        let prepared = filter.prepare_with(&index);
        say_unmatched(&prepared.unmatched_words());
        prepared
    } else {
        filter.prepare()
    };
    let format = args.format;
    let progress = std::sync::Arc::new(Progress::default());
    let meter = Meter::start(&paths, &progress);
    let result = scan(&paths, opts, &progress, |raw, f| {
        if !filter.matches_fields(f, raw, &prepared) {
            return None;
        }
        Some(event_row(format, raw, f))
    });
    drop(meter);
    stop_if_fatal(&result.report, result.events_seen)?;
    let mut result = result;
    // `conflict` terms are decided once every file is read.
    let conflict_terms: Vec<bool> = filter
        .terms
        .iter()
        .filter(|t| t.cond == Cond::Conflict)
        .map(|t| t.negated)
        .collect();
    if !conflict_terms.is_empty() {
        result
            .hits
            .retain(|h| conflict_terms.iter().all(|&neg| h.conflict != neg));
    }
    // The same counts as `stats`: events after dropping second deliveries.
    report_problems(
        &result.report,
        result.events_seen - result.duplicates,
        result.duplicates,
    );
    if result.conflicts > 0 {
        eprintln!(
            "trailscope: {} events share their eventID with a record of different content (filter: conflict)",
            thousands(result.conflicts)
        );
    }
    let seen: std::collections::HashSet<(u64, u64)> = if args.follow.follow {
        result.hits.iter().map(|h| h.value.key).collect()
    } else {
        Default::default()
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match format {
        QueryFormat::Jsonl => result
            .hits
            .iter()
            .try_for_each(|h| writeln!(out, "{}", h.value.cells[0])),
        QueryFormat::Json => write!(out, "[").and_then(|_| {
            result
                .hits
                .iter()
                .enumerate()
                .try_for_each(|(k, h)| {
                    write!(
                        out,
                        "{}\n{}",
                        if k == 0 { "" } else { "," },
                        h.value.cells[0]
                    )
                })
                .and_then(|_| writeln!(out, "]"))
        }),
        QueryFormat::Csv => writeln!(out, "{}", output::csv_header()).and_then(|_| {
            result
                .hits
                .iter()
                .try_for_each(|h| writeln!(out, "{}", output::csv_row(&h.value.cells)))
        }),
        QueryFormat::Table => {
            let rows: Vec<Vec<String>> = result.hits.into_iter().map(|h| h.value.cells).collect();
            out.write_all(
                table::render(&output::EVENT_COLUMNS, &rows, &output::EVENT_WIDTHS).as_bytes(),
            )
        }
    };
    match written.and_then(|_| out.flush()) {
        Ok(()) => {}
        // A closed pipe (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(0),
        Err(e) => return Err(e.into()),
    }
    drop(out);
    if args.follow.follow {
        let known = result.files.iter().map(|f| f.path.clone());
        let mut follower = load::follow::Follower::new(
            &paths,
            known,
            result.session.take(),
            std::time::Duration::from_secs(args.follow.poll),
        );
        return follow_query(&mut follower, seen, format, opts, |raw, f| {
            filter.matches_fields(f, raw, &prepared)
        });
    }
    Ok(exit_status(&result.report, result.events_seen, strict))
}

/// `query --follow`: prints the matching events of each new delivery, oldest
/// first within it, until interrupted (or standard output is closed). A second
/// delivery of an event already printed is skipped.
fn follow_query(
    follower: &mut load::follow::Follower,
    mut seen: std::collections::HashSet<(u64, u64)>,
    format: QueryFormat,
    opts: &LoadOptions,
    matches: impl Fn(&str, &crate::model::EventFields<'_>) -> bool,
) -> Result<i32, CliError> {
    loop {
        let (files, failures) = follower.next(std::time::Duration::from_secs(1));
        for f in failures {
            eprintln!("trailscope: {}: {}", escape(&f.path), escape(&f.message));
        }
        for file in files {
            let mut rows: Vec<(i64, Cells)> = Vec::new();
            let outcome =
                load::process_source(&file.path, file.slot.as_deref(), opts, &mut |raw, f| {
                    let row = event_row(format, raw, &f);
                    if row.key.0 != 0 && !seen.insert(row.key) {
                        return;
                    }
                    if matches(raw, &f) {
                        rows.push((f.time, row));
                    }
                });
            if let Some(e) = &outcome.error {
                eprintln!("trailscope: {}: {}", escape(&file.display), escape(e));
            }
            rows.sort_by_key(|r| r.0);
            let text = match format {
                QueryFormat::Table => {
                    let cells: Vec<Vec<String>> = rows.into_iter().map(|r| r.1.cells).collect();
                    if cells.is_empty() {
                        String::new()
                    } else {
                        let t =
                            table::render(&output::EVENT_COLUMNS, &cells, &output::EVENT_WIDTHS);
                        // Without the header line: it was printed at the start.
                        t.split_once('\n')
                            .map(|(_, rest)| rest.to_string())
                            .unwrap_or_default()
                    }
                }
                QueryFormat::Csv => rows
                    .into_iter()
                    .map(|r| output::csv_row(&r.1.cells) + "\n")
                    .collect(),
                _ => rows
                    .into_iter()
                    .map(|r| r.1.cells[0].clone() + "\n")
                    .collect(),
            };
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(0),
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// The events of `index` that match `filter`, reading raw JSON for `text:` terms.
pub fn select(index: &crate::index::Index, filter: &Filter) -> Vec<u32> {
    let compiled = Compiled::new(filter, index);
    say_unmatched(compiled.unmatched_words());
    let candidates = compiled.select();
    crate::query::text::keep_matching(index, filter, candidates)
}

/// "no value matches `xyz`" on stderr for each bare word that matches nothing,
/// so an empty answer is not a silent one.
fn say_unmatched(words: &[String]) {
    for word in words {
        eprintln!(
            "trailscope: no value matches `{}`",
            crate::sanitize::escape(word)
        );
    }
}

fn stats_command(args: StatsArgs, opts: &LoadOptions, strict: bool) -> Result<i32, CliError> {
    let filter = args.filter.to_filter().map_err(CliError::Usage)?;
    let (index, report) = load_metered(&default_paths(args.paths), opts);
    stop_if_fatal(&report, index.len())?;
    if args.format == TextOrJson::Text {
        report_problems(&report, index.len(), index.duplicates);
    }
    let selected = if filter.is_empty() {
        (0..index.len() as u32).collect()
    } else {
        select(&index, &filter)
    };
    let s = stats::compute(&index, &report, &selected);
    let text = match args.format {
        TextOrJson::Json => {
            serde_json::to_string_pretty(&s).map_err(|e| CliError::Failed(e.to_string()))? + "\n"
        }
        TextOrJson::Text => s.to_text(),
    };
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e.into());
    }
    Ok(exit_status(&report, index.len(), strict))
}

fn write_stdout(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| CliError::Failed(e.to_string()))
}

/// Writes a list as a table or as a JSON array, per `--format`.
fn write_listing<'a, T, J: serde::Serialize>(
    format: TableOrJson,
    items: &'a [T],
    to_json: impl Fn(&'a T) -> J,
    write_table: impl Fn(&'a [T], &mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    match format {
        TableOrJson::Json => write_json_array(items.iter().map(to_json)),
        TableOrJson::Table => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            match write_table(items, &mut out).and_then(|_| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
                _ => Ok(()),
            }
        }
    }
}

/// A pretty JSON array written to stdout element by element: a listing of
/// 500k users is not first built as one string.
fn write_json_array<J: serde::Serialize>(items: impl Iterator<Item = J>) -> Result<(), CliError> {
    /// Serialises the iterator as a sequence without collecting it.
    struct Seq<I>(std::cell::RefCell<Option<I>>);
    impl<J: serde::Serialize, I: Iterator<Item = J>> serde::Serialize for Seq<I> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let items = self.0.borrow_mut().take();
            s.collect_seq(items.into_iter().flatten())
        }
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written =
        serde_json::to_writer_pretty(&mut out, &Seq(std::cell::RefCell::new(Some(items))))
            .map_err(std::io::Error::from)
            .and_then(|_| out.write_all(b"\n"))
            .and_then(|_| out.flush());
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Loads the trail and selects the events the subcommand's filter matches
/// (`None`: no filter, every event).
fn load_selected(
    filter: &FilterArgs,
    paths: Vec<PathBuf>,
    opts: &LoadOptions,
) -> Result<(crate::index::Index, LoadReport, Option<Vec<u32>>), CliError> {
    let filter = filter.to_filter().map_err(CliError::Usage)?;
    let (index, report) = load_reporting(paths, opts)?;
    let selected = (!filter.is_empty()).then(|| select(&index, &filter));
    Ok((index, report, selected))
}

fn pipelines_command(
    args: PipelinesArgs,
    opts: &LoadOptions,
    strict: bool,
) -> Result<i32, CliError> {
    let (index, report, selected) = load_selected(&args.filter, args.paths, opts)?;
    // Histories always come from every loaded event; the filter picks which are listed.
    let all = crate::pipeline::history::histories(&index);
    // `--pipeline NAME` (or `=NAME`) naming one pipeline exactly: its history.
    let named = args
        .filter
        .pipeline
        .as_deref()
        .map(|n| n.trim().trim_start_matches('=').trim_matches('"'));
    if let Some(name) = named
        && all.iter().any(|l| l.name == name)
    {
        let one: Vec<&crate::pipeline::history::Lifetime> =
            all.iter().filter(|l| l.name == *name).collect();
        let text = match args.format {
            TableOrJson::Json => json(
                &one.iter()
                    .map(|l| output::pipelines::lifetime_json(l))
                    .collect::<Vec<_>>(),
            )?,
            TableOrJson::Table => one
                .iter()
                .map(|l| output::pipelines::history_text(l))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        write_stdout(&text)?;
        return Ok(exit_status(&report, index.len(), strict));
    }
    if let Some(name) = named
        && !all.iter().any(|l| fold(&l.name).contains(&fold(name)))
    {
        let known: std::collections::BTreeSet<&str> = all.iter().map(|l| l.name.as_str()).collect();
        eprintln!(
            "trailscope: no pipeline is named like `{}` ({} pipelines loaded)",
            escape(name),
            thousands(known.len())
        );
    }
    let listed: Vec<crate::pipeline::history::Lifetime> = match &selected {
        None => all,
        Some(events) => {
            let mut places = std::collections::BTreeSet::new();
            for &i in events {
                let e = index.event(i as usize);
                for p in e.pipelines() {
                    places.insert((
                        e.account().to_string(),
                        e.region().to_string(),
                        p.to_string(),
                    ));
                }
            }
            all.into_iter()
                .filter(|l| places.contains(&(l.account.clone(), l.region.clone(), l.name.clone())))
                .collect()
        }
    };
    write_listing(
        args.format,
        &listed,
        output::pipelines::lifetime_json,
        |all, out| out.write_all(output::pipelines::lifetimes_table(all).as_bytes()),
    )?;
    Ok(exit_status(&report, index.len(), strict))
}

fn diff_command(args: DiffArgs, opts: &LoadOptions, strict: bool) -> Result<i32, CliError> {
    use std::io::IsTerminal;
    let (index, report) = load_reporting(args.paths, opts)?;
    use crate::pipeline::history::{Summaries, histories_with};
    let all = histories_with(&index, Summaries::Skipped);
    let matching: Vec<&crate::pipeline::history::Lifetime> = all
        .iter()
        .filter(|l| l.name == args.pipeline)
        .filter(|l| args.account.as_ref().is_none_or(|a| *a == l.account))
        .filter(|l| args.region.as_ref().is_none_or(|r| *r == l.region))
        .collect();
    let mut places: Vec<(&str, &str)> = matching
        .iter()
        .map(|l| (l.account.as_str(), l.region.as_str()))
        .collect();
    places.dedup();
    match places.len() {
        0 => {
            return Err(CliError::Failed(format!(
                "no pipeline named `{}` in the loaded logs",
                escape(&args.pipeline)
            )));
        }
        1 => {}
        _ => {
            let choices: Vec<String> = places
                .iter()
                .map(|(a, r)| format!("  --account {} --region {}", escape(a), escape(r)))
                .collect();
            return Err(CliError::Usage(format!(
                "`{}` names {} pipelines; pick one with:\n{}",
                escape(&args.pipeline),
                places.len(),
                choices.join("\n")
            )));
        }
    }
    let (account, region) = places[0];
    let lifetime = match args.lifetime {
        Some(n) => matching
            .iter()
            .find(|l| l.lifetime == n)
            .copied()
            .ok_or_else(|| {
                let have: Vec<String> = matching.iter().map(|l| l.lifetime.to_string()).collect();
                CliError::Failed(format!(
                    "`{}` has no lifetime {n}; loaded lifetimes: {}",
                    escape(&args.pipeline),
                    have.join(", ")
                ))
            })?,
        None => crate::pipeline::history::find(&all, &args.pipeline, Some(account), Some(region))
            .map(|k| &all[k])
            .ok_or_else(|| CliError::Failed("no such pipeline".into()))?,
    };
    let Some(latest) = lifetime.latest() else {
        return Err(CliError::Failed(format!(
            "`{}` has no versions in the loaded logs (only reads and runs)",
            escape(&args.pipeline)
        )));
    };
    let to = args.to.unwrap_or(latest.number);
    let from = args.from.unwrap_or(to.saturating_sub(1));
    for v in [from, to] {
        if lifetime.version(v).is_none() {
            return Err(CliError::Failed(format!(
                "version {v} of `{}` is not in the loaded logs; loaded versions: {}",
                escape(&args.pipeline),
                lifetime.loaded_ranges()
            )));
        }
    }
    let changes = lifetime.changes(from, to).unwrap_or_default();
    let text = match args.format {
        TextOrJson::Json => json(&output::pipelines::DiffJson {
            pipeline: &lifetime.name,
            account: &lifetime.account,
            region: &lifetime.region,
            lifetime: lifetime.lifetime,
            from,
            to,
            from_version: lifetime.version(from).map(output::pipelines::version_ref),
            to_version: lifetime.version(to).map(output::pipelines::version_ref),
            changes: &changes,
        })?,
        TextOrJson::Text => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            output::pipelines::diff_text(lifetime, from, to, &changes, color)
        }
    };
    write_stdout(&text)?;
    let status = exit_status(&report, index.len(), strict);
    // The process ends next: freeing two structures of an 80,000-stage pipeline
    // node by node took longer than the diff itself.
    std::mem::forget(all);
    Ok(status)
}

fn users_command(args: ActivityArgs, opts: &LoadOptions, strict: bool) -> Result<i32, CliError> {
    let (index, report, selected) = load_selected(&args.filter, args.paths, opts)?;
    let all = crate::activity::users::users_of(&index, selected.as_deref());
    drop(selected);
    write_listing(
        args.format,
        &all,
        |u| output::activity::user_json(u, &index),
        |all, out| output::activity::write_users_table(all, &index, out),
    )?;
    Ok(exit_status(&report, index.len(), strict))
}

fn repos_command(args: ActivityArgs, opts: &LoadOptions, strict: bool) -> Result<i32, CliError> {
    let (index, report, selected) = load_selected(&args.filter, args.paths, opts)?;
    let pipelines = crate::pipeline::history::histories(&index);
    let all = crate::activity::repos::repos_of(&index, &pipelines, selected.as_deref());
    write_listing(
        args.format,
        &all,
        output::activity::repo_json,
        |all, out| out.write_all(output::activity::repos_table(all).as_bytes()),
    )?;
    Ok(exit_status(&report, index.len(), strict))
}
