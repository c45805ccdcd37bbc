//! CPU priority within an import that indexes as it goes.
//!
//! Such an import runs the archive's writer, the parse threads and the scanner beside
//! one tantivy indexing thread (see `commands::import`), and that thread has the most
//! work of any: at 1M messages about 6.5 s of CPU, the others together about 5.7 s.
//! Sharing two cores evenly with four busy threads, it fell behind, and once the writer
//! was done it indexed the rest on one core while the other was idle (in one run at 1M:
//! the writer done at 5.4 s, the index at 8.2 s). With the writer's side five steps of
//! `nice` below it, the indexing thread runs whenever it can and the others take what is
//! left (6.0 and 7.0 s): three interleaved pairs of 1M imports took 7.17–7.20 s against
//! 7.45–7.66 s. Since then every thread does less (at 1M the indexing thread about 3.8 s
//! of CPU, the rest about 6.3 s, both cores 92 % busy), and 0 to 10 steps measured
//! alike (medians 6.2–6.4 s in six rounds, `benches/README.md`); five stay.
//!
//! Only the writer's side is lowered, and only for the import; a process cannot raise a
//! thread's priority back without privileges, so the threads stay lowered until the
//! process ends (which an import does once its index has caught up). Linux keeps the
//! nice value per thread and a new thread takes its creator's; elsewhere this does
//! nothing.

/// How many steps of `nice` the writer's side runs below the indexing thread.
const STEPS: i32 = 5;

/// Lowers the calling thread and the rayon pool's threads (creating the pool when it does
/// not exist yet) by [`STEPS`] below the calling thread's priority now, so that the
/// threads they start later (the scanner, the parse stage) are lowered too. Threads
/// started before, such as the index follower, keep their priority. Whether it was done.
pub fn lower_writer_side() -> bool {
    let Some(now) = imp::current() else {
        return false;
    };
    let target = now.saturating_add(STEPS);
    let lowered = imp::set_current(target);
    // `broadcast` runs on every thread of the pool, once each.
    let pool: Vec<bool> = rayon::broadcast(|_| imp::set_current(target));
    lowered && pool.iter().all(|&ok| ok)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
mod imp {
    /// The calling thread's nice value.
    pub fn current() -> Option<i32> {
        // SAFETY: `gettid` has no preconditions. `getpriority` only reads the scheduler's
        // value for that thread; -1 is a valid answer, so errno tells an error apart.
        unsafe {
            let tid = libc::gettid() as libc::id_t;
            *libc::__errno_location() = 0;
            let value = libc::getpriority(libc::PRIO_PROCESS, tid);
            (value != -1 || *libc::__errno_location() == 0).then_some(value)
        }
    }

    /// Sets the calling thread's nice value (raising it needs no privilege).
    pub fn set_current(value: i32) -> bool {
        // SAFETY: as above; `setpriority` on this thread changes only its scheduling.
        unsafe {
            let tid = libc::gettid() as libc::id_t;
            libc::setpriority(libc::PRIO_PROCESS, tid, value) == 0
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod imp {
    pub fn current() -> Option<i32> {
        None
    }

    pub fn set_current(_: i32) -> bool {
        false
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    #[test]
    fn a_new_thread_lowers_itself_and_the_pool() {
        // On a thread of its own, since the change cannot be undone.
        std::thread::spawn(|| {
            let before = imp::current().unwrap();
            assert!(lower_writer_side());
            let expected = (before + STEPS).min(19);
            assert_eq!(imp::current(), Some(expected));
            let pool: Vec<Option<i32>> = rayon::broadcast(|_| imp::current());
            assert!(pool.iter().all(|&nice| nice == Some(expected)), "{pool:?}");
            // A thread started now takes the lowered value.
            let child = std::thread::spawn(imp::current).join().unwrap();
            assert_eq!(child, Some(expected));
        })
        .join()
        .unwrap();
    }
}
