//! [`SeenSet`]: a bounded set of ids, forgetting the oldest first.

use std::collections::{HashSet, VecDeque};

/// A set of at most `capacity` ids; inserting beyond it forgets the oldest.
///
/// ```
/// use connect_video::chat::SeenSet;
///
/// let mut seen = SeenSet::new(2);
/// assert!(seen.insert("a"));
/// assert!(!seen.insert("a"));
/// seen.insert("b");
/// seen.insert("c");
/// assert!(!seen.contains("a") && seen.contains("c"));
/// ```
#[derive(Clone, Debug)]
pub struct SeenSet {
    capacity: usize,
    order: VecDeque<String>,
    ids: HashSet<String>,
}

impl SeenSet {
    /// An empty set holding at most `capacity` ids (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            order: VecDeque::new(),
            ids: HashSet::new(),
        }
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// Adds `id`; false when it was already there.
    pub fn insert(&mut self, id: &str) -> bool {
        if !self.ids.insert(id.to_owned()) {
            return false;
        }
        self.order.push_back(id.to_owned());
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        true
    }

    /// How many ids it holds.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}
