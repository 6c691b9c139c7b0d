fn main() {
    trailscope::return_freed_memory_promptly();
    std::process::exit(trailscope::cli::main());
}
