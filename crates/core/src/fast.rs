//! The fast path: one pass from bytes to rows for clean input of the two common shapes (one
//! API response, an array of indicators). It gives up at the first thing it would have to
//! explain (a rejected record, another shape, any JSON error), and the caller then takes the
//! general path, which keeps every record's text and position.
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

struct Doc<'c>(&'c mut Converter<Vec<u8>>);

impl<'de> Visitor<'de> for Doc<'_> {
    type Value = Shape;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an API response or an array of indicators")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut response = false;
        while let Some(k) = map.next_key::<Cow<'de, str>>()? {
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
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        let mut any = false;
        while seq.next_element_seed(Record(&mut *self.0))?.is_some() {
            any = true;
        }
        Ok(if any { Shape::IndicatorArray } else { Shape::EmptyArray })
    }
}

struct Results<'c>(&'c mut Converter<Vec<u8>>);

impl<'de> DeserializeSeed<'de> for Results<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Results<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of indicators")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Record(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

struct Record<'c>(&'c mut Converter<Vec<u8>>);

impl<'de> DeserializeSeed<'de> for Record<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let ind = Indicator::deserialize(d).map_err(|_| give_up::<D::Error>())?;
        if matches!(ind.key, Loose::Missing) {
            return Err(give_up());
        }
        let c = self.0;
        c.count_record();
        let outcome = c.indicator_outcome(ind).map_err(|_| give_up::<D::Error>())?;
        c.apply(outcome).map_err(|_| give_up::<D::Error>())
    }
}

/// Converts clean input of the common shapes in one pass, or `None` when the general path
/// must do it.
pub(crate) fn try_convert(bytes: &[u8], opts: &Options) -> Option<(Vec<u8>, Report)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if !matches!(bytes.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'[')) {
        return None;
    }
    let mut conv = Converter::new(opts.clone(), Vec::with_capacity(bytes.len() / 4)).ok()?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let shape = de.deserialize_any(Doc(&mut conv)).ok()?;
    de.end().ok()?;
    conv.set_shape(shape);
    conv.finish().ok()
}
