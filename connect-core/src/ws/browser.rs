//! [`BrowserConnector`]: sockets over the browser's `WebSocket` (web-sys), for wasm32.

use std::cell::RefCell;
use std::rc::Rc;

use async_trait::async_trait;
use futures::channel::{mpsc, oneshot};
use futures::StreamExt;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

use super::connector::{SocketCommand, SocketEvent, WsConnector, WsSocket};
use super::event::WsError;

/// Opens sockets with the browser's `WebSocket`; TLS and trust are the browser's.
///
/// ```ignore
/// // wasm32 only
/// use std::sync::Arc;
/// use connect_core::ws::{BrowserConnector, WsManager};
///
/// let builder = WsManager::builder(source).connector(Arc::new(BrowserConnector::default()));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct BrowserConnector;

type Pending = Rc<RefCell<Option<oneshot::Sender<Result<(), String>>>>>;

/// The socket and its callbacks; dropping it detaches the callbacks and closes the socket, so
/// the browser never calls a dropped closure.
struct Attached {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_error: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Drop for Attached {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onerror(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

#[async_trait(?Send)]
impl WsConnector for BrowserConnector {
    async fn connect(&self, url: &str) -> Result<WsSocket, WsError> {
        let ws = WebSocket::new(url).map_err(|e| WsError::Connect(format!("{e:?}")))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let (socket, commands, events) = WsSocket::pair();
        let (opened_tx, opened) = oneshot::channel();
        let pending: Pending = Rc::new(RefCell::new(Some(opened_tx)));

        let on_open = {
            let pending = Rc::clone(&pending);
            Closure::<dyn FnMut(Event)>::new(move |_| {
                if let Some(tx) = pending.borrow_mut().take() {
                    let _ = tx.send(Ok(()));
                }
            })
        };
        let on_error = {
            let pending = Rc::clone(&pending);
            let events = events.clone();
            Closure::<dyn FnMut(Event)>::new(move |_| match pending.borrow_mut().take() {
                Some(tx) => {
                    let _ = tx.send(Err("WebSocket error before open".into()));
                }
                None => {
                    let _ = events.unbounded_send(SocketEvent::Closed {
                        code: None,
                        reason: "WebSocket error".into(),
                    });
                }
            })
        };
        let on_message = {
            let events = events.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let data = e.data();
                let text = match data.as_string() {
                    Some(text) => Some(text),
                    None => String::from_utf8(js_sys::Uint8Array::new(&data).to_vec()).ok(),
                };
                match text {
                    Some(text) => {
                        let _ = events.unbounded_send(SocketEvent::Text(text));
                    }
                    None => tracing::warn!("non-UTF-8 binary WebSocket frame ignored"),
                }
            })
        };
        let on_close = {
            let pending = Rc::clone(&pending);
            Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
                if let Some(tx) = pending.borrow_mut().take() {
                    let _ = tx.send(Err(format!("closed before open ({})", e.code())));
                }
                let _ = events.unbounded_send(SocketEvent::Closed {
                    code: Some(e.code()),
                    reason: e.reason(),
                });
            })
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let attached = Attached {
            ws,
            _on_open: on_open,
            _on_error: on_error,
            _on_message: on_message,
            _on_close: on_close,
        };

        match opened.await {
            Ok(Ok(())) => {}
            Ok(Err(reason)) => return Err(WsError::Connect(reason)),
            Err(_) => return Err(WsError::Connect("WebSocket dropped before open".into())),
        }
        wasm_bindgen_futures::spawn_local(pump(attached, commands));
        Ok(socket)
    }
}

/// Sends the manager's commands until it closes the socket or drops it.
async fn pump(attached: Attached, mut commands: mpsc::UnboundedReceiver<SocketCommand>) {
    while let Some(command) = commands.next().await {
        match command {
            SocketCommand::Text(text) => {
                if let Err(e) = attached.ws.send_with_str(&text) {
                    tracing::warn!(error = ?e, "WebSocket send failed");
                }
            }
            SocketCommand::Close(code) => {
                let _ = attached.ws.close_with_code(code);
                break;
            }
        }
    }
    drop(attached);
}
