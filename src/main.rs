fn main() {
    std::process::exit(allot::cli::run(std::env::args_os()));
}
