//! The customer leg as the signaling service's [`AnswerProvider`]: each invite gets a real
//! WebRTC peer (an ICE restart re-answers on the existing one).

use std::sync::{Arc, Weak};

use async_trait::async_trait;

use super::echo::echo_line;
use super::leg::{CurrentContact, Leg, LegWatch};
use super::{Inner, MediaServiceEvent, SimMediaService};
use crate::audio::{AudioSink, AudioSource, MemorySink};
use crate::manager::convert::{media_candidate, wire_candidate};
use crate::media::{IcePolicy, MediaEngine, PeerConfig, SessionDescription};
use crate::mock::sim_signaling::{Answer, AnswerProvider, Offer};

/// Answers offers for the service (weakly held: the service owns the signaling).
pub(super) struct CustomerAnswers(pub(super) Weak<Inner>);

#[async_trait]
impl AnswerProvider for CustomerAnswers {
    async fn answer(&self, offer: Offer) -> Result<Answer, String> {
        let inner = self.0.upgrade().ok_or("media service stopped")?;
        let service = SimMediaService { inner };
        let description = SessionDescription {
            sdp: offer.sdp.clone(),
            candidates: offer.candidates.iter().map(media_candidate).collect(),
        };
        let restarting = offer
            .ice_restart
            .then(|| {
                service
                    .state()
                    .legs
                    .get(&offer.peer_connection_id)
                    .map(|l| Arc::clone(&l.peer))
            })
            .flatten();
        let answer = match restarting {
            Some(peer) => peer.accept_offer(description).await,
            None => service.new_leg(&offer, description).await,
        }
        .map_err(|e| {
            tracing::warn!(error = %e, connection_id = %offer.connection_id, "customer leg could not answer");
            e.to_string()
        })?;
        Ok(Answer {
            sdp: answer.sdp,
            candidates: answer.candidates.iter().map(wire_candidate).collect(),
        })
    }
}

impl SimMediaService {
    /// A customer peer for a new call, playing its script; returns its answer.
    async fn new_leg(
        &self,
        offer: &Offer,
        description: SessionDescription,
    ) -> Result<SessionDescription, crate::media::MediaError> {
        let contact_id = offer
            .contact_id
            .clone()
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| offer.connection_id.clone());
        let (script, instance) = {
            let state = self.state();
            let script = state
                .scripts
                .get(&contact_id)
                .unwrap_or(&state.script)
                .clone();
            (script, state.instance.clone())
        };
        let heard = MemorySink::new();
        let (source, sink): (Box<dyn AudioSource>, Box<dyn AudioSink>) = match script
            .audio
            .source()
            .map_err(|e| crate::media::MediaError::Setup(e.to_string()))?
        {
            Some(source) => (source, Box::new(heard.clone())),
            None => {
                let (sink, source) = echo_line(heard.clone());
                (Box::new(source), Box::new(sink))
            }
        };
        let config = PeerConfig {
            ice_servers: vec![self.customer_ice_server(&format!("customer-{contact_id}"))],
            ice_policy: IcePolicy::Relay,
            codecs: script.codecs.clone(),
            bind_addrs: vec!["127.0.0.1:0".to_owned()],
            ..PeerConfig::default()
        };
        let (peer, events) = self.inner.engine.create_peer(config, source, sink).await?;
        let answer = match peer.accept_offer(description).await {
            Ok(answer) => answer,
            Err(error) => {
                let _ = peer.close().await;
                return Err(error);
            }
        };
        let hang_up = script.hang_up_after.zip(instance).map(|(after, instance)| {
            let contact = contact_id.clone();
            let action: Box<dyn FnOnce() + Send> = Box::new(move || {
                if let Err(error) = instance.control().hang_up(&contact) {
                    tracing::warn!(%error, contact_id = %contact, "scripted customer hang-up refused");
                }
            });
            (after, action)
        });
        let service = Arc::downgrade(&self.inner);
        let contact = CurrentContact::new(&contact_id);
        let watch = LegWatch {
            contact: contact.clone(),
            connection_id: offer.connection_id.clone(),
            events: self.inner.events.clone(),
            hang_up,
            on_digit: Box::new(move |contact_id, digit| {
                if let Some(inner) = service.upgrade() {
                    let service = SimMediaService { inner };
                    let mut state = service.state();
                    state
                        .digits
                        .entry(contact_id.to_owned())
                        .or_default()
                        .push(digit);
                }
            }),
        };
        let leg = Leg {
            contact,
            connection_id: offer.connection_id.clone(),
            heard: heard.clone(),
            peer,
            task: tokio::spawn(watch.run(events)),
        };
        let previous = {
            let mut state = self.state();
            state.recordings.insert(contact_id.clone(), heard);
            state.legs.insert(offer.peer_connection_id.clone(), leg)
        };
        if let Some(previous) = previous {
            previous.close().await;
        }
        tracing::info!(%contact_id, connection_id = %offer.connection_id, "customer leg answered");
        let _ = self.inner.events.send(MediaServiceEvent::LegCreated {
            contact_id,
            connection_id: offer.connection_id.clone(),
        });
        Ok(answer)
    }
}
