//! Serde types that never reject an event.
//!
//! CloudTrail fields are written by many services and by the caller, and copies of
//! events pass through tools that change types (`readOnly` as `"true"`, an account
//! id as a number, `requestParameters` as a string). Every leaf the index reads is
//! one of these types: whatever JSON value stands there, it deserializes, keeping
//! what can be used and draining the rest.

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A string field: strings are kept (borrowed when unescaped), numbers and booleans
/// become their text, anything else (null, object, array) is drained and kept as
/// an empty string: `None` means the key is absent.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    pub fn as_str(&self) -> &str {
        self.0.as_deref().unwrap_or("")
    }
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            // Null, objects and arrays: the key is present but has no text. Kept
            // as an empty string, so the record rule can see the key is there.
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(""))))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(""))))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                Text::deserialize(d)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(Some(Cow::Borrowed(""))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(Some(Cow::Borrowed(""))))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A boolean field: `true`/`false`, the strings `"true"`/`"false"` (any case), `1`/`0`;
/// anything else is unknown.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Flag(pub Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Text::deserialize(d)?;
        Ok(Flag(match text.0.as_deref().map(str::trim) {
            Some(t) if t.eq_ignore_ascii_case("true") || t == "1" => Some(true),
            Some(t) if t.eq_ignore_ascii_case("false") || t == "0" => Some(false),
            _ => None,
        }))
    }
}

/// An object field: deserialized as `T` when the JSON value is an object, absent
/// (and drained) otherwise. `T`'s own fields must be lenient for this to be total.
#[derive(Debug, Clone, PartialEq)]
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<T> Obj<T> {
    pub fn get(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Obj(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                Obj::deserialize(d)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// An array field: each element deserialized as `T` (which must be total); a
/// non-array value is an empty list.
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<T>()? {
                    out.push(item);
                }
                Ok(List(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(List(Vec::new()))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                List::deserialize(d)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(List(Vec::new()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(List(Vec::new()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(List(Vec::new()))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(List(Vec::new()))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(List(Vec::new()))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(List(Vec::new()))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(List(Vec::new()))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Probe<'a> {
        #[serde(borrow)]
        s: Text<'a>,
        f: Flag,
        o: Obj<Inner<'a>>,
        l: List<Text<'a>>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Inner<'a> {
        #[serde(borrow)]
        name: Text<'a>,
    }

    fn probe(json: &str) -> Probe<'_> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn text_takes_any_value() {
        assert_eq!(probe(r#"{"s":"x"}"#).s.as_str(), "x");
        assert_eq!(probe(r#"{"s":12}"#).s.as_str(), "12");
        assert_eq!(probe(r#"{"s":true}"#).s.as_str(), "true");
        assert_eq!(probe(r#"{"s":null}"#).s.get(), None);
        assert_eq!(probe(r#"{"s":{"a":[1,2]}}"#).s.get(), None);
        assert_eq!(probe(r#"{"s":[{"a":1}]}"#).s.get(), None);
        assert_eq!(probe(r#"{"s":"a\"b"}"#).s.as_str(), "a\"b");
    }

    #[test]
    fn flag_understands_strings() {
        assert_eq!(probe(r#"{"f":true}"#).f, Flag(Some(true)));
        assert_eq!(probe(r#"{"f":"TRUE"}"#).f, Flag(Some(true)));
        assert_eq!(probe(r#"{"f":"false"}"#).f, Flag(Some(false)));
        assert_eq!(probe(r#"{"f":"maybe"}"#).f, Flag(None));
        assert_eq!(probe(r#"{"f":{}}"#).f, Flag(None));
    }

    #[test]
    fn objects_and_lists_of_the_wrong_type_are_absent() {
        assert_eq!(
            probe(r#"{"o":{"name":"n"}}"#)
                .o
                .get()
                .unwrap()
                .name
                .as_str(),
            "n"
        );
        assert!(probe(r#"{"o":"string"}"#).o.get().is_none());
        assert!(probe(r#"{"o":[1,{"name":"x"}]}"#).o.get().is_none());
        assert!(
            probe(r#"{"o":{"name":{"deep":1}}}"#)
                .o
                .get()
                .unwrap()
                .name
                .get()
                .is_none()
        );
        assert_eq!(probe(r#"{"l":["a",1,{}]}"#).l.0.len(), 3);
        assert!(probe(r#"{"l":"a"}"#).l.0.is_empty());
    }
}
