//! What a user of the code generated from each fixture document in `tests/fixtures/` notices:
//! wire names, open enums, nested inline bodies, collections, required/optional/nullable
//! fields and formats, parameters in path/query/header/cookie, multi-status and header
//! responses, recursive types. Models are checked through serde; clients over real HTTP
//! against the loopback [`Mock`] from `support` (127.0.0.1, port 0).

mod support;

use axum::http::Method;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use support::{Mock, Reply};

/// Decodes `value` as `T`, encodes it again and checks nothing was lost or added.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> T {
    let typed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("{value} does not decode: {e}"));
    let back = serde_json::to_value(&typed).expect("encodes");
    assert_eq!(&back, value, "round trip changed the body");
    typed
}

/// The JSON string `value` encodes to, and what the same string decodes back to.
fn wire<T: DeserializeOwned + Serialize>(value: &T) -> (Value, T) {
    let encoded = serde_json::to_value(value).expect("encodes");
    let decoded = serde_json::from_value(encoded.clone()).expect("decodes");
    (encoded, decoded)
}

// ---------------------------------------------------------------------------------------------
// keywords.yaml: Rust keywords and odd names
// ---------------------------------------------------------------------------------------------

mod keywords {
    use fixture_output::keywords::Client;
    use fixture_output::keywords::models::{_123abc, Self_, Type};

    use super::*;

    /// Every property of schema `type`, whatever its Rust name (`r#type`, `self_`, `_1st`,
    /// `ref2`, `foo_bar3`, `value`, `odata_type`...), is written with exactly its wire name and
    /// read back from it: nothing renamed, nothing dropped, no two fields merged.
    #[test]
    fn type_fields_keep_exact_wire_names() {
        let body = json!({
            "type": "t", "ref": "r", "self": "s", "Self": "S", "gen": "g", "async": "a",
            "crate": "c", "1st": 1, "$ref": "#/x", "foo-bar": "kebab", "fooBar": "camel",
            "foo_bar": "snake", "": "empty", "@odata.type": "#Thing"
        });
        let value = Type {
            r#type: Some("t".into()),
            r#ref: Some("r".into()),
            self_: Some("s".into()),
            self2: Some("S".into()),
            r#gen: Some("g".into()),
            r#async: Some("a".into()),
            crate_: Some("c".into()),
            _1st: Some(1),
            ref2: Some("#/x".into()),
            foo_bar: Some("kebab".into()),
            foo_bar2: Some("camel".into()),
            foo_bar3: Some("snake".into()),
            value: Some("empty".into()),
            odata_type: Some("#Thing".into()),
        };

        assert_eq!(serde_json::to_value(&value).unwrap(), body);
        assert_eq!(round_trip::<Type>(&body), value);
        // Each wire name lands in its own field.
        let only_self: Type = serde_json::from_value(json!({"Self": "S"})).unwrap();
        assert_eq!(
            only_self,
            Type {
                self2: Some("S".into()),
                ..Default::default()
            }
        );
        assert_eq!(serde_json::to_value(Type::default()).unwrap(), json!({}));
    }

    /// The enum `123abc` maps `fn`, `1`, `-` and `Self` to their own variants and back, through
    /// serde, `FromStr` and `Display`; and it is what `Self.match` carries.
    #[test]
    fn enum_123abc_maps_odd_values_both_ways() {
        let cases = [
            ("fn", _123abc::Fn),
            ("1", _123abc::_1),
            ("-", _123abc::Value),
            ("Self", _123abc::Self_),
        ];
        for (text, variant) in cases {
            assert_eq!(wire(&variant), (json!(text), variant.clone()), "{text}");
            assert_eq!(
                serde_json::from_value::<_123abc>(json!(text)).unwrap(),
                variant
            );
            assert_eq!(text.parse::<_123abc>(), Ok(variant.clone()));
            assert_eq!(variant.to_string(), text);
            assert_eq!(variant.as_str(), text);
        }
        // Case matters: `self` is not `Self`.
        assert_eq!(
            serde_json::from_value::<_123abc>(json!("self")).unwrap(),
            _123abc::Other("self".into())
        );
        let body = json!({"match": "Self"});
        assert_eq!(
            round_trip::<Self_>(&body),
            Self_ {
                r#match: Some(_123abc::Self_)
            }
        );
    }

    /// `get_the_thing` (operationId `get-the_Thing!`) puts `type` and `self` into
    /// `/type/{type}/self/{self}`, each percent-encoded as one segment, sends the query
    /// parameters under their wire names `ref`, `Ref` (a different parameter), `$filter` and
    /// `body`, and decodes the keyword-named response.
    #[tokio::test]
    async fn get_the_thing_sends_wire_names() {
        let answer = json!({"type": "widget", "self": "me", "$ref": "#/a"});
        let mock = Mock::start(vec![Reply::json(200, &answer)]).await;

        let thing = Client::new(&mock.base)
            .unwrap()
            .get_the_thing("a b/c?d", -5)
            .r#ref("lower")
            .ref2("Upper")
            .filter("name eq 'x&y'")
            .body2(true)
            .await
            .unwrap();

        let seen = mock.single();
        assert_eq!(seen.method, Method::GET);
        assert_eq!(seen.path, "/type/a%20b%2Fc%3Fd/self/-5");
        assert_eq!(
            seen.query,
            [
                ("ref".into(), "lower".into()),
                ("Ref".into(), "Upper".into()),
                ("$filter".into(), "name eq 'x&y'".into()),
                ("body".into(), "true".into()),
            ]
        );
        assert_eq!(
            thing,
            Type {
                r#type: Some("widget".into()),
                self_: Some("me".into()),
                ref2: Some("#/a".into()),
                ..Default::default()
            }
        );
    }

    /// The optional query parameters of `get_the_thing`, passed as `None`, are not sent at all;
    /// `new2` (operationId `new`, renamed away from `Client::new`) posts `Self` with its
    /// `match` property and a 204 is `Ok(())`.
    #[tokio::test]
    async fn none_query_params_are_omitted_and_new_posts_self() {
        let mock = Mock::start(vec![Reply::json(200, &json!({})), Reply::text(204, "")]).await;
        let client = Client::new(&mock.base).unwrap();

        let thing = client.get_the_thing("t", 0).await.unwrap();
        client
            .new2(Some(&Self_ {
                r#match: Some(_123abc::Value),
            }))
            .await
            .unwrap();

        let seen = mock.seen();
        assert_eq!(seen[0].path, "/type/t/self/0");
        assert!(seen[0].query.is_empty(), "{:?}", seen[0]);
        assert_eq!(thing, Type::default());
        assert_eq!(seen[1].method, Method::POST);
        assert_eq!(seen[1].path, "/things");
        seen[1].assert_json_body(&json!({"match": "-"}));
    }
}

// ---------------------------------------------------------------------------------------------
// open-enums.yaml
// ---------------------------------------------------------------------------------------------

mod open_enums {
    use fixture_output::open_enums::Client;
    use fixture_output::open_enums::models::{
        Job, JobConnection, JobKind, ListJobsPriority, Sizes, SizesItem, SortKey, Status,
    };

    use super::*;

    /// Every value listed for `Status`, odd ones included (`other` and `Other` are different
    /// values, `""`, `with space`, `1`, `a-b`, `UPPER_CASE`), parses to its own variant and is
    /// written back as exactly the same text.
    #[test]
    fn every_listed_status_round_trips() {
        let cases = [
            ("unknown", Status::Unknown),
            ("queued", Status::Queued),
            ("running", Status::Running),
            ("completed", Status::Completed),
            ("other", Status::Other),
            ("Other", Status::Other2),
            ("with space", Status::WithSpace),
            ("UPPER_CASE", Status::UpperCase),
            ("a-b", Status::AB),
            ("1", Status::_1),
            ("", Status::Value),
        ];
        for (text, variant) in &cases {
            let decoded: Status = serde_json::from_value(json!(text)).unwrap();
            assert_eq!(&decoded, variant, "{text:?}");
            assert_eq!(serde_json::to_value(variant).unwrap(), json!(text));
            assert_eq!(text.parse::<Status>().as_ref(), Ok(variant));
            assert_eq!(variant.to_string(), *text);
        }
        // Eleven distinct values, eleven distinct variants (open enums are `Eq + Hash`: set keys).
        let distinct: std::collections::HashSet<_> = cases.iter().map(|(_, v)| v).collect();
        assert_eq!(distinct.len(), cases.len());
    }

    /// A status the document does not list (`paused`, or `QUEUED` in another case) keeps its
    /// text in the fallback variant and is written back unchanged, in a body and as a query
    /// parameter.
    #[tokio::test]
    async fn unlisted_status_is_kept_and_sent_back() {
        for text in ["paused", "QUEUED", " queued"] {
            let status: Status = serde_json::from_value(json!(text)).unwrap();
            assert_eq!(status, Status::UnknownValue(text.into()));
            assert_eq!(serde_json::to_value(&status).unwrap(), json!(text));
            assert_eq!(status.as_str(), text);
        }
        let body = json!([{"status": "paused", "kind": "scheduleSomethingNew"}]);
        let mock = Mock::start(vec![Reply::json(200, &body)]).await;

        let jobs = Client::new(&mock.base)
            .unwrap()
            .list_jobs(&ListJobsPriority::Low)
            .status(Status::UnknownValue("paused".into()))
            .await
            .unwrap();

        assert_eq!(mock.single().query_values("status"), ["paused"]);
        assert_eq!(
            jobs,
            [Job {
                status: Status::UnknownValue("paused".into()),
                kind: Some(JobKind::Other("scheduleSomethingNew".into())),
                connection: None,
            }]
        );
        assert_eq!(serde_json::to_value(&jobs).unwrap(), body);
    }

    /// `queued` is listed twice in the document but is one variant: the exhaustive `match`
    /// below names each variant once and would not compile with a second `Queued…` variant.
    #[test]
    fn duplicated_queued_is_one_variant() {
        fn wire_name(status: &Status) -> &str {
            match status {
                Status::Unknown => "unknown",
                Status::Queued => "queued",
                Status::Running => "running",
                Status::Completed => "completed",
                Status::Other => "other",
                Status::Other2 => "Other",
                Status::WithSpace => "with space",
                Status::UpperCase => "UPPER_CASE",
                Status::AB => "a-b",
                Status::_1 => "1",
                Status::Value => "",
                Status::UnknownValue(text) => text,
            }
        }
        let queued: Status = serde_json::from_value(json!("queued")).unwrap();
        assert_eq!(queued, Status::Queued);
        assert_eq!(wire_name(&queued), "queued");
        assert_eq!(queued.as_str(), wire_name(&queued));
    }

