//! Ad-hoc routes: validation, brute force, reuse, expiry, email binding, concurrency, and the
//! chat that a redeemed route starts in a simulated instance.

use std::sync::Arc;
use std::time::Duration;

use connect_core::model::Timestamp;
use connect_core::time::{Clock, ManualClock};
use connect_video::escalation::{ChatStartPolicy, CustomerChatStart, PRIORITY_MARKER};
use connect_video::route::{
    BindingKey, EmailBinding, InMemoryRouteStore, Redemption, Reference, RejectReason, RouteConfig,
    RouteError, RouteEvent, RouteOwner, RouteService,
};

fn owner() -> RouteOwner {
    RouteOwner {
        agent_id: "agent-1".into(),
        username: "jdoe".into(),
        personal_queue_arn: "arn:aws:connect:us-east-1:1:instance/i/queue/agent/agent-1".into(),
    }
}

fn service(clock: Arc<ManualClock>) -> RouteService {
    RouteService::builder(
        Arc::new(InMemoryRouteStore::default()),
        BindingKey::generate().expect("key"),
    )
    .clock(clock)
    .build()
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp::from_millis(1_740_819_600_000)))
}

fn attempt(reference: &str, email: &str, source: &str) -> Redemption {
    Redemption {
        reference: reference.into(),
        email: email.into(),
        source: source.into(),
    }
}

fn drain(events: &mut tokio::sync::broadcast::Receiver<RouteEvent>) -> Vec<RouteEvent> {
    std::iter::from_fn(|| events.try_recv().ok()).collect()
}

#[tokio::test]
async fn a_valid_redemption_routes_to_the_creating_agent() {
    let routes = service(clock());
    let mut events = routes.subscribe();
    let created = routes
        .create(&owner(), "Ann.Lee@Example.com")
        .await
        .expect("created");
    assert_eq!(created.reference.as_str().len(), 8);
    assert_eq!(created.email, "ann.lee@example.com");
    // Dictated with a space, email in another case with surrounding whitespace.
    let spoken = format!(
        "{} {}",
        &created.reference.as_str()[..4],
        &created.reference.as_str()[4..]
    );
    let redeemed = routes
        .redeem(&attempt(&spoken, "  ANN.LEE@example.COM ", "198.51.100.7"))
        .await
        .expect("redeemed");
    assert_eq!(redeemed.owner, owner());
    assert_eq!(redeemed.reference, created.reference);
    let events = drain(&mut events);
    assert!(matches!(
        events.as_slice(),
        [RouteEvent::Created { .. }, RouteEvent::Redeemed { .. }]
    ));

    // The chat it starts carries the SDK-set routing attributes.
    let policy = ChatStartPolicy::new("instance-1", "flow-adhoc");
    let start = CustomerChatStart {
        display_name: "Ann".into(),
        email: "ann.lee@example.com".into(),
        ..Default::default()
    };
    let request = policy.prepare(&start, Some(&redeemed)).expect("chat start");
    assert_eq!(
        request.attributes["videoRouteToAgent"],
        owner().personal_queue_arn
    );
    assert_eq!(request.attributes["videoRoutePriority"], PRIORITY_MARKER);
    assert_eq!(
        request.attributes["videoReferenceId"],
        created.reference.as_str()
    );
    let mut forged = start.clone();
    forged
        .attributes
        .insert("videoRoutePriority".into(), "1".into());
    assert!(policy
        .prepare(&forged, None)
        .expect_err("forged")
        .is_forbidden_attribute());
}

