//! The [`AuthManager`] driver under a manual clock: proactive refresh 30 minutes before
//! expiry, single-flight, states, and expiry reporting.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::*;
use crate::events::AuthState;
use crate::model::Timestamp;
use crate::time::{Clock, ManualClock};

const HOUR_MS: i64 = 3_600_000;

/// Issues `t0`, `t1`, ... each valid for an hour from issue; refreshes can be made to fail.
#[derive(Debug)]
struct Issuer {
    clock: Arc<ManualClock>,
    issued: AtomicU32,
    refreshes: AtomicU32,
    fail: std::sync::atomic::AtomicBool,
    slow: Option<Duration>,
}

impl Issuer {
    fn new(clock: Arc<ManualClock>) -> Self {
        Self {
            clock,
            issued: AtomicU32::new(0),
            refreshes: AtomicU32::new(0),
            fail: false.into(),
            slow: None,
        }
    }

    fn issue(&self) -> AccessToken {
        let n = self.issued.fetch_add(1, Ordering::SeqCst);
        AccessToken::new(format!("t{n}")).expiring_at(self.clock.now().add_millis(HOUR_MS))
    }
}

#[async_trait]
impl AuthProvider for Issuer {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        Ok(self.issue())
    }

    async fn refresh(&self) -> Result<AccessToken, AuthError> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        if let Some(delay) = self.slow {
            tokio::time::sleep(delay).await;
        }
        if self.fail.load(Ordering::SeqCst) {
            return Err(AuthError::SessionEnded {
                message: "gone".into(),
            });
        }
        Ok(self.issue())
    }
}

async fn wait_state(
    states: &mut tokio::sync::watch::Receiver<AuthState>,
    want: impl Fn(&AuthState) -> bool,
) -> AuthState {
    tokio::time::timeout(Duration::from_secs(5), states.wait_for(|s| want(s)))
        .await
        .expect("state in time")
        .expect("manager alive")
        .clone()
}

/// Lets spawned tasks run until they block on the manual clock.
async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn proactive_refresh_thirty_minutes_before_expiry() {
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
    let issuer = Arc::new(Issuer::new(clock.clone()));
    let manager = AuthManager::new(issuer.clone(), clock.clone());
    let mut states = manager.subscribe();
    let task = tokio::spawn(manager.run());

    let first = wait_state(&mut states, |s| matches!(s, AuthState::Valid { .. })).await;
    assert_eq!(
        first,
        AuthState::Valid {
            expires_at: Some(Timestamp::from_millis(HOUR_MS))
        }
    );
    // 29 minutes in: nothing yet.
    for _ in 0..29 {
        clock.advance(Duration::from_secs(60));
        settle().await;
    }
    assert_eq!(issuer.refreshes.load(Ordering::SeqCst), 0);
    // Minute 30: refreshed, without any request failing.
    clock.advance(Duration::from_secs(60));
    let renewed = wait_state(&mut states, |s| {
        *s == AuthState::Valid {
            expires_at: Some(Timestamp::from_millis(30 * 60_000 + HOUR_MS)),
        }
    })
    .await;
    assert!(matches!(renewed, AuthState::Valid { .. }));
    assert_eq!(issuer.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(manager.token().await.expect("token").value.expose(), "t1");

    drop(manager);
    clock.advance(Duration::from_secs(1));
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("loop ends with the last handle")
        .expect("no panic");
}

#[tokio::test]
async fn concurrent_refreshes_share_one_provider_call() {
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
    let mut issuer = Issuer::new(clock.clone());
    issuer.slow = Some(Duration::from_millis(50));
    let issuer = Arc::new(issuer);
    let manager = AuthManager::new(issuer.clone(), clock.clone());
    manager.token().await.expect("first token");
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let manager = manager.clone();
            tokio::spawn(async move { manager.refresh().await })
        })
        .collect();
    for call in calls {
        let token = call.await.expect("no panic").expect("refreshed");
        assert_eq!(token.value.expose(), "t1");
    }
    assert_eq!(issuer.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn failed_refresh_reports_expired_and_recovers_when_forced() {
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
    let issuer = Arc::new(Issuer::new(clock.clone()));
    let manager = AuthManager::new(issuer.clone(), clock.clone());
    let states = manager.subscribe();
    manager.token().await.expect("first token");
    issuer.fail.store(true, Ordering::SeqCst);
    assert!(manager.refresh().await.is_err());
    assert_eq!(*states.borrow(), AuthState::Expired);
    // Within the recheck interval, a caller's refresh does not hammer the provider...
    assert!(manager.refresh().await.is_err());
    assert_eq!(issuer.refreshes.load(Ordering::SeqCst), 1);
    // ...but a forced one does, and recovers.
    issuer.fail.store(false, Ordering::SeqCst);
    manager.refresh_now().await.expect("forced refresh");
    assert!(matches!(*states.borrow(), AuthState::Valid { .. }));
}

#[tokio::test]
async fn an_expired_token_is_reported_by_the_loop() {
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
    let provider = Arc::new(StaticToken::expiring("s", Timestamp::from_millis(HOUR_MS)));
    let manager = AuthManager::new(provider, clock.clone());
    let mut states = manager.subscribe();
    let _task = tokio::spawn(manager.run());
    wait_state(&mut states, |s| matches!(s, AuthState::Valid { .. })).await;
    // The static token cannot refresh: the attempt at minute 30 fails, but the token works
    // until minute 60, when the loop reports it expired.
    clock.advance(Duration::from_secs(30 * 60));
    settle().await;
    assert!(matches!(*states.borrow(), AuthState::Valid { .. }));
    clock.advance(Duration::from_secs(30 * 60));
    wait_state(&mut states, |s| *s == AuthState::Expired).await;
    assert_eq!(
        manager
            .token()
            .await
            .expect("still handed out")
            .value
            .expose(),
        "s"
    );
}
