//! What a user of the code generated from the OpenAPI 3.1 fixtures (`tests/fixtures/openapi31-*.yaml`)
//! notices: values of each 3.1 construct cross the wire through the generated clients, over
//! real HTTP against the loopback [`Mock`] from `support` (127.0.0.1, port 0): `type` lists
//! with `null` sent and read as `null`, unions of scalar types, `const` values, `$ref`s with
//! siblings, hoisted `$defs`, `$id`/`$anchor`/`$dynamicRef` targets, tuples and pattern maps,
//! base64 and raw bytes, and path items shared through `components/pathItems`.

mod support;

use axum::http::Method;
use serde_json::{Value, json};
use support::{Mock, Reply};

// ---------------------------------------------------------------------------------------------
// openapi31-types.yaml: type lists, const, examples, exclusive bounds
// ---------------------------------------------------------------------------------------------

mod types {
    use fixture_output::openapi31_types::Client;
    use fixture_output::openapi31_types::models::{
        Reading, ReadingKind, ReadingLabelOrRank, ReadingLevel, ReadingValue, ReadingVersion,
        Scalar,
    };

    use super::*;

    fn reading() -> Reading {
        Reading {
            id: "r-1".into(),
            kind: ReadingKind::Reading,
            version: Some(ReadingVersion::Value2),
            value: ReadingValue::Number(1.5),
            note: None,
            count: None,
            tags: None,
            label_or_rank: Some(ReadingLabelOrRank::Integer(7)),
            level: Some(ReadingLevel::Low),
            anything: None,
            unset: None,
            ratio: Some(0.5),
            score: Some(99),
        }
    }

    /// `put_reading` sends the required `type: [string, "null"]` field as `null`, the `const`
    /// values as their values, and members of `type` lists with several types as themselves;
    /// the answer's `null`s decode as `None`, a union of `string` and `number` decodes a
    /// string, a nullable union an integer, and a `const` value the document does not list is
    /// kept.
    #[tokio::test]
    async fn put_reading_sends_nulls_consts_and_union_members() {
        let answer = json!({
            "id": "r-2", "kind": "reading", "version": 3, "value": "NaN", "note": "checked",
            "count": null, "tags": null, "labelOrRank": "abc", "level": null,
            "anything": {"a": [1]}, "unset": null
        });
        let mock = Mock::start(vec![Reply::json(200, &answer)]).await;

        let stored = Client::new(&mock.base)
            .unwrap()
            .put_reading("r-1", &reading())
            .await
            .unwrap();

        let seen = mock.single();
        assert_eq!(seen.method, Method::PUT);
        assert_eq!(seen.path, "/readings/r-1");
        seen.assert_json_body(&json!({
            "id": "r-1", "kind": "reading", "version": 2, "value": 1.5, "note": null,
            "labelOrRank": 7, "level": "low", "ratio": 0.5, "score": 99
        }));
        assert_eq!(
            stored,
            Reading {
                id: "r-2".into(),
                kind: ReadingKind::Reading,
                version: Some(ReadingVersion::Other(3)),
                value: ReadingValue::String("NaN".into()),
                note: Some("checked".into()),
                count: None,
                tags: None,
                label_or_rank: Some(ReadingLabelOrRank::String("abc".into())),
                level: None,
                anything: Some(json!({"a": [1]})),
                unset: None,
                ratio: None,
                score: None,
            }
        );
    }

