//! [`Delivery`]: exactly-once, ordered delivery of chat items across reconnects (§2 gap fill).
//!
//! Live items are delivered as they come, de-duplicated by `Id`. After every reconnect and
//! rollover the session pages `GetTranscript` backwards from the most recent item until it
//! meets an item already delivered or older than the newest delivered one (at most 10 pages);
//! the missing items, and the live ones that arrived meanwhile, are then delivered in ascending
//! `(AbsoluteTime, Id)` order, the recovered ones flagged.

use crate::participant::{GetTranscriptRequest, GetTranscriptResponse, Item};

use super::seen::SeenSet;

/// Items asked for per gap-fill page (the service's maximum).
pub const GAP_FILL_PAGE_SIZE: u32 = 100;
/// Pages read at most per gap fill.
pub const GAP_FILL_MAX_PAGES: u32 = 10;
/// Ids remembered for de-duplication.
pub const DEFAULT_SEEN_CAPACITY: usize = 10_000;

/// An item as the application gets it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatItem {
    /// The item.
    pub item: Item,
    /// Whether it was recovered from the transcript rather than pushed on the socket.
    pub gap_filled: bool,
}

/// What to do after a gap-fill page.
#[derive(Clone, Debug, PartialEq)]
pub enum FillStep {
    /// Fetch this page next.
    Fetch(GetTranscriptRequest),
    /// Finished: deliver these, in order.
    Done {
        /// The items, ascending; recovered ones flagged.
        items: Vec<ChatItem>,
        /// How many were recovered.
        filled: usize,
    },
}

#[derive(Debug, Default)]
struct Fill {
    pages: u32,
    collected: Vec<Item>,
    buffered: Vec<Item>,
}

/// The de-duplication and gap-fill machine.
///
/// ```
/// use connect_video::chat::{Delivery, FillStep};
/// use connect_video::participant::{GetTranscriptResponse, Item};
///
/// let item = |id: &str, s: u32| Item::new(id, format!("2025-03-01T09:00:{s:02}.000Z"));
/// let mut d = Delivery::new(100);
/// assert_eq!(d.live(item("a", 1)).len(), 1);
/// assert!(d.live(item("a", 1)).is_empty()); // duplicate
///
/// let _first_page = d.begin_fill();
/// assert!(d.live(item("d", 4)).is_empty()); // held until the fill is done
/// let page = GetTranscriptResponse { transcript: vec![item("a", 1), item("b", 2), item("c", 3)], ..Default::default() };
/// let FillStep::Done { items, filled } = d.page(page) else { panic!() };
/// let ids: Vec<_> = items.iter().map(|i| (i.item.id.as_str(), i.gap_filled)).collect();
/// assert_eq!(ids, [("b", true), ("c", true), ("d", false)]);
/// assert_eq!(filled, 2);
/// ```
#[derive(Debug)]
pub struct Delivery {
    seen: SeenSet,
    newest: Option<i64>,
    fill: Option<Fill>,
}

impl Delivery {
    /// A machine remembering `seen_capacity` ids.
    pub fn new(seen_capacity: usize) -> Self {
        Self {
            seen: SeenSet::new(seen_capacity),
            newest: None,
            fill: None,
        }
    }

    /// Whether a gap fill is running.
    pub fn is_filling(&self) -> bool {
        self.fill.is_some()
    }

    /// An item pushed on the socket: delivered now, held during a gap fill, or dropped as a
    /// duplicate.
    pub fn live(&mut self, item: Item) -> Vec<ChatItem> {
        if self.seen.contains(&item.id) {
            tracing::debug!(id = %item.id, "duplicate chat item dropped");
            return Vec::new();
        }
        if let Some(fill) = self.fill.as_mut() {
            if !fill.buffered.iter().any(|i| i.id == item.id) {
                fill.buffered.push(item);
            }
            return Vec::new();
        }
        self.mark(&item);
        vec![ChatItem {
            item,
            gap_filled: false,
        }]
    }

    /// Starts (or restarts) a gap fill: the first page to fetch.
    pub fn begin_fill(&mut self) -> GetTranscriptRequest {
        let fill = self.fill.get_or_insert_with(Fill::default);
        fill.pages = 0;
        GetTranscriptRequest::latest(GAP_FILL_PAGE_SIZE)
    }

    /// A gap-fill page arrived.
    pub fn page(&mut self, response: GetTranscriptResponse) -> FillStep {
        let newest = self.newest;
        let Some(fill) = self.fill.as_mut() else {
            return FillStep::Done {
                items: Vec::new(),
                filled: 0,
            };
        };
        fill.pages += 1;
        let mut reached_known = false;
        for item in response.transcript {
            let older = newest.is_some_and(|n| item.time().is_some_and(|t| t.as_millis() < n));
            if self.seen.contains(&item.id) || older {
                reached_known = true;
            }
            if !self.seen.contains(&item.id) && !fill.collected.iter().any(|i| i.id == item.id) {
                fill.collected.push(item);
            }
        }
        match response.next_token {
            Some(token) if !reached_known && fill.pages < GAP_FILL_MAX_PAGES => {
                let mut request = GetTranscriptRequest::latest(GAP_FILL_PAGE_SIZE);
                request.next_token = Some(token);
                FillStep::Fetch(request)
            }
            _ => self.finish(),
        }
    }

