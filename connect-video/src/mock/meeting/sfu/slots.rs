//! Which requested stream each receive slot of a subscriber carries: a stream keeps its slot
//! across re-subscriptions, freed slots take new streams in request order.

/// The new assignment of `current` slots for the `requested` streams. Streams that find no
/// slot are left out (the subscriber offered too few).
pub(super) fn assign(current: &[Option<u32>], requested: &[u32]) -> Vec<Option<u32>> {
    let mut next: Vec<Option<u32>> = current
        .iter()
        .map(|slot| slot.filter(|id| requested.contains(id)))
        .collect();
    for id in requested {
        if next.contains(&Some(*id)) {
            continue;
        }
        if let Some(free) = next.iter_mut().find(|slot| slot.is_none()) {
            *free = Some(*id);
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_keep_their_slots() {
        assert_eq!(assign(&[None, None], &[4, 5]), [Some(4), Some(5)]);
        assert_eq!(assign(&[Some(4), Some(5)], &[6, 5]), [Some(6), Some(5)]);
        assert_eq!(
            assign(&[Some(4), Some(5), None], &[5]),
            [None, Some(5), None]
        );
        assert_eq!(assign(&[None], &[1, 2, 3]), [Some(1)]);
        assert_eq!(assign(&[None, None], &[1, 1]), [Some(1), None]);
    }
}
