//! Links the `plupper-archive` binary as a position-dependent executable on Linux.
//!
//! A position-independent executable carries about 29,000 relative relocations (tables of
//! pointers in the dependencies' static data: clap, tantivy, the Unicode tables), which the
//! dynamic loader applies at every start, writing a private copy of every page they touch.
//! That was a third of the instructions and about 110 of the 270 page faults of
//! `plupper-archive --version`, paid again by every query run as a process (issue 14: a
//! few-row query within 0.5 ms of the process floor). Linked without `-pie` the linker
//! applies them once, at link time. The cost: the executable's own image is not placed
//! at a random address (shared libraries, the heap and the stacks still are); the program
//! has no `unsafe` code of its own but one `mallopt` call.
fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if target_os == "linux" && target_env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
