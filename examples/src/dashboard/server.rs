//! [`DashboardServer`]: a real HTTP/1.1 server (hyper) that accepts the stats sink's batch
//! POSTs, folds them into a [`Dashboard`] and serves the current report at `GET /`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use connect_core::time::{Clock, SystemClock};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::{render_html, Batch, Dashboard, DashboardConfig, DashboardError, Route};

/// The default bound on a batch body: 8 MiB (a 30 s flush of one call is a few KiB; a
/// spool's largest batch well under this).
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// How many batches were accepted and refused, and how many call reports arrived.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Batches accepted (answered 200).
    pub accepted: u64,
    /// Batches refused (answered 4xx).
    pub rejected: u64,
    /// Calls whose report arrived.
    pub call_reports: usize,
}

/// Builds a [`DashboardServer`].
#[derive(Debug)]
pub struct DashboardServerBuilder {
    config: DashboardConfig,
    max_body_bytes: usize,
    clock: Arc<dyn Clock>,
}

impl DashboardServerBuilder {
    /// What the report counts and how it grades.
    pub fn config(mut self, config: DashboardConfig) -> Self {
        self.config = config;
        self
    }

    /// Bodies larger than this are refused with 413 (default [`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The clock that stamps the report (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Listens on `addr` (port 0 picks a free one) and starts serving.
    pub async fn bind(self, addr: SocketAddr) -> Result<DashboardServer, DashboardError> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let shared = Arc::new(Shared {
            dashboard: Mutex::new(Dashboard::new(self.config)),
            progress: watch::channel(Progress::default()).0,
            max_body_bytes: self.max_body_bytes,
            clock: self.clock,
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared), stopped));
        tracing::info!(%local, "quality dashboard listening");
        Ok(DashboardServer {
            inner: Arc::new(Inner {
                url: format!("http://{local}/"),
                addr: local,
                shared,
                stop,
                task: Mutex::new(Some(task)),
            }),
        })
    }
}

#[derive(Debug)]
struct Shared {
    dashboard: Mutex<Dashboard>,
    progress: watch::Sender<Progress>,
    max_body_bytes: usize,
    clock: Arc<dyn Clock>,
}

impl Shared {
    fn with<R>(&self, f: impl FnOnce(&mut Dashboard) -> R) -> R {
        let mut dashboard = self
            .dashboard
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let result = f(&mut dashboard);
        let progress = Progress {
            accepted: dashboard.totals().batches,
            rejected: dashboard.totals().rejected,
            call_reports: dashboard.call_reports(),
        };
        drop(dashboard);
        self.progress.send_if_modified(|p| {
            let changed = *p != progress;
            *p = progress;
            changed
        });
        result
    }

    fn html(&self) -> String {
        let now = self.clock.now();
        self.with(|d| render_html(d, now))
    }
}

#[derive(Debug)]
struct Inner {
    url: String,
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let task = self.task.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Some(task) = task.take() {
            task.abort();
        }
    }
}

/// How long a shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The receiver: answers the sink's `POST …/softphonemetrics`, `…/callreport` and
/// `…/apimetrics` with 200 `{}` once the batch is folded in, a malformed body with 400 and a
/// JSON `{"error": …}`, an oversized one with 413, and serves the current report at `GET /`.
/// Cheap to clone; dropping the last handle stops it.
///
/// ```
/// use connect_examples::dashboard::DashboardServer;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let server = DashboardServer::builder().bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// assert_eq!(server.progress().accepted, 0);
/// server.shutdown().await;
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct DashboardServer {
    inner: Arc<Inner>,
}

impl DashboardServer {
    /// A builder with the default configuration and body bound.
    pub fn builder() -> DashboardServerBuilder {
        DashboardServerBuilder {
            config: DashboardConfig::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            clock: Arc::new(SystemClock::default()),
        }
    }

    /// The base URL to give the sink, e.g. `http://127.0.0.1:8080/`.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// Reads the dashboard.
    pub fn read<R>(&self, f: impl FnOnce(&Dashboard) -> R) -> R {
        self.inner.shared.with(|d| f(d))
    }

    /// The current report page.
    pub fn html(&self) -> String {
        self.inner.shared.html()
    }

    /// The counts so far.
    pub fn progress(&self) -> Progress {
        *self.inner.shared.progress.borrow()
    }

    /// Waits until `condition` holds for the counts (checked on every change).
    pub async fn wait_until(&self, mut condition: impl FnMut(&Progress) -> bool) {
        let mut changes = self.inner.shared.progress.subscribe();
        // The sender lives as long as `self`, so this only returns once the condition holds.
        let _ = changes.wait_for(|p| condition(p)).await;
    }

    /// Stops accepting, lets requests in flight finish (for up to 5 s) and closes every
    /// connection.
    pub async fn shutdown(&self) {
        self.inner.stop.send_replace(true);
        let task = self
            .inner
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            let abort = task.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

/// Returns once the stop signal is set (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    let mut stopping = stop.clone();
    loop {
        while connections.try_join_next().is_some() {}
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stopped(&mut stopping) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        connections.spawn(serve(stream, peer, Arc::clone(&shared), stop.clone()));
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// Serves one connection until it closes, or until the stop signal, after which the request
/// in flight (if any) is answered and the connection closed.
async fn serve(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let service = service_fn(move |request| answer(Arc::clone(&shared), request));
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = stopped(&mut stop) => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%peer, %error, "connection ended with an error");
    }
}

fn response(
    status: StatusCode,
    content_type: &str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    if let Ok(value) = content_type.parse() {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

fn refusal(shared: &Shared, path: &str, error: &DashboardError) -> Response<Full<Bytes>> {
    tracing::warn!(path, %error, "batch refused");
    shared.with(Dashboard::note_rejected);
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::json!({ "error": error.to_string() }).to_string();
    response(status, "application/json", body)
}

async fn read_body(request: Request<Incoming>, limit: usize) -> Result<Bytes, DashboardError> {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(DashboardError::TooLarge { limit });
    }
    match Limited::new(request.into_body(), limit).collect().await {
        Ok(body) => Ok(body.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            Err(DashboardError::TooLarge { limit })
        }
        Err(error) => Err(DashboardError::Body(error.to_string())),
    }
}

async fn answer(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    if path == "/" || path == "/index.html" {
        return Ok(if method == Method::GET || method == Method::HEAD {
            response(StatusCode::OK, "text/html; charset=utf-8", shared.html())
        } else {
            response(StatusCode::METHOD_NOT_ALLOWED, "text/plain", "GET only\n")
        });
    }
    if Route::from_path(&path).is_some() && method != Method::POST {
        return Ok(response(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "POST only\n",
        ));
    }
    let parsed = match read_body(request, shared.max_body_bytes).await {
        Ok(body) => Batch::parse(&path, &body),
        Err(error) => Err(error),
    };
    Ok(match parsed {
        Ok(batch) => {
            tracing::debug!(path, records = batch.records(), "batch accepted");
            shared.with(|d| d.ingest(batch));
            response(StatusCode::OK, "application/json", "{}")
        }
        Err(error) => refusal(&shared, &path, &error),
    })
}
