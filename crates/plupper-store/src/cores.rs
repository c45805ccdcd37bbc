//! Helper threads that work beside their spawner from the start.
//!
//! Linux may queue a new thread on the core of the thread that spawns it, even with
//! another core idle: it then waits there for the spawner's time slice to end or for a
//! load balance to move it. On the 2-core VMs the comparison runs on, a C program that
//! spawns a thread and then works 1 ms on each thread saw the new thread start 1.8–3.9
//! ms after it was spawned (2.8–5.0 ms in all). [`spawn_beside`] lets the new thread run
//! at once (the spawner yields to it) and has it move itself off the spawner's core, so
//! that both work from the start: 60–160 µs to the move, 1.06–1.20 ms in all.

use std::thread::{Scope, ScopedJoinHandle};

/// Spawns `work` on a thread of `scope` that starts on another core than this thread's
/// (when this thread may run on another one), so that both work at once from the start.
/// Once moved, the new thread may run on every core this one may.
///
/// ```
/// let (mine, theirs) = std::thread::scope(|scope| {
///     let theirs = plupper_store::cores::spawn_beside(scope, || (1..=100u64).sum::<u64>());
///     let mine = (101..=200u64).sum::<u64>();
///     (mine, theirs.join().unwrap())
/// });
/// assert_eq!(mine + theirs, 20_100);
/// ```
pub fn spawn_beside<'scope, T, F>(
    scope: &'scope Scope<'scope, '_>,
    work: F,
) -> ScopedJoinHandle<'scope, T>
where
    F: FnOnce() -> T + Send + 'scope,
    T: Send + 'scope,
{
    #[cfg(target_os = "linux")]
    {
        let here = rustix::thread::sched_getcpu();
        let handle = scope.spawn(move || {
            leave(here);
            work()
        });
        // The new thread, when queued here, runs now and moves.
        rustix::thread::sched_yield();
        handle
    }
    #[cfg(not(target_os = "linux"))]
    scope.spawn(work)
}

/// Whether the machine has two cores or more. For a costly job only: the answer reads
/// cgroup files.
pub fn two_cores() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
}

/// Moves this thread off `core` when it runs there and may run elsewhere: its affinity
/// without that core (the kernel moves it at once), then as it was.
#[cfg(target_os = "linux")]
fn leave(core: usize) {
    use rustix::thread::{sched_getaffinity, sched_getcpu, sched_setaffinity};
    if sched_getcpu() != core {
        return;
    }
    let Ok(allowed) = sched_getaffinity(None) else {
        return;
    };
    let mut elsewhere = allowed;
    elsewhere.unset(core);
    if elsewhere.count() > 0 && sched_setaffinity(None, &elsewhere).is_ok() {
        // Failing, the thread stays off that core: still correct, only less free.
        let _ = sched_setaffinity(None, &allowed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cores this thread may run on (none where that is not asked).
    fn allowed() -> Vec<usize> {
        #[cfg(target_os = "linux")]
        {
            use rustix::thread::{CpuSet, sched_getaffinity};
            let set = sched_getaffinity(None).expect("this thread's affinity");
            (0..CpuSet::MAX_CPU)
                .filter(|&core| set.is_set(core))
                .collect()
        }
        #[cfg(not(target_os = "linux"))]
        Vec::new()
    }

    #[test]
    fn the_helper_gives_back_its_work_and_may_run_where_this_thread_may() {
        let before = allowed();
        let (answer, helpers) = std::thread::scope(|scope| {
            spawn_beside(scope, || (6 * 7, allowed()))
                .join()
                .expect("no panic")
        });
        assert_eq!(answer, 42);
        assert_eq!(helpers, before);
        assert_eq!(allowed(), before, "this thread did not move");
        #[cfg(target_os = "linux")]
        assert!(!before.is_empty());
    }
}
