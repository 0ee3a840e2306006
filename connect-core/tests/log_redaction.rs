//! A real flow through a session with its log layer installed: no token, TURN credential or
//! phone number reaches the stored logs, their export, the echo, or any `Debug` output.
#![cfg(feature = "mock")]

use std::sync::{Arc, Mutex};

use connect_core::events::{AgentEvent, ContactEventKind};
use connect_core::mock::{ContactSpec, SimInstance};
use connect_core::session::AgentSession;
use connect_core::time::{Clock, SystemClock};
use tracing_subscriber::layer::SubscriberExt;

const CUSTOMER: &str = "+15555550123";

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_voice_contact_leaves_no_secret_in_logs_or_debug_output() {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::default());
    let sim = SimInstance::builder()
        .agents(1)
        .clock(Arc::clone(&clock))
        .build()
        .expect("simulator");
    tokio::spawn(sim.run_timers());
    let (session, mut events) = AgentSession::builder(sim.client("agent1").expect("agent"))
        .clock(Arc::clone(&clock))
        .region("us-east-1")
        .connect()
        .await
        .expect("connects");
    let echoed = Arc::new(Mutex::new(Vec::<String>::new()));
    let echo_sink = Arc::clone(&echoed);
    let layer = session.log_layer().with_echo(Box::new(move |line: &str| {
        echo_sink.lock().expect("echo lock").push(line.to_owned());
    }));
    let subscriber = tracing_subscriber::registry().with(layer);
    let _guard = tracing::subscriber::set_default(subscriber);

    // Inside the session's span, as the SDK's own tasks and an app's handlers log.
    let span = tracing::info_span!("app", session_id = %session.session_id());
    let _entered = span.enter();
    sim.control()
        .enqueue(ContactSpec::voice(CUSTOMER))
        .expect("enqueued");
    let mut secrets: Vec<String> = vec![CUSTOMER.to_owned(), "5555550123".to_owned()];
    let mut debug_output = String::new();
    while let Some(event) = events.recv().await {
        debug_output.push_str(&format!("{event:?}\n"));
        let AgentEvent::Contact(c) = event else {
            continue;
        };
        let Some(contact) = session.contact(&c.contact_id) else {
            continue;
        };
        match c.kind {
            ContactEventKind::Connecting => {
                let data = contact.data().expect("contact data");
                let media = data
                    .agent_connection()
                    .and_then(|a| a.softphone_media_info.clone())
                    .expect("softphone media info");
                let config = media.call_config().expect("config").expect("parses");
                for server in &config.ice_servers {
                    if let Some(credential) = &server.credential {
                        secrets.push(credential.expose().to_owned());
                    }
                }
                secrets.push(media.call_context_token.expect("token").expose().to_owned());
                // What an app typically logs: the event, the raw snapshot, a URL with a token.
                let raw = serde_json::to_string(&*session.snapshot().expect("snapshot"))
                    .expect("serialises");
                tracing::info!(snapshot = %raw, "snapshot received");
                tracing::info!(contact = ?data, "ringing");
                tracing::warn!(
                    "Phone number {CUSTOMER} calling, url https://x.example/?AuthToken=abc123"
                );
                contact.accept().await.expect("accept");
            }
            ContactEventKind::Connected => {
                contact.send_digits("1234").await.expect("digits");
                contact.hang_up().await.expect("hang up");
            }
            ContactEventKind::Acw => {
                contact.clear().await.expect("clear");
                break;
            }
            _ => {}
        }
    }
    secrets.push("abc123".to_owned());

    let export = session.export_logs(None, false);
    assert_eq!(export.file_name, "us-east-1-agent-log.txt");
    let stored = export.json;
    assert!(
        stored.contains("snapshot received"),
        "the flow was logged: {stored}"
    );
    let echo = echoed.lock().expect("echo lock").join("\n");
    assert!(!echo.is_empty(), "lines were echoed");
    for secret in &secrets {
        assert!(secret.len() >= 4, "meaningful secret {secret:?}");
        assert!(
            !stored.contains(secret.as_str()),
            "{secret} in the log export"
        );
        assert!(!echo.contains(secret.as_str()), "{secret} in the echo");
        assert!(
            !debug_output.contains(secret.as_str()),
            "{secret} in Debug output"
        );
    }
}
