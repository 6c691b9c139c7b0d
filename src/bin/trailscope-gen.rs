//! Writes a deterministic CloudTrail corpus: `trailscope-gen --events N --seed S OUT`.
use clap::Parser;
use std::path::PathBuf;

#[derive(Parser)]
#[command(about = "Write a deterministic, realistic CloudTrail archive (S3 delivery tree)")]
struct Args {
    /// Number of distinct events.
    #[arg(long, default_value_t = 10_000)]
    events: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Mean events per delivery file.
    #[arg(long, default_value_t = 100)]
    per_file: usize,
    /// Write one gzip'd JSON-lines file instead of the S3 tree.
    #[arg(long)]
    single_file: bool,
    /// Distinct identities, keys, user agents and addresses: `demo` (a handful, the tests' corpus),
    /// `realistic` (a key per role session, thousands of agents and addresses), `distinct` (all unique).
    #[arg(long, value_enum, default_value_t = trailscope::corpus::Cardinality::Demo)]
    cardinality: trailscope::corpus::Cardinality,
    /// Output directory (or file, with --single-file).
    out: PathBuf,
}

fn main() {
    let a = Args::parse();
    let spec = trailscope::corpus::Spec {
        events: a.events,
        seed: a.seed,
        events_per_file: a.per_file,
        single_file: a.single_file,
        cardinality: a.cardinality,
    };
    match trailscope::corpus::generate(&spec, &a.out) {
        Ok(s) => println!(
            "{} events ({} duplicate copies) in {} files, {} bytes of JSON",
            s.events, s.duplicate_events, s.files, s.bytes
        ),
        Err(e) => {
            eprintln!("trailscope-gen: {e}");
            std::process::exit(1);
        }
    }
}
