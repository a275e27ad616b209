//! The `allot` command: everything is in the library's [`allot::cli`].

fn main() {
    std::process::exit(allot::cli::run(std::env::args_os()));
}
