//! CPU time of this process, for the examples' measurements (Linux `/proc`; `None` elsewhere).
//!
//! Two clocks: [`process_cpu`] reads user + system time from `/proc/self/stat`, counted in
//! clock ticks (10 ms); [`CpuSample`] also reads each thread's on-CPU nanoseconds from
//! `/proc/self/task/*/schedstat`, fine enough for a process that does almost nothing (the
//! desktop side of a redirected call). A thread that exits between two samples takes its
//! nanoseconds with it, so [`CpuUsage::threads_exited`] says when the fine figure is only a
//! lower bound.

use std::collections::BTreeMap;
use std::time::Duration;

/// Length of one `/proc/<pid>/stat` clock tick (`USER_HZ` is 100 on every mainstream Linux).
pub const TICK: Duration = Duration::from_millis(10);

/// User + system time in `/proc/<pid>/stat` text, in ticks. The command name may hold spaces
/// and parentheses: the fields start after its last closing parenthesis.
fn stat_ticks(stat: &str) -> Option<u64> {
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// This process's CPU time so far (user + system) from `/proc/self/stat`, with
/// [`TICK`] resolution; `None` where that file is not available.
///
/// ```
/// if let Some(cpu) = connect_examples::cpu::process_cpu() {
///     println!("{cpu:?} of CPU so far");
/// }
/// ```
pub fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    Some(TICK * u32::try_from(stat_ticks(&stat)?).ok()?)
}

/// On-CPU nanoseconds of one thread: the first field of its `schedstat`.
fn schedstat_nanos(schedstat: &str) -> Option<u64> {
    schedstat.split_whitespace().next()?.parse().ok()
}

/// One reading of this process's CPU clocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CpuSample {
    /// On-CPU nanoseconds of each live thread, by thread id.
    threads: BTreeMap<u32, u64>,
    /// `/proc/self/stat` user + system time.
    ticks: Duration,
}

/// CPU used between two samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuUsage {
    /// From the threads' nanosecond counters.
    pub nanos: Duration,
    /// From `/proc/self/stat`, [`TICK`] resolution.
    pub ticks: Duration,
    /// A thread alive at the first sample was gone at the second: `nanos` misses its share.
    pub threads_exited: bool,
}

impl CpuSample {
    /// Reads the clocks now; `None` where `/proc` is not available.
    ///
    /// ```
    /// use connect_examples::cpu::CpuSample;
    ///
    /// if let Some(start) = CpuSample::now() {
    ///     let busy: u64 = (0..1_000_000u64).map(|i| i % 7).sum();
    ///     let used = CpuSample::now().expect("still on Linux").since(&start);
    ///     println!("{busy}: {:?} ({:?} in ticks)", used.nanos, used.ticks);
    /// }
    /// ```
    pub fn now() -> Option<Self> {
        let ticks = process_cpu()?;
        let threads = std::fs::read_dir("/proc/self/task")
            .ok()?
            .filter_map(|task| {
                let task = task.ok()?;
                let tid = task.file_name().to_str()?.parse().ok()?;
                let schedstat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
                Some((tid, schedstat_nanos(&schedstat)?))
            })
            .collect();
        Some(Self { threads, ticks })
    }

    /// What was used since `earlier`.
    pub fn since(&self, earlier: &CpuSample) -> CpuUsage {
        let nanos = self
            .threads
            .iter()
            .map(|(tid, now)| now.saturating_sub(earlier.threads.get(tid).copied().unwrap_or(0)))
            .sum();
        CpuUsage {
            nanos: Duration::from_nanos(nanos),
            ticks: self.ticks.saturating_sub(earlier.ticks),
            threads_exited: earlier
                .threads
                .keys()
                .any(|t| !self.threads.contains_key(t)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_read_after_the_command_name() {
        let stat =
            "4242 (tokio (worker) 1) S 1 4242 4242 0 -1 4194560 900 0 0 0 137 21 0 0 20 0 5 0";
        assert_eq!(stat_ticks(stat), Some(158));
        assert_eq!(stat_ticks("4242 (short"), None);
        assert_eq!(schedstat_nanos("1234567 89 10\n"), Some(1_234_567));
        assert_eq!(schedstat_nanos(""), None);
    }

    #[test]
    fn usage_counts_new_threads_whole_and_flags_exited_ones() {
        let sample = |threads: &[(u32, u64)], ticks_ms: u64| CpuSample {
            threads: threads.iter().copied().collect(),
            ticks: Duration::from_millis(ticks_ms),
        };
        let start = sample(&[(1, 1_000), (2, 5_000)], 10);
        let end = sample(&[(1, 4_000), (3, 700)], 20);
        assert_eq!(
            end.since(&start),
            CpuUsage {
                nanos: Duration::from_nanos(3_700),
                ticks: Duration::from_millis(10),
                threads_exited: true,
            }
        );
        let later = sample(&[(1, 4_500), (3, 900)], 20);
        assert!(!later.since(&end).threads_exited);
    }

    #[test]
    fn this_process_can_be_measured_on_linux() {
        if !cfg!(target_os = "linux") {
            assert!(CpuSample::now().is_none());
            return;
        }
        let start = CpuSample::now().expect("/proc/self");
        let mut x = 0u64;
        while CpuSample::now()
            .expect("/proc/self")
            .since(&start)
            .nanos
            .is_zero()
        {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        assert!(process_cpu().is_some());
        let _ = x;
    }
}
