// Hand-written test infrastructure (not generated): tests of the emulator.
//! Replays the exchange Microsoft's Python service SDK (azure-iot-hub) had with the emulator
//! (`tests/data/python-sdk-device-jobs.json`, recorded by
//! `tests/emulator/python/query_device_jobs.py`): the same requests, sent as recorded over
//! 127.0.0.1 to an emulator with the same registry, get answers with everything the SDK
//! read, and the same rows, headers and continuation tokens, times aside.

mod common;

use common::start;
use iothub_emulator::Registry;
use serde_json::Value;

const RECORD: &str = include_str!("../../data/python-sdk-device-jobs.json");
const REGISTRY: &str = include_str!("../python/registry.json");

/// `row` without its times, which depend on when it was recorded.
fn timeless(row: &Value) -> Value {
    let mut row = row.clone();
    if let Some(map) = row.as_object_mut() {
        map.retain(|key, _| !key.ends_with("Utc"));
    }
    row
}

#[tokio::test]
async fn the_python_sdk_exchange_replays() {
    let record: Value = serde_json::from_str(RECORD).unwrap();
    assert_eq!(record["sdk"]["azure-iot-hub"], "2.7.0");
    let registry = Registry::from_json(REGISTRY).unwrap();
    let hub = start(common::manual_config().with_registry(registry)).await;
    let http = reqwest::Client::new();
    let exchanges = record["exchanges"].as_array().unwrap();
    assert_eq!(exchanges.len(), 3, "the job's creation and two query pages");

    let mut sdk_pages = record["sdk_read"].as_array().unwrap().iter();
    for (i, exchange) in exchanges.iter().enumerate() {
        let sent = &exchange["request"];
        let seen = &exchange["response"];
        let method: reqwest::Method = sent["method"].as_str().unwrap().parse().unwrap();
        let url = hub.url(&format!(
            "{}?{}",
            sent["path"].as_str().unwrap(),
            sent["query"].as_str().unwrap()
        ));
        let mut request = http
            .request(method, url)
            .header("Authorization", hub.token())
            .body(sent["body"].to_string());
        for (name, value) in sent["headers"].as_object().unwrap() {
            if name != "authorization" {
                request = request.header(name, value.as_str().unwrap());
            }
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status().as_u16(),
            u16::try_from(seen["status"].as_u64().unwrap()).unwrap(),
            "exchange {i}"
        );
        let headers = response.headers().clone();
        let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        // The job runs at its start time, before the first query.
        hub.emulator.tick();
        if sent["path"] != "/devices/query" {
            assert_eq!(body["jobId"], seen["body"]["jobId"]);
            continue;
        }

        // The response headers the SDK reads, as recorded (the token is deterministic).
        for name in ["x-ms-item-type", "x-ms-continuation"] {
            assert_eq!(
                headers.get(name).map(|v| v.to_str().unwrap()),
                seen["headers"][name].as_str(),
                "exchange {i}: {name}"
            );
        }
        // The rows, as recorded but for their times.
        let rows = body.as_array().unwrap();
        let recorded = seen["body"].as_array().unwrap();
        assert_eq!(
            rows.iter().map(timeless).collect::<Vec<_>>(),
            recorded.iter().map(timeless).collect::<Vec<_>>(),
            "exchange {i}"
        );
        for row in rows {
            for time in [
                "startTimeUtc",
                "endTimeUtc",
                "createdDateTimeUtc",
                "lastUpdatedDateTimeUtc",
            ] {
                assert!(row[time].is_string(), "exchange {i}: {time} in {row}");
            }
        }

        // What the SDK read from that page: the item type, the token, and each row as its
        // `Twin` model (the upstream document types the rows as twins, so the SDK keeps only
        // the fields a twin has: deviceId and status).
        let read = sdk_pages.next().unwrap();
        assert_eq!(
            read["type"].as_str(),
            headers["x-ms-item-type"].to_str().ok()
        );
        assert_eq!(
            read["continuation_token"].as_str(),
            headers
                .get("x-ms-continuation")
                .map(|v| v.to_str().unwrap())
        );
        assert_eq!(read["item_class"], serde_json::json!(["Twin"]));
        let items = read["items"].as_array().unwrap();
        assert_eq!(items.len(), rows.len());
        for (item, row) in items.iter().zip(rows) {
            assert_eq!(item["device_id"], row["deviceId"]);
            assert_eq!(item["status"], row["status"]);
        }
    }
    assert!(sdk_pages.next().is_none());
}