    /// `get_reading` sends the nullable, bounded `limit` only when given, and reads a
    /// `null`-first type list (`count`), a nullable array and a string `const` the document
    /// does not list.
    #[tokio::test]
    async fn get_reading_sends_the_limit_only_when_given() {
        let answer = json!({
            "id": "r", "kind": "sample", "value": 2, "note": null, "count": 5,
            "tags": ["a", "b"], "level": "high"
        });
        let mock = Mock::start(vec![Reply::json(200, &answer), Reply::json(200, &answer)]).await;
        let client = Client::new(&mock.base).unwrap();

        let first = client.get_reading("a b").limit(5).await.unwrap();
        client.get_reading("a b").await.unwrap();

        let seen = mock.seen();
        assert_eq!(seen[0].method, Method::GET);
        assert_eq!(seen[0].path, "/readings/a%20b");
        assert_eq!(seen[0].query, [("limit".into(), "5".into())]);
        assert!(seen[1].query.is_empty(), "{:?}", seen[1]);
        assert_eq!(first.kind, ReadingKind::Other("sample".into()));
        assert_eq!(first.value, ReadingValue::Number(2.0));
        assert_eq!(first.note, None);
        assert_eq!(first.count, Some(5));
        assert_eq!(first.tags, Some(vec!["a".into(), "b".into()]));
        assert_eq!(first.level, Some(ReadingLevel::High));
    }

    /// `Scalar` (`type: [string, integer, number, boolean]`) decodes each JSON scalar as its
    /// own member, and keeps what no member accepts (`null`, an object); each is sent back as
    /// received.
    #[tokio::test]
    async fn list_scalars_decodes_each_type_as_its_member() {
        let answer = json!(["a", 1, 2.5, true, null, {"x": 1}]);
        let mock = Mock::start(vec![Reply::json(200, &answer)]).await;

        let scalars = Client::new(&mock.base)
            .unwrap()
            .list_scalars()
            .await
            .unwrap();

        assert_eq!(
            scalars,
            [
                Scalar::String("a".into()),
                Scalar::Integer(1),
                Scalar::Number(2.5),
                Scalar::Boolean(true),
                Scalar::Other(Value::Null),
                Scalar::Other(json!({"x": 1})),
            ]
        );
        assert_eq!(serde_json::to_value(&scalars).unwrap(), answer);
    }

    /// List items and map values whose type list holds `null` are `Option`s: a `null` among
    /// them decodes, and is sent back as `null`.
    #[tokio::test]
    async fn nulls_inside_lists_and_maps_decode() {
        let answer = json!({"values": [1.5, null], "byName": {"a": "x", "b": null}});
        let mock = Mock::start(vec![Reply::json(200, &answer)]).await;

        let series = Client::new(&mock.base).unwrap().get_series().await.unwrap();

        assert_eq!(series.values, [Some(1.5), None]);
        assert_eq!(series.by_name.get("b"), Some(&None));
        assert_eq!(serde_json::to_value(&series).unwrap(), answer);
    }
}

// ---------------------------------------------------------------------------------------------
// openapi31-refs.yaml: $ref with siblings, $defs, $id, $anchor, $dynamicRef
// ---------------------------------------------------------------------------------------------

mod refs {
    use fixture_output::openapi31_refs::Client;
    use fixture_output::openapi31_refs::models::{
        Address, Contact, Currency, Legacy, Line, Money, Order, OrderRefund, Point, Tree,
    };

    use super::*;

    fn order_json() -> Value {
        json!({
            "id": "o-1",
            "total": {"amount": "12.50", "currency": "EUR"},
            "discount": {"amount": "1", "currency": "GBP"},
            "refund": {"amount": "2", "currency": "USD", "reason": "broken"},
            "lines": [{"sku": "a", "quantity": 2}, {"sku": "b"}],
            "shipTo": {"street": "1 Main St", "city": "Springfield"},
            "contact": {"email": "a@example.com"}
        })
    }

    fn order() -> Order {
        Order {
            id: "o-1".into(),
            total: Money {
                amount: "12.50".into(),
                currency: Currency::Eur,
            },
            discount: Some(Money {
                amount: "1".into(),
                currency: Currency::Other("GBP".into()),
            }),
            refund: Some(OrderRefund {
                amount: "2".into(),
                currency: Currency::Usd,
                reason: "broken".into(),
            }),
            lines: Some(vec![
                Line {
                    sku: "a".into(),
                    quantity: Some(2),
                },
                Line {
                    sku: "b".into(),
                    quantity: None,
                },
            ]),
            ship_to: Some(Address {
                street: Some("1 Main St".into()),
                city: Some("Springfield".into()),
            }),
            contact: Some(Contact {
                email: Some("a@example.com".into()),
            }),
        }
    }

