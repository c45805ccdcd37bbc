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
//! - **The start's code together** (`startup.order`, with LLD, the linker Rust uses on
//!   x86-64 Linux since 1.90). The functions a start and a short query run are spread
//!   over 11 MB of code, and the kernel maps code in on first use, 64 KiB around each
//!   page touched: a count by visitor faulted 62 times on code. The linker places the
//!   functions the file names first, in its order: 1.5 MB, written by
//!   `benches/startup-order.sh`, which runs a start and a dozen short queries on the
//!   sample data under callgrind. A count by visitor at 5M messages: 1.61 → 1.33 ms
//!   (the SQLite peer's: 1.50), page faults 210 → 180, 14 of them on code
//!   (`benches/README.md` has the other classes). The names are the compiler's, with a
//!   hash of each crate's version, features and dependencies: they hold for the
//!   toolchain and `Cargo.lock` they were written with, built alone or with the rest of
//!   the workspace (whose members enable no dependency feature the binary's do not: see
//!   `rand_chacha` in the workspace's `Cargo.toml`); a checkout at another path lacks
//!   the 4 % whose names end in LLVM's hash of their module, which holds the path. A
//!   name the binary lacks is skipped, which costs speed, never correctness; CI checks
//!   that the release binary has nine in ten (`startup-order.sh --check`). With another
//!   linker (a `linker` or `-fuse-ld` of one's own, or a compiler before 1.90) the file
//!   is not given.
//!
//! glibc itself stays a shared library: cargo cannot link one binary of a workspace
//! statically without the whole build (benches/README.md, "measured and not taken"), and
//! a static glibc still loads its name-service modules for `sync`'s host names from the
//! system it runs on, which must then have the same glibc.
use std::env::var;
use std::process::Command;

/// The linker's list of functions to place first.
const ORDER: &str = "startup.order";
/// The variable that names a linker of one's own for the one target where Rust links
/// with LLD by default.
const LINKER: &str = "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={ORDER}");
    println!("cargo:rerun-if-env-changed={LINKER}");
    let target_os = var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if target_os == "linux" && target_env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
        // Found before std's `-lgcc_s`, so that library is left out (`--as-needed`).
        println!("cargo:rustc-link-lib=static=gcc_eh");
        if links_with_lld() {
            let manifest_dir = var("CARGO_MANIFEST_DIR").unwrap_or_default();
            println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={manifest_dir}/{ORDER}");
            // The names of another toolchain's build are not an error, only slower.
            println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
        }
    }
}

/// Whether the binary is linked by the LLD that Rust brings: on x86-64 Linux (glibc)
/// with Rust 1.90 or later, unless the build names a linker or linker flavour of its own.
fn links_with_lld() -> bool {
    let arch = var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let flags = var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let own_linker = var(LINKER).is_ok()
        || ["linker", "fuse-ld", "link-self-contained"]
            .iter()
            .any(|flag| flags.contains(flag));
    arch == "x86_64" && !own_linker && rustc_minor().is_some_and(|minor| minor >= 90)
}

/// The minor version of the compiler building this (`1.95.0` → 95).
fn rustc_minor() -> Option<u32> {
    let rustc = var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(rustc).arg("--version").output().ok()?;
    let version = String::from_utf8(output.stdout).ok()?;
    let mut parts = version.split_whitespace().nth(1)?.split('.');
    (parts.next()? == "1").then_some(())?;
    parts.next()?.parse().ok()
}
