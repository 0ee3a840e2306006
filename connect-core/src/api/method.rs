//! The 37 CTI client methods (`connect.ClientMethods`) and their per-method flags (spec §2).

use std::fmt;

/// Prefix of `X-Amz-Target`.
pub const TARGET_PREFIX: &str = "AmazonConnectCTIService";

macro_rules! cti_methods {
    ($( $(#[$doc:meta])* $variant:ident = ($name:literal, $op:literal) ),+ $(,)?) => {
        /// A CTI client method (`connect.ClientMethods`, all 37, in the order of spec §2).
        ///
        /// ```
        /// use connect_core::api::CtiMethod;
        ///
        /// let m = CtiMethod::GetAgentSnapshot;
        /// assert_eq!(m.name(), "getAgentSnapshot");
        /// assert_eq!(m.operation(), "GetAgentSnapshot");
        /// assert_eq!(m.target(), "AmazonConnectCTIService.GetAgentSnapshot");
        /// assert!(m.retries_on_auth() && m.carries_authentication());
        /// assert_eq!(CtiMethod::ALL.len(), 37);
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CtiMethod {
            $( $(#[$doc])* $variant, )+
        }

        impl CtiMethod {
            /// All 37 methods, in the order of spec §2.
            pub const ALL: &'static [CtiMethod] = &[$( CtiMethod::$variant, )+];

            /// The lowerCamel client method name (`getAgentSnapshot`).
            ///
            /// ```
            /// # use connect_core::api::CtiMethod;
            /// assert_eq!(CtiMethod::SendSoftphoneCallReport.name(), "sendSoftphoneCallReport");
            /// ```
            pub const fn name(self) -> &'static str {
                match self { $( CtiMethod::$variant => $name, )+ }
            }

            /// The PascalCase operation (`GetAgentSnapshot`).
            ///
            /// ```
            /// # use connect_core::api::CtiMethod;
            /// assert_eq!(CtiMethod::GetDialableCountryCodes.operation(), "GetDialableCountryCodes");
            /// ```
            pub const fn operation(self) -> &'static str {
                match self { $( CtiMethod::$variant => $op, )+ }
            }

            /// The `X-Amz-Target` header value (`AmazonConnectCTIService.GetAgentSnapshot`).
            ///
            /// ```
            /// # use connect_core::api::CtiMethod;
            /// assert_eq!(CtiMethod::CreateTransport.target(), "AmazonConnectCTIService.CreateTransport");
            /// ```
            pub const fn target(self) -> &'static str {
                match self {
                    $( CtiMethod::$variant => concat!("AmazonConnectCTIService.", $op), )+
                }
            }
        }
    };
}

cti_methods! {
    /// 1. The agent snapshot, long-polled.
    GetAgentSnapshot = ("getAgentSnapshot", "GetAgentSnapshot"),
    /// 2. Sets (or enqueues) the agent state.
    PutAgentState = ("putAgentState", "PutAgentState"),
    /// 3. The selectable agent states (paginated).
    GetAgentStates = ("getAgentStates", "GetAgentStates"),
    /// 4. The dialable country codes (paginated).
    GetDialableCountryCodes = ("getDialableCountryCodes", "GetDialableCountryCodes"),
    /// 5. The queues of a routing profile (paginated).
    GetRoutingProfileQueues = ("getRoutingProfileQueues", "GetRoutingProfileQueues"),
    /// 6. The agent's permissions (paginated).
    GetAgentPermissions = ("getAgentPermissions", "GetAgentPermissions"),
    /// 7. The agent configuration.
    GetAgentConfiguration = ("getAgentConfiguration", "GetAgentConfiguration"),
    /// 8. Updates the agent configuration.
    UpdateAgentConfiguration = ("updateAgentConfiguration", "UpdateAgentConfiguration"),
    /// 9. Accepts an offered contact.
    AcceptContact = ("acceptContact", "AcceptContact"),
    /// 10. Places an outbound call (returns no contact id).
    CreateOutboundContact = ("createOutboundContact", "CreateOutboundContact"),
    /// 11. Creates a task.
    CreateTaskContact = ("createTaskContact", "CreateTaskContact"),
    /// 12. Clears after-contact work.
    ClearContact = ("clearContact", "ClearContact"),
    /// 13. Legacy predecessor of `clearContact`.
    CompleteContact = ("completeContact", "CompleteContact"),
    /// 14. Deprecated no-op upstream; not in the model, not exposed.
    DestroyContact = ("destroyContact", "DestroyContact"),
    /// 15. Rejects an offered contact.
    RejectContact = ("rejectContact", "RejectContact"),
    /// 16. Reports a problem with a contact.
    NotifyContactIssue = ("notifyContactIssue", "NotifyContactIssue"),
    /// 17. Not in the model and unused by the client; not exposed.
    UpdateContactAttributes = ("updateContactAttributes", "UpdateContactAttributes"),
    /// 18. Adds a transfer or conference leg.
    CreateAdditionalConnection = ("createAdditionalConnection", "CreateAdditionalConnection"),
    /// 19. Hangs up a leg.
    DestroyConnection = ("destroyConnection", "DestroyConnection"),
    /// 20. Puts a leg on hold.
    HoldConnection = ("holdConnection", "HoldConnection"),
    /// 21. Takes a leg off hold.
    ResumeConnection = ("resumeConnection", "ResumeConnection"),
    /// 22. Swaps the held and the active leg.
    ToggleActiveConnections = ("toggleActiveConnections", "ToggleActiveConnections"),
    /// 23. Joins all legs into a conference.
    ConferenceConnections = ("conferenceConnections", "ConferenceConnections"),
    /// 24. Uploads client log entries.
    SendClientLogs = ("sendClientLogs", "SendClientLogs"),
    /// 25. Sends DTMF digits on a leg.
    SendDigits = ("sendDigits", "SendDigits"),
    /// 26. Sends the end-of-call softphone report.
    SendSoftphoneCallReport = ("sendSoftphoneCallReport", "SendSoftphoneCallReport"),
    /// 27. Sends periodic softphone stream statistics.
    SendSoftphoneCallMetrics = ("sendSoftphoneCallMetrics", "SendSoftphoneCallMetrics"),
    /// 28. The quick connects of some queues (paginated).
    GetEndpoints = ("getEndpoints", "GetEndpoints"),
    /// 29. Exchanges a refresh token; never called by upstream.
    GetNewAuthToken = ("getNewAuthToken", "GetNewAuthToken"),
    /// 30. A WebSocket URL, TURN credentials, chat token, meeting or discovery URL.
    CreateTransport = ("createTransport", "CreateTransport"),
    /// 31. Mutes a participant.
    MuteParticipant = ("muteParticipant", "MuteParticipant"),
    /// 32. Unmutes a participant.
    UnmuteParticipant = ("unmuteParticipant", "UnmuteParticipant"),
    /// 33. Switches a supervisor between silent monitor and barge.
    UpdateMonitorParticipantState = ("updateMonitorParticipantState", "UpdateMonitorParticipantState"),
    /// 34. Pauses a task.
    PauseContact = ("pauseContact", "PauseContact"),
    /// 35. Resumes a paused task.
    ResumeContact = ("resumeContact", "ResumeContact"),
    /// 36. Hosted-only: adds a participant.
    AddNewConnection = ("addNewConnection", "AddNewConnection"),
    /// 37. Hosted-only: transfers the contact.
    TransferContact = ("transferContact", "TransferContact"),
}

impl CtiMethod {
    /// The method for a PascalCase operation (`GetAgentSnapshot`).
    ///
    /// ```
    /// # use connect_core::api::CtiMethod;
    /// assert_eq!(CtiMethod::from_operation("AcceptContact"), Some(CtiMethod::AcceptContact));
    /// assert_eq!(CtiMethod::from_operation("acceptContact"), None);
    /// ```
    pub fn from_operation(operation: &str) -> Option<CtiMethod> {
        Self::ALL
            .iter()
            .copied()
            .find(|m| m.operation() == operation)
    }

    /// The method for an `X-Amz-Target` value (`AmazonConnectCTIService.AcceptContact`).
    ///
    /// ```
    /// # use connect_core::api::CtiMethod;
    /// let m = CtiMethod::from_target("AmazonConnectCTIService.SendDigits");
    /// assert_eq!(m, Some(CtiMethod::SendDigits));
    /// assert_eq!(CtiMethod::from_target("Other.SendDigits"), None);
    /// ```
    pub fn from_target(target: &str) -> Option<CtiMethod> {
        let operation = target.strip_prefix(TARGET_PREFIX)?.strip_prefix('.')?;
        Self::from_operation(operation)
    }

    /// The method for a lowerCamel client method name (`acceptContact`).
    ///
    /// ```
    /// # use connect_core::api::CtiMethod;
    /// assert_eq!(CtiMethod::from_name("getEndpoints"), Some(CtiMethod::GetEndpoints));
    /// ```
    pub fn from_name(name: &str) -> Option<CtiMethod> {
        Self::ALL.iter().copied().find(|m| m.name() == name)
    }

    /// In upstream's `RetryableClientMethodsList` (column R of §2): retried on 401/403 within
    /// the auth budgets of §4.3.
    ///
    /// ```
    /// # use connect_core::api::CtiMethod;
    /// assert!(CtiMethod::GetAgentPermissions.retries_on_auth());
    /// assert!(!CtiMethod::GetEndpoints.retries_on_auth());
    /// ```
    pub const fn retries_on_auth(self) -> bool {
        matches!(
            self,
            Self::GetAgentSnapshot
                | Self::GetAgentStates
                | Self::GetDialableCountryCodes
                | Self::GetRoutingProfileQueues
                | Self::GetAgentPermissions
                | Self::GetAgentConfiguration
        )
    }

    /// Whether the body carries `authentication: {authToken}` (column Auth of §2; §1.2). The
    /// `X-Amz-Bearer` header is sent on every request regardless.
    ///
    /// ```
    /// # use connect_core::api::CtiMethod;
    /// assert!(CtiMethod::AcceptContact.carries_authentication());
    /// assert!(!CtiMethod::ClearContact.carries_authentication());
    /// ```
    pub const fn carries_authentication(self) -> bool {
        !matches!(
            self,
            Self::ClearContact
                | Self::CompleteContact
                | Self::RejectContact
                | Self::CreateTaskContact
                | Self::UpdateMonitorParticipantState
                | Self::PauseContact
                | Self::ResumeContact
                | Self::AddNewConnection
                | Self::TransferContact
        )
    }

    /// Idempotent reads that R10 retries on transient failures: the six R methods and
    /// `getEndpoints`.
    ///
    /// ```
    /// # use connect_core::api::CtiMethod;
    /// assert!(CtiMethod::GetEndpoints.is_idempotent_read());
    /// assert!(!CtiMethod::CreateOutboundContact.is_idempotent_read());
    /// ```
    pub const fn is_idempotent_read(self) -> bool {
        self.retries_on_auth() || matches!(self, Self::GetEndpoints)
    }

    /// Whether the SDK exposes the method (false for `destroyContact` and
    /// `updateContactAttributes`, which are not in the model).
    ///
    /// ```
    /// # use connect_core::api::CtiMethod;
    /// assert!(!CtiMethod::DestroyContact.is_exposed());
    /// assert_eq!(CtiMethod::ALL.iter().filter(|m| m.is_exposed()).count(), 35);
    /// ```
    pub const fn is_exposed(self) -> bool {
        !matches!(self, Self::DestroyContact | Self::UpdateContactAttributes)
    }

    /// Hosted-only methods, behind the `hosted-ops` capability: `addNewConnection` and
    /// `transferContact`.
    ///
    /// ```
    /// # use connect_core::api::CtiMethod;
    /// assert!(CtiMethod::TransferContact.is_hosted_only());
    /// ```
    pub const fn is_hosted_only(self) -> bool {
        matches!(self, Self::AddNewConnection | Self::TransferContact)
    }
}

impl fmt::Display for CtiMethod {
    /// Writes the PascalCase operation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.operation())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spec §2, verbatim: number, method, R, Auth.
    const TABLE: &[(usize, &str, bool, bool)] = &[
        (1, "getAgentSnapshot", true, true),
        (2, "putAgentState", false, true),
        (3, "getAgentStates", true, true),
        (4, "getDialableCountryCodes", true, true),
        (5, "getRoutingProfileQueues", true, true),
        (6, "getAgentPermissions", true, true),
        (7, "getAgentConfiguration", true, true),
        (8, "updateAgentConfiguration", false, true),
        (9, "acceptContact", false, true),
        (10, "createOutboundContact", false, true),
        (11, "createTaskContact", false, false),
        (12, "clearContact", false, false),
        (13, "completeContact", false, false),
        (14, "destroyContact", false, true),
        (15, "rejectContact", false, false),
        (16, "notifyContactIssue", false, true),
        (17, "updateContactAttributes", false, true),
        (18, "createAdditionalConnection", false, true),
        (19, "destroyConnection", false, true),
        (20, "holdConnection", false, true),
        (21, "resumeConnection", false, true),
        (22, "toggleActiveConnections", false, true),
        (23, "conferenceConnections", false, true),
        (24, "sendClientLogs", false, true),
        (25, "sendDigits", false, true),
        (26, "sendSoftphoneCallReport", false, true),
        (27, "sendSoftphoneCallMetrics", false, true),
        (28, "getEndpoints", false, true),
        (29, "getNewAuthToken", false, true),
        (30, "createTransport", false, true),
        (31, "muteParticipant", false, true),
        (32, "unmuteParticipant", false, true),
        (33, "updateMonitorParticipantState", false, false),
        (34, "pauseContact", false, false),
        (35, "resumeContact", false, false),
        (36, "addNewConnection", false, false),
        (37, "transferContact", false, false),
    ];

    fn pascal(name: &str) -> String {
        let mut chars = name.chars();
        chars
            .next()
            .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
            .unwrap_or_default()
    }

    #[test]
    fn every_method_matches_the_spec_table() {
        assert_eq!(CtiMethod::ALL.len(), TABLE.len());
        for (&method, &(number, name, r, auth)) in CtiMethod::ALL.iter().zip(TABLE) {
            let op = pascal(name);
            assert_eq!(method.name(), name, "#{number}");
            assert_eq!(method.operation(), op, "#{number}");
            assert_eq!(
                method.target(),
                format!("AmazonConnectCTIService.{op}"),
                "#{number}"
            );
            assert_eq!(method.retries_on_auth(), r, "{name}: R");
            assert_eq!(method.carries_authentication(), auth, "{name}: Auth");
            assert_eq!(
                method.is_idempotent_read(),
                r || name == "getEndpoints",
                "{name}"
            );
            assert_eq!(
                method.is_exposed(),
                !matches!(name, "destroyContact" | "updateContactAttributes"),
                "{name}"
            );
            assert_eq!(
                method.is_hosted_only(),
                matches!(name, "addNewConnection" | "transferContact"),
                "{name}"
            );
            assert_eq!(CtiMethod::from_operation(&op), Some(method));
            assert_eq!(CtiMethod::from_target(method.target()), Some(method));
            assert_eq!(CtiMethod::from_name(name), Some(method));
            assert_eq!(method.to_string(), op);
        }
    }

    #[test]
    fn flag_counts() {
        let count = |f: fn(CtiMethod) -> bool| CtiMethod::ALL.iter().filter(|m| f(**m)).count();
        assert_eq!(count(CtiMethod::retries_on_auth), 6);
        assert_eq!(count(|m| !m.carries_authentication()), 9);
        assert_eq!(count(CtiMethod::is_idempotent_read), 7);
        assert_eq!(count(CtiMethod::is_exposed), 35);
        assert_eq!(count(CtiMethod::is_hosted_only), 2);
    }

    #[test]
    fn unknown_operations() {
        assert_eq!(CtiMethod::from_operation(""), None);
        assert_eq!(CtiMethod::from_operation("GetAgentSnapshots"), None);
        assert_eq!(CtiMethod::from_target("AmazonConnectCTIService"), None);
        assert_eq!(
            CtiMethod::from_target("AmazonConnectCTIServiceGetAgentSnapshot"),
            None
        );
    }
}