#[tokio::test]
async fn reuse_is_rejected_and_concurrent_redemptions_have_one_winner() {
    let routes = service(clock());
    let created = routes
        .create(&owner(), "ann@example.com")
        .await
        .expect("created");
    let mut tasks = Vec::new();
    for n in 0..64 {
        let routes = routes.clone();
        let reference = created.reference.to_string();
        tasks.push(tokio::spawn(async move {
            routes
                .redeem(&attempt(&reference, "ann@example.com", &format!("s{n}")))
                .await
        }));
    }
    let mut wins = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => wins += 1,
            Err(e) => assert_eq!(e, RouteError::Invalid),
        }
    }
    assert_eq!(wins, 1);
    let again = routes
        .redeem(&attempt(
            created.reference.as_str(),
            "ann@example.com",
            "s0",
        ))
        .await;
    assert_eq!(again, Err(RouteError::Invalid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_redemptions_on_threads_have_one_winner() {
    let routes = service(clock());
    let created = routes
        .create(&owner(), "ann@example.com")
        .await
        .expect("created");
    let tasks: Vec<_> = (0..64)
        .map(|n| {
            let routes = routes.clone();
            let reference = created.reference.to_string();
            tokio::spawn(async move {
                routes
                    .redeem(&attempt(&reference, "ann@example.com", &format!("s{n}")))
                    .await
                    .is_ok()
            })
        })
        .collect();
    let mut wins = 0;
    for task in tasks {
        wins += usize::from(task.await.expect("task"));
    }
    assert_eq!(wins, 1);
}

#[tokio::test]
async fn expiry_falls_exactly_at_the_ttl() {
    let clock = clock();
    let routes = service(clock.clone());
    let mut events = routes.subscribe();
    let a = routes.create(&owner(), "a@example.com").await.expect("a");
    let b = routes.create(&owner(), "b@example.com").await.expect("b");
    assert_eq!(a.expires_at.millis_since(clock.now()), 15 * 60 * 1000);
    clock.advance(Duration::from_millis(15 * 60 * 1000 - 1));
    assert!(routes
        .redeem(&attempt(a.reference.as_str(), "a@example.com", "s"))
        .await
        .is_ok());
    clock.advance(Duration::from_millis(1));
    let late = routes
        .redeem(&attempt(b.reference.as_str(), "b@example.com", "s"))
        .await;
    assert_eq!(late, Err(RouteError::Invalid));
    assert!(drain(&mut events).contains(&RouteEvent::Rejected {
        reason: RejectReason::Expired
    }));

    // A configurable TTL.
    let short = RouteService::builder(
        Arc::new(InMemoryRouteStore::default()),
        BindingKey::generate().expect("key"),
    )
    .clock(clock.clone())
    .config(RouteConfig {
        ttl: Duration::from_secs(60),
        ..Default::default()
    })
    .build();
    let c = short.create(&owner(), "c@example.com").await.expect("c");
    clock.advance(Duration::from_secs(60));
    assert_eq!(
        short
            .redeem(&attempt(c.reference.as_str(), "c@example.com", "s"))
            .await,
        Err(RouteError::Invalid)
    );
}

#[tokio::test]
async fn a_wrong_email_is_rejected_and_five_failures_burn_the_reference() {
    let routes = service(clock());
    let mut events = routes.subscribe();
    let created = routes
        .create(&owner(), "ann@example.com")
        .await
        .expect("created");
    for n in 0..5 {
        let wrong = routes
            .redeem(&attempt(
                created.reference.as_str(),
                "eve@example.com",
                &format!("s{n}"),
            ))
            .await;
        assert_eq!(wrong, Err(RouteError::Invalid));
    }
    let burned = routes
        .redeem(&attempt(
            created.reference.as_str(),
            "ann@example.com",
            "s-ok",
        ))
        .await;
    assert_eq!(
        burned,
        Err(RouteError::Invalid),
        "a burned reference stays refused"
    );
    let events = drain(&mut events);
    let mismatches = events
        .iter()
        .filter(|e| {
            **e == RouteEvent::Rejected {
                reason: RejectReason::Mismatch,
            }
        })
        .count();
    assert_eq!(mismatches, 5);
    assert!(events.contains(&RouteEvent::Burned {
        reference: created.reference.clone()
    }));
    assert!(events.contains(&RouteEvent::Rejected {
        reason: RejectReason::Burned
    }));
}

#[tokio::test]
async fn brute_force_from_one_source_is_cooled_down() {
    let clock = clock();
    let routes = RouteService::builder(
        Arc::new(InMemoryRouteStore::default()),
        BindingKey::generate().expect("key"),
    )
    .clock(clock.clone())
    .config(RouteConfig {
        ttl: Duration::from_secs(3600),
        ..Default::default()
    })
    .reference_source(|| Reference::parse("98765432"))
    .build();
    let mut events = routes.subscribe();
    routes
        .create(&owner(), "ann@example.com")
        .await
        .expect("created");
    let guesses = [
        "00000000",
        "11111111",
        "2222-2222",
        "3333 3333",
        "abc",
        "44444444",
        "55555555",
        "66666666",
        "77777777",
        "88888888",
    ];
    for (n, guess) in guesses.iter().enumerate() {
        assert_eq!(
            routes
                .redeem(&attempt(guess, "ann@example.com", "203.0.113.9"))
                .await,
            Err(RouteError::Invalid),
            "guess {n}"
        );
    }
    let events_so_far = drain(&mut events);
    assert!(events_so_far.contains(&RouteEvent::Rejected {
        reason: RejectReason::Malformed
    }));
    assert!(events_so_far.contains(&RouteEvent::Rejected {
        reason: RejectReason::NotFound
    }));
    assert!(events_so_far.contains(&RouteEvent::RateLimited {
        source: "203.0.113.9".into()
    }));

    // The tenth failure started a cool-down: even the right reference is refused…
    let right = attempt("98765432", "ann@example.com", "203.0.113.9");
    assert_eq!(routes.redeem(&right).await, Err(RouteError::RateLimited));
    // …until it ends.
    clock.advance(Duration::from_secs(15 * 60 - 1));
    assert_eq!(routes.redeem(&right).await, Err(RouteError::RateLimited));
    clock.advance(Duration::from_secs(1));
    assert!(routes.redeem(&right).await.is_ok());
}

#[tokio::test]
async fn another_source_is_not_slowed_by_a_brute_forcer() {
    let routes = RouteService::builder(
        Arc::new(InMemoryRouteStore::default()),
        BindingKey::generate().expect("key"),
    )
    .clock(clock())
    .reference_source(|| Reference::parse("98765432"))
    .build();
    routes
        .create(&owner(), "ann@example.com")
        .await
        .expect("created");
    for n in 0..12 {
        let guess = format!("{:08}", n);
        let _ = routes
            .redeem(&attempt(&guess, "ann@example.com", "attacker"))
            .await;
    }
    assert_eq!(
        routes
            .redeem(&attempt("00000001", "ann@example.com", "attacker"))
            .await,
        Err(RouteError::RateLimited)
    );
    assert!(routes
        .redeem(&attempt("98765432", "ann@example.com", "customer"))
        .await
        .is_ok());
}

#[tokio::test]
async fn failures_look_identical_to_customers() {
    let clock = clock();
    let routes = service(clock.clone());
    let used = routes.create(&owner(), "u@example.com").await.expect("u");
    routes
        .redeem(&attempt(used.reference.as_str(), "u@example.com", "x"))
        .await
        .expect("first use");
    let expired = routes.create(&owner(), "e@example.com").await.expect("e");
    clock.advance(Duration::from_secs(15 * 60));
    let fresh = routes
        .create(&owner(), "m@example.com")
        .await
        .expect("fresh");
    let outcomes = [
        routes.redeem(&attempt("1234567", "a@b.c", "1")).await,
        routes
            .redeem(&attempt(used.reference.as_str(), "u@example.com", "2"))
            .await,
        routes
            .redeem(&attempt(expired.reference.as_str(), "e@example.com", "3"))
            .await,
        routes
            .redeem(&attempt(fresh.reference.as_str(), "not-m@example.com", "4"))
            .await,
    ];
    for outcome in &outcomes {
        assert_eq!(outcome, &Err(RouteError::Invalid));
        assert_eq!(
            outcome.as_ref().expect_err("refused").to_string(),
            "the reference or email is not valid"
        );
    }
}

#[tokio::test]
async fn collisions_redraw_then_give_up() {
    let fixed = || Reference::parse("12345678");
    let routes = RouteService::builder(
        Arc::new(InMemoryRouteStore::default()),
        BindingKey::generate().expect("key"),
    )
    .clock(clock())
    .reference_source(fixed)
    .build();
    routes
        .create(&owner(), "a@example.com")
        .await
        .expect("first");
    assert_eq!(
        routes.create(&owner(), "b@example.com").await,
        Err(RouteError::Exhausted(5))
    );
}

#[test]
fn email_bindings_compare_in_constant_time() {
    fn constant_time<T: subtle::ConstantTimeEq>(a: &T, b: &T) -> bool {
        bool::from(a.ct_eq(b))
    }
    let key = BindingKey::from_bytes(&[9u8; 32]).expect("key");
    let a = EmailBinding::of_email(&key, "Ann@Example.com").expect("a");
    let b = EmailBinding::of_email(&key, "ann@example.com").expect("b");
    let c = EmailBinding::of_email(&key, "eve@example.com").expect("c");
    assert!(constant_time(&a, &b) && a.matches(&b));
    assert!(!constant_time(&a, &c) && !a.matches(&c));
    let other_key = BindingKey::from_bytes(&[8u8; 32]).expect("key");
    assert!(!a.matches(&EmailBinding::of_email(&other_key, "ann@example.com").expect("d")));
    assert_eq!(format!("{a:?}"), "EmailBinding([redacted])");
}
