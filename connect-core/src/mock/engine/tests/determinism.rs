//! Same seed and script → identical journal; another seed → other ids.

use std::time::Duration;

use super::Harness;
use crate::mock::{ArrivalScript, ContactSpec, Journal, SimChannel, SimSpec};
use crate::model::ContactStateType as S;

fn run(seed: u64) -> Journal {
    let mut h = Harness::new(SimSpec::default().seed(seed).agents(3));
    let voice = ContactSpec::of(SimChannel::Voice).hang_up_after(Duration::from_secs(30));
    h.e.script_arrivals(
        ArrivalScript::new(voice, 6, Duration::from_secs(7)).jitter(Duration::from_secs(2)),
        h.t,
    );
    h.e.script_arrivals(
        ArrivalScript::new(
            ContactSpec::of(SimChannel::Chat),
            4,
            Duration::from_secs(11),
        ),
        h.t,
    );
    // Agents accept whatever rings and clear after-contact work, every second, for 3 minutes.
    for _ in 0..180 {
        h.advance(1_000);
        for i in 0..3 {
            for contact in h.snap(i).contacts {
                let _ = match contact.state.kind {
                    S::Connecting | S::Incoming => h.accept(i, &contact.contact_id),
                    S::Ended | S::Error | S::Missed => h.clear(i, &contact.contact_id),
                    S::Connected if contact.kind == crate::model::ContactType::Chat => {
                        h.e.customer_hang_up(&contact.contact_id, false, h.t)
                    }
                    _ => Ok(()),
                };
            }
        }
    }
    h.e.journal().clone()
}

#[test]
fn same_seed_same_journal() {
    let a = run(9);
    let b = run(9);
    assert_eq!(a, b);
    assert!(a.len() > 100);
    let c = run(10);
    assert_ne!(a.events(), c.events());
}
