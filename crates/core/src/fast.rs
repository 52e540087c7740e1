//! The fast path: one pass from bytes to rows for clean input of the two common shapes (one
//! API response, an array of indicators). It gives up at the first thing it would have to
//! explain (a rejected record, another shape, any JSON error), and the caller then takes the
//! general path, which keeps every record's text and position. On native targets the parser
//! hands records in batches to a second thread that maps, filters and writes them.
use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::convert::{Converter, Options, Report};
use crate::input::Shape;
use crate::record::{Indicator, Loose};

fn give_up<E: de::Error>() -> E {
    E::custom("not for the fast path")
}

/// Takes each parsed record; `Err` means give up.
type Push<'c, 'a> = &'c mut dyn FnMut(Indicator<'a>) -> Result<(), ()>;

struct Doc<'c, 'a>(Push<'c, 'a>);

impl<'a> Visitor<'a> for Doc<'_, 'a> {
    type Value = Shape;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an API response or an array of indicators")
    }
    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut response = false;
        while let Some(k) = map.next_key::<Cow<'a, str>>()? {
            match &*k {
                "results" => {
                    response = true;
                    map.next_value_seed(Results(&mut *self.0))?;
                }
                "total_size" | "more" | "page_size" | "page" => {
                    response = true;
                    map.next_value::<IgnoredAny>()?;
                }
                "key" => return Err(give_up()),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if response { Ok(Shape::ApiResponse) } else { Err(give_up()) }
    }
    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<Shape, A::Error> {
        let mut any = false;
        while seq.next_element_seed(Record(&mut *self.0))?.is_some() {
            any = true;
        }
        Ok(if any { Shape::IndicatorArray } else { Shape::EmptyArray })
    }
}

struct Results<'c, 'a>(Push<'c, 'a>);

impl<'a> DeserializeSeed<'a> for Results<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for Results<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of indicators")
    }
    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Record(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

struct Record<'c, 'a>(Push<'c, 'a>);

impl<'a> DeserializeSeed<'a> for Record<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<(), D::Error> {
        let ind = Indicator::deserialize(d).map_err(|_| give_up::<D::Error>())?;
        if matches!(ind.key, Loose::Missing) {
            return Err(give_up());
        }
        (self.0)(ind).map_err(|()| give_up())
    }
}

fn convert_one(conv: &mut Converter<Vec<u8>>, ind: Indicator<'_>) -> Result<(), ()> {
    conv.count_record();
    let outcome = conv.indicator_outcome(ind).map_err(|_| ())?;
    conv.apply(outcome).map_err(|_| ())
}

/// Parses `text`, handing every record to `push`.
fn parse<'a>(text: &'a str, push: Push<'_, 'a>) -> Option<Shape> {
    let mut de = serde_json::Deserializer::from_str(text);
    let shape = de.deserialize_any(Doc(push)).ok()?;
    de.end().ok()?;
    Some(shape)
}

/// Converts clean input of the common shapes in one pass, or `None` when the general path
/// must do it.
pub(crate) fn try_convert(bytes: &[u8], opts: &Options) -> Option<(Vec<u8>, Report)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if !matches!(bytes.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'[')) {
        return None;
    }
    // All of it must be UTF-8, ignored fields included (serde_json checks only what it reads).
    let text = std::str::from_utf8(bytes).ok()?;
    let mut conv = Converter::new(opts.clone(), Vec::with_capacity(bytes.len() / 4)).ok()?;
    #[cfg(not(target_arch = "wasm32"))]
    if bytes.len() > 1 << 20 && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) {
        return pipelined(text, conv);
    }
    let shape = parse(text, &mut |ind| convert_one(&mut conv, ind))?;
    conv.set_shape(shape);
    conv.finish().ok()
}

#[cfg(not(target_arch = "wasm32"))]
fn pipelined(text: &str, mut conv: Converter<Vec<u8>>) -> Option<(Vec<u8>, Report)> {
    use std::sync::mpsc;
    const BATCH: usize = 256;
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<Vec<Indicator<'_>>>(16);
        let (back_tx, back_rx) = mpsc::channel::<Vec<Indicator<'_>>>();
        let worker = s.spawn(move || {
            for mut batch in rx {
                for ind in batch.drain(..) {
                    convert_one(&mut conv, ind).ok()?;
                }
                let _ = back_tx.send(batch);
            }
            Some(conv)
        });
        let mut batch = Vec::with_capacity(BATCH);
        let shape = parse(text, &mut |ind| {
            batch.push(ind);
            if batch.len() == BATCH {
                let next = back_rx.try_recv().unwrap_or_else(|_| Vec::with_capacity(BATCH));
                tx.send(std::mem::replace(&mut batch, next)).map_err(|_| ())?;
            }
            Ok(())
        });
        let sent = shape.is_some() && tx.send(batch).is_ok();
        drop(tx);
        let mut conv = worker.join().ok()??;
        if !sent {
            return None;
        }
        conv.set_shape(shape?);
        conv.finish().ok()
    })
}
