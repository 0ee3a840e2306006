//! The README's quick start: one agent answers one call on the simulator, hangs up, clears
//! after-contact work, and stops.
//!
//! ```text
//! cargo run -p connect-examples --bin quickstart
//! ```

use connect_core::events::{AgentEvent, ContactEventKind};
use connect_core::mock::{ContactSpec, SimInstance};
use connect_core::session::AgentSession;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A simulated instance with one agent; use an HTTP CTI client for a real CCP.
    let sim = SimInstance::builder().agents(1).build()?;
    tokio::spawn(sim.run_timers());
    let (session, mut events) = AgentSession::builder(sim.client("agent1")?)
        .connect()
        .await?;
    sim.control().enqueue(ContactSpec::voice("+15555550123"))?;

    while let Some(event) = events.recv().await {
        let AgentEvent::Contact(c) = event else {
            continue;
        };
        let Some(contact) = session.contact(&c.contact_id) else {
            continue;
        };
        match c.kind {
            ContactEventKind::Connecting => contact.accept().await?,
            ContactEventKind::Connected => contact.hang_up().await?,
            ContactEventKind::Acw => contact.clear().await?,
            _ => {}
        }
        if c.kind.is_lifecycle() {
            println!("{} {:?}", c.contact_id, c.kind);
        }
        if c.kind == ContactEventKind::Acw {
            break;
        }
    }
    session.shutdown().await;
    Ok(())
}