    /// `list_jobs` sends the required inline enum `priority` as its wire value (`high`), the
    /// optional `status` as its wire value (`with space`) or not at all when `None`, and decodes
    /// the jobs, a `connection: null` as `None`.
    #[tokio::test]
    async fn list_jobs_sends_enum_wire_values() {
        // Enums written without `type` are typed from their values.
        let sizes: Sizes = round_trip(&json!([1, 4, 8]));
        assert_eq!(
            sizes,
            [SizesItem::Value1, SizesItem::Value4, SizesItem::Other(8)]
        );
        let key: SortKey = round_trip(&json!("-name"));
        assert_eq!(key, SortKey::MinusName);

        let body = json!([
            {"status": "with space", "kind": "scheduleUpdateTwin", "connection": "Connected"},
            {"status": "", "connection": null},
        ]);
        let mock = Mock::start(vec![Reply::json(200, &body), Reply::json(200, &json!([]))]).await;
        let client = Client::new(&mock.base).unwrap();

        let jobs = client
            .list_jobs(&ListJobsPriority::High)
            .status(Status::WithSpace)
            .sort(vec![SortKey::MinusCreatedAt, SortKey::Name])
            .await
            .unwrap();
        let none = client.list_jobs(&ListJobsPriority::Low).await.unwrap();

        let seen = mock.seen();
        assert_eq!(seen[0].method, Method::GET);
        assert_eq!(seen[0].path, "/jobs");
        assert_eq!(
            seen[0].query,
            [
                ("status".into(), "with space".into()),
                ("sort".into(), "-created_at".into()),
                ("sort".into(), "name".into()),
                ("priority".into(), "high".into())
            ]
        );
        assert_eq!(seen[1].query, [("priority".into(), "low".into())]);
        assert_eq!(
            jobs,
            [
                Job {
                    status: Status::WithSpace,
                    kind: Some(JobKind::ScheduleUpdateTwin),
                    connection: Some(JobConnection::Connected),
                },
                Job {
                    status: Status::Value,
                    kind: None,
                    connection: None,
                },
            ]
        );
        assert!(none.is_empty());
    }

    /// The nullable inline enum `connection` decodes `null` as `None` (not as an unknown
    /// value), and a job without it is written without it.
    #[test]
    fn null_connection_is_none() {
        let job: Job =
            serde_json::from_value(json!({"status": "running", "connection": null})).unwrap();
        assert_eq!(job.connection, None);
        assert_eq!(
            serde_json::to_value(&job).unwrap(),
            json!({"status": "running"})
        );
        let disconnected: Job =
            round_trip(&json!({"status": "running", "connection": "Disconnected"}));
        assert_eq!(disconnected.connection, Some(JobConnection::Disconnected));
    }
}

// ---------------------------------------------------------------------------------------------
// nested-inline.yaml
// ---------------------------------------------------------------------------------------------

mod nested_inline {
    use fixture_output::nested_inline::Client;
    use fixture_output::nested_inline::models::{
        PutDeviceBody, PutDeviceBodyLocation, PutDeviceBodyLocationFloor,
        PutDeviceBodyLocationFloorZone, PutDeviceBodySensorsItem,
        PutDeviceBodySensorsItemReadingsItem, PutDeviceResponse,
    };

    use super::*;

    /// `put_device` PUTs a body built from the inline types (object in object in object, array
    /// of objects holding an array of objects, an inline enum) to `/devices/{id}` as exactly the
    /// nested JSON a user would write by hand, and decodes the inline response object.
    #[tokio::test]
    async fn put_device_sends_nested_body() {
        let mock = Mock::start(vec![Reply::json(
            200,
            &json!({"id": "dev 1", "etag": "\"v2\"", "extra": true}),
        )])
        .await;
        let body = PutDeviceBody {
            name: Some("thermostat".into()),
            location: Some(PutDeviceBodyLocation {
                building: Some("B43".into()),
                floor: Some(PutDeviceBodyLocationFloor {
                    level: -2,
                    zone: Some(PutDeviceBodyLocationFloorZone::South),
                }),
            }),
            sensors: Some(vec![
                PutDeviceBodySensorsItem {
                    kind: Some("temperature".into()),
                    readings: Some(vec![
                        PutDeviceBodySensorsItemReadingsItem { value: Some(21.5) },
                        PutDeviceBodySensorsItemReadingsItem { value: None },
                    ]),
                },
                PutDeviceBodySensorsItem::default(),
            ]),
        };

        let stored = Client::new(&mock.base)
            .unwrap()
            .put_device("dev 1", &body)
            .await
            .unwrap();

        let seen = mock.single();
        assert_eq!(seen.method, Method::PUT);
        assert_eq!(seen.path, "/devices/dev%201");
        seen.assert_json_body(&json!({
            "name": "thermostat",
            "location": {"building": "B43", "floor": {"level": -2, "zone": "south"}},
            "sensors": [
                {"kind": "temperature", "readings": [{"value": 21.5}, {}]},
                {}
            ]
        }));
        assert_eq!(
            stored,
            PutDeviceResponse {
                id: Some("dev 1".into()),
                etag: Some("\"v2\"".into()),
            }
        );
        // What was sent decodes back into the same value.
        assert_eq!(
            serde_json::from_value::<PutDeviceBody>(seen.json()).unwrap(),
            body
        );
    }

