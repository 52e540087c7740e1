use gloo_worker::Registrable;
use ti_export_web::worker::{ConvertWorker, JsCodec};

fn main() {
    ConvertWorker::registrar().encoding::<JsCodec>().register();
}
