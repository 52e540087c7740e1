//! The page: state, the worker, the fetch, and the layout.
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_worker::{Spawnable, WorkerBridge};
use web_sys::{DragEvent, HtmlInputElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::browser::{download, storage, transport};
use crate::components::{Alert, Charts, Controls, PreviewTable, StatusPanel};
use crate::error::AppError;
use crate::fetch::{Fetch, Update};
use crate::settings::{ConvertSettings, Settings};
use crate::state::{Action, FetchPhase, State};
use crate::worker::{ConvertWorker, JsCodec, Job, Reply, Source};

/// Where Trunk puts the worker's loader (see index.html).
const WORKER_LOADER: &str = "./worker_loader.js";
const SAMPLE: &str = "./sample.json";

/// Sends jobs to the worker one at a time; while one runs, only the newest waiting job is
/// kept, so fast option changes do not queue stale conversions.
#[derive(Default)]
struct Jobs {
    bridge: Option<WorkerBridge<ConvertWorker>>,
    busy: bool,
    waiting: Option<Job>,
    next_id: u32,
}

impl Jobs {
    fn submit(&mut self, source: Source, settings: ConvertSettings) -> u32 {
        self.next_id += 1;
        let job = Job { id: self.next_id, source, settings };
        if self.busy {
            self.waiting = Some(job);
        } else if let Some(b) = &self.bridge {
            self.busy = true;
            b.send(job);
        }
        self.next_id
    }

    fn finished(&mut self) {
        self.busy = false;
        if let (Some(job), Some(b)) = (self.waiting.take(), &self.bridge) {
            self.busy = true;
            b.send(job);
        }
    }
}

fn api_url_ok(url: &str) -> bool {
    let u = url.trim();
    u.starts_with("https://") || u.starts_with("http://") || (u.starts_with('/') && !u.starts_with("//"))
}

#[component]
pub fn App() -> Html {
    let stored = use_memo((), |_| storage::stored_settings());
    let state = use_reducer(|| State::new((*stored).clone().unwrap_or_default(), storage::load_token()));
    let jobs = use_mut_ref(Jobs::default);
    let fetch: Rc<RefCell<Option<Rc<Fetch>>>> = use_mut_ref(|| None);
    let source_ids = use_mut_ref(|| Cell::new(0u32));
    let file_input = use_node_ref();
    let dragging = use_state_eq(|| false);

    // The worker starts with the page and lives as long as it.
    {
        let (jobs, dispatch) = (jobs.clone(), state.dispatcher());
        use_effect_with((), move |_| {
            let j = jobs.clone();
            let mut spawner = ConvertWorker::spawner();
            spawner.callback(move |reply: Reply| {
                if matches!(reply, Reply::Done(_) | Reply::Failed { .. }) {
                    j.borrow_mut().finished();
                }
                dispatch.dispatch(Action::Worker(reply));
            });
            let mut spawner = spawner.encoding::<JsCodec>();
            spawner.with_loader(true).as_module(false);
            jobs.borrow_mut().bridge = Some(spawner.spawn(WORKER_LOADER));
        });
    }

    // A first visit takes the site's default API URL, if the deployment gives one.
    {
        let (state, first_visit) = (state.clone(), stored.is_none());
        use_effect_with((), move |_| {
            if first_visit {
                spawn_local(async move {
                    if let Some(url) = transport::site_api_url().await {
                        state.dispatch(Action::Settings(Settings { api_url: url, ..state.settings.clone() }));
                    }
                });
            }
        });
    }

    {
        let settings = state.settings.clone();
        use_effect_with(settings, storage::save_settings);
    }

    // Loaded data and every option that changes the output: convert (again).
    {
        let (jobs, dispatch) = (jobs.clone(), state.dispatcher());
        let key = (state.source.clone(), state.settings.convert.clone());
        use_effect_with(key, move |(source, settings)| {
            if let Some(source) = source {
                let id = jobs.borrow_mut().submit(source.clone(), settings.clone());
                dispatch.dispatch(Action::JobSent(id));
            }
        });
    }

    let load = {
        let (dispatch, ids) = (state.dispatcher(), source_ids.clone());
        Callback::from(move |(name, blob): (String, web_sys::Blob)| {
            let id = ids.borrow().get() + 1;
            ids.borrow().set(id);
            dispatch.dispatch(Action::Load(Source { id, name, blob, pages: None, since: None }));
        })
    };

    let on_settings = {
        let dispatch = state.dispatcher();
        Callback::from(move |s: Settings| dispatch.dispatch(Action::Settings(s)))
    };
    let on_token = {
        let dispatch = state.dispatcher();
        Callback::from(move |t: String| {
            storage::save_token(&t);
            dispatch.dispatch(Action::Token(t));
        })
    };
    // Forgetting the token also drops the fetch that holds it (no Resume with it).
    let on_forget = {
        let (dispatch, fetch) = (state.dispatcher(), fetch.clone());
        Callback::from(move |()| {
            storage::forget_token();
            if let Some(f) = fetch.borrow_mut().take() {
                f.cancel();
            }
            dispatch.dispatch(Action::ForgetToken);
        })
    };

    let run_fetch = {
        let (dispatch, ids, slot) = (state.dispatcher(), source_ids.clone(), fetch.clone());
        move |f: Rc<Fetch>| {
            dispatch.dispatch(Action::FetchStarted);
            let (dispatch, ids, f2, slot) = (dispatch.clone(), ids.clone(), f.clone(), slot.clone());
            spawn_local(f.run(move |u: Update| {
                // A fetch dropped by Forget token reports nothing more.
                if !slot.borrow().as_ref().is_some_and(|cur| Rc::ptr_eq(cur, &f2)) {
                    return;
                }
                if u == Update::Done {
                    let id = ids.borrow().get() + 1;
                    ids.borrow().set(id);
                    match f2.source(id) {
                        Ok(source) => dispatch.dispatch(Action::Load(source)),
                        Err(e) => dispatch.dispatch(Action::Fail(AppError::Load(e))),
                    }
                }
                dispatch.dispatch(Action::Fetch(u));
            }));
        }
    };
    let on_fetch = {
        let (state, fetch, run_fetch) = (state.clone(), fetch.clone(), run_fetch.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if state.fetch == FetchPhase::Running {
                return;
            }
            if state.token.trim().is_empty() {
                return state.dispatch(Action::Fail(AppError::NoToken));
            }
            if !api_url_ok(&state.settings.api_url) {
                return state.dispatch(Action::Fail(AppError::BadApiUrl(state.settings.api_url.clone())));
            }
            let f = Fetch::new(&state.settings, state.token.trim().to_string());
            *fetch.borrow_mut() = Some(f.clone());
            run_fetch(f);
        })
    };
    let on_cancel = {
        let fetch = fetch.clone();
        Callback::from(move |_| {
            if let Some(f) = fetch.borrow().as_ref() {
                f.cancel();
            }
        })
    };
    let on_resume = {
        let fetch = fetch.clone();
        Callback::from(move |_| {
            let f = fetch.borrow().clone();
            if let Some(f) = f {
                f.resume();
                run_fetch(f);
            }
        })
    };

    let on_file = {
        let load = load.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|l| l.get(0)) {
                load.emit((file.name(), file.into()));
            }
            // Choosing the same file again must fire `change` again.
            input.set_value("");
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            // Leaving for a child element is not leaving the page.
            if e.related_target().is_none() {
                dragging.set(false);
            }
        })
    };
    let on_drop = {
        let (load, dragging) = (load.clone(), dragging.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|l| l.get(0)) {
                load.emit((file.name(), file.into()));
            }
        })
    };
    let on_sample = {
        let (load, dispatch) = (load.clone(), state.dispatcher());
        Callback::from(move |_| {
            let (load, dispatch) = (load.clone(), dispatch.clone());
            spawn_local(async move {
                match transport::get_blob(SAMPLE).await {
                    Ok(blob) => load.emit(("sample.json".into(), blob)),
                    Err(e) => dispatch.dispatch(Action::Fail(AppError::Load(e))),
                }
            });
        })
    };
    let on_download = {
        let state = state.clone();
        Callback::from(move |_| {
            if let Some(r) = state.downloadable() {
                if let Err(e) = download::save(&r.output, &state.settings.download_name()) {
                    state.dispatch(Action::Fail(AppError::Download(e)));
                }
            }
        })
    };
    let on_rejects = {
        let state = state.clone();
        Callback::from(move |_| {
            if let Some(blob) = state.downloadable().and_then(|r| r.rejects()) {
                if let Err(e) = download::save(&blob, "ti-rejected.jsonl") {
                    state.dispatch(Action::Fail(AppError::Download(e)));
                }
            }
        })
    };
    let on_dismiss = {
        let dispatch = state.dispatcher();
        Callback::from(move |()| dispatch.dispatch(Action::DismissError))
    };

    let running = state.fetch == FetchPhase::Running;
    let ready = state.downloadable().cloned();
    html! {
        <main class={classes!("page", dragging.then_some("dragging"))} ondragover={on_drag_over} ondragleave={on_drag_leave} ondrop={on_drop}>
            <header>
                <h1>{ "ti-export" }</h1>
                <p class="lede">{ "IntelGraph threat indicators to the legacy CSV or JSON feed, converted in your browser. Nothing is uploaded anywhere." }</p>
            </header>
            <form class="controls" method="post" onsubmit={on_fetch} novalidate=true>
                <Controls settings={state.settings.clone()} token={state.token.clone()} onsettings={on_settings} ontoken={on_token} onforget={on_forget} />
                <div class="actions">
                    <button type="submit" class="primary" disabled={running}>{ "Fetch indicators" }</button>
                    <button type="button" onclick={on_cancel} disabled={!running}>{ "Cancel" }</button>
                    if state.fetch == FetchPhase::Stopped { <button type="button" onclick={on_resume}>{ "Resume" }</button> }
                </div>
            </form>
            <section class="offline" aria-labelledby="offline-title">
                <h2 id="offline-title">{ "Convert an export" }</h2>
                <div class="field">
                    <label for="json-export">{ "JSON export" }</label>
                    <input id="json-export" ref={file_input} type="file" accept=".json,.jsonl,.ndjson,application/json" onchange={on_file} />
                </div>
                <p class="hint">{ "Or drop a file anywhere on the page. " }
                    <button type="button" onclick={on_sample}>{ "Try a sample" }</button>
                </p>
                if let Some(src) = &state.source { <p class="hint">{ format!("Loaded: {}", src.name) }</p> }
            </section>
            <section class="result" aria-labelledby="result-title">
                <h2 id="result-title">{ "Result" }</h2>
                <StatusPanel state={(*state).clone()} />
                <Alert error={state.error.clone()} ondismiss={on_dismiss} />
                <div class="actions">
                    <button type="button" class="primary" onclick={on_download} disabled={ready.is_none()}>{ "Download" }</button>
                    if ready.as_ref().is_some_and(|r| r.summary.rejected > 0) {
                        <button type="button" onclick={on_rejects}>{ "Download rejected records" }</button>
                    }
                </div>
                if let Some(r) = &state.result {
                    if !r.summary.first_rejections.is_empty() {
                        <details class="rejections">
                            <summary>{ format!("Why records were rejected (first {})", r.summary.first_rejections.len()) }</summary>
                            <ul>{ for r.summary.first_rejections.iter().map(|x| html! { <li>{ x.clone() }</li> }) }</ul>
                        </details>
                    }
                    <Charts summary={r.summary.clone()} />
                    <PreviewTable rows={Rc::new(r.preview.clone())} converted={r.summary.converted} />
                }
            </section>
        </main>
    }
}