    /// An order read and sent back: `total` and `discount` (`$ref` with a `description` or
    /// `summary` beside it) are `Money`; `refund` (`$ref` with more properties beside it) is
    /// Money's fields and its own; `Currency` and `Line` come from `Order`'s `$defs`,
    /// `Address` through its `$id`, `Contact` through its `$anchor`.
    #[tokio::test]
    async fn an_order_crosses_the_wire_both_ways() {
        let mock = Mock::start(vec![Reply::json(200, &order_json()), Reply::text(204, "")]).await;
        let client = Client::new(&mock.base).unwrap();

        let received = client.get_order("o-1").await.unwrap();
        client.put_order("o-1", &received).await.unwrap();

        assert_eq!(received, order());
        let seen = mock.seen();
        assert_eq!(seen[0].method, Method::GET);
        assert_eq!(seen[0].path, "/orders/o-1");
        assert_eq!(seen[1].method, Method::PUT);
        seen[1].assert_json_body(&order_json());
    }

    /// `Tree.children` is a list of `Tree`s: the `$dynamicRef: "#node"` is followed to the
    /// `$dynamicAnchor: node` of `Tree`.
    #[tokio::test]
    async fn tree_children_follow_the_dynamic_ref() {
        let answer = json!({"name": "root", "children": [
            {"name": "a", "children": [{"name": "a1"}]}, {"name": "b", "children": []}
        ]});
        let mock = Mock::start(vec![Reply::json(200, &answer)]).await;

        let tree = Client::new(&mock.base).unwrap().get_tree().await.unwrap();

        let leaf = |name: &str| Tree {
            name: name.into(),
            children: None,
        };
        assert_eq!(
            tree,
            Tree {
                name: "root".into(),
                children: Some(vec![
                    Tree {
                        name: "a".into(),
                        children: Some(vec![leaf("a1")]),
                    },
                    Tree {
                        name: "b".into(),
                        children: Some(Vec::new()),
                    },
                ]),
            }
        );
    }

    /// `post_point` sends a `Point` (from the document's root `$defs`) and reads a `Legacy`
    /// (a schema with `$schema`) that holds one.
    #[tokio::test]
    async fn post_point_sends_the_root_defs_type() {
        let mock = Mock::start(vec![Reply::json(
            200,
            &json!({"point": {"x": 0.5, "y": -1}}),
        )])
        .await;

        let legacy = Client::new(&mock.base)
            .unwrap()
            .post_point(&Point { x: 1.0, y: -2.5 })
            .await
            .unwrap();

        let seen = mock.single();
        assert_eq!(seen.method, Method::POST);
        assert_eq!(seen.path, "/points");
        seen.assert_json_body(&json!({"x": 1.0, "y": -2.5}));
        assert_eq!(
            legacy,
            Legacy {
                point: Some(Point { x: 0.5, y: -1.0 })
            }
        );
    }
}

// ---------------------------------------------------------------------------------------------
// openapi31-structure.yaml: prefixItems, patternProperties, unevaluatedProperties, ...
// ---------------------------------------------------------------------------------------------

mod structure {
    use std::collections::BTreeMap;

    use fixture_output::openapi31_structure::Client;
    use fixture_output::openapi31_structure::models::{
        Shape, ShapeAddress, ShapeBilling, ShapePayment,
    };

    use super::*;

