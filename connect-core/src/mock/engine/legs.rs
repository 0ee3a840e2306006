//! Operations on the legs of a voice contact: hold, resume, toggle, conference, mute and
//! DTMF digits.

use crate::api::CtiError;
use crate::model::{ConnectionStateType, ContactStateType, Timestamp};

use super::super::journal::JournalEvent;
use super::model::Party;
use super::{invalid_contact_type, invalid_state, SimEngine};

impl SimEngine {
    /// The voice contact `contact_id` of the agent, connected, or an error.
    fn connected_call(&self, a: usize, contact_id: &str) -> Result<usize, CtiError> {
        let ci = self.own_contact(a, contact_id)?;
        if !self.contacts[ci].is_voice() {
            return Err(invalid_contact_type(
                "only voice contacts have this operation",
            ));
        }
        if self.contacts[ci].state != ContactStateType::Connected {
            return Err(invalid_state("the call is not connected"));
        }
        Ok(ci)
    }

    /// [`SimEngine::agent_op`] on the agent's connected voice contact `contact_id`: `op` gets
    /// its index.
    fn call_op(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        now: Timestamp,
        op: impl FnOnce(&mut Self, usize, Timestamp) -> Result<(), CtiError>,
    ) -> Result<(), CtiError> {
        self.agent_op(agent_id, now, |engine, a, now| {
            let ci = engine.connected_call(a, contact_id)?;
            op(engine, ci, now)
        })
    }

    fn move_leg(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        connection_id: &str,
        from: ConnectionStateType,
        to: ConnectionStateType,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.call_op(agent_id, contact_id, now, |engine, ci, now| {
            let state = engine.contacts[ci]
                .connection(connection_id)
                .map(|l| l.state.clone())
                .ok_or_else(|| invalid_state("no such connection"))?;
            if state != from {
                return Err(invalid_state(format!(
                    "the connection is {state}, not {from}"
                )));
            }
            engine.set_leg_state(ci, connection_id, to, now);
            Ok(())
        })
    }

    /// `holdConnection`: a connected leg → `hold`.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::{ConnectionStateType, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let c = engine.enqueue(ContactSpec::voice("+15555550100"), t0).unwrap();
    /// engine.accept_contact(&agent, &c, t0).unwrap();
    /// engine.advance_to(t0.add_millis(200));
    /// let customer = engine.snapshot(&agent, t0).unwrap().contacts[0].initial_connection().unwrap().connection_id.clone();
    /// engine.hold_connection(&agent, &c, &customer, t0.add_millis(200)).unwrap();
    /// let snap = engine.snapshot(&agent, t0.add_millis(200)).unwrap();
    /// assert_eq!(snap.contacts[0].connection(&customer).unwrap().state.kind, ConnectionStateType::Hold);
    /// engine.resume_connection(&agent, &c, &customer, t0.add_millis(300)).unwrap();
    /// ```
    pub fn hold_connection(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        connection_id: &str,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.move_leg(
            agent_id,
            contact_id,
            connection_id,
            ConnectionStateType::Connected,
            ConnectionStateType::Hold,
            now,
        )
    }

    /// `resumeConnection`: a held leg → `connected`.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// assert!(engine.resume_connection(&agent, "c", "l", t0).is_err());
    /// ```
    pub fn resume_connection(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        connection_id: &str,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.move_leg(
            agent_id,
            contact_id,
            connection_id,
            ConnectionStateType::Hold,
            ConnectionStateType::Connected,
            now,
        )
    }

    /// `toggleActiveConnections`: the held parties and the connected parties (other than the
    /// agent) swap; needs one of each.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// assert!(engine.toggle_active_connections(&agent, "c", "l", t0).is_err());
    /// ```
    pub fn toggle_active_connections(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        connection_id: &str,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.call_op(agent_id, contact_id, now, |engine, ci, now| {
            if engine.contacts[ci].connection(connection_id).is_none() {
                return Err(invalid_state("no such connection"));
            }
            let others: Vec<(String, ConnectionStateType)> = engine.contacts[ci]
                .connections
                .iter()
                .filter(|l| l.party != Party::Agent)
                .filter(|l| {
                    matches!(
                        l.state,
                        ConnectionStateType::Hold | ConnectionStateType::Connected
                    )
                })
                .map(|l| (l.id.clone(), l.state.clone()))
                .collect();
            let held = others.iter().any(|(_, s)| *s == ConnectionStateType::Hold);
            let live = others
                .iter()
                .any(|(_, s)| *s == ConnectionStateType::Connected);
            if !(held && live) {
                return Err(invalid_state("toggling needs a held and a connected party"));
            }
            for (leg, state) in others {
                let to = if state == ConnectionStateType::Hold {
                    ConnectionStateType::Connected
                } else {
                    ConnectionStateType::Hold
                };
                engine.set_leg_state(ci, &leg, to, now);
            }
            Ok(())
        })
    }

