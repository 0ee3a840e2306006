//! Video escalation on the embedded simulators, over real HTTP, WebSocket, WebRTC and TURN on
//! loopback: a customer chats with an agent, the agent escalates the chat to video, both turn
//! their cameras on, the agent shares the screen, both hang up; then a voice call is escalated
//! through an 8-digit ad-hoc route, and the route is attacked (reused, guessed at rate from
//! one source, used after its TTL). Prints a summary, or one JSON line with `--json`; exits
//! non-zero when an outcome is not the expected one.
//!
//! ```text
//! cargo run -p connect-examples --bin video-escalation -- --json
//! ```

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use connect_core::mock::SimInstance;
use connect_examples::escalation::chat_leg::ChatLeg;
use connect_examples::escalation::chat_to_video::{VideoBackend, VideoFigures};
use connect_examples::escalation::route_drill::{RouteDrill, RouteFigures};
use connect_examples::escalation::DemoError;
use connect_video::mock::SimParticipantService;
use serde_json::json;

/// The agent who takes the chat.
const CHAT_AGENT: &str = "agent1";
/// The agent on the voice call escalated through an ad-hoc route.
const VOICE_AGENT: &str = "agent2";

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "Chat → video escalation and an attacked ad-hoc route on the simulators")]
struct Options {
    /// Print one JSON line instead of a summary.
    #[arg(long)]
    json: bool,
    /// Lines each side sends before the agent escalates.
    #[arg(long, default_value_t = 3)]
    chat_turns: usize,
    /// How long both cameras and the screen share run, in milliseconds.
    #[arg(long, default_value_t = 3_000)]
    video_ms: u64,
    /// The ad-hoc routes' TTL, in milliseconds (waited out in real time).
    #[arg(long, default_value_t = 1_500)]
    route_ttl_ms: u64,
    /// References the attacker guesses from one source.
    #[arg(long, default_value_t = 200)]
    guesses: u32,
    /// Log every step.
    #[arg(long)]
    verbose: bool,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let options = Options::parse();
    tracing_subscriber::fmt()
        .with_max_level(if options.verbose {
            tracing::Level::INFO
        } else {
            tracing::Level::WARN
        })
        .with_writer(std::io::stderr)
        .init();
    match run(&options).await {
        Ok((chat_messages, video, route)) => report(&options, chat_messages, &video, &route),
        Err(error) => {
            eprintln!("video-escalation failed: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: &Options) -> Result<(u32, VideoFigures, RouteFigures), DemoError> {
    let failed = |step: &'static str| move |reason: String| DemoError { step, reason };
    let sim = SimInstance::builder()
        .agents(2)
        .build()
        .map_err(|e| failed("simulated instance")(e.to_string()))?;
    let chats = SimParticipantService::builder()
        .instance(sim.clone())
        .start()
        .await
        .map_err(|e| failed("participant service")(e.to_string()))?;
    let agent_id = sim
        .agent_id(CHAT_AGENT)
        .ok_or_else(|| failed("agent")(CHAT_AGENT.to_owned()))?;

    let mut videos = VideoBackend::start().await?;
    let mut chat = ChatLeg::start(&sim, &chats, CHAT_AGENT, "Ann").await?;
    let ticket = videos.register_chat(&chat.contact_id)?;
    let chat_messages = chat.converse(options.chat_turns).await?;
    let video = videos
        .escalate(
            &mut chat,
            &agent_id,
            &ticket,
            Duration::from_millis(options.video_ms),
        )
        .await?;
    chat.customer
        .disconnect()
        .await
        .map_err(|e| failed("the customer leaves the chat")(e.to_string()))?;

    let route = RouteDrill {
        ttl: Duration::from_millis(options.route_ttl_ms),
        guesses: options.guesses,
    }
    .run(&sim, &chats, VOICE_AGENT)
    .await?;
    Ok((chat_messages, video, route))
}

fn report(
    options: &Options,
    chat_messages: u32,
    video: &VideoFigures,
    route: &RouteFigures,
) -> ExitCode {
    let expected_messages = 2 * options.chat_turns as u32;
    let ok = chat_messages == expected_messages
        && video.meeting_attendees == 2
        && video.audio_both_ways
        && video.agent_video_frames_rx > 0
        && video.customer_video_frames_rx > 0
        && video.content_frames_rx > 0
        && route.validations_ok == 1
        && route.bruteforce_succeeded == 0
        && route.bruteforce_blocked > 0
        && route.reuse_rejected == 1
        && route.expired_rejected == 1;
    if options.json {
        println!(
            "{}",
            json!({
                "chat_messages_delivered": chat_messages,
                "meeting_attendees": video.meeting_attendees,
                "agent_video_frames_rx": video.agent_video_frames_rx,
                "customer_video_frames_rx": video.customer_video_frames_rx,
                "content_frames_rx": video.content_frames_rx,
                "audio_both_ways": video.audio_both_ways,
                "escalation_steps": video.escalation_steps,
                "route_validations_ok": route.validations_ok,
                "route_bruteforce_guesses": route.bruteforce_guesses,
                "route_bruteforce_blocked": route.bruteforce_blocked,
                "route_bruteforce_succeeded": route.bruteforce_succeeded,
                "route_reuse_rejected": route.reuse_rejected,
                "route_expired_rejected": route.expired_rejected,
                "completed": ok,
            })
        );
    } else {
        println!("chat: {chat_messages}/{expected_messages} messages delivered");
        println!(
            "video: {} attendees; agent received {} camera frames, customer {} camera and {} \
             screen-share frames; audio both ways: {}",
            video.meeting_attendees,
            video.agent_video_frames_rx,
            video.customer_video_frames_rx,
            video.content_frames_rx,
            video.audio_both_ways
        );
        println!("escalation: {}", video.escalation_steps.join(" → "));
        println!(
            "ad-hoc route: {} redeemed; {} of {} guesses blocked, {} succeeded; reuse rejected: \
             {}; expired rejected: {}",
            route.validations_ok,
            route.bruteforce_blocked,
            route.bruteforce_guesses,
            route.bruteforce_succeeded,
            route.reuse_rejected,
            route.expired_rejected
        );
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
