//! A dedicated thread that owns a running cpal stream.
//!
//! cpal streams cannot move between threads on every platform, while sources and sinks must be
//! `Send`; so the stream is built, played and dropped on a thread of its own, and the source or
//! sink holds this handle. Dropping the handle stops the stream and closes the device.

use std::sync::mpsc;
use std::thread::JoinHandle;

use cpal::traits::StreamTrait;

use crate::audio::AudioError;

use super::host::{unavailable, Direction};

/// Owns the thread that keeps a device's stream playing.
#[derive(Debug)]
pub(crate) struct StreamThread {
    /// Dropping it wakes the thread, which then drops the stream.
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl StreamThread {
    /// Runs `build` on a new thread, plays the stream it returns, and hands back what `build`
    /// reported alongside it once the stream is playing.
    pub(crate) fn spawn<T, F>(direction: Direction, build: F) -> Result<(Self, T), AudioError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<(cpal::Stream, T), AudioError> + Send + 'static,
    {
        let (ready_tx, ready_rx) = mpsc::channel::<Result<T, AudioError>>();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let name = match direction {
            Direction::Input => "connect-audio-capture",
            Direction::Output => "connect-audio-playout",
        };
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let started = build().and_then(|(stream, report)| {
                    stream
                        .play()
                        .map_err(|e| unavailable(direction, "cannot start the stream", e))?;
                    Ok((stream, report))
                });
                match started {
                    Ok((stream, report)) => {
                        if ready_tx.send(Ok(report)).is_ok() {
                            // Returns when the handle is dropped.
                            let _ = stop_rx.recv();
                        }
                        drop(stream);
                    }
                    Err(error) => {
                        let _ = ready_tx.send(Err(error));
                    }
                }
            })
            .map_err(|e| unavailable(direction, "cannot start the audio thread", e))?;
        let report = match ready_rx.recv() {
            Ok(result) => result,
            Err(_) => Err(unavailable(
                direction,
                "the audio thread ended",
                "before the stream started",
            )),
        };
        let mut handle = Self {
            stop: Some(stop_tx),
            thread: Some(thread),
        };
        match report {
            Ok(report) => Ok((handle, report)),
            Err(error) => {
                handle.stop_and_join();
                Err(error)
            }
        }
    }

    fn stop_and_join(&mut self) {
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::warn!("the audio device thread panicked");
            }
        }
    }
}

impl Drop for StreamThread {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}