    /// `conferenceConnections`: every held party is resumed, so all talk together; needs a
    /// third party that answered.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// assert!(engine.conference_connections(&agent, "c", t0).is_err());
    /// ```
    pub fn conference_connections(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.call_op(agent_id, contact_id, now, |engine, ci, now| {
            let answered = engine.contacts[ci].active_third_parties().any(|l| {
                matches!(
                    l.state,
                    ConnectionStateType::Hold | ConnectionStateType::Connected
                )
            });
            if !answered {
                return Err(invalid_state("no third party to conference with"));
            }
            let held: Vec<String> = engine.contacts[ci]
                .connections
                .iter()
                .filter(|l| l.party != Party::Agent && l.state == ConnectionStateType::Hold)
                .map(|l| l.id.clone())
                .collect();
            for leg in held {
                engine.set_leg_state(ci, &leg, ConnectionStateType::Connected, now);
            }
            Ok(())
        })
    }

    /// `muteParticipant` / `unmuteParticipant`: sets the leg's `mute`.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let c = engine.enqueue(ContactSpec::voice("+15555550100"), t0).unwrap();
    /// let leg = engine.snapshot(&agent, t0).unwrap().contacts[0].agent_connection().unwrap().connection_id.clone();
    /// engine.set_mute(&agent, &c, &leg, true, t0).unwrap();
    /// assert_eq!(engine.snapshot(&agent, t0).unwrap().contacts[0].connection(&leg).unwrap().mute, Some(true));
    /// ```
    pub fn set_mute(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        connection_id: &str,
        muted: bool,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.contact_op(agent_id, contact_id, now, |engine, _, ci, now| {
            if !engine.contacts[ci].is_voice() {
                return Err(invalid_contact_type("only voice legs can be muted"));
            }
            let leg = engine.contacts[ci]
                .connection_mut(connection_id)
                .filter(|l| l.is_active())
                .ok_or_else(|| invalid_state("no such active connection"))?;
            if leg.mute != muted {
                leg.mute = muted;
                engine.record(
                    now,
                    JournalEvent::Mute {
                        contact: contact_id.to_owned(),
                        connection: connection_id.to_owned(),
                        muted,
                    },
                );
            }
            Ok(())
        })
    }

    /// `sendDigits`: DTMF on a connected leg, recorded in the journal.
    ///
    /// ```
    /// # use connect_core::mock::{JournalEvent, SimEngine, SimSpec};
    /// # use connect_core::model::{Endpoint, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let c = engine.create_outbound_contact(&agent, &Endpoint::phone_number("+15555550100"), None, None, t0).unwrap();
    /// engine.advance_to(t0.add_millis(200));
    /// let leg = engine.snapshot(&agent, t0).unwrap().contacts[0].initial_connection().unwrap().connection_id.clone();
    /// engine.send_digits(&agent, &c, &leg, "123#", t0.add_millis(300)).unwrap();
    /// assert!(engine.journal().iter().any(|e| matches!(&e.event, JournalEvent::Digits { digits, .. } if digits == "123#")));
    /// ```
    pub fn send_digits(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        connection_id: &str,
        digits: &str,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.call_op(agent_id, contact_id, now, |engine, ci, now| {
            if digits.is_empty()
                || !digits
                    .chars()
                    .all(|c| c.is_ascii_digit() || "*#+,ABCDabcd".contains(c))
            {
                return Err(invalid_state(
                    "digits may only hold 0-9, *, #, +, A-D and ','",
                ));
            }
            let connected = engine.contacts[ci]
                .connection(connection_id)
                .is_some_and(|l| l.state.is_connected());
            if !connected {
                return Err(invalid_state("the connection is not connected"));
            }
            engine.record(
                now,
                JournalEvent::Digits {
                    contact: contact_id.to_owned(),
                    connection: connection_id.to_owned(),
                    digits: digits.to_owned(),
                },
            );
            Ok(())
        })
    }
}
