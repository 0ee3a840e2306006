//! Which UDP sockets a process owns, on Linux: the socket inodes its file descriptors link to
//! (`/proc/<pid>/fd/* -> socket:[inode]`), kept when `/proc/net/udp` or `/proc/net/udp6`
//! lists them.

use std::collections::BTreeSet;

/// The inodes of every UDP socket of the network namespace.
fn udp_table() -> BTreeSet<u64> {
    ["/proc/net/udp", "/proc/net/udp6"]
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .flat_map(|table| {
            table
                .lines()
                .skip(1)
                .filter_map(|line| line.split_whitespace().nth(9)?.parse().ok())
                .collect::<Vec<u64>>()
        })
        .collect()
}

/// The UDP socket inodes process `pid` (`"self"` for this one) owns now.
pub fn udp_sockets(pid: &str) -> BTreeSet<u64> {
    let udp = udp_table();
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).expect("readable /proc fd table");
    fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter_map(|target| {
            let target = target.to_string_lossy().into_owned();
            target
                .strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse::<u64>()
                .ok()
        })
        .filter(|inode| udp.contains(inode))
        .collect()
}
