//! Drives `ti_core::client::Client` over the browser's `fetch`: the client decides what to
//! send and when; this sends, sleeps and feeds the answers back.
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use ti_core::client::{Action, Client, FetchError, Progress, Request, RequestId};
use ti_core::time::window_start;
use web_sys::AbortController;
use yew::platform::spawn_local;

use crate::browser::transport::{self, Answer};
use crate::browser::{blob_of, now_ms, seed};
use crate::settings::Settings;
use crate::worker::Source;

/// How a fetch is going, for the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Update {
    Progress(Progress),
    Done,
    Failed(FetchError),
    Cancelled,
}

enum Event {
    Answer(RequestId, Result<Answer, String>),
    Tick,
    Cancel,
}

/// A single-consumer queue of events with a waker: all the async plumbing this needs.
#[derive(Default)]
struct Inbox {
    queue: RefCell<VecDeque<Event>>,
    waker: RefCell<Option<Waker>>,
}

impl Inbox {
    fn push(&self, e: Event) {
        self.queue.borrow_mut().push_back(e);
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }

    async fn next(&self) -> Event {
        poll_fn(|cx| match self.queue.borrow_mut().pop_front() {
            Some(e) => Poll::Ready(e),
            None => {
                *self.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

/// One fetch (which survives failures, so it can be resumed).
pub struct Fetch {
    client: RefCell<Client>,
    inbox: Inbox,
    aborts: RefCell<HashMap<RequestId, AbortController>>,
    url: String,
    token: String,
    /// The start of the date window, as the request bodies give it.
    since: i64,
}

impl Fetch {
    pub fn new(settings: &Settings, token: String) -> Rc<Self> {
        let (opts, now) = (settings.fetch_options(), now_ms());
        Rc::new(Fetch {
            since: window_start(now, opts.days),
            client: RefCell::new(Client::new(opts, now, seed())),
            inbox: Inbox::default(),
            aborts: RefCell::new(HashMap::new()),
            url: settings.api_url.trim().to_string(),
            token,
        })
    }

    pub fn api_url(&self) -> &str {
        &self.url
    }

    pub fn cancel(&self) {
        self.inbox.push(Event::Cancel);
    }

    /// Continues after a failure or a cancel with the pages still missing.
    pub fn resume(&self) {
        self.client.borrow_mut().resume();
    }

    pub fn progress(&self) -> Progress {
        self.client.borrow().progress()
    }

    /// The pages fetched, laid end to end in one Blob for the worker.
    pub fn source(&self, id: u32) -> Result<Source, String> {
        let client = self.client.borrow();
        let pages: Vec<(u32, &[u8])> = client.pages().collect();
        let blob = blob_of(&pages.iter().map(|(_, b)| *b).collect::<Vec<_>>(), "application/json")?;
        let layout = pages.iter().map(|(p, b)| (*p, b.len() as u32)).collect();
        Ok(Source { id, name: "fetched indicators".into(), blob, pages: Some(layout), since: Some(self.since) })
    }

    /// Runs until the client is done, failed or cancelled, reporting to `on`.
    pub async fn run(self: Rc<Self>, on: impl Fn(Update)) {
        loop {
            let action = self.client.borrow_mut().poll(now_ms());
            match action {
                Action::Send(req) => {
                    self.send(req);
                    continue;
                }
                Action::Wait { until } => {
                    on(Update::Progress(self.progress()));
                    // Wake at least every 250 ms so the countdown on the page moves.
                    let ms = (until - now_ms()).clamp(0, 250) as u32;
                    let this = self.clone();
                    spawn_local(async move {
                        gloo_timers::future::TimeoutFuture::new(ms).await;
                        this.inbox.push(Event::Tick);
                    });
                }
                Action::Idle => on(Update::Progress(self.progress())),
                Action::Done => {
                    on(Update::Progress(self.progress()));
                    return on(Update::Done);
                }
                Action::Failed(e) => {
                    on(Update::Progress(self.progress()));
                    return on(Update::Failed(e));
                }
                Action::Cancelled => {
                    on(Update::Progress(self.progress()));
                    return on(Update::Cancelled);
                }
            }
            match self.inbox.next().await {
                Event::Answer(id, answer) => {
                    self.aborts.borrow_mut().remove(&id);
                    let mut client = self.client.borrow_mut();
                    match answer {
                        Ok(a) => client.on_response(id, a.status, a.retry_after.as_deref(), a.body, now_ms()),
                        Err(message) => client.on_network_error(id, &message, now_ms()),
                    }
                }
                Event::Tick => {}
                Event::Cancel => {
                    self.client.borrow_mut().cancel();
                    for (_, c) in self.aborts.borrow_mut().drain() {
                        c.abort();
                    }
                }
            }
        }
    }

    fn send(self: &Rc<Self>, req: Request) {
        let Ok(controller) = AbortController::new() else {
            return self.inbox.push(Event::Answer(req.id, Err("the browser cannot make requests here".into())));
        };
        let signal = controller.signal();
        self.aborts.borrow_mut().insert(req.id, controller);
        let this = self.clone();
        spawn_local(async move {
            let answer = transport::post(&this.url, &this.token, req.body, &signal).await;
            this.inbox.push(Event::Answer(req.id, answer));
        });
    }
}
