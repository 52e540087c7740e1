//! Lenient, typed reading of one record. Fields we do not use are skipped; fields we use
//! accept any JSON type, so one odd field gives a precise reason instead of a parser error.
use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// Any JSON value, keeping a string and classifying the rest.
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Loose<'a> {
    #[default]
    Missing,
    Null,
    Str(Cow<'a, str>),
    Num(f64),
    Bool,
    Array,
    Object,
}

impl Loose<'_> {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Null => "null",
            Self::Str(_) => "a string",
            Self::Num(_) => "a number",
            Self::Bool => "a boolean",
            Self::Array => "an array",
            Self::Object => "an object",
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Self::Num(n) => Some(*n),
            _ => None,
        }
    }
    /// A string, or empty for missing/null; `Err` with the kind found otherwise.
    pub fn text_or_empty(&self) -> Result<&str, &'static str> {
        match self {
            Self::Str(s) => Ok(s),
            Self::Missing | Self::Null => Ok(""),
            other => Err(other.kind()),
        }
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Loose::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Loose::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Loose::Str(Cow::Owned(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Loose::Num(v as f64))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Loose::Num(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Loose::Num(v))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Loose::Bool)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Loose::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Loose::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Loose::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Loose::Object)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Loose<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

/// An array of strings, joined with `+` as the legacy script did; anything else is kept as
/// the reason it cannot be joined.
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Joined {
    #[default]
    Empty,
    Text(String),
    Bad(&'static str),
}

impl<'de> Deserialize<'de> for Joined {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Joined;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Joined, A::Error> {
                let mut out = String::new();
                let mut bad = None;
                let mut first = true;
                while let Some(item) = seq.next_element::<Loose<'de>>()? {
                    match item {
                        Loose::Str(s) if bad.is_none() => {
                            if !first {
                                out.push('+');
                            }
                            out.push_str(&s);
                            first = false;
                        }
                        Loose::Str(_) => {}
                        other => bad = bad.or(Some(other.kind())),
                    }
                }
                Ok(match bad {
                    Some(k) => Joined::Bad(k),
                    None if first => Joined::Empty,
                    None => Joined::Text(out),
                })
            }
            fn visit_unit<E>(self) -> Result<Joined, E> {
                Ok(Joined::Empty)
            }
            fn visit_none<E>(self) -> Result<Joined, E> {
                Ok(Joined::Empty)
            }
            fn visit_str<E>(self, _: &str) -> Result<Joined, E> {
                Ok(Joined::Bad("a string"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Joined, E> {
                Ok(Joined::Bad("a number"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Joined, E> {
                Ok(Joined::Bad("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Joined, E> {
                Ok(Joined::Bad("a number"))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Joined, E> {
                Ok(Joined::Bad("a boolean"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Joined, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Joined::Bad("an object"))
            }
        }
        d.deserialize_any(V)
    }
}

/// `files`: only the first element's `key` is used (the legacy `sample-md5`).
#[derive(Debug, Default, Clone, PartialEq)]
pub enum FirstFile<'a> {
    #[default]
    None,
    Key(Loose<'a>),
    /// `files` is not an array, or its first element is not an object.
    Bad(&'static str),
}

impl<'de: 'a, 'a> Deserialize<'de> for FirstFile<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct File<'a> {
            #[serde(borrow, default)]
            key: Loose<'a>,
        }
        struct FileOrNot<'a>(Option<File<'a>>, &'static str);
        impl<'de: 'a, 'a> Deserialize<'de> for FileOrNot<'a> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // Buffer-free: an object is read as a File, anything else only classified.
                struct V<'a>(std::marker::PhantomData<&'a ()>);
                impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
                    type Value = FileOrNot<'a>;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a file object")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                        let f = File::deserialize(de::value::MapAccessDeserializer::new(map))?;
                        Ok(FileOrNot(Some(f), ""))
                    }
                    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                        LooseVisitor.visit_seq(seq).map(|l| FileOrNot(None, l.kind()))
                    }
                    fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Self::Value, E> {
                        Ok(FileOrNot(None, "a string"))
                    }
                    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                        Ok(FileOrNot(None, "a string"))
                    }
                    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                        Ok(FileOrNot(None, "a number"))
                    }
                    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                        Ok(FileOrNot(None, "a number"))
                    }
                    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                        Ok(FileOrNot(None, "a number"))
                    }
                    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                        Ok(FileOrNot(None, "a boolean"))
                    }
                    fn visit_unit<E>(self) -> Result<Self::Value, E> {
                        Ok(FileOrNot(None, "null"))
                    }
                }
                d.deserialize_any(V(std::marker::PhantomData))
            }
        }
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = FirstFile<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of files")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let out = match seq.next_element::<FileOrNot<'a>>()? {
                    None => FirstFile::None,
                    Some(FileOrNot(Some(f), _)) => FirstFile::Key(f.key),
                    Some(FileOrNot(None, kind)) => FirstFile::Bad(kind),
                };
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(out)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(FirstFile::None)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(FirstFile::None)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                LooseVisitor.visit_map(map).map(|_| FirstFile::Bad("an object"))
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(FirstFile::Bad("a string"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(FirstFile::Bad("a number"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(FirstFile::Bad("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(FirstFile::Bad("a number"))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(FirstFile::Bad("a boolean"))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// The fields of an IntelGraph indicator that the legacy formats and the filters use.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct Indicator<'a> {
    #[serde(borrow)]
    pub key: Loose<'a>,
    #[serde(borrow, rename = "type")]
    pub kind: Loose<'a>,
    #[serde(borrow)]
    pub uuid: Option<&'a RawValue>,
    pub severity: Loose<'a>,
    pub confidence: Loose<'a>,
    #[serde(borrow)]
    pub last_seen: Loose<'a>,
    #[serde(borrow)]
    pub last_modified: Loose<'a>,
    pub last_seen_as: Joined,
    pub threat_types: Joined,
    pub malware_family: Joined,
    #[serde(borrow)]
    pub files: FirstFile<'a>,
}

/// One row of the legacy tool's JSON output, read back.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct LegacyRow<'a> {
    #[serde(borrow, rename = "type")]
    pub threat_type: Loose<'a>,
    #[serde(borrow)]
    pub format: Loose<'a>,
    #[serde(borrow)]
    pub value: Loose<'a>,
    #[serde(borrow)]
    pub role: Loose<'a>,
    #[serde(borrow, rename = "sample-md5")]
    pub sample_md5: Loose<'a>,
    #[serde(borrow, rename = "last-observed")]
    pub last_observed: Loose<'a>,
    #[serde(borrow)]
    pub comment: Loose<'a>,
    #[serde(borrow, rename = "ref-id")]
    pub ref_id: Loose<'a>,
    #[serde(borrow)]
    pub confidence: Loose<'a>,
    #[serde(borrow)]
    pub severity: Loose<'a>,
    #[serde(borrow)]
    pub uuid: Option<&'a RawValue>,
}
