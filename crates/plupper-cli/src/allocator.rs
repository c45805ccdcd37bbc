//! The settings of the C allocator that the program makes, before anything else runs.
//!
//! glibc's `malloc` serves a block of 128 KiB or more with its own `mmap` and gives it
//! back when freed, but each such free raises that threshold to the block's size (up to
//! 32 MiB), after which blocks that large come from the heap and stay there. tantivy's
//! indexing threads allocate and free 1 MiB arena pages for every segment they write:
//! after the first few, those pages piled up in the heap. Fixing the threshold at its
//! starting value ends that.
//!
//! Fixing it also fixes the threshold above which glibc gives the top of the heap back
//! to the system, at 128 KiB. A query that prints 184k messages then shrank and regrew
//! its heap some 1,400 times (12k page faults instead of 2.5k), so that one is set to
//! 8 MiB.
//!
//! Measured at 1M messages: `import` (which indexes at its end) peaked at 206 MiB of RSS
//! before and 149 MiB after, `index --rebuild` at 140 and 94 MiB; neither got slower.
//!
//! A process-wide choice, so the binary makes it, not the library crates.

/// Where glibc starts its `mmap` threshold, and where it stays.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 << 10;

/// How much free memory the top of the heap keeps before it is given back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: libc::c_int = 8 << 20;

/// Fixes glibc's `mmap` and trim thresholds; whether the allocator took both settings
/// (always `false` where the C library is not glibc).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn fix_thresholds() -> bool {
    // SAFETY: `mallopt` only changes the allocator's parameters, under its own lock; it
    // reads and writes no memory of ours.
    let set = |parameter, value| unsafe { libc::mallopt(parameter, value) == 1 };
    set(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) & set(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD)
}

/// Fixes glibc's `mmap` and trim thresholds; whether the allocator took both settings
/// (always `false` where the C library is not glibc).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn fix_thresholds() -> bool {
    false
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    #[test]
    fn glibc_takes_the_thresholds() {
        assert!(super::fix_thresholds());
    }
}
