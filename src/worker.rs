//! The conversion worker and its messages. Files and results travel as `Blob` handles
//! (structured clone shares them without copying), never as serialized bytes.
use gloo_worker::{Codec, HandlerId, Worker, WorkerScope};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use crate::browser::blob_of;
use crate::job::{self, JobInput, Summary};
use crate::settings::ConvertSettings;

/// Data to convert: a file the user chose, or API pages laid end to end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Identifies the data (the worker keeps the last one read).
    pub id: u32,
    pub name: String,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub blob: Blob,
    /// For fetched data: (page number, byte length) of each page in `blob`, in order.
    pub pages: Option<Vec<(u32, u32)>>,
    /// For fetched data: the start of the date window (epoch ms), applied again locally.
    pub since: Option<i64>,
}

#[derive(Serialize, Deserialize)]
pub struct Job {
    pub id: u32,
    pub source: Source,
    pub settings: ConvertSettings,
}

#[derive(Serialize, Deserialize)]
pub enum Reply {
    /// `total` is 0 while the input is being read.
    Progress { job: u32, done: u64, total: u64 },
    Done(Box<Finished>),
    Failed { job: u32, message: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finished {
    pub job: u32,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub output: Blob,
    /// A `Blob` of rejected records as JSON lines, or null.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub rejects: JsValue,
    pub summary: Summary,
    pub preview: Vec<Vec<String>>,
}

impl Finished {
    pub fn rejects(&self) -> Option<Blob> {
        self.rejects.clone().dyn_into().ok()
    }
}

/// Worker messages as JS values: `Blob`s pass through as they are (Bincode cannot carry them).
pub struct JsCodec;

impl Codec for JsCodec {
    fn encode<I: Serialize>(input: I) -> JsValue {
        serde_wasm_bindgen::to_value(&input).unwrap_or(JsValue::NULL)
    }

    #[allow(clippy::expect_used)]
    fn decode<O: for<'de> Deserialize<'de>>(input: JsValue) -> O {
        // Both ends are this crate's own types: a mismatch is a build error, not input.
        serde_wasm_bindgen::from_value(input).expect("a worker message of this build")
    }
}

/// Runs in the worker: reads the source (kept for the next job), converts, replies.
#[derive(Default)]
pub struct ConvertWorker {
    cache: Option<(u32, Vec<u8>)>,
}

fn read_blob(blob: &Blob) -> Result<Vec<u8>, String> {
    let reader = web_sys::FileReaderSync::new().map_err(|e| crate::browser::js_message(&e))?;
    let buf = reader.read_as_array_buffer(blob).map_err(|e| crate::browser::js_message(&e))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

impl ConvertWorker {
    /// Converts one job (what `received` does before replying).
    pub fn convert(&mut self, job: Job, progress: impl FnMut(u64, u64)) -> Result<Finished, String> {
        if self.cache.as_ref().is_none_or(|(id, _)| *id != job.source.id) {
            self.cache = None;
            self.cache = Some((job.source.id, read_blob(&job.source.blob)?));
        }
        let bytes = self.cache.as_ref().map(|(_, b)| b.as_slice()).unwrap_or_default();
        let input = match &job.source.pages {
            None => JobInput::Export(bytes),
            Some(layout) => {
                let mut pages = Vec::with_capacity(layout.len());
                let mut at = 0usize;
                for (page, len) in layout {
                    let end = at + *len as usize;
                    pages.push((*page, bytes.get(at..end).ok_or("the fetched pages were cut short")?));
                    at = end;
                }
                JobInput::Pages(pages)
            }
        };
        let opts = job.settings.options(job.source.pages.is_some(), job.source.since);
        let done = job::run(input, &opts, progress)?;
        let output = blob_of(&[&done.output], job.settings.format.mime())?;
        let rejects = match &done.rejects {
            Some(r) => blob_of(&[r], "application/x-ndjson")?.into(),
            None => JsValue::NULL,
        };
        Ok(Finished { job: job.id, output, rejects, summary: done.summary, preview: done.preview })
    }
}

impl Worker for ConvertWorker {
    type Message = ();
    type Input = Job;
    type Output = Reply;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        job::warm_up();
        Self::default()
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: ()) {}

    fn received(&mut self, scope: &WorkerScope<Self>, job: Job, who: HandlerId) {
        let id = job.id;
        scope.respond(who, Reply::Progress { job: id, done: 0, total: 0 });
        let reply = match self.convert(job, |done, total| scope.respond(who, Reply::Progress { job: id, done, total })) {
            Ok(f) => Reply::Done(Box::new(f)),
            Err(message) => Reply::Failed { job: id, message },
        };
        scope.respond(who, reply);
    }
}
