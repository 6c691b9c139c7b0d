//! What an index holds, part by part, and what each distinct string costs:
//!
//!     cargo run --release --example index_memory -- target/bench-corpus-distinct-500000

use trailscope::load::{LoadOptions, Progress, load};

fn main() {
    let paths: Vec<std::path::PathBuf> = std::env::args_os().skip(1).map(Into::into).collect();
    let (index, _) = load(&paths, &LoadOptions::default(), &Progress::default());
    let parts = index.memory_parts();
    let mb = |b: usize| b as f64 / 1e6;
    for (name, bytes) in &parts {
        println!("{name:<24} {:>9.1} MB", mb(*bytes));
    }
    let total: usize = parts.iter().map(|p| p.1).sum();
    println!(
        "{:<24} {:>9.1} MB for {} events",
        "total",
        mb(total),
        index.len()
    );
    let text: usize = (0..index.strings.len() as u32)
        .map(|id| index.strings.get(id).len())
        .sum();
    let n = index.strings.len();
    println!(
        "strings: {n} distinct, {:.1} MB of text, {:.1} bytes each beyond their text",
        mb(text),
        (index.strings.heap_bytes() - text) as f64 / n.max(1) as f64
    );
}
