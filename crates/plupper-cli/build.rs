//! Links the `plupper-archive` binary for a fast start on Linux (issue 14: a few-row query
//! within 0.5 ms of the process floor; every query run as a process pays the start).
//!
//! - **Position-dependent** (`-no-pie`). A position-independent executable carries about
//!   29,000 relative relocations (tables of pointers in the dependencies' static data:
//!   clap, tantivy, the Unicode tables), which the dynamic loader applies at every start,
//!   writing a private copy of every page they touch. That was a third of the
//!   instructions and about 110 of the 270 page faults of `plupper-archive --version`.
//!   Linked without `-pie` the linker applies them once, at link time. The cost: the
//!   executable's own image is not placed at a random address (shared libraries, the
//!   heap and the stacks still are).
//! - **The unwinder linked in** (`libgcc_eh`, what `gcc -static-libgcc` does), instead of
//!   loading `libgcc_s.so` at every start: each shared library the loader maps costs this
//!   kind of machine about 0.08 ms a process. Panics still unwind (a unit test in
//!   `main.rs`); the program loads no other Rust code that would unwind through it.
//!
//! glibc itself stays a shared library: cargo cannot link one binary of a workspace
//! statically without the whole build (benches/README.md, "measured and not taken"), and
//! a static glibc still loads its name-service modules for `sync`'s host names from the
//! system it runs on, which must then have the same glibc.
fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if target_os == "linux" && target_env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
        // Found before std's `-lgcc_s`, so that library is left out (`--as-needed`).
        println!("cargo:rustc-link-lib=static=gcc_eh");
    }
}
