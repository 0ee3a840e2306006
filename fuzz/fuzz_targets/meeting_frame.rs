//! Bytes → a meeting signalling message (`connect_video::meeting::signal::decode_frame`): never
//! a panic; a decoded frame re-encodes to bytes that decode to the same frame, and the joined
//! signalling machine takes it (and every frame after it in the input) without panicking.
#![no_main]

use connect_core::model::Timestamp;
use connect_video::meeting::signal::proto::{sdk_signal_frame::Type, SdkSignalFrame};
use connect_video::meeting::signal::{
    decode_frame, encode_frame, MachineConfig, SignalingMachine, SignalingOutput,
};
use libfuzzer_sys::fuzz_target;

/// A machine that has sent `JOIN` and got its `JOIN_ACK`, and its socket.
fn joined_machine(
    now: Timestamp,
) -> Option<(SignalingMachine, connect_video::meeting::signal::SocketId)> {
    let mut machine = SignalingMachine::new(MachineConfig::new(1));
    machine.start(now);
    let socket = std::iter::from_fn(|| machine.poll_output()).find_map(|o| match o {
        SignalingOutput::Connect(socket) => Some(socket),
        _ => None,
    })?;
    machine.on_open(socket, now);
    let ack = SdkSignalFrame {
        r#type: Type::JoinAck as i32,
        joinack: Some(Default::default()),
        ..Default::default()
    };
    machine.on_frame(socket, now, ack);
    while machine.poll_output().is_some() {}
    Some((machine, socket))
}

fuzz_target!(|data: &[u8]| {
    let now = Timestamp::from_millis(1_700_000_000_000);
    let Some((mut machine, socket)) = joined_machine(now) else {
        return;
    };
    // The input is a sequence of messages, each preceded by its length byte.
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let (message, after) = tail.split_at(usize::from(len).min(tail.len()));
        rest = after;
        match decode_frame(message) {
            Ok(frame) => {
                let again = encode_frame(&frame);
                assert_eq!(
                    decode_frame(&again).as_ref(),
                    Ok(&frame),
                    "a frame changed on the wire"
                );
                machine.on_frame(socket, now, frame);
            }
            Err(error) => machine.on_malformed(socket, error),
        }
        while machine.poll_output().is_some() {}
        let _ = (
            machine.state(),
            machine.poll_timeout(),
            machine.present_attendees(),
        );
    }
});
