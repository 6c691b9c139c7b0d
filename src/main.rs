fn main() {
    std::process::exit(trailscope::cli::main());
}
