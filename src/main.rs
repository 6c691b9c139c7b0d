fn main() {
    // The browser, which lives on after loading, returns freed memory at once
    // (`tui::run`); the subcommands a millisecond later (see the function).
    trailscope::return_freed_memory_soon();
    std::process::exit(trailscope::cli::main());
}
