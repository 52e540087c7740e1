//! The conversion worker and its messages. Files and results travel as `Blob` handles
//! (structured clone shares them without copying), never as serialized bytes.
use std::cell::RefCell;
use std::rc::Rc;

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

/// Slices a big file is read in at once: the browser serves them concurrently, which is
/// about twice as fast as one read on a cold file.
const READ_SLICES: u64 = 8;

type OnRead = Box<dyn FnOnce(Result<Vec<u8>, String>)>;

/// Reads `blob` in parallel slices, then calls `done` with its bytes.
fn read_in_slices(blob: &Blob, done: impl FnOnce(Result<Vec<u8>, String>) + 'static) {
    struct Reading {
        bytes: Vec<u8>,
        left: usize,
        failed: Option<String>,
        // A gloo FileReader aborts its read when dropped: they live until the last one ends.
        readers: Vec<gloo_file::callbacks::FileReader>,
        done: Option<OnRead>,
    }
    let size = blob.size() as u64;
    let n = if size < 8 << 20 { 1 } else { READ_SLICES };
    let per = size.div_ceil(n).max(1);
    let state = Rc::new(RefCell::new(Reading { bytes: vec![0; size as usize], left: n as usize, failed: None, readers: Vec::new(), done: Some(Box::new(done)) }));
    let whole = gloo_file::Blob::from(blob.clone());
    for k in 0..n {
        let (start, end) = (k * per, ((k + 1) * per).min(size));
        let st = state.clone();
        let reader = gloo_file::callbacks::read_as_array_buffer(&whole.slice(start, end), move |r| {
            let finished = {
                let mut s = st.borrow_mut();
                match r {
                    Ok(buf) => {
                        let part = js_sys::Uint8Array::new(&buf);
                        if let Some(dst) = s.bytes.get_mut(start as usize..start as usize + part.length() as usize) {
                            part.copy_to(dst);
                        }
                    }
                    Err(e) => s.failed = Some(e.to_string()),
                }
                s.left -= 1;
                (s.left == 0).then(|| (std::mem::take(&mut s.bytes), s.failed.take(), s.done.take(), std::mem::take(&mut s.readers)))
            };
            if let Some((bytes, failed, Some(done), _readers)) = finished {
                done(failed.map_or(Ok(bytes), Err));
            }
        });
        state.borrow_mut().readers.push(reader);
    }
}

/// A file read in the background has arrived.
pub struct Loaded {
    job: Job,
    who: HandlerId,
    bytes: Result<Vec<u8>, String>,
}

impl ConvertWorker {
    fn finish(&mut self, scope: &WorkerScope<Self>, job: Job, who: HandlerId) {
        let id = job.id;
        let reply = match self.convert(job, |done, total| scope.respond(who, Reply::Progress { job: id, done, total })) {
            Ok(f) => Reply::Done(Box::new(f)),
            Err(message) => Reply::Failed { job: id, message },
        };
        scope.respond(who, reply);
    }

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
    type Message = Loaded;
    type Input = Job;
    type Output = Reply;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        job::warm_up();
        Self::default()
    }

    fn update(&mut self, scope: &WorkerScope<Self>, msg: Loaded) {
        match msg.bytes {
            Ok(bytes) => {
                self.cache = Some((msg.job.source.id, bytes));
                self.finish(scope, msg.job, msg.who);
            }
            Err(e) => scope.respond(msg.who, Reply::Failed { job: msg.job.id, message: format!("The file could not be read: {e}") }),
        }
    }

    fn received(&mut self, scope: &WorkerScope<Self>, job: Job, who: HandlerId) {
        scope.respond(who, Reply::Progress { job: job.id, done: 0, total: 0 });
        if self.cache.as_ref().is_some_and(|(id, _)| *id == job.source.id) {
            return self.finish(scope, job, who);
        }
        self.cache = None;
        let (scope, blob) = (scope.clone(), job.source.blob.clone());
        read_in_slices(&blob, move |bytes| scope.send_message(Loaded { job, who, bytes }));
    }
}
