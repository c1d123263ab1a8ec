//! What the library's unit tests share.

use proptest::prelude::*;
use serde_json::{Value, json};

/// JSON values built from `words` (as strings, keys and values), nested a few levels: documents
/// that look enough like the real thing to reach deep into a converter or a comparison.
pub(crate) fn json_from_words(words: Vec<&'static str>) -> impl Strategy<Value = Value> {
    let words = prop::sample::select(words);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        words.clone().prop_map(|w| json!(w)),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((words.clone(), inner), 0..6).prop_map(|entries| {
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                )
            }),
        ]
    })
}
