//! The process's entry point on Linux with glibc: what Rust's runtime does before and after
//! `main`, less the one step that costs most and that this program does not need.
//!
//! Before `main`, Rust's runtime (`std::rt::lang_start`) makes sure the standard streams
//! are open, ignores `SIGPIPE`, and installs a handler that tells a stack overflow from
//! another bad access. For that handler it asks glibc where the main thread's stack is
//! (`pthread_getattr_np`), and glibc finds out by reading and parsing `/proc/self/maps`:
//! 100,000 instructions, a quarter of all that `plupper-archive --version` runs
//! (callgrind), plus the kernel writing out the map. Two empty programs, one started by
//! the runtime and one from a C `main` like this one, took 0.79 and 0.70 ms a process
//! (200 interleaved runs each); a query that answers a few rows takes about 1.5 ms in
//! all.
//!
//! This `main` does the rest as the runtime does: the standard streams opened on
//! `/dev/null` when closed (so that no file this program opens becomes its stdout),
//! `SIGPIPE` ignored (a closed pipe is an error the commands handle: `| head`), the
//! program run under `catch_unwind` (a panic that escapes it exits 101), and stdout
//! flushed at the end ([`std::process::exit`] runs the runtime's cleanup). What is left
//! out: a stack overflow ends the process with `SIGSEGV` instead of a message and
//! `SIGABRT`; it ends it either way. The main thread has no name (the program's panic
//! hook does not print one). Elsewhere the runtime starts the program as usual.

use std::ffi::{c_char, c_int};

/// Called by the C runtime with the command line, which the standard library has already
/// read for [`std::env::args`] (glibc passes it to the library's initializers too).
#[unsafe(no_mangle)]
#[allow(unsafe_code)]
extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    prepare();
    let status = std::panic::catch_unwind(crate::program).unwrap_or(101);
    std::process::exit(i32::from(status))
}

/// The runtime's preparations this program relies on.
#[allow(unsafe_code)]
fn prepare() {
    for fd in 0..=2 {
        // SAFETY: `fcntl` with `F_GETFD` only asks whether the descriptor is open.
        let closed = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF);
        if closed {
            // The lowest free descriptor is this one, as those below it are open.
            // SAFETY: a constant, NUL-terminated path.
            let opened = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
            if opened != fd {
                // As the runtime does: nothing sure to write to, and no safe way on.
                std::process::abort();
            }
        }
    }
    // SAFETY: sets the disposition of one signal, as the runtime does before `main`.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}
