//! The page's whole state and every change to it, as one reducer.
use std::rc::Rc;

use ti_core::client::Progress;
use yew::Reducible;

use crate::error::AppError;
use crate::fetch::Update;
use crate::settings::Settings;
use crate::worker::{Finished, Reply, Source};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchPhase {
    Idle,
    Running,
    /// Stopped by a failure or a cancel, with pages still missing: `Resume` continues.
    Stopped,
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub settings: Settings,
    pub token: String,
    pub fetch: FetchPhase,
    pub fetch_progress: Option<Progress>,
    /// The data loaded (fetched or chosen), which option changes convert again.
    pub source: Option<Source>,
    /// The last job sent to the worker; replies of older jobs are ignored.
    pub job: u32,
    /// (done, total) records while the worker converts; total 0 while it reads.
    pub converting: Option<(u64, u64)>,
    pub result: Option<Rc<Finished>>,
    pub error: Option<AppError>,
    /// A short note for the status region (e.g. a cancelled fetch).
    pub note: Option<String>,
}

impl State {
    pub fn new(settings: Settings, token: String) -> Self {
        State { settings, token, fetch: FetchPhase::Idle, fetch_progress: None, source: None, job: 0, converting: None, result: None, error: None, note: None }
    }

    /// The result can be saved: converted, and not being converted again.
    pub fn downloadable(&self) -> Option<&Rc<Finished>> {
        self.result.as_ref().filter(|_| self.converting.is_none() && self.fetch != FetchPhase::Running)
    }
}

pub enum Action {
    Settings(Settings),
    Token(String),
    ForgetToken,
    /// New data to convert (replaces the result).
    Load(Source),
    JobSent(u32),
    Worker(Reply),
    FetchStarted,
    Fetch(Update),
    Fail(AppError),
    DismissError,
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Settings(settings) => s.settings = settings,
            Action::Token(t) => s.token = t,
            Action::ForgetToken => {
                s.token.clear();
                if s.fetch != FetchPhase::Idle {
                    s.fetch = FetchPhase::Idle;
                    s.note = Some("Token forgotten; the fetch that used it was stopped.".into());
                }
            }
            Action::Load(source) => {
                s.source = Some(source);
                s.result = None;
                s.error = None;
                s.note = None;
            }
            Action::JobSent(job) => {
                s.job = job;
                s.converting = Some((0, 0));
            }
            Action::Worker(Reply::Progress { job, done, total }) if job == s.job => s.converting = Some((done, total)),
            Action::Worker(Reply::Done(f)) if f.job == s.job => {
                s.converting = None;
                s.result = Some(Rc::new(*f));
                if matches!(s.error, Some(AppError::Convert(_) | AppError::Worker(_))) {
                    s.error = None;
                }
            }
            Action::Worker(Reply::Failed { job, message }) if job == s.job => {
                s.converting = None;
                s.result = None;
                s.error = Some(AppError::Convert(message));
            }
            Action::Worker(_) => return self,
            Action::FetchStarted => {
                // The fetched pages will replace whatever was loaded; replies to jobs on the
                // old data are ignored from now on (job ids start at 1).
                s.fetch = FetchPhase::Running;
                s.source = None;
                s.result = None;
                s.converting = None;
                s.job = 0;
                s.error = None;
                s.note = None;
            }
            Action::Fetch(Update::Progress(p)) => s.fetch_progress = Some(p),
            Action::Fetch(Update::Done) => s.fetch = FetchPhase::Idle,
            Action::Fetch(Update::Failed(error)) => {
                let e = AppError::Fetch { error, api_url: s.settings.api_url.clone() };
                s.fetch = if e.resumable() { FetchPhase::Stopped } else { FetchPhase::Idle };
                s.error = Some(e);
            }
            Action::Fetch(Update::Cancelled) => {
                s.fetch = FetchPhase::Stopped;
                s.note = Some("Fetch cancelled. The pages fetched so far are kept: Resume continues with the missing ones.".into());
            }
            Action::Fail(e) => s.error = Some(e),
            Action::DismissError => s.error = None,
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ti_core::client::FetchError;

    #[test]
    fn a_rate_limit_failure_can_be_resumed_and_a_401_cannot() {
        let s = Rc::new(State::new(Settings::default(), "t".into()));
        let s = s.reduce(Action::FetchStarted).reduce(Action::Fetch(Update::Failed(FetchError::RateLimited { page: 2, tries: 21 })));
        assert_eq!(s.fetch, FetchPhase::Stopped);
        let s = s.reduce(Action::FetchStarted).reduce(Action::Fetch(Update::Failed(FetchError::Unauthorized { message: None })));
        assert_eq!(s.fetch, FetchPhase::Idle);
        assert!(s.error.as_ref().is_some_and(|e| e.to_string().contains("401")));
    }

    #[test]
    fn replies_of_superseded_jobs_are_ignored() {
        let s = Rc::new(State::new(Settings::default(), String::new())).reduce(Action::JobSent(2));
        let s = s.reduce(Action::Worker(Reply::Progress { job: 1, done: 5, total: 9 }));
        assert_eq!(s.converting, Some((0, 0)));
        let s = s.reduce(Action::Worker(Reply::Failed { job: 2, message: "bad".into() }));
        assert_eq!(s.converting, None);
        assert!(matches!(s.error, Some(AppError::Convert(_))));
    }
}
