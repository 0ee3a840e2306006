//! Join tickets (§6.3): 256 random bits bound to a contact, a meeting and an attendee, expiring
//! with the meeting; checked in constant time.

use std::fmt;

use connect_core::model::Timestamp;
use subtle::ConstantTimeEq;

use super::error::EscalationError;
use crate::random::{fill, hex};

/// What a join ticket releases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketBinding {
    /// The chat contact.
    pub contact_id: String,
    /// The external meeting id.
    pub external_meeting_id: String,
    /// The attendee's external user id.
    pub attendee_external_user_id: String,
}

/// A join ticket: returned only in the customer's chat-start response, never in attributes or
/// the transcript. `Debug` hides the secret.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_video::escalation::{JoinTicket, TicketBinding};
///
/// let binding = TicketBinding { contact_id: "c".into(), external_meeting_id: "m".into(), attendee_external_user_id: "u".into() };
/// let ticket = JoinTicket::issue(binding.clone(), Timestamp::from_millis(1_000)).unwrap();
/// let secret = ticket.secret().to_owned();
/// assert_eq!(secret.len(), 64);
/// assert!(!format!("{ticket:?}").contains(&secret));
/// assert_eq!(ticket.redeem(&secret, Timestamp::from_millis(999)).unwrap(), &binding);
/// assert!(ticket.redeem(&secret, Timestamp::from_millis(1_000)).is_err());
/// assert!(ticket.redeem("00", Timestamp::from_millis(0)).is_err());
/// ```
#[derive(Clone)]
pub struct JoinTicket {
    secret: String,
    binding: TicketBinding,
    expires_at: Timestamp,
}

impl fmt::Debug for JoinTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinTicket")
            .field("binding", &self.binding)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl JoinTicket {
    /// A fresh ticket for `binding`, valid until `expires_at` (the meeting's end).
    pub fn issue(binding: TicketBinding, expires_at: Timestamp) -> Result<Self, EscalationError> {
        let mut bytes = [0u8; 32];
        fill(&mut bytes).map_err(|e| EscalationError::Random(e.to_string()))?;
        Ok(Self {
            secret: hex(&bytes),
            binding,
            expires_at,
        })
    }

    /// The secret to hand to the customer.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The binding when `presented` is this ticket's secret (constant-time) and it has not
    /// expired at `now`.
    pub fn redeem(
        &self,
        presented: &str,
        now: Timestamp,
    ) -> Result<&TicketBinding, EscalationError> {
        let same: bool = self.secret.as_bytes().ct_eq(presented.as_bytes()).into();
        if same && now < self.expires_at {
            Ok(&self.binding)
        } else {
            Err(EscalationError::InvalidTicket)
        }
    }
}
