//! # connect-video
//!
//! The Amazon Connect chat participant client, video meetings, escalation and ad-hoc routes.