    /// The gap fill could not complete: deliver what it found and what arrived meanwhile.
    pub fn fill_failed(&mut self) -> FillStep {
        self.finish()
    }

    fn finish(&mut self) -> FillStep {
        let Some(fill) = self.fill.take() else {
            return FillStep::Done {
                items: Vec::new(),
                filled: 0,
            };
        };
        let mut items: Vec<ChatItem> = fill
            .collected
            .into_iter()
            .filter(|c| !fill.buffered.iter().any(|b| b.id == c.id))
            .map(|item| ChatItem {
                item,
                gap_filled: true,
            })
            .collect();
        let filled = items.len();
        items.extend(fill.buffered.into_iter().map(|item| ChatItem {
            item,
            gap_filled: false,
        }));
        items.sort_by(|a, b| a.item.order_key().cmp(&b.item.order_key()));
        items.retain(|c| !self.seen.contains(&c.item.id));
        for c in &items {
            self.mark(&c.item);
        }
        let filled = filled.min(items.iter().filter(|c| c.gap_filled).count());
        FillStep::Done { items, filled }
    }

    fn mark(&mut self, item: &Item) {
        self.seen.insert(&item.id);
        if let Some(t) = item.time() {
            self.newest = Some(self.newest.map_or(t.as_millis(), |n| n.max(t.as_millis())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, second: u32) -> Item {
        Item::new(id, format!("2025-03-01T09:00:{second:02}.000Z"))
    }

    fn page(ids: &[(&str, u32)], next: Option<&str>) -> GetTranscriptResponse {
        GetTranscriptResponse {
            transcript: ids.iter().map(|(id, s)| item(id, *s)).collect(),
            next_token: next.map(str::to_owned),
            ..Default::default()
        }
    }

    fn done(step: FillStep) -> Vec<(String, bool)> {
        match step {
            FillStep::Done { items, .. } => items
                .into_iter()
                .map(|c| (c.item.id, c.gap_filled))
                .collect(),
            FillStep::Fetch(r) => panic!("unexpected fetch {r:?}"),
        }
    }

    #[test]
    fn pages_back_until_a_known_item() {
        let mut d = Delivery::new(100);
        d.live(item("m1", 1));
        d.begin_fill();
        // Newest page first (backward scan), each page ascending.
        let step = d.page(page(&[("m4", 4), ("m5", 5)], Some("p2")));
        let FillStep::Fetch(next) = step else {
            panic!("{step:?}")
        };
        assert_eq!(next.next_token.as_deref(), Some("p2"));
        let got = done(d.page(page(&[("m1", 1), ("m2", 2), ("m3", 3)], Some("p3"))));
        let ids: Vec<_> = got.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["m2", "m3", "m4", "m5"]);
        assert!(got.iter().all(|(_, filled)| *filled));
    }

    #[test]
    fn stops_at_the_newest_known_time_or_page_limit_or_last_page() {
        // Older than what was delivered: stop even though the id is new.
        let mut d = Delivery::new(100);
        d.live(item("m5", 5));
        d.begin_fill();
        let got = done(d.page(page(&[("old", 1), ("m6", 6)], Some("more"))));
        assert_eq!(got.len(), 2);

        // No delivered items: read until the last page.
        let mut d = Delivery::new(100);
        d.begin_fill();
        assert!(matches!(
            d.page(page(&[("b", 2)], Some("x"))),
            FillStep::Fetch(_)
        ));
        assert_eq!(done(d.page(page(&[("a", 1)], None))).len(), 2);

        // At most ten pages.
        let mut d = Delivery::new(100);
        d.begin_fill();
        for n in 0..9 {
            let id = format!("i{n}");
            assert!(matches!(
                d.page(page(&[(id.as_str(), 50 - n)], Some("x"))),
                FillStep::Fetch(_)
            ));
        }
        assert_eq!(done(d.page(page(&[("last", 1)], Some("x")))).len(), 10);
    }

    #[test]
    fn live_items_during_a_fill_are_merged_in_order_without_duplicates() {
        let mut d = Delivery::new(100);
        d.live(item("a", 1));
        d.begin_fill();
        assert!(d.live(item("c", 3)).is_empty());
        assert!(d.live(item("c", 3)).is_empty());
        assert!(d.live(item("a", 1)).is_empty());
        let got = done(d.page(page(&[("a", 1), ("b", 2), ("c", 3)], None)));
        assert_eq!(got, [("b".to_owned(), true), ("c".to_owned(), false)]);
        // Afterwards the same items are duplicates.
        assert!(d.live(item("b", 2)).is_empty());
        assert_eq!(d.live(item("d", 4)).len(), 1);
    }

    #[test]
    fn a_failed_fill_still_delivers_what_it_has() {
        let mut d = Delivery::new(100);
        d.begin_fill();
        d.live(item("x", 9));
        assert_eq!(done(d.fill_failed()), [("x".to_owned(), false)]);
        assert!(!d.is_filling());
    }

    #[test]
    fn equal_times_order_by_id() {
        let mut d = Delivery::new(100);
        d.begin_fill();
        let got = done(d.page(page(&[("b", 1), ("a", 1)], None)));
        assert_eq!(got[0].0, "a");
    }
}