    /// The inline `floor` object requires `level`: a floor without it does not decode.
    #[test]
    fn floor_without_level_is_rejected() {
        let result = serde_json::from_value::<PutDeviceBody>(
            json!({"location": {"floor": {"zone": "north"}}}),
        );
        let err = result.unwrap_err().to_string();
        assert!(err.contains("missing field `level`"), "{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// arrays-maps.yaml
// ---------------------------------------------------------------------------------------------

mod arrays_maps {
    use std::collections::BTreeMap;

    use fixture_output::arrays_maps::Client;
    use fixture_output::arrays_maps::models::{Grid, Matrix, Point, Tagged};

    use super::*;

    /// `get_grid` decodes nested arrays (`cells`), maps of strings, maps of arrays of objects,
    /// maps of objects, an any-JSON value, a free-form object and an array of untyped items, and
    /// the decoded grid encodes back to the same JSON.
    #[tokio::test]
    async fn grid_collections_round_trip() {
        let body = json!({
            "cells": [[1, 2, 3], [], [-4]],
            "labels": {"a": "Alpha", "": "empty key"},
            "groups": {"corners": [{"x": 0.5, "y": 1.5}, {"x": -2.25, "y": 4.75}], "none": []},
            "points": {"origin": {"x": 0.125, "y": -0.5}},
            "anything": {"deep": [1, "two", null, true, {"x": {}}]},
            "free": {"k": [1, {"n": null}], "s": "v", "z": null},
            "untypedItems": [1, "a", null, {"b": []}, [[]]]
        });
        let mock = Mock::start(vec![Reply::json(200, &body)]).await;

        let grid = Client::new(&mock.base).unwrap().get_grid().await.unwrap();

        assert_eq!(mock.single().path, "/grid");
        let cells: &Vec<Vec<i32>> = grid.cells.as_ref().unwrap();
        assert_eq!(cells, &[vec![1, 2, 3], vec![], vec![-4]]);
        let groups: &BTreeMap<String, Vec<Point>> = grid.groups.as_ref().unwrap();
        assert_eq!(
            groups["corners"],
            [Point { x: 0.5, y: 1.5 }, Point { x: -2.25, y: 4.75 }]
        );
        assert!(groups["none"].is_empty());
        assert_eq!(
            grid.points.as_ref().unwrap()["origin"],
            Point { x: 0.125, y: -0.5 }
        );
        assert_eq!(grid.labels.as_ref().unwrap()[""], "empty key");
        assert_eq!(grid.anything, Some(body["anything"].clone()));
        assert_eq!(grid.free.as_ref().unwrap()["z"], Value::Null);
        assert_eq!(grid.untyped_items.as_ref().unwrap().len(), 5);
        assert_eq!(serde_json::to_value(&grid).unwrap(), body);
        assert_eq!(round_trip::<Grid>(&json!({})), Grid::default());
    }

    /// `Tagged` keeps properties the schema does not name in `additional_properties`, at the top
    /// level of the object (flattened, not under a key of their own), writes them back, and
    /// refuses an extra property that is not an integer.
    #[test]
    fn tagged_keeps_unknown_keys() {
        let body = json!({"name": "t", "a": 1, "b": -2, "big": 9_007_199_254_740_993_i64});
        let tagged: Tagged = round_trip(&body);
        assert_eq!(tagged.name.as_deref(), Some("t"));
        assert_eq!(
            tagged.additional_properties,
            BTreeMap::from([
                ("a".to_owned(), 1),
                ("b".to_owned(), -2),
                ("big".to_owned(), 9_007_199_254_740_993)
            ])
        );
        let built = Tagged {
            name: None,
            additional_properties: BTreeMap::from([("x".to_owned(), 5)]),
        };
        assert_eq!(serde_json::to_value(&built).unwrap(), json!({"x": 5}));
        assert!(serde_json::from_value::<Tagged>(json!({"name": "t", "a": "one"})).is_err());
    }

    /// `Matrix` (array of array of array of number) is a plain `Vec<Vec<Vec<f64>>>` alias: a
    /// value of that type is accepted where a `Matrix` is expected and round-trips.
    #[test]
    fn matrix_is_three_level_vec() {
        let matrix: Matrix = vec![vec![vec![1.5, -0.25], vec![]], vec![]];
        let plain: Vec<Vec<Vec<f64>>> = matrix.clone();
        assert_eq!(plain, matrix);
        let body = json!([[[1.5, -0.25], []], []]);
        assert_eq!(round_trip::<Matrix>(&body), matrix);
        assert!(serde_json::from_value::<Matrix>(json!([[1.5]])).is_err());
    }
}

// ---------------------------------------------------------------------------------------------
// required-optional.yaml
// ---------------------------------------------------------------------------------------------

mod required_optional {
    use fixture_output::required_optional::models::{Event, NullableUser, User};
    use fixture_output::required_optional::{Client, Error};

    use super::*;

    /// An event with every required field and nothing else. (`legacy` is deprecated in the
    /// document, so naming it in a struct literal needs the allow.)
    #[allow(deprecated)]
    fn minimal_event() -> Event {
        Event {
            id: None,
            name: "launch".into(),
            note: None,
            comment: None,
            at: Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 58).unwrap(),
            day: None,
            count: 1,
            total: None,
            plain: None,
            ratio: None,
            score: None,
            enabled: true,
            legacy: None,
            created_by: User { name: "ann".into() },
            reviewer: None,
        }
    }

    /// A full response body: every field present.
    fn full_body() -> Value {
        json!({
            "id": "6f1c1d9e-8a0b-4b7e-9a53-0c2f6f7a1b2c",
            "name": "launch",
            "note": "n",
            "comment": "c",
            "at": "2024-02-29T23:59:58.250+01:00",
            "day": "2024-02-29",
            "count": -2147483648_i64,
            "total": 9_007_199_254_740_993_i64,
            "plain": -1,
            "ratio": 0.5,
            "score": 1e300,
            "enabled": false,
            "legacy": "old",
            "createdBy": {"name": "ann"},
            "reviewer": {"name": "bob"}
        })
    }

    /// `create_event` sends the required nullable `note` as `null` when it is `None`, and
    /// leaves out the optional `comment`, the readOnly `id` and every other `None` field; with
    /// values set they are all sent.
    #[tokio::test]
    async fn none_required_nullable_is_null_and_optional_is_omitted() {
        let created = full_body();
        let mock = Mock::start(vec![Reply::json(201, &created), Reply::json(201, &created)]).await;
        let client = Client::new(&mock.base).unwrap();
        let minimal = minimal_event();
        let mut with_note = minimal_event();
        with_note.note = Some("n".into());
        with_note.comment = Some("c".into());

        client.create_event(&minimal).await.unwrap();
        client.create_event(&with_note).await.unwrap();

        let seen = mock.seen();
        assert_eq!(seen[0].method, Method::POST);
        assert_eq!(seen[0].path, "/events");
        seen[0].assert_json_body(&json!({
            "name": "launch",
            "note": null,
            "at": "2024-02-29T23:59:58Z",
            "count": 1,
            // `enabled` has a default: the field is a plain `bool`, always sent.
            "enabled": true,
            "createdBy": {"name": "ann"}
        }));
        let second = seen[1].json();
        assert_eq!(second["note"], "n");
        assert_eq!(second["comment"], "c");
    }

    /// A 201 whose body lacks a required field is `Error::Decode`, and the error names the
    /// missing field (`at`) in its message and Display.
    #[tokio::test]
    async fn missing_required_field_is_decode_error() {
        let mut body = full_body();
        body.as_object_mut().unwrap().remove("at");
        let mock = Mock::start(vec![Reply::json(201, &body)]).await;

        let err = Client::new(&mock.base)
            .unwrap()
            .create_event(&minimal_event())
            .await
            .unwrap_err();

        let Error::Decode(decode) = &err else {
            panic!("expected a decode error, got {err:?}")
        };
        assert_eq!(decode.status, 201);
        assert!(
            decode.message.contains("missing field `at`"),
            "{}",
            decode.message
        );
        assert!(decode.excerpt.contains("\"launch\""), "{}", decode.excerpt);
        assert!(err.to_string().contains("`at`"), "{err}");
    }

    /// Models read JSON objects the way a user expects whatever the reader: keys written with
    /// escapes (`"na\u006de"`) and keys read from an `io::Read` match their field; unknown keys
    /// are ignored; an absent required nullable field is `None`; a key given twice, or an
    /// array where the object belongs, is an error naming the problem.
    #[test]
    fn objects_are_read_by_wire_name() {
        let mut body = full_body();
        body.as_object_mut().unwrap().remove("note");
        body["unknownKey"] = json!({"nested": [1, 2]});
        let text = body
            .to_string()
            .replace("\"name\":\"launch\"", "\"na\\u006de\":\"launch\"");
        assert!(text.contains("na\\u006de"), "{text}");

        let from_str: Event = serde_json::from_str(&text).unwrap();
        let from_reader: Event = serde_json::from_reader(text.as_bytes()).unwrap();

        assert_eq!(from_str, from_reader);
        assert_eq!(from_str.name, "launch");
        assert_eq!(from_str.note, None);
        assert_eq!(from_str.created_by, User { name: "ann".into() });
        let twice = r#"{"name": "a", "name": "b"}"#;
        let err = serde_json::from_str::<User>(twice).unwrap_err().to_string();
        assert!(err.contains("duplicate field `name`"), "{err}");
        let err = serde_json::from_str::<User>(r#"["ann"]"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected struct User"), "{err}");
        let err = serde_json::from_str::<User>("{}").unwrap_err().to_string();
        assert!(err.contains("missing field `name`"), "{err}");
    }

    /// The decode error's `path` (documented as the JSON path of the failing field) names a
    /// missing required field: `at` at the top level, `createdBy.name` inside a nested object.
    #[tokio::test]
    async fn missing_required_field_path_names_field() {
        let mut top = full_body();
        top.as_object_mut().unwrap().remove("at");
        let mut nested = full_body();
        nested["createdBy"] = json!({});
        let mock = Mock::start(vec![Reply::json(201, &top), Reply::json(201, &nested)]).await;
        let client = Client::new(&mock.base).unwrap();

        let top = client.create_event(&minimal_event()).await.unwrap_err();
        let nested = client.create_event(&minimal_event()).await.unwrap_err();

        let (Error::Decode(top), Error::Decode(nested)) = (&top, &nested) else {
            panic!("expected decode errors, got {top:?} and {nested:?}")
        };
        assert_eq!(
            (top.path.as_str(), nested.path.as_str()),
            ("at", "createdBy.name"),
            "{top:?} {nested:?}"
        );
    }

    /// Formats map to the Rust types a user expects: `date-time` to `DateTime<Utc>` (an offset
    /// is converted to UTC), `date` to `NaiveDate`, `int32`/`int64`/plain `integer` to
    /// `i32`/`i64`/`i64`, `float`/`double` to `f32`/`f64`; the readOnly required `id` is an
    /// `Option` the client may leave out; the nullable `$ref` `reviewer` decodes `null` as
    /// `None`.
    #[test]
    fn formats_map_to_rust_types() {
        let event: Event = serde_json::from_value(full_body()).unwrap();

        let at: DateTime<Utc> = event.at;
        let day: Option<NaiveDate> = event.day;
        let count: i32 = event.count;
        let total: Option<i64> = event.total;
        let plain: Option<i64> = event.plain;
        let ratio: Option<f32> = event.ratio;
        let score: Option<f64> = event.score;
        let id: Option<uuid::Uuid> = event.id;
        let note: Option<String> = event.note.clone();
        assert_eq!(
            at,
            Utc.with_ymd_and_hms(2024, 2, 29, 22, 59, 58).unwrap()
                + chrono::Duration::milliseconds(250)
        );
        assert_eq!(day, NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(count, i32::MIN);
        assert_eq!(total, Some(9_007_199_254_740_993));
        assert_eq!(plain, Some(-1));
        assert_eq!(ratio, Some(0.5));
        assert_eq!(score, Some(1e300));
        assert_eq!(
            id.map(|id| id.to_string()).as_deref(),
            Some("6f1c1d9e-8a0b-4b7e-9a53-0c2f6f7a1b2c")
        );
        assert_eq!(note.as_deref(), Some("n"));
        assert_eq!(
            event.reviewer,
            Some(NullableUser {
                name: Some("bob".into())
            })
        );

        let mut no_reviewer = full_body();
        no_reviewer["reviewer"] = Value::Null;
        no_reviewer.as_object_mut().unwrap().remove("id");
        let event: Event = serde_json::from_value(no_reviewer).unwrap();
        assert_eq!((event.id, event.reviewer), (None, None));

        // Out-of-range values for the sized types are refused.
        let mut too_big = full_body();
        too_big["count"] = json!(2_147_483_648_i64);
        assert!(serde_json::from_value::<Event>(too_big).is_err());
        let mut bad_day = full_body();
        bad_day["day"] = json!("2023-02-29");
        assert!(serde_json::from_value::<Event>(bad_day).is_err());
    }
}

// ---------------------------------------------------------------------------------------------
// parameters.yaml
// ---------------------------------------------------------------------------------------------

mod parameters {
    use fixture_output::parameters::models::GetFileExt;
    use fixture_output::parameters::{Client, Error};

    use super::*;

    /// `get_file` against a base URL with a path prefix puts each parameter where the document
    /// says: path segments percent-encoded (`my folder` → `my%20folder`, `a/b` → `a%2Fb`
    /// joined with the enum `ext` as `a%2Fb.txt`), the query `version`, `tags` repeated
    /// (`form`, `explode`), `since` in RFC 3339, the headers `x-request-id` and `x-page-size`,
    /// and `session` in the `Cookie` header; the JSON string answer is returned.
    #[tokio::test]
    async fn get_file_sends_every_parameter_in_its_place() {
        let mock = Mock::start(vec![Reply::json(200, &json!("file contents"))]).await;
        let since = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap()
            + chrono::Duration::milliseconds(120);

        let contents = Client::new(&format!("{}/v1", mock.base))
            .unwrap()
            .get_file("my folder", "a/b", &GetFileExt::Txt, 3, "req-1")
            .tags(vec!["x".into(), "y z".into()])
            .since(since)
            .x_page_size(50)
            .session("abc")
            .await
            .unwrap();

        let seen = mock.single();
        assert_eq!(seen.method, Method::GET);
        assert_eq!(seen.path, "/v1/files/my%20folder/a%2Fb.txt");
        assert_eq!(
            seen.query,
            [
                ("version".into(), "3".into()),
                ("tags".into(), "x".into()),
                ("tags".into(), "y z".into()),
                ("since".into(), "2024-01-02T03:04:05.120Z".into()),
            ]
        );
        let raw = seen.raw_query.as_deref().unwrap();
        assert!(raw.starts_with("version=3&tags=x&tags=y+z&since="), "{raw}");
        let sent_since: DateTime<Utc> = seen.query_values("since")[0].parse().unwrap();
        assert_eq!(sent_since, since);
        assert_eq!(seen.header("x-request-id"), Some("req-1"));
        assert_eq!(seen.header("x-page-size"), Some("50"));
        assert_eq!(seen.header("cookie"), Some("session=abc"));
        assert_eq!(contents, "file contents");
    }

    /// Optional parameters passed as `None` are not sent at all: no `tags`, no `since`, no
    /// `x-page-size` header, no `Cookie` header. The `json` extension and a base URL with a
    /// trailing slash work too.
    #[tokio::test]
    async fn get_file_leaves_out_none_parameters() {
        let mock = Mock::start(vec![Reply::json(200, &json!(""))]).await;

        let contents = Client::new(&format!("{}/v1/", mock.base))
            .unwrap()
            .get_file("f", "n", &GetFileExt::Json, -1, "r")
            .await
            .unwrap();

        let seen = mock.single();
        assert_eq!(seen.path, "/v1/files/f/n.json");
        assert_eq!(seen.raw_query.as_deref(), Some("version=-1"));
        assert_eq!(seen.header("x-request-id"), Some("r"));
        assert_eq!(seen.header("x-page-size"), None);
        assert_eq!(seen.header("cookie"), None);
        assert_eq!(contents, "");
    }

    /// A header parameter value that cannot be a header (a line break) is refused before
    /// anything is sent, so it cannot inject another header.
    #[tokio::test]
    async fn header_value_with_newline_is_refused() {
        let mock = Mock::start(vec![Reply::json(200, &json!(""))]).await;

        let result = Client::new(&mock.base)
            .unwrap()
            .get_file("f", "n", &GetFileExt::Txt, 1, "r\r\nx-admin: 1")
            .await;

        assert!(matches!(result, Err(Error::InvalidInput(_))), "{result:?}");
        assert!(mock.seen().is_empty(), "sent anyway: {:?}", mock.seen());
    }

    /// A cookie parameter value containing `;` or a space stays one cookie: it must not add a
    /// second cookie (`admin=1`) to the `Cookie` header. (OpenAPI 3.0 cookies default to
    /// `style: form`, which percent-encodes such characters; refusing the value would do too.)
    #[tokio::test]
    async fn cookie_value_cannot_add_a_cookie() {
        let mock = Mock::start(vec![Reply::json(200, &json!(""))]).await;

        let result = Client::new(&mock.base)
            .unwrap()
            .get_file("f", "n", &GetFileExt::Txt, 1, "r")
            .session("abc; admin=1")
            .await;

        match result {
            Err(Error::InvalidInput(_)) => assert!(mock.seen().is_empty()),
            other => {
                other.unwrap();
                let seen = mock.single();
                let cookie = seen.header("cookie").unwrap();
                let names: Vec<&str> = cookie
                    .split(';')
                    .map(|pair| pair.trim().split('=').next().unwrap())
                    .collect();
                assert_eq!(names, ["session"], "{cookie}");
            }
        }
    }

    /// When every query parameter of a call is `None` the request has no query string at all:
    /// `DELETE /items/-7`, not `DELETE /items/-7?` (a bare `?` changes the URL for caches,
    /// request signing and strict servers); the same for `get_the_thing` from `keywords`.
    #[tokio::test]
    async fn no_query_parameters_means_no_question_mark() {
        let mock = Mock::start(vec![Reply::text(204, ""), Reply::json(200, &json!({}))]).await;

        Client::new(&format!("{}/v1", mock.base))
            .unwrap()
            .delete_item(-7)
            .await
            .unwrap();
        fixture_output::keywords::Client::new(&mock.base)
            .unwrap()
            .get_the_thing("t", 0)
            .await
            .unwrap();

        let seen = mock.seen();
        assert_eq!(seen[0].path, "/v1/items/-7");
        assert_eq!(seen[0].raw_query, None, "{:?}", seen[0]);
        assert_eq!(seen[1].path, "/type/t/self/0");
        assert_eq!(seen[1].raw_query, None, "{:?}", seen[1]);
    }

    /// `delete_item(42, Some(true))` sends `DELETE /v1/items/42?force=true`, and the documented
    /// 204 is `Ok(())`; with `force` as `None` no query parameter is sent.
    #[tokio::test]
    async fn delete_item_204_is_ok() {
        let mock = Mock::start(vec![Reply::text(204, ""), Reply::text(204, "")]).await;
        let client = Client::new(&format!("{}/v1", mock.base)).unwrap();

        let forced = client.delete_item(42).force(true).await;
        let plain = client.delete_item(-7).await;

        assert!(matches!(forced, Ok(())), "{forced:?}");
        assert!(matches!(plain, Ok(())), "{plain:?}");
        let seen = mock.seen();
        assert_eq!(seen[0].method, Method::DELETE);
        assert_eq!(seen[0].path, "/v1/items/42");
        assert_eq!(seen[0].raw_query.as_deref(), Some("force=true"));
        assert_eq!(seen[1].path, "/v1/items/-7");
        assert!(seen[1].query.is_empty(), "{:?}", seen[1]);
        seen[0].assert_no_body();
    }
}

// ---------------------------------------------------------------------------------------------
// responses.yaml
// ---------------------------------------------------------------------------------------------

mod responses {
    use fixture_output::responses::models::{CancelJobResponse, CreateJobResponse, Error2, Job};
    use fixture_output::responses::{Client, Error, ErrorBody};

    use super::*;

    /// `create_job` POSTs the job and decodes a 201 into the body plus its documented headers
    /// `Location` (text) and `X-Rate-Remaining` (an `i32`); absent headers are `None`.
    #[tokio::test]
    async fn create_job_decodes_body_and_headers() {
        let mock = Mock::start(vec![
            Reply::json(201, &json!({"id": "j1"}))
                .header("Location", "/jobs/j1")
                .header("X-Rate-Remaining", "42"),
            Reply::json(201, &json!({"id": "j2"})),
        ])
        .await;
        let client = Client::new(&mock.base).unwrap();

        let created = client.create_job(&Job { id: "j1".into() }).await.unwrap();
        let bare = client.create_job(&Job { id: "j2".into() }).await.unwrap();

        let seen = mock.seen();
        assert_eq!(seen[0].method, Method::POST);
        assert_eq!(seen[0].path, "/jobs");
        seen[0].assert_json_body(&json!({"id": "j1"}));
        assert_eq!(
            created,
            CreateJobResponse {
                body: Job { id: "j1".into() },
                location: Some("/jobs/j1".into()),
                x_rate_remaining: Some(42),
            }
        );
        assert_eq!(
            bare,
            CreateJobResponse {
                body: Job { id: "j2".into() },
                location: None,
                x_rate_remaining: None,
            }
        );
    }

    /// A 201 whose `X-Rate-Remaining` is not an integer is `Error::Decode`, its path naming the
    /// header and its excerpt quoting the bad value.
    #[tokio::test]
    async fn bad_response_header_is_decode_error() {
        let mock = Mock::start(vec![
            Reply::json(201, &json!({"id": "j1"})).header("X-Rate-Remaining", "abc"),
        ])
        .await;

        let err = Client::new(&mock.base)
            .unwrap()
            .create_job(&Job { id: "j1".into() })
            .await
            .unwrap_err();

        let Error::Decode(decode) = &err else {
            panic!("expected a decode error, got {err:?}")
        };
        assert_eq!(decode.status, 201);
        assert!(
            decode
                .path
                .to_ascii_lowercase()
                .contains("x-rate-remaining"),
            "{}",
            decode.path
        );
        assert_eq!(decode.excerpt, "abc");
        assert!(
            err.to_string()
                .to_ascii_lowercase()
                .contains("x-rate-remaining"),
            "{err}"
        );
    }

    /// A 400 (covered by `4XX`) and a 500 with `{"code": 7}` come back as `Error::Status` with
    /// the typed `Error` schema; so does `cancel_job`'s `default` error with a message.
    #[tokio::test]
    async fn error_statuses_have_typed_bodies() {
        let mock = Mock::start(vec![
            Reply::json(400, &json!({"code": 7})),
            Reply::json(500, &json!({"code": 7})),
            Reply::json(404, &json!({"code": 9, "message": "no such job"})),
        ])
        .await;
        let client = Client::new(&mock.base).unwrap();
        let job = Job { id: "j1".into() };

        let bad_request = client.create_job(&job).await.unwrap_err();
        let server_error = client.create_job(&job).await.unwrap_err();
        let not_found = client.cancel_job("j1").await.unwrap_err();

        for (err, status) in [(&bad_request, 400), (&server_error, 500)] {
            let Error::Status(response) = err else {
                panic!("expected a status error, got {err:?}")
            };
            assert_eq!(response.status, status);
            assert_eq!(
                response.body,
                ErrorBody::Typed(Error2 {
                    code: 7,
                    message: None
                })
            );
        }
        assert_eq!(
            not_found.response().expect("a status error").body,
            ErrorBody::Typed(Error2 {
                code: 9,
                message: Some("no such job".into())
            })
        );
    }

    /// `cancel_job` sends `DELETE /jobs/{id}`; a 200 with the job is the `Ok(Job)` variant and a
    /// 204 the `NoContent` variant.
    #[tokio::test]
    async fn cancel_job_200_and_204_are_variants() {
        let mock = Mock::start(vec![
            Reply::json(200, &json!({"id": "j 1"})),
            Reply::text(204, ""),
        ])
        .await;
        let client = Client::new(&mock.base).unwrap();

        let cancelled = client.cancel_job("j 1").await.unwrap();
        let nothing = client.cancel_job("j 1").await.unwrap();

        let seen = mock.seen();
        assert_eq!(seen[0].method, Method::DELETE);
        assert_eq!(seen[0].path, "/jobs/j%201");
        assert_eq!(cancelled, CancelJobResponse::Ok(Job { id: "j 1".into() }));
        assert_eq!(nothing, CancelJobResponse::NoContent);
    }

    /// `put_blob` sends the bytes as they are (not JSON, not UTF-8) with
    /// `Content-Type: application/octet-stream`, and returns the response body's raw bytes.
    #[tokio::test]
    async fn put_blob_sends_and_returns_raw_bytes() {
        let sent = vec![0x00, 0x9f, 0x92, 0x96, 0xff, b'{'];
        let answer = [0xfe_u8, 0x00, b'"', 0x80];
        let mock = Mock::start(vec![
            Reply::bytes(200, &answer).header("content-type", "application/octet-stream"),
        ])
        .await;

        let received = Client::new(&mock.base)
            .unwrap()
            .put_blob(Some(sent.clone().into()))
            .await
            .unwrap();

        let seen = mock.single();
        assert_eq!(seen.method, Method::PUT);
        assert_eq!(seen.path, "/blob");
        assert_eq!(
            seen.header("content-type"),
            Some("application/octet-stream")
        );
        assert_eq!(seen.body, sent);
        assert_eq!(received, answer);
    }

    /// `ping` sends `HEAD /ping` and a 200 is `Ok(())`.
    #[tokio::test]
    async fn ping_head_is_ok() {
        let mock = Mock::start(vec![Reply::text(200, "")]).await;

        let result = Client::new(&mock.base).unwrap().ping().await;

        assert!(matches!(result, Ok(())), "{result:?}");
        let seen = mock.single();
        assert_eq!(seen.method, Method::HEAD);
        assert_eq!(seen.path, "/ping");
    }
}

// ---------------------------------------------------------------------------------------------
// recursive.yaml
// ---------------------------------------------------------------------------------------------

mod recursive {
    use fixture_output::recursive::Client;
    use fixture_output::recursive::models::{Named, Node, Person, Pet};

    use super::*;

    /// `get_tree` decodes a `Node` whose `parent` (boxed), `children` and
    /// `owner: Person { manager: Person, favourite: Node }` nest several levels deep, and the
    /// tree encodes back to the same document.
    #[tokio::test]
    async fn node_tree_decodes_and_round_trips() {
        let body = json!({
            "name": "middle",
            "parent": {"name": "root", "parent": {"name": "grand-root"}},
            "children": [
                {"name": "leaf-1", "children": []},
                {"name": "leaf-2", "owner": {}}
            ],
            "owner": {
                "manager": {"manager": {"favourite": {"name": "boss-pick"}}},
                "favourite": {"name": "fav", "children": [{"name": "fav-child"}]}
            }
        });
        let mock = Mock::start(vec![Reply::json(200, &body)]).await;

        let tree = Client::new(&mock.base).unwrap().get_tree().await.unwrap();

        assert_eq!(mock.single().path, "/tree");
        let parent: &Node = tree.parent.as_deref().unwrap();
        assert_eq!(parent.name, "root");
        assert_eq!(parent.parent.as_ref().unwrap().name, "grand-root");
        let children = tree.children.as_ref().unwrap();
        assert_eq!(children[0].children, Some(vec![]));
        assert_eq!(children[1].owner.as_deref(), Some(&Person::default()));
        let owner: &Person = tree.owner.as_deref().unwrap();
        let boss_pick = owner
            .manager
            .as_ref()
            .and_then(|m| m.manager.as_ref())
            .and_then(|m| m.favourite.as_ref())
            .unwrap();
        assert_eq!(boss_pick.name, "boss-pick");
        let favourite = owner.favourite.as_deref().unwrap();
        assert_eq!(favourite.children.as_ref().unwrap()[0].name, "fav-child");
        assert_eq!(serde_json::to_value(&tree).unwrap(), body);

        // Built by hand, the same shapes nest without any other wrapper than `Box`.
        let built = Node {
            name: "n".into(),
            parent: Some(Box::new(Node {
                name: "p".into(),
                parent: None,
                children: None,
                owner: None,
            })),
            children: None,
            owner: Some(Box::new(Person {
                manager: Some(Box::new(Person::default())),
                favourite: None,
            })),
        };
        assert_eq!(
            serde_json::to_value(&built).unwrap(),
            json!({"name": "n", "parent": {"name": "p"}, "owner": {"manager": {}}})
        );
        // `name` is required at every level.
        assert!(serde_json::from_value::<Node>(json!({"name": "a", "parent": {}})).is_err());
    }

    /// `Pet` (`allOf` of `Named` and an object with `legs`) has both `name` (required, from
    /// `Named`) and `legs`.
    #[test]
    fn pet_all_of_has_name_and_legs() {
        let pet: Pet = round_trip(&json!({"name": "Rex", "legs": 4}));
        assert_eq!(
            pet,
            Pet {
                name: "Rex".into(),
                legs: Some(4)
            }
        );
        let no_legs: Pet = round_trip(&json!({"name": "Nemo"}));
        assert_eq!(no_legs.legs, None);
        assert!(serde_json::from_value::<Pet>(json!({"legs": 4})).is_err());
        let named: Named = serde_json::from_value(json!({"name": "Rex", "legs": 4})).unwrap();
        assert_eq!(named.name, pet.name);
    }
}

mod unions {
    //! `oneOf`/`anyOf` as enums: tagged by a discriminator (with or without a mapping) or
    //! tried member by member, with a fallback that keeps unknown values; `allOf` merged.

    use super::*;
    use fixture_output::unions::Client;
    use fixture_output::unions::models::{
        Cat, Dog, IdOrName, Labelled, LabelledEither, Pet, Shape,
    };

    /// A discriminator with a mapping selects the member by its mapped value, and a value with
    /// an unknown tag is kept as JSON instead of failing the whole response.
    #[tokio::test]
    async fn tagged_union_decodes_by_mapping_and_keeps_unknown_tags() {
        let pets = json!([
            {"petType": "cat", "name": "Tom", "indoor": true},
            {"petType": "dog", "name": "Rex", "barks": false},
            {"petType": "parrot", "name": "Polly"}
        ]);
        let mock = Mock::start(vec![Reply::json(200, &pets)]).await;

        let decoded = Client::new(&mock.base).unwrap().list_pets().await.unwrap();

        assert_eq!(decoded.len(), 3);
        assert!(
            matches!(&decoded[0], Pet::Cat(Cat { name, indoor: Some(true), .. }) if name == "Tom")
        );
        assert!(
            matches!(&decoded[1], Pet::Dog(Dog { name: Some(name), barks: Some(false), .. }) if name == "Rex")
        );
        assert!(matches!(&decoded[2], Pet::Other(value) if value["petType"] == "parrot"));
        assert_eq!(serde_json::to_value(&decoded).unwrap(), pets, "round trip");
    }

    /// Sending a member of a tagged union sets the discriminator even when the caller left the
    /// member's own copy of it empty.
    #[tokio::test]
    async fn tagged_union_request_carries_the_tag() {
        let mock = Mock::start(vec![Reply::json(
            201,
            &json!({"petType": "dog", "barks": true}),
        )])
        .await;
        let dog = Pet::Dog(Dog {
            name: Some("Rex".into()),
            pet_type: None,
            barks: Some(true),
        });

        let created = Client::new(&mock.base)
            .unwrap()
            .add_pet(&dog)
            .await
            .unwrap();

        let body: Value = serde_json::from_slice(&mock.single().body).unwrap();
        assert_eq!(
            body,
            json!({"petType": "dog", "name": "Rex", "barks": true})
        );
        assert!(matches!(created, Pet::Dog(_)));
    }

    /// Without a mapping, the discriminator values are the schema names.
    #[test]
    fn discriminator_without_mapping_uses_schema_names() {
        let shape: Shape = serde_json::from_value(json!({"kind": "Square", "side": 2.0})).unwrap();
        assert!(matches!(shape, Shape::Square(ref s) if s.side == Some(2.0)));
        assert_eq!(
            serde_json::to_value(&shape).unwrap(),
            json!({"kind": "Square", "side": 2.0})
        );
    }

    /// An untagged `anyOf` tries each member; a value none accepts is kept.
    #[test]
    fn untagged_union_tries_members_in_order() {
        assert_eq!(
            serde_json::from_value::<IdOrName>(json!(42)).unwrap(),
            IdOrName::Integer(42)
        );
        assert_eq!(
            serde_json::from_value::<IdOrName>(json!("x")).unwrap(),
            IdOrName::String("x".into())
        );
        assert_eq!(
            serde_json::from_value::<IdOrName>(json!(true)).unwrap(),
            IdOrName::Other(json!(true))
        );
        let either: LabelledEither = serde_json::from_value(json!({"radius": 1.5})).unwrap();
        assert!(matches!(either, LabelledEither::Circle(_)));
    }

    /// An untagged union is written as its member, the fallback as the JSON it kept.
    #[test]
    fn untagged_union_writes_its_member() {
        for value in [json!(42), json!("x"), json!(true), json!({"radius": 1.5})] {
            let id: IdOrName = serde_json::from_value(value.clone()).unwrap();
            assert_eq!(serde_json::to_value(&id).unwrap(), value);
        }
        let either: LabelledEither = serde_json::from_value(json!({"radius": 1.5})).unwrap();
        assert_eq!(
            serde_json::to_value(&either).unwrap(),
            json!({"radius": 1.5})
        );
    }

    /// `allOf` with an annotation-only member is the referenced type itself, a one-member
    /// `oneOf` is its member, and `allOf` of objects merges their properties.
    #[test]
    fn compositions_with_one_member_collapse_and_all_of_merges() {
        let labelled = Labelled {
            id: Some(IdOrName::Integer(7)),
            tags: Some(vec!["a".into()]),
            either: None,
        };
        assert_eq!(
            serde_json::to_value(&labelled).unwrap(),
            json!({"id": 7, "tags": ["a"]})
        );
        let dog: Dog =
            serde_json::from_value(json!({"name": "Rex", "petType": "dog", "barks": true}))
                .unwrap();
        assert_eq!(dog.name.as_deref(), Some("Rex"));
        assert_eq!(dog.barks, Some(true));
    }
}

mod bodies {
    //! Request and response bodies by media type: forms, multipart, text, and the choice among
    //! several media types.

    use super::*;
    use fixture_output::bodies::Client;
    use fixture_output::bodies::models::{Event, LoginBody, UploadBody};

    /// A form body is sent url-encoded with its media type.
    #[tokio::test]
    async fn form_bodies_are_url_encoded() {
        let mock = Mock::start(vec![Reply::text(204, "")]).await;
        let body = LoginBody {
            user: "a b&c".into(),
            remember: Some(true),
            attempts: None,
        };

        Client::new(&mock.base).unwrap().login(&body).await.unwrap();

        let seen = mock.single();
        assert_eq!(
            seen.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(
            String::from_utf8(seen.body.clone()).unwrap(),
            "user=a+b%26c&remember=true"
        );
    }

    /// A multipart body has one text part per property, one per array item, and none for
    /// absent properties; the text response comes back as a `String`.
    #[tokio::test]
    async fn multipart_bodies_have_a_part_per_property() {
        let mock = Mock::start(vec![Reply::text(200, "stored")]).await;
        let body = UploadBody {
            title: Some("report".into()),
            tags: Some(vec!["x".into(), "y".into()]),
            size: None,
        };

        let answer = Client::new(&mock.base)
            .unwrap()
            .upload(Some(&body))
            .await
            .unwrap();

        assert_eq!(answer, "stored");
        let seen = mock.single();
        let content_type = seen.header("content-type").unwrap().to_owned();
        assert!(
            content_type.starts_with("multipart/form-data; boundary="),
            "{content_type}"
        );
        let text = String::from_utf8(seen.body.clone()).unwrap();
        assert_eq!(text.matches("name=\"title\"").count(), 1, "{text}");
        assert_eq!(text.matches("name=\"tags\"").count(), 2, "{text}");
        assert!(!text.contains("name=\"size\""), "{text}");
        assert!(
            text.contains("report") && text.contains("\r\nx\r\n") && text.contains("\r\ny\r\n"),
            "{text}"
        );
    }

    /// Text bodies go out and come back as text.
    #[tokio::test]
    async fn text_bodies_round_trip() {
        let mock = Mock::start(vec![Reply::text(200, "saved: héllo")]).await;

        let answer = Client::new(&mock.base)
            .unwrap()
            .put_note("n1", "héllo")
            .await
            .unwrap();

        assert_eq!(answer, "saved: héllo");
        let seen = mock.single();
        assert_eq!(seen.header("content-type"), Some("text/plain"));
        assert_eq!(seen.body, "héllo".as_bytes());
    }

    /// Of several media types, the client sends the JSON one (here a `+json` type).
    #[tokio::test]
    async fn json_is_preferred_among_several_media_types() {
        let mock = Mock::start(vec![Reply::text(202, "")]).await;

        Client::new(&mock.base)
            .unwrap()
            .post_event(&Event {
                name: Some("boot".into()),
            })
            .await
            .unwrap();

        let seen = mock.single();
        assert_eq!(
            seen.header("content-type"),
            Some("application/vnd.example.event+json")
        );
        assert_eq!(seen.json(), json!({"name": "boot"}));
    }
}

mod error_responses_by_status {
    //! Error responses whose bodies differ by status decode into a per-status enum.

    use super::*;
    use fixture_output::responses::models::RestartJobError;
    use fixture_output::responses::{Client, Error, ErrorBody};

    async fn restart_error(status: u16, body: Value) -> ErrorBody<RestartJobError> {
        let mock = Mock::start(vec![Reply::json(status, &body)]).await;
        match Client::new(&mock.base).unwrap().restart_job("j1").await {
            Err(Error::Status(response)) => {
                assert_eq!(response.status.as_u16(), status);
                response.body
            }
            other => panic!("expected an error status, got {other:?}"),
        }
    }

    /// 404 has its own body type, other 4xx share the `4XX` one, anything else is `default`.
    #[tokio::test]
    async fn each_status_decodes_into_its_documented_type() {
        let not_found = restart_error(404, json!({"missing": "j1"})).await;
        assert!(
            matches!(not_found, ErrorBody::Typed(RestartJobError::Status404(ref b)) if b.missing.as_deref() == Some("j1"))
        );

        let conflict = restart_error(409, json!({"code": 9, "message": "busy"})).await;
        assert!(
            matches!(conflict, ErrorBody::Typed(RestartJobError::Status4xx(ref e)) if e.code == 9)
        );

        let server = restart_error(503, json!({"trace": "t-1"})).await;
        assert!(
            matches!(server, ErrorBody::Typed(RestartJobError::Default(ref d)) if d.trace.as_deref() == Some("t-1"))
        );
    }

    /// The error's message shows the typed body as the JSON of its variant's value.
    #[tokio::test]
    async fn the_message_shows_the_body_as_json() {
        let mock = Mock::start(vec![Reply::json(
            409,
            &json!({"code": 9, "message": "busy"}),
        )])
        .await;
        let err = Client::new(&mock.base)
            .unwrap()
            .restart_job("j1")
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains(r#"{"code":9,"message":"busy"}"#), "{text}");
    }

    /// A body that does not match the type documented for its status stays raw.
    #[tokio::test]
    async fn a_body_of_the_wrong_shape_stays_raw() {
        let body = restart_error(409, json!({"message": "no code"})).await;
        assert!(
            matches!(body, ErrorBody::Raw(ref bytes) if bytes.starts_with(b"{")),
            "{body:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// query-styles.yaml: form (exploded or not), spaceDelimited, pipeDelimited, deepObject
// ---------------------------------------------------------------------------------------------

mod query_styles {
    use std::sync::{Arc, Mutex};

    use fixture_output::query_styles::Client;
    use fixture_output::query_styles::models::{
        Filter, FilterRange, FilterStatus, FindItemsKey, FindItemsPage,
    };
    use fixture_output::query_styles::server::{self, Api};
    use fixture_output::query_styles::server_runtime::{RequestContext, ServerError};

    use super::*;

    fn filter() -> Filter {
        Filter {
            name: Some("red & blue".into()),
            min_price: Some(9.5),
            in_stock: Some(true),
            status: Some(FilterStatus::Used),
            created: Some(Utc.with_ymd_and_hms(2024, 5, 6, 7, 8, 9).unwrap()),
            range: Some(FilterRange {
                from: Some(1),
                to: Some(10),
            }),
            tags: Some(vec!["a".into(), "b c".into()]),
        }
    }

    /// Each style puts the values where its definition says: `ids` repeated, `colors` joined
    /// by commas, `words` by spaces, `sizes` by pipes; `filter` and `page` as `name[key]`
    /// pairs with nested objects in more brackets and arrays indexed; `None` leaves a
    /// parameter out.
    #[tokio::test]
    async fn each_style_is_written_as_documented() {
        let mock = Mock::start(vec![Reply::json(200, &json!({}))]).await;
        let page = FindItemsPage {
            number: 2,
            size: None,
        };
        Client::new(&mock.base)
            .unwrap()
            .find_items(&page)
            .ids(vec![1, 2])
            .colors(vec!["red".into(), "green".into()])
            .words(vec!["big".into(), "small".into()])
            .sizes(vec![3, 4])
            .filter(filter())
            .key(FindItemsKey::String("k 1".into()))
            .await
            .unwrap();
        let seen = mock.single();
        assert_eq!(
            seen.query,
            [
                ("ids", "1"),
                ("ids", "2"),
                ("colors", "red,green"),
                ("words", "big small"),
                ("sizes", "3|4"),
                ("key", "k 1"),
                ("filter[name]", "red & blue"),
                ("filter[min_price]", "9.5"),
                ("filter[in_stock]", "true"),
                ("filter[status]", "used"),
                ("filter[created]", "2024-05-06T07:08:09Z"),
                ("filter[range][from]", "1"),
                ("filter[range][to]", "10"),
                ("filter[tags][0]", "a"),
                ("filter[tags][1]", "b c"),
                ("page[number]", "2"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        let raw = seen.raw_query.unwrap();
        assert!(raw.contains("&filter[name]=red+%26+blue&"), "{raw}");
        assert!(raw.ends_with("&page[number]=2"), "{raw}");

        // Only the required deepObject parameter.
        let mock = Mock::start(vec![Reply::json(200, &json!({}))]).await;
        Client::new(&mock.base)
            .unwrap()
            .find_items(&page)
            .key(FindItemsKey::Integer(7))
            .await
            .unwrap();
        assert_eq!(
            mock.single().raw_query.as_deref(),
            Some("key=7&page[number]=2")
        );
    }

    /// Setters called out of order, one of them twice: the pairs still go out in the
    /// operation's order, and the second call replaces the first's pairs.
    #[tokio::test]
    async fn optional_query_pairs_keep_the_operations_order_and_the_last_value() {
        let page = FindItemsPage {
            number: 2,
            size: None,
        };
        let mock = Mock::start(vec![Reply::json(200, &json!({}))]).await;
        Client::new(&mock.base)
            .unwrap()
            .find_items(&page)
            .sizes(vec![3])
            .ids(vec![1, 2])
            .colors(vec!["red".into()])
            .ids(vec![5])
            .await
            .unwrap();
        assert_eq!(
            mock.single().raw_query.as_deref(),
            Some("ids=5&colors=red&sizes=3&page[number]=2")
        );
    }

    /// What the generated server read, kept for the test to look at.
    type Read = (
        Option<Vec<i64>>,
        Option<Vec<String>>,
        Option<Vec<String>>,
        Option<Vec<i32>>,
        Option<Filter>,
        FindItemsPage,
        Option<FindItemsKey>,
    );

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Read>>);

    impl Api for Recorder {
        async fn find_items(
            &self,
            _context: &RequestContext,
            ids: Option<Vec<i64>>,
            colors: Option<Vec<String>>,
            words: Option<Vec<String>>,
            sizes: Option<Vec<i32>>,
            filter: Option<Filter>,
            page: FindItemsPage,
            key: Option<FindItemsKey>,
        ) -> Result<std::collections::BTreeMap<String, Value>, ServerError<Value>> {
            self.0
                .lock()
                .unwrap()
                .push((ids, colors, words, sizes, filter, page, key));
            Ok(Default::default())
        }
    }

    /// The generated client and the generated server agree on every style: what the client
    /// sends, the server reads back into the same typed values (nested object, enum,
    /// date-time, list inside the deepObject included).
    #[tokio::test]
    async fn generated_server_reads_what_the_client_writes() {
        let recorder = Arc::new(Recorder::default());
        let base = support::serve(server::router(recorder.clone())).await;
        let client = Client::new(&base).unwrap();
        let page = FindItemsPage {
            number: 7,
            size: Some(25),
        };
        client
            .find_items(&page)
            .ids(vec![5, 6])
            .colors(vec!["x".into(), "y".into()])
            .words(vec!["one".into(), "two".into()])
            .sizes(vec![8, 9])
            .filter(filter())
            .key(FindItemsKey::String("abc".into()))
            .await
            .unwrap();
        client
            .find_items(&page)
            .key(FindItemsKey::Integer(7))
            .await
            .unwrap();
        let read = recorder.0.lock().unwrap().clone();
        assert_eq!(
            read,
            [
                (
                    Some(vec![5, 6]),
                    Some(vec!["x".to_owned(), "y".to_owned()]),
                    Some(vec!["one".to_owned(), "two".to_owned()]),
                    Some(vec![8, 9]),
                    Some(filter()),
                    page.clone(),
                    Some(FindItemsKey::String("abc".into())),
                ),
                (
                    None,
                    None,
                    None,
                    None,
                    None,
                    page.clone(),
                    Some(FindItemsKey::Integer(7))
                ),
            ]
        );
    }

    /// A request without the required deepObject parameter, or with a value of the wrong
    /// type inside it, is answered 400 naming the parameter.
    #[tokio::test]
    async fn generated_server_rejects_a_bad_deep_object() {
        let base = support::serve(server::router(Arc::new(Recorder::default()))).await;
        let http = reqwest::Client::new();
        for query in ["", "?page[size]=3", "?page[number]=seven"] {
            let response = http
                .get(format!("{base}/items{query}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 400, "{query}");
            let text = response.text().await.unwrap();
            assert!(text.contains("page"), "{query}: {text}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// formats.yaml: uuid, byte (base64), date, date-time, sized numbers, unknown formats
// ---------------------------------------------------------------------------------------------

mod formats {
    use fixture_output::formats::Client;
    use fixture_output::formats::models::Sample;
    use fixture_output::formats::runtime::Base64;
    use uuid::Uuid;

    use super::*;

    fn body() -> Value {
        json!({
            "id": "6f1c1d9e-8a0b-4b7e-9a53-0c2f6f7a1b2c",
            "created": "2024-01-02T03:04:05Z",
            "day": "2024-02-29",
            "payload": "aGVsbG8gd29ybGQ=",
            "small": 7,
            "big": 9_007_199_254_740_993_i64,
            "ratio": 0.5,
            "precise": 0.1,
            "email": "a@example.com",
            "tiny": 300,
            "related": ["00000000-0000-0000-0000-000000000001"],
            "chunks": ["AAEC", "/w=="]
        })
    }

    /// `uuid` decodes into `Uuid`, `byte` into the bytes the base64 stands for, and both
    /// encode back to the same text; unknown formats keep their base type (`email` a string,
    /// `int8` any integer).
    #[test]
    fn formats_decode_into_their_types_and_round_trip() {
        let sample: Sample = round_trip(&body());
        assert_eq!(
            sample.id,
            Uuid::parse_str("6f1c1d9e-8a0b-4b7e-9a53-0c2f6f7a1b2c").unwrap()
        );
        assert_eq!(sample.payload.as_bytes(), b"hello world");
        assert_eq!(sample.day, NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        assert_eq!(sample.big, 9_007_199_254_740_993);
        assert_eq!(sample.tiny, Some(300));
        assert_eq!(
            sample.chunks,
            Some(vec![Base64(vec![0, 1, 2]), Base64(vec![0xff])])
        );
    }

    /// Text that is not a UUID or not base64 is a decoding error, not a string passed on;
    /// URL-safe and unpadded base64 are accepted.
    #[test]
    fn invalid_uuid_or_base64_is_refused() {
        let mut bad = body();
        bad["id"] = json!("not-a-uuid");
        assert!(serde_json::from_value::<Sample>(bad).is_err());
        let mut bad = body();
        bad["payload"] = json!("***");
        assert!(serde_json::from_value::<Sample>(bad).is_err());
        let mut url_safe = body();
        url_safe["payload"] = json!("_w");
        let sample: Sample = serde_json::from_value(url_safe).unwrap();
        assert_eq!(sample.payload.as_bytes(), [0xff]);
    }

    /// UUIDs go into the path and query as their hyphenated text, base64 values as their
    /// standard encoding, dates as `YYYY-MM-DD`.
    #[tokio::test]
    async fn uuid_and_base64_parameters_are_sent_as_text() {
        let mock = Mock::start(vec![Reply::json(200, &body())]).await;
        let id = Uuid::parse_str("6f1c1d9e-8a0b-4b7e-9a53-0c2f6f7a1b2c").unwrap();
        let sample = Client::new(&mock.base)
            .unwrap()
            .get_sample(&id)
            .since(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap())
            .token(Base64(vec![0xfb, 0xff]))
            .ids(vec![Uuid::nil()])
            .await
            .unwrap();
        assert_eq!(sample.id, id);
        let seen = mock.single();
        assert_eq!(seen.path, "/samples/6f1c1d9e-8a0b-4b7e-9a53-0c2f6f7a1b2c");
        assert_eq!(
            seen.query,
            [
                ("since", "2024-03-01"),
                ("token", "+/8="),
                ("ids", "00000000-0000-0000-0000-000000000000"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
    }
}

// ---------------------------------------------------------------------------------------------
// integer-enums.yaml
// ---------------------------------------------------------------------------------------------

mod integer_enums {
    use fixture_output::integer_enums::Client;
    use fixture_output::integer_enums::models::{Level, Priority, Task, TaskRetries};

    use super::*;

    /// Integer enums travel as JSON numbers; names come from `x-enum-varnames` or from the
    /// values; an unlisted number is kept and sent back unchanged.
    #[test]
    fn integer_enums_are_numbers_on_the_wire_and_open() {
        let task: Task = round_trip(&json!({"priority": 2, "level": -1, "retries": 3}));
        assert_eq!(task.priority, Priority::High);
        assert_eq!(task.level, Some(Level::ValueMinus1));
        assert_eq!(task.retries, Some(TaskRetries::Value3));
        let task: Task = round_trip(&json!({"priority": 9, "level": 5}));
        assert_eq!(task.priority, Priority::Other(9));
        assert_eq!(task.level, Some(Level::Value5));
        assert!(serde_json::from_value::<Task>(json!({"priority": "2"})).is_err());
        assert_eq!(Priority::Normal.value(), 1);
        assert_eq!(Priority::from(0), Priority::Low);
        assert_eq!("2".parse::<Priority>().unwrap(), Priority::High);
        assert_eq!(Level::ValueMinus1.to_string(), "-1");
    }

    /// As query parameters they are sent as their numbers.
    #[tokio::test]
    async fn integer_enum_parameters_are_sent_as_numbers() {
        let mock = Mock::start(vec![Reply::json(200, &json!([{"priority": 0}]))]).await;
        let tasks = Client::new(&mock.base)
            .unwrap()
            .list_tasks()
            .priority(Priority::High)
            .levels(vec![Level::ValueMinus1, Level::Other(42)])
            .await
            .unwrap();
        assert_eq!(tasks[0].priority, Priority::Low);
        assert_eq!(
            mock.single().raw_query.as_deref(),
            Some("priority=2&levels=-1&levels=42")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// defaults.yaml
// ---------------------------------------------------------------------------------------------

mod defaults {
    use fixture_output::defaults::models::{
        Order, Required, SearchOptions, SearchOptionsInlineLevel, SearchOptionsStep,
    };

    use super::*;

    /// An absent property with a default takes it when decoding, and `Default` starts from
    /// the same values; properties whose default cannot be typed (dates, lists, nullable,
    /// mismatched or unknown enum values) stay `Option`s and `None`.
    #[test]
    fn absent_properties_take_their_defaults() {
        let options: SearchOptions = serde_json::from_value(json!({})).unwrap();
        assert_eq!(options, SearchOptions::default());
        assert_eq!(options.query, "*");
        assert_eq!(options.page_size, 50);
        assert_eq!(options.offset, -1);
        assert_eq!(options.threshold, 0.5);
        assert_eq!(options.weight, 2.0);
        assert!(!options.exact);
        assert_eq!(options.order, Order::Desc);
        assert_eq!(options.order_ref, None);
        assert_eq!(options.inline_level, SearchOptionsInlineLevel::Value20);
        assert_eq!(options.label, "none");
        assert_eq!(
            (options.since, options.tags, options.nullable_count),
            (None, None, None)
        );
        assert_eq!((options.wrong, options.unknown_order), (None, None));
        assert_eq!(options.step, SearchOptionsStep::Minus1);
        #[allow(deprecated)]
        let legacy = options.legacy_limit;
        assert_eq!(legacy, 10);

        // Values present on the wire win, and defaults are sent explicitly.
        let options: SearchOptions =
            serde_json::from_value(json!({"page_size": 5, "order": "asc"})).unwrap();
        assert_eq!((options.page_size, options.order), (5, Order::Asc));
        let sent = serde_json::to_value(SearchOptions::default()).unwrap();
        assert_eq!(sent["query"], "*");
        assert_eq!(sent["inline_level"], 20);
        assert!(sent.get("since").is_none());

        // A required property ignores its default: absent is an error.
        assert!(serde_json::from_value::<Required>(json!({})).is_err());
        let required: Required = serde_json::from_value(json!({"count": 2})).unwrap();
        assert_eq!(required.note, "hello");
    }
}

// ---------------------------------------------------------------------------------------------
// references.yaml: shared parameters, bodies, responses and headers
// ---------------------------------------------------------------------------------------------

mod references {
    use fixture_output::references::models::{
        Problem, PutWidgetsIdPartsBody, Widget, WidgetListResponseItem,
    };
    use fixture_output::references::{Client, ErrorBody};

    use super::*;

    /// A path-level parameter from `components.parameters` is sent as the header it names on
    /// every operation of the path; the shared response's body and its `$ref` header decode; the
    /// shared `Problem` response is the typed error body; the shared request body is sent.
    #[tokio::test]
    async fn shared_components_work_on_every_operation_that_uses_them() {
        let mock = Mock::start(vec![
            Reply::json(200, &json!([{"id": 1, "name": "a"}])).header("x-total", "41"),
            Reply::json(404, &json!({"title": "gone", "status": 404})),
            Reply::json(201, &json!({"id": 2, "name": "b"})).header("location", "/widgets/2"),
        ])
        .await;
        let client = Client::new(&mock.base).unwrap();

        let list = client.get_widgets("t-1").limit(10).await.unwrap();
        assert_eq!(
            list.body,
            [WidgetListResponseItem {
                id: 1,
                name: Some("a".into())
            }]
        );
        assert_eq!(list.x_total, Some(41));

        let missing = client.get_widgets("t-1").await.unwrap_err();
        assert_eq!(
            missing.response().expect("a status error").body,
            ErrorBody::Typed(Problem {
                title: Some("gone".into()),
                status: Some(404)
            })
        );

        #[allow(deprecated)]
        let new = Widget {
            id: None,
            name: "b".into(),
            color: None,
        };
        let created = client.post_widgets("t-2", &new).await.unwrap();
        assert_eq!(created.location.as_deref(), Some("/widgets/2"));
        assert_eq!(created.body.id, Some(2));

        let seen = mock.seen();
        assert_eq!(seen[0].header("x-tenant"), Some("t-1"));
        assert_eq!(seen[0].raw_query.as_deref(), Some("limit=10"));
        assert_eq!(seen[2].header("x-tenant"), Some("t-2"));
        seen[2].assert_json_body(&json!({"name": "b"}));
    }

    /// A schema reached twice (the list's items through a `$ref` into `components.responses`,
    /// the parts body through a `$ref` into `paths`) is one type, and a closed object
    /// (`additionalProperties: false`) has exactly its properties.
    #[tokio::test]
    async fn schemas_reached_twice_are_one_type() {
        let mock = Mock::start(vec![
            Reply::json(200, &json!({"id": 3})),
            Reply::json(200, &json!({"part": "p", "count": 2})),
        ])
        .await;
        let client = Client::new(&mock.base).unwrap();
        #[allow(deprecated)]
        let widget: WidgetListResponseItem = client.get_widget(3, "t").await.unwrap();
        assert_eq!(widget.id, 3);
        let parts: PutWidgetsIdPartsBody = client.get_widgets_id_parts(3).await.unwrap();
        assert_eq!(parts.count, Some(2));
    }
}

// ---------------------------------------------------------------------------------------------
// The runtime's `json_struct!` on shapes no fixture produces
// ---------------------------------------------------------------------------------------------

mod json_struct_edge_cases {
    use super::*;

    /// A struct without fields.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Empty {}
    iothub_jobs::runtime::json_struct!(Empty, []);

    /// A struct whose field names are the macro's own local names (and its setters' parameter).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Shadowing {
        pub map: i64,
        pub key: Option<String>,
        pub state: Option<bool>,
        pub value: Option<i32>,
    }
    iothub_jobs::runtime::json_struct!(
        Shadowing,
        [
            (0, map, _, req, i64),
            (1, key, "key", opt, String, with_key into),
            (2, state, _, nullable, bool),
            (3, value, "value", opt, i32, with_value)
        ],
        new(map: i64, state: Option<bool>)
    );

    /// An empty struct reads any object (ignoring its keys) and writes `{}`; fields named
    /// `map`, `key` and `state` work like any other.
    #[test]
    fn empty_and_shadowing_structs_round_trip() {
        let empty: Empty = serde_json::from_value(json!({"a": 1})).unwrap();
        assert_eq!(serde_json::to_value(&empty).unwrap(), json!({}));
        let value = json!({"map": 3, "key": "k", "state": null});
        let shadowing: Shadowing = round_trip(&value);
        assert_eq!(shadowing.map, 3);
        assert_eq!(shadowing.key.as_deref(), Some("k"));
        let absent: Shadowing = serde_json::from_value(json!({"map": 1})).unwrap();
        assert_eq!(
            serde_json::to_value(&absent).unwrap(),
            json!({"map": 1, "state": null})
        );
        let built = Shadowing::new(1, Some(true)).with_key("k").with_value(2);
        assert_eq!(
            serde_json::to_value(&built).unwrap(),
            json!({"map": 1, "key": "k", "state": true, "value": 2})
        );
    }
}

// ---------------------------------------------------------------------------------------------
// reserved-names.yaml: operations named like the client's own methods
// ---------------------------------------------------------------------------------------------

mod reserved_names {
    use fixture_output::reserved_names::Client;
    use futures::StreamExt;

    use super::*;

    /// The operations renamed away from the client's own methods call their own paths, and
    /// the client's methods stay what they are: `list_jobs_page2` (operationId `listJobsPage`)
    /// is not the `_page` method of `listJobs`, `with_timeout2` is an operation (operationId `withTimeout`) while
    /// `with_timeout` sets the timeout, and the client setting `timeout` is `timeout3`.
    #[tokio::test]
    async fn renamed_operations_reach_their_own_paths() {
        let mock = Mock::start(vec![
            Reply::bytes(204, b""),
            Reply::bytes(204, b""),
            Reply::bytes(204, b""),
            Reply::json(200, &json!([{"id": "j1"}])),
        ])
        .await;
        let client = Client::new(&mock.base)
            .unwrap()
            .with_timeout(Some(std::time::Duration::from_secs(5)))
            .with_timeout3("7");
        assert_eq!(client.timeout3(), "7");
        assert_eq!(client.retry_policy(), &Client::default_retry_policy());
        client.list_jobs_page2().await.unwrap();
        client.with_timeout2().await.unwrap();
        client.new2().await.unwrap();
        let jobs: Vec<_> = client.list_jobs().collect().await;
        assert_eq!(jobs.len(), 1);
        let paths: Vec<String> = mock.seen().into_iter().map(|s| s.path).collect();
        assert_eq!(paths, ["/jobs/page", "/with-timeout", "/new", "/jobs"]);
        for seen in mock.seen() {
            assert!(
                seen.query.contains(&("timeout".into(), "7".into())),
                "{seen:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// reserved-type-names.yaml: schemas named like what generated code uses itself
// ---------------------------------------------------------------------------------------------

mod reserved_type_names {
    use fixture_output::reserved_type_names::Client;
    use fixture_output::reserved_type_names::models::{A, D, S, Self_, Some as SomeModel};

    use super::*;

    /// `A` (a generic parameter of the runtime's macros once), with fields named like their
    /// locals, crosses the wire, inside the union `D` too.
    #[tokio::test]
    async fn a_and_d_cross_the_wire() {
        let value = json!({"map": "ok", "state": 3, "deserializer": {"some": "s"},
                           "self": {"self": "me"}});
        let a: A = round_trip(&value);
        assert_eq!(a.map, S::Ok);
        assert_eq!(
            a.deserializer,
            Some(SomeModel {
                some: Some("s".into())
            })
        );
        assert_eq!(
            a.self_,
            Some(Self_ {
                self_: Some("me".into())
            })
        );
        let tagged = json!({"kind": "a", "map": "err", "state": 1});
        let d: D = serde_json::from_value(tagged.clone()).unwrap();
        assert!(matches!(&d, D::A(inner) if inner.map == S::Err));

        let mock = Mock::start(vec![Reply::json(200, &value)]).await;
        let back = Client::new(&mock.base).unwrap().put_a(&a).await.unwrap();
        assert_eq!(back, a);
        mock.single().assert_json_body(&value);
    }
}

// ---------------------------------------------------------------------------------------------
// bent-rules.yaml: a query string in a path key, a repeated operationId, numbers as text
// ---------------------------------------------------------------------------------------------

mod bent_rules {
    use fixture_output::bent_rules::Client;

    use super::*;

    /// `/search?q={q}&page={page}` is the path `/search`, and its placeholders are the query
    /// parameters the operation declares.
    #[tokio::test]
    async fn a_query_string_in_a_path_key_is_sent_as_query_parameters() {
        let mock = Mock::start(vec![Reply::json(200, &json!(["ada"]))]).await;
        let found = Client::new(&mock.base)
            .unwrap()
            .search("a b")
            .page2(2)
            .await
            .unwrap();
        assert_eq!(found, ["ada"]);
        let seen = mock.single();
        assert_eq!(seen.path, "/search");
        assert_eq!(seen.query_values("q"), ["a b"]);
        assert_eq!(seen.query_values("page"), ["2"]);
    }

    /// `/rides?page={page}` with `page` declared `in: path`: the path is `/rides` and `page`
    /// goes in the query.
    #[tokio::test]
    async fn a_placeholder_declared_in_the_path_is_sent_in_the_query() {
        let mock = Mock::start(vec![Reply::json(200, &json!(["r1"]))]).await;
        let rides = Client::new(&mock.base)
            .unwrap()
            .list_rides(3)
            .await
            .unwrap();
        assert_eq!(rides, ["r1"]);
        let seen = mock.single();
        assert_eq!(seen.path, "/rides");
        assert_eq!(seen.query_values("page"), ["3"]);
    }

    /// Two operations named `listJobs` (on `/jobs` and `/jobs/`) are both methods, each calling
    /// its own path.
    #[tokio::test]
    async fn both_operations_with_one_operation_id_are_called() {
        let mock = Mock::start(vec![
            Reply::json(200, &json!(["a"])),
            Reply::json(200, &json!(["b"])),
        ])
        .await;
        let client = Client::new(&mock.base).unwrap();
        assert_eq!(client.list_jobs().await.unwrap(), ["a"]);
        assert_eq!(client.list_jobs2().await.unwrap(), ["b"]);
        let paths: Vec<String> = mock.seen().into_iter().map(|s| s.path).collect();
        assert_eq!(paths, ["/jobs", "/jobs/"]);
    }

    /// A server variable whose default is the number 2 gives the base URL `.../v2`.
    #[test]
    fn a_numeric_server_variable_is_its_text() {
        assert_eq!(Client::DEFAULT_BASE_URL, "https://api.example.com/v2");
    }
}

// ---------------------------------------------------------------------------------------------
// references-anywhere.yaml: references into `paths`, into a component's property, encoded
// ---------------------------------------------------------------------------------------------

mod references_anywhere {
    use fixture_output::references_anywhere::Client;
    use fixture_output::references_anywhere::models::{
        ListOrdersResponseItem, OrderStatus, PostReceiptBody,
    };

    use super::*;

    /// A response and a (percent-encoded) parameter reached through `#/paths/...` are the same
    /// as where they stand: one type, the same path parameter.
    #[tokio::test]
    async fn a_response_reached_through_paths_decodes_as_the_same_type() {
        let answer = json!([{"id": "o1", "status": "open"}]);
        let mock = Mock::start(vec![Reply::json(200, &answer)]).await;
        let latest: Vec<ListOrdersResponseItem> = Client::new(&mock.base)
            .unwrap()
            .latest_order("s 1")
            .await
            .unwrap();
        assert_eq!(latest[0].id, "o1");
        assert_eq!(mock.single().path, "/shops/s%201/orders/latest");
    }

    /// A parameter whose schema is a component's property takes that property's type.
    #[tokio::test]
    async fn a_parameter_typed_by_a_component_property() {
        let mock = Mock::start(vec![Reply::json(200, &json!([]))]).await;
        Client::new(&mock.base)
            .unwrap()
            .list_orders("s1")
            .status(OrderStatus::Closed)
            .await
            .unwrap();
        assert_eq!(mock.single().query_values("status"), ["closed"]);
    }

    /// An `allOf` member under `paths` merges like a component.
    #[tokio::test]
    async fn an_all_of_member_under_paths_is_merged() {
        let mock = Mock::start(vec![Reply::text(204, "")]).await;
        let body = PostReceiptBody {
            id: "o1".into(),
            status: None,
            total: Some(9.5),
        };
        Client::new(&mock.base)
            .unwrap()
            .post_receipt(&body)
            .await
            .unwrap();
        mock.single()
            .assert_json_body(&json!({"id": "o1", "total": 9.5}));
    }
}

// ---------------------------------------------------------------------------------------------
// constructors.yaml: `new` with the required fields, a `with_` setter per optional field
// ---------------------------------------------------------------------------------------------

mod constructors {
    use fixture_output::constructors::models::{Method as Call, MethodResult, Target, Task};
    use fixture_output::constructors::{Client, chrono as reexported};

    use super::*;

    /// `new` takes the required fields (strings as `&str`, the nullable one as its `Option`);
    /// optional fields start unset or at their default, and are left out or sent as such.
    #[test]
    fn new_takes_the_required_fields() {
        let day = reexported::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let call = Call::new("reboot", 30, day, Target::new("dev-1"), None, "urgent");

        assert_eq!(
            serde_json::to_value(&call).unwrap(),
            json!({
                "methodName": "reboot",
                "timeoutSeconds": 30,
                "runOn": "2024-02-29",
                "target": {"deviceId": "dev-1"},
                "replyTo": null,
                "new": "urgent",
                "retries": 3
            })
        );
    }

    /// The `with_` setters set optional fields (strings from `&str`, the defaulted one as a
    /// plain value, the boxed one from the value itself), and each shows in the JSON.
    #[test]
    fn setters_fill_optional_fields() {
        let at = Utc.with_ymd_and_hms(2024, 3, 1, 8, 0, 0).unwrap();
        let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let call = Call::new(
            "reboot",
            5,
            day,
            Target::new("dev-1").with_module_id("m"),
            Some("me".to_owned()),
            String::from("low"),
        )
        .with_payload(json!({"delay": 1}))
        .with_note("n")
        .with_with_note(true)
        .with_retries(0)
        .with_start_at(at);

        assert_eq!(
            serde_json::to_value(&call).unwrap(),
            json!({
                "methodName": "reboot",
                "timeoutSeconds": 5,
                "runOn": "2024-03-01",
                "target": {"deviceId": "dev-1", "moduleId": "m"},
                "replyTo": "me",
                "new": "low",
                "payload": {"delay": 1},
                "note": "n",
                "with_note": true,
                "retries": 0,
                "startAt": "2024-03-01T08:00:00Z"
            })
        );
        let (_, decoded) = wire(&call);
        assert_eq!(decoded, call);

        let mut task = Task::new("child").with_parent(Task::new("root"));
        task.additional_properties.insert("weight".into(), 2);
        assert_eq!(
            serde_json::to_value(&task).unwrap(),
            json!({"name": "child", "parent": {"name": "root"}, "weight": 2})
        );
        // Without required fields: `Default` still builds it.
        assert_eq!(
            serde_json::to_value(MethodResult::default()).unwrap(),
            json!({})
        );
    }

    /// A request body built with `new` and a setter goes over HTTP as that JSON.
    #[tokio::test]
    async fn a_constructed_body_is_sent() {
        let mock = Mock::start(vec![Reply::json(200, &json!({"status": 200}))]).await;
        let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let call =
            Call::new("reboot", 30, day, Target::new("dev-1"), None, "x").with_payload(json!({}));

        let result = Client::new(&mock.base)
            .unwrap()
            .invoke_method(&call)
            .await
            .unwrap();

        assert_eq!(result.status, Some(200));
        mock.single().assert_json_body(&json!({
            "methodName": "reboot",
            "timeoutSeconds": 30,
            "runOn": "2024-02-29",
            "target": {"deviceId": "dev-1"},
            "replyTo": null,
            "new": "x",
            "payload": {},
            "retries": 3
        }));
    }
}

// ---------------------------------------------------------------------------------------------
// generic-structs.yaml: inline schemas alike but for one type, one generic struct
// ---------------------------------------------------------------------------------------------

mod generic_structs {
    use fixture_output::generic_structs::Client;
    use fixture_output::generic_structs::models::{
        CreateBody, CreateGadgetsBody, Gadget, ListGizmosResponse, ListGizmosResponseResultsItem,
        ListResponse, ListWidgetsResponse, Widget,
    };

    use super::*;

    /// A list response decodes into its alias of `ListResponse<T>`, with the item type of its
    /// own operation; the alias works as a struct name in expressions and patterns.
    #[tokio::test]
    async fn each_list_response_is_the_generic_struct_of_its_items() {
        let widgets = json!({"count": 2, "next": "/widgets?page=2",
            "results": [{"id": 1, "name": "a"}, {"id": 2}]});
        let gizmos = json!({"count": 1, "results": ["large"]});
        let mock = Mock::start(vec![Reply::json(200, &widgets), Reply::json(200, &gizmos)]).await;
        let client = Client::new(&mock.base).unwrap();

        let page: ListWidgetsResponse = client.list_widgets().await.unwrap();
        let expected = ListResponse::new(2, vec![Widget::new(1).with_name("a"), Widget::new(2)])
            .with_next("/widgets?page=2");
        assert_eq!(page, expected);
        let ListWidgetsResponse { count, results, .. } = page;
        assert_eq!((count, results.len()), (2, 2));

        let gizmos: ListGizmosResponse = client.list_gizmos().await.unwrap();
        assert_eq!(gizmos.results, [ListGizmosResponseResultsItem::Large]);
        assert_eq!(gizmos.next, None);
        assert_eq!(mock.seen().len(), 2);
    }

    /// A request body of the generic shape is sent with its own item type's wire names.
    #[tokio::test]
    async fn a_generic_request_body_is_sent_as_its_shape_says() {
        let mock = Mock::start(vec![Reply::text(204, "")]).await;
        let body: CreateGadgetsBody =
            CreateBody::new(vec![Gadget::new(7).with_size(1.5)]).with_dry_run(true);
        Client::new(&mock.base)
            .unwrap()
            .create_gadgets(&body)
            .await
            .unwrap();
        let seen = mock.single();
        assert_eq!(seen.path, "/gadgets");
        assert_eq!(
            seen.json(),
            json!({"items": [{"id": 7, "size": 1.5}], "dry_run": true})
        );
    }

    /// The generic struct's own impls: a missing required field is an error naming it, and
    /// `Debug` shows the fields.
    #[test]
    fn the_generic_struct_checks_its_fields() {
        let missing = serde_json::from_value::<ListWidgetsResponse>(json!({"count": 1}))
            .expect_err("`results` is required");
        assert!(missing.to_string().contains("`results`"), "{missing}");
        let page = ListWidgetsResponse::new(0, Vec::new());
        assert_eq!(
            format!("{page:?}"),
            "ListResponse { count: 0, next: None, results: [] }"
        );
        assert_eq!(page.clone(), page);
    }
}
