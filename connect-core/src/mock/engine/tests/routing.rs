//! Routing: priority then age, longest idle, channel concurrency, routing delays.

use super::{Harness, TestResult};
use crate::mock::{AgentSpec, ContactSpec, QueueEntry, QueueSpec, RoutingProfileSpec, SimSpec};
use crate::model::{Channel, ContactStateType as S};

fn two_queue_spec() -> SimSpec {
    SimSpec::default()
        .queue(QueueSpec::new("Low"))
        .queue(QueueSpec::new("High"))
        .routing_profile(
            RoutingProfileSpec::new("P")
                .queue("Low", Channel::Voice, 2)
                .queue("High", Channel::Voice, 1)
                .queue("Low", Channel::Chat, 1),
        )
        .agent(
            AgentSpec::new("a")
                .routing_profile("P")
                .initial_state("Break"),
        )
}

#[test]
fn priority_first_then_oldest() -> TestResult {
    let mut h = Harness::new(two_queue_spec());
    let old_low =
        h.e.enqueue(ContactSpec::voice("+15555550001").queue("Low"), h.t)?;
    h.advance(1_000);
    let new_low =
        h.e.enqueue(ContactSpec::voice("+15555550002").queue("Low"), h.t)?;
    h.advance(1_000);
    let high =
        h.e.enqueue(ContactSpec::voice("+15555550003").queue("High"), h.t)?;
    h.put_state(0, "Available")?;
    let mut order = Vec::new();
    for _ in 0..3 {
        let offered = h.snap(0).contacts[0].contact_id.clone();
        h.e.customer_hang_up(&offered, false, h.t)?; // abandoned while ringing: gone
        order.push(offered);
    }
    assert_eq!(order, [high, old_low, new_low]);
    Ok(())
}

#[test]
fn longest_idle_agent_wins_ties_by_id() -> TestResult {
    let mut h = Harness::new(SimSpec::default().agents(3));
    // Equal idle time: the smallest agent id.
    let c = h.e.enqueue(ContactSpec::chat("Ann"), h.t)?;
    let mut ids = h.agents.clone();
    ids.sort();
    let first = h.holder(&c).expect("offered");
    assert_eq!(h.agent(first), ids[0]);
    h.e.customer_hang_up(&c, false, h.t)?;
    // Make agent3, then agent1, then agent2 available: agent3 is the longest idle.
    for i in 0..3 {
        h.put_state(i, "Break")?;
    }
    for i in [2, 0, 1] {
        h.advance(1_000);
        h.put_state(i, "Available")?;
    }
    let order: Vec<usize> = (0..3)
        .map(|_| {
            let c =
                h.e.enqueue(ContactSpec::chat("Bob"), h.t)
                    .expect("enqueued");
            h.holder(&c).expect("offered")
        })
        .collect();
    assert_eq!(order, [2, 0, 1]);
    Ok(())
}

#[test]
fn chat_concurrency_and_voice_blocked_by_active_chat() -> TestResult {
    let spec = SimSpec::default()
        .routing_profile(RoutingProfileSpec::basic().concurrency(Channel::Chat, 2))
        .agents(1);
    let mut h = Harness::new(spec);
    let chats: Vec<String> = (0..3)
        .map(|_| {
            h.e.enqueue(ContactSpec::chat("Ann"), h.t)
                .expect("enqueued")
        })
        .collect();
    assert_eq!(h.snap(0).contacts.len(), 2, "CHAT:2");
    assert_eq!(h.e.queued_contacts(), [chats[2].clone()]);
    let voice = h.e.enqueue(ContactSpec::voice("+15555550100"), h.t)?;
    for chat in &chats[..2] {
        h.accept(0, chat)?;
        h.e.customer_hang_up(chat, false, h.t)?;
        h.clear(0, chat)?;
    }
    // The third chat took a freed slot; voice still waits behind the active chat.
    assert_eq!(h.contact_state(0, &chats[2]), Some(S::Connecting));
    assert_eq!(h.contact(0, &voice), None);
    h.e.customer_hang_up(&chats[2], false, h.t)?;
    assert_eq!(h.contact_state(0, &voice), Some(S::Connecting));
    // And no chat is offered while the voice contact is active.
    let late = h.e.enqueue(ContactSpec::chat("Late"), h.t)?;
    assert_eq!(h.contact(0, &late), None);
    Ok(())
}

#[test]
fn routing_delay_holds_contacts_back() -> TestResult {
    let spec = SimSpec::default()
        .routing_profile(
            RoutingProfileSpec::new("Slow")
                .entry(QueueEntry::new("BasicQueue", Channel::Voice).delay_secs(5)),
        )
        .agent(AgentSpec::new("a").routing_profile("Slow"));
    let mut h = Harness::new(spec);
    let c = h.e.enqueue(ContactSpec::voice("+15555550100"), h.t)?;
    assert_eq!(h.e.next_due(), Some(h.t.add_millis(5_000)));
    h.advance(4_999);
    assert_eq!(h.contact(0, &c), None);
    h.advance(1);
    let offered = h.contact(0, &c).expect("offered after the delay");
    assert_eq!(offered.state.timestamp, h.t);
    Ok(())
}

#[test]
fn queues_outside_the_profile_are_not_routed() -> TestResult {
    let mut h = Harness::new(two_queue_spec());
    h.put_state(0, "Available")?;
    let chat = h.e.enqueue(ContactSpec::chat("Ann").queue("High"), h.t)?;
    assert_eq!(h.contact(0, &chat), None, "High has no CHAT entry");
    let task = h.e.enqueue(ContactSpec::task("T").queue("Low"), h.t)?;
    assert_eq!(
        h.contact(0, &task),
        None,
        "no TASK concurrency in profile P"
    );
    Ok(())
}

#[test]
fn offline_and_break_agents_get_nothing() -> TestResult {
    let mut h = Harness::agents(2);
    h.put_state(0, "Offline")?;
    h.put_state(1, "Break")?;
    let c = h.e.enqueue(ContactSpec::voice("+15555550100"), h.t)?;
    assert_eq!(h.holder(&c), None);
    h.put_state(1, "Available")?;
    assert_eq!(h.holder(&c), Some(1));
    Ok(())
}