    fn map<V>(entries: &[(&str, V)]) -> BTreeMap<String, V>
    where
        V: Clone,
    {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    /// A shape read and sent back: `prefixItems` of a fixed length are Rust tuples, other
    /// `prefixItems` lists of their items' type (or of any JSON when the items differ),
    /// pattern maps and `unevaluatedProperties` maps of
    /// their values' type (any JSON when the patterns disagree), and the objects with
    /// `dependentRequired`, `dependentSchemas`, `if`/`then`/`else` and `not` keep their
    /// properties.
    #[tokio::test]
    async fn a_shape_crosses_the_wire_both_ways() {
        let body = json!({
            "point": [1.0, 2.0, 3.5],
            "pair": ["a", "b"],
            "mixed": ["a", 1],
            "range": [0.5, "m"],
            "corner": [-1, 2],
            "labels": {"x-a": "1"},
            "metrics": {"n_a": 1, "s_b": "t"},
            "counts": {"a": 1, "b": -2},
            "names": {"abc": "d"},
            "billing": {"card": "c", "address": "a"},
            "payment": {"card": "c"},
            "address": {"country": "US", "postcode": "12345"},
            "code": "x"
        });
        let mock = Mock::start(vec![Reply::json(200, &body), Reply::text(204, "")]).await;
        let client = Client::new(&mock.base).unwrap();

        let shape = client.get_shape("s").await.unwrap();
        client.put_shape("s", &shape).await.unwrap();

        assert_eq!(
            shape,
            Shape {
                point: Some(vec![1.0, 2.0, 3.5]),
                pair: Some(vec!["a".into(), "b".into()]),
                mixed: Some(vec![json!("a"), json!(1)]),
                range: Some((0.5, "m".into())),
                corner: Some((-1, 2)),
                labels: Some(map(&[("x-a", "1".to_owned())])),
                metrics: Some(map(&[("n_a", json!(1)), ("s_b", json!("t"))])),
                counts: Some(map(&[("a", 1), ("b", -2)])),
                names: Some(map(&[("abc", "d".to_owned())])),
                billing: Some(ShapeBilling {
                    card: Some("c".into()),
                    address: Some("a".into()),
                }),
                payment: Some(ShapePayment {
                    card: Some("c".into()),
                    address: None,
                }),
                address: Some(ShapeAddress {
                    country: Some("US".into()),
                    postcode: Some("12345".into()),
                }),
                code: Some("x".into()),
            }
        );
        let seen = mock.seen();
        assert_eq!(seen[0].path, "/shapes/s");
        assert_eq!(seen[1].method, Method::PUT);
        seen[1].assert_json_body(&body);
    }

    /// A tuple is typed by position: a `range` of the wrong length, or with a string first,
    /// is a decode error naming the field.
    #[tokio::test]
    async fn a_tuple_of_the_wrong_shape_is_a_decode_error() {
        let mock = Mock::start(vec![
            Reply::json(200, &json!({"range": [1.5]})),
            Reply::json(200, &json!({"range": ["m", 0.5]})),
        ])
        .await;
        let client = Client::new(&mock.base).unwrap();

        for _ in 0..2 {
            let error = client.get_shape("s").await.unwrap_err();
            let fixture_output::openapi31_structure::runtime::Error::Decode(decode) = &error else {
                panic!("expected a decode error, got {error:?}")
            };
            assert!(decode.path.starts_with("range"), "{decode:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// openapi31-binary.yaml: contentEncoding, contentMediaType, octet-stream bodies
// ---------------------------------------------------------------------------------------------

mod binary {
    use fixture_output::openapi31_binary::Client;
    use fixture_output::openapi31_binary::models::Document;
    use fixture_output::openapi31_binary::runtime::Base64;

    use super::*;

    /// `contentEncoding: base64` fields are bytes, sent and read as base64 text; a
    /// `contentMediaType` without an encoding inside JSON is the text itself.
    #[tokio::test]
    async fn base64_fields_are_bytes_on_our_side_and_text_on_the_wire() {
        let answer = json!({"name": "b", "content": "AAEC", "chunks": ["/w=="]});
        let mock = Mock::start(vec![Reply::json(200, &answer)]).await;

        let stored = Client::new(&mock.base)
            .unwrap()
            .post_document(&Document {
                name: "a".into(),
                content: Base64(vec![0, 255, 1]),
                thumbnail: Some(Base64(b"\x89PNG".to_vec())),
                html: Some("<p>hi</p>".into()),
                chunks: Some(vec![Base64(vec![1]), Base64(Vec::new())]),
            })
            .await
            .unwrap();

        let seen = mock.single();
        assert_eq!(seen.path, "/documents");
        seen.assert_json_body(&json!({
            "name": "a", "content": "AP8B", "thumbnail": "iVBORw==", "html": "<p>hi</p>",
            "chunks": ["AQ==", ""]
        }));
        assert_eq!(
            stored,
            Document {
                name: "b".into(),
                content: Base64(vec![0, 1, 2]),
                thumbnail: None,
                html: None,
                chunks: Some(vec![Base64(vec![0xff])]),
            }
        );
    }

    /// `application/octet-stream` bodies with an empty schema are raw bytes both ways, and an
    /// `image/png` body (`contentMediaType: image/png`) is sent as it is, with its media type.
    #[tokio::test]
    async fn octet_stream_and_image_bodies_are_raw_bytes() {
        let bytes = vec![0x00, 0x9f, 0xff, b'{'];
        let mock = Mock::start(vec![
            Reply::text(204, ""),
            Reply::bytes(200, &[0xfe, 0x00]).header("content-type", "application/octet-stream"),
            Reply::text(204, ""),
        ])
        .await;
        let client = Client::new(&mock.base).unwrap();

        client.put_file("a.bin", bytes.clone()).await.unwrap();
        let file = client.get_file("a.bin").await.unwrap();
        client
            .put_image("a.png", b"\x89PNG".to_vec())
            .await
            .unwrap();

        let seen = mock.seen();
        assert_eq!(seen[0].method, Method::PUT);
        assert_eq!(seen[0].path, "/files/a.bin");
        assert_eq!(
            seen[0].header("content-type"),
            Some("application/octet-stream")
        );
        assert_eq!(seen[0].body, bytes);
        assert_eq!(seen[1].method, Method::GET);
        assert_eq!(file, [0xfe, 0x00]);
        assert_eq!(seen[2].path, "/images/a.png");
        assert_eq!(seen[2].header("content-type"), Some("image/png"));
        assert_eq!(seen[2].body, b"\x89PNG");
    }
}

// ---------------------------------------------------------------------------------------------
// openapi31-document.yaml: components/pathItems, webhooks, 3.1 info fields
// ---------------------------------------------------------------------------------------------

mod document {
    use fixture_output::openapi31_document::Client;
    use fixture_output::openapi31_document::models::Pet;

    use super::*;

    /// The operations of the path items that `/pets` and `/pets/{id}` take from
    /// `components/pathItems` are methods, with the path-item-level parameter; the nullable
    /// `tag` is read from `null`.
    #[tokio::test]
    async fn path_items_from_components_are_methods() {
        let mock = Mock::start(vec![
            Reply::json(200, &json!([{"id": 1, "name": "Rex", "tag": null}])),
            Reply::json(201, &json!({"id": 2, "name": "Tom", "tag": "cat"})),
            Reply::json(200, &json!({"id": 3, "name": "Kit"})),
        ])
        .await;
        let client = Client::new(&mock.base).unwrap();
        let tom = Pet {
            id: 2,
            name: "Tom".into(),
            tag: Some("cat".into()),
        };

        let pets = client.list_pets().await.unwrap();
        let created = client.create_pet(&tom).await.unwrap();
        let kit = client.get_pet(3).await.unwrap();

        assert_eq!(
            pets,
            [Pet {
                id: 1,
                name: "Rex".into(),
                tag: None
            }]
        );
        assert_eq!(created, tom);
        assert_eq!(kit.name, "Kit");
        let seen = mock.seen();
        assert_eq!(
            seen.iter()
                .map(|s| (s.method.clone(), s.path.clone()))
                .collect::<Vec<_>>(),
            [
                (Method::GET, "/pets".to_owned()),
                (Method::POST, "/pets".to_owned()),
                (Method::GET, "/pets/3".to_owned()),
            ]
        );
        seen[1].assert_json_body(&json!({"id": 2, "name": "Tom", "tag": "cat"}));
    }
}
