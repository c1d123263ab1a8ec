// Hand-written test infrastructure (not generated): end-to-end scenarios against the emulator.
//! End-to-end scenarios: the generated client (SAS from the emulator's connection string,
//! default retries unless a test says otherwise) against the emulator on 127.0.0.1, driven
//! by its manual clock.
//!
//! The emulator's router is served behind an observing layer that records every exchange
//! (request method, path, headers and body; response status and headers). Where the client
//! itself waits (`wait_for_job` polls, retries back off), a helper task reacts to the
//! exchanges it is shown and advances the emulator clock *before* the client gets the answer,
//! so every run takes the same steps: no test sleeps, and the client's own pauses are a
//! millisecond or so.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use common::{manual_config, stats};
use futures::TryStreamExt as _;
use iothub_emulator::{Config, DeviceJobStatus, Emulator, Registry};
use iothub_jobs::iothub::{IotHubErrorExt as _, IotHubErrorInfo};
use iothub_jobs::models::{
    CancelImportExportJobResponse, CloudToDeviceMethod, JobProperties, JobRequest, JobResponse,
    JobStatus, JobType, Twin, TwinProperties,
};
use iothub_jobs::{Client, Error, ErrorBody, RetryPolicy, StaticCredential};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// How often `wait_for_job` polls in these tests: the emulator clock, not the poll interval,
/// decides how far a job gets between polls.
const POLL: Duration = Duration::from_millis(1);

/// A bound on `wait_for_job` that only a hung test reaches (every wait here ends after a few
/// dozen polls).
const WAIT_BOUND: Duration = Duration::from_secs(10);

/// The most clock advances a helper task makes before it stops reacting.
const MAX_ADVANCES: usize = 100;

// ---------------------------------------------------------------------------------------
// The observed emulator.

/// One request the emulator answered, as seen around its router (SAS layer included).
#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    path: String,
    query: Option<String>,
    request_headers: HeaderMap,
    request_body: Bytes,
    status: u16,
    response_headers: HeaderMap,
}

impl Exchange {
    fn is(&self, method: &str, path: &str) -> bool {
        self.method == method && self.path == path
    }

    fn request_header(&self, name: &str) -> Option<&str> {
        self.request_headers.get(name)?.to_str().ok()
    }

    fn response_header(&self, name: &str) -> Option<&str> {
        self.response_headers.get(name)?.to_str().ok()
    }

    fn request_json(&self) -> Value {
        serde_json::from_slice(&self.request_body).unwrap_or_else(|e| {
            panic!(
                "{e}: {} {} body {}",
                self.method,
                self.path,
                String::from_utf8_lossy(&self.request_body)
            )
        })
    }
}

/// An exchange shown to a helper task, and how it says it is done with it.
type Reaction = (Exchange, oneshot::Sender<()>);

#[derive(Default)]
struct Observer {
    exchanges: Mutex<Vec<Exchange>>,
    reactor: Mutex<Option<mpsc::UnboundedSender<Reaction>>>,
}

/// Records the exchange, shows it to the helper task (if one is driving) and holds the
/// response until the helper has reacted.
async fn observe(State(observer): State<Arc<Observer>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let request_body = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("request body");
    let method = parts.method.to_string();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let request_headers = parts.headers.clone();
    let response = next
        .run(Request::from_parts(parts, Body::from(request_body.clone())))
        .await;
    let exchange = Exchange {
        method,
        path,
        query,
        request_headers,
        request_body,
        status: response.status().as_u16(),
        response_headers: response.headers().clone(),
    };
    observer.exchanges.lock().unwrap().push(exchange.clone());
    let reactor = observer.reactor.lock().unwrap().clone();
    if let Some(reactor) = reactor {
        let (done, reacted) = oneshot::channel();
        if reactor.send((exchange, done)).is_ok() {
            let _ = reacted.await;
        }
    }
    response
}

/// The emulator served on 127.0.0.1 behind the observing layer.
struct Hub {
    emulator: Arc<Emulator>,
    endpoint: String,
    observer: Arc<Observer>,
}

/// Serves `config` (with a manual clock) on 127.0.0.1 at a free port.
async fn start(config: Config) -> Hub {
    assert!(
        config.clock.as_manual().is_some(),
        "tests use a manual clock"
    );
    let emulator = Emulator::new(config);
    let observer = Arc::new(Observer::default());
    let app = emulator
        .router()
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&observer),
            observe,
        ));
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    assert_eq!(addr.ip(), Ipv4Addr::LOCALHOST);
    // The server task ends with the test's runtime.
    tokio::spawn(async move { axum::serve(listener, app).await });
    Hub {
        emulator,
        endpoint: format!("http://{addr}"),
        observer,
    }
}

impl Hub {
    /// A client from the emulator's connection string, with the default retry policy.
    fn client(&self) -> Client {
        Client::from_connection_string_with_endpoint(
            &self.emulator.connection_string(),
            &self.endpoint,
        )
        .expect("the emulator's connection string is valid")
    }

    fn now(&self) -> DateTime<Utc> {
        self.emulator.now()
    }

    fn at(&self, seconds: i64) -> DateTime<Utc> {
        self.now() + chrono::Duration::seconds(seconds)
    }

    /// Every exchange so far, in the order they were answered.
    fn exchanges(&self) -> Vec<Exchange> {
        self.observer.exchanges.lock().unwrap().clone()
    }

    /// The exchanges of `method path`, in order.
    fn requests(&self, method: &str, path: &str) -> Vec<Exchange> {
        self.exchanges()
            .into_iter()
            .filter(|e| e.is(method, path))
            .collect()
    }

    /// Starts a helper task that is shown every exchange before the client gets its answer;
    /// when `react` returns a duration the task advances the emulator clock by it. It stops
    /// after `MAX_ADVANCES` advances or at [`Hub::stop_driving`], which returns how many it
    /// made.
    fn drive(
        &self,
        mut react: impl FnMut(&Exchange) -> Option<Duration> + Send + 'static,
    ) -> JoinHandle<usize> {
        let (reactor, mut exchanges) = mpsc::unbounded_channel::<Reaction>();
        *self.observer.reactor.lock().unwrap() = Some(reactor);
        let emulator = Arc::clone(&self.emulator);
        tokio::spawn(async move {
            let mut advances = 0;
            while let Some((exchange, done)) = exchanges.recv().await {
                if let Some(by) = react(&exchange) {
                    emulator.advance(by);
                    advances += 1;
                }
                let _ = done.send(());
                if advances >= MAX_ADVANCES {
                    break;
                }
            }
            advances
        })
    }

    /// Stops the helper task and returns how many times it advanced the clock.
    async fn stop_driving(&self, driver: JoinHandle<usize>) -> usize {
        self.observer.reactor.lock().unwrap().take();
        driver.await.expect("the helper task")
    }
}

/// Advances the clock by `step` each time the client fetches job `job_id` (each poll of
/// `wait_for_job`).
fn on_each_poll_of(
    job_id: &str,
    step: Duration,
) -> impl FnMut(&Exchange) -> Option<Duration> + Send + use<> {
    let path = format!("/jobs/v2/{job_id}");
    move |exchange| exchange.is("GET", &path).then_some(step)
}

// ---------------------------------------------------------------------------------------
// Helpers.

fn reboot(response_timeout: i32, connect_timeout: i32) -> CloudToDeviceMethod {
    CloudToDeviceMethod {
        method_name: "reboot".to_owned(),
        payload: Some(json!({"delay": 0})),
        response_timeout_in_seconds: Some(response_timeout),
        connect_timeout_in_seconds: Some(connect_timeout),
    }
}

fn seconds(s: f64) -> chrono::Duration {
    chrono::Duration::milliseconds((s * 1000.0).round() as i64)
}

fn ids(jobs: &[JobResponse]) -> Vec<String> {
    jobs.iter().map(|j| j.job_id.clone().unwrap()).collect()
}

/// Checks that `result` failed with [`Error::Status`]: the status, a typed IoT Hub body, the
/// `iothub-errorcode` header, the code `iothub_error()` reads, a tracking id and whether the
/// client calls it retryable. Returns what `iothub_error()` read.
fn expect_status<T: std::fmt::Debug>(
    result: Result<T, Error>,
    status: u16,
    code: &str,
    retryable: bool,
) -> IotHubErrorInfo {
    let error = match result {
        Ok(value) => panic!("expected {status} {code}, got {value:?}"),
        Err(error) => error,
    };
    let Error::Status(response) = &error else {
        panic!("expected Error::Status {status} {code}, got {error:?}");
    };
    assert_eq!(response.status.as_u16(), status, "{error}");
    assert!(
        matches!(response.body, ErrorBody::Typed(_)),
        "the body is a typed IoT Hub error: {error}"
    );
    assert_eq!(error.header("iothub-errorcode"), Some(code), "{error}");
    let info = error.iothub_error().expect("an IoT Hub error");
    assert_eq!(info.code.as_deref(), Some(code), "{info:?}");
    assert_eq!(
        info.tracking_id.as_ref().map(String::len),
        Some(32),
        "{info:?}"
    );
    assert_eq!(error.is_retryable(), retryable, "{error}");
    info
}

// ---------------------------------------------------------------------------------------
// 1. A direct method on building 43.

#[tokio::test]
async fn direct_method_on_building_43_completes_with_the_registry_answers() {
    let hub = start(manual_config()).await;
    let client = hub.client();

    // What the demo registry says building 43 answers to `reboot` within 30 s.
    const RESPONSE_TIMEOUT: i32 = 30;
    let registry = Registry::demo();
    let building_43: Vec<_> = registry
        .devices()
        .filter(|d| d.tags.get("building") == Some(&json!("43")))
        .collect();
    assert_eq!(
        building_43
            .iter()
            .map(|d| d.device_id.as_str())
            .collect::<Vec<_>>(),
        ["camera-43-03", "thermostat-43-01", "thermostat-43-02"],
        "the demo registry's building 43 (README)"
    );
    // (succeeded, status, seconds until the answer, payload) per device.
    let expected: BTreeMap<String, (bool, i32, f64, Option<Value>)> = building_43
        .iter()
        .map(|device| {
            assert_eq!(device.connection_state.as_str(), "Connected");
            assert_eq!(device.status.as_str(), "enabled");
            let answer = device.answer("reboot");
            let timeout = f64::from(RESPONSE_TIMEOUT);
            let outcome = if answer.latency_seconds <= timeout {
                let ok = (200..300).contains(&answer.status);
                (
                    ok,
                    answer.status,
                    answer.latency_seconds,
                    Some(answer.payload),
                )
            } else {
                (false, 504, timeout, None)
            };
            (device.device_id.clone(), outcome)
        })
        .collect();
    let succeeded = expected.values().filter(|o| o.0).count();
    let failed = expected.len() - succeeded;
    let last_answer = expected.values().map(|o| o.2).fold(0.0, f64::max);
    assert_eq!(
        (succeeded, failed),
        (2, 1),
        "two thermostats, a slow camera"
    );

    let start_at = hub.now();
    let created = client
        .schedule_device_method(
            "reboot-43",
            "tags.building = '43'",
            reboot(RESPONSE_TIMEOUT, 0),
        )
        .start_time(start_at)
        .await
        .unwrap();
    assert_eq!(created.status, Some(JobStatus::Queued));
    assert_eq!(created.r#type, Some(JobType::ScheduleDeviceMethod));
    assert_eq!(created.max_execution_time_in_seconds, Some(3600));

    // One emulator second per poll.
    let driver = hub.drive(on_each_poll_of("reboot-43", Duration::from_secs(1)));
    let job = client
        .wait_for_job("reboot-43", POLL, WAIT_BOUND)
        .await
        .unwrap();
    let polls = hub.stop_driving(driver).await;

    assert_eq!(job.status, Some(JobStatus::Completed), "{job:?}");
    let statistics = job.device_job_statistics.as_ref();
    assert_eq!(
        stats(statistics),
        (
            i32::try_from(expected.len()).unwrap(),
            0,
            0,
            i32::try_from(succeeded).unwrap(),
            i32::try_from(failed).unwrap()
        )
    );
    assert_eq!(job.end_time, Some(start_at + seconds(last_answer)));
    assert_eq!(
        polls, 31,
        "wait_for_job returns at the first poll that sees the job completed (at +30 s)"
    );
    assert_eq!(hub.requests("GET", "/jobs/v2/reboot-43").len(), polls);

    // Per device, through the library.
    let results = hub.emulator.device_results("reboot-43").unwrap();
    assert_eq!(
        results
            .iter()
            .map(|r| r.device_id.clone())
            .collect::<Vec<_>>(),
        expected.keys().cloned().collect::<Vec<_>>()
    );
    for result in &results {
        let (ok, status, after, payload) = &expected[&result.device_id];
        let want = if *ok {
            DeviceJobStatus::Succeeded
        } else {
            DeviceJobStatus::Failed
        };
        assert_eq!(result.status, want, "{result:?}");
        assert_eq!(result.response_status, Some(*status), "{result:?}");
        assert_eq!(result.start_time, start_at, "{result:?}");
        assert_eq!(
            result.end_time,
            Some(start_at + seconds(*after)),
            "{result:?}"
        );
        if payload.is_some() {
            assert_eq!(&result.response_payload, payload, "{result:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 2. A twin update.

#[tokio::test]
async fn twin_update_changes_the_matched_twins_only_and_sends_etag_star() {
    let hub = start(manual_config()).await;
    let client = hub.client();
    let before: BTreeMap<String, Value> = hub
        .emulator
        .device_ids()
        .into_iter()
        .map(|id| {
            let twin = hub.emulator.twin_json(&id).unwrap();
            (id, twin)
        })
        .collect();
    let matched: BTreeSet<String> = before
        .iter()
        .filter(|(_, twin)| twin["tags"]["kind"] == "thermostat")
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(matched.len(), 3, "{matched:?}");
    assert!(matched.len() < before.len());

    // A stale etag on purpose: the helper must send `*`, which the service requires.
    let patch = Twin {
        tags: Some(BTreeMap::from([
            ("maintenance".to_owned(), json!({"window": "sunday-02:00"})),
            ("floor".to_owned(), Value::Null),
        ])),
        properties: Some(TwinProperties {
            desired: Some(BTreeMap::from([
                ("setpoint".to_owned(), json!(19)),
                ("mode".to_owned(), json!("eco")),
            ])),
            reported: None,
        }),
        etag: Some("AAAAAAAAAAE=".to_owned()),
        ..Twin::default()
    };
    let start_at = hub.at(60);
    let created = client
        .schedule_twin_update("eco-thermostats", "tags.kind = 'thermostat'", patch)
        .start_time(start_at)
        .await
        .unwrap();
    assert_eq!(created.status, Some(JobStatus::Scheduled));

    // The request as it reached the emulator.
    let puts = hub.requests("PUT", "/jobs/v2/eco-thermostats");
    assert_eq!(puts.len(), 1);
    let sent = puts[0].request_json();
    assert_eq!(sent["type"], "scheduleUpdateTwin");
    assert_eq!(sent["queryCondition"], "tags.kind = 'thermostat'");
    assert_eq!(sent["updateTwin"]["etag"], "*", "{sent}");
    assert_eq!(
        sent["updateTwin"]["tags"],
        json!({"floor": null, "maintenance": {"window": "sunday-02:00"}})
    );
    assert_eq!(
        sent["updateTwin"]["properties"]["desired"],
        json!({"mode": "eco", "setpoint": 19})
    );
    let stored = hub.emulator.job("eco-thermostats").unwrap();
    assert_eq!(stored.update_twin.unwrap().etag.as_deref(), Some("*"));

    // Nothing changes before the start time.
    for (id, twin) in &before {
        assert_eq!(hub.emulator.twin_json(id).as_ref(), Some(twin), "{id}");
    }

    // 30 emulator seconds per poll: scheduled, scheduled, completed at +60 s.
    let driver = hub.drive(on_each_poll_of("eco-thermostats", Duration::from_secs(30)));
    let job = client
        .wait_for_job("eco-thermostats", POLL, WAIT_BOUND)
        .await
        .unwrap();
    assert_eq!(hub.stop_driving(driver).await, 3);
    assert_eq!(job.status, Some(JobStatus::Completed), "{job:?}");
    assert_eq!(job.end_time, Some(start_at));
    let n = i32::try_from(matched.len()).unwrap();
    assert_eq!(stats(job.device_job_statistics.as_ref()), (n, 0, 0, n, 0));
    let results = hub.emulator.device_results("eco-thermostats").unwrap();
    assert_eq!(
        results
            .iter()
            .map(|r| r.device_id.clone())
            .collect::<BTreeSet<_>>(),
        matched
    );
    assert!(
        results
            .iter()
            .all(|r| r.status == DeviceJobStatus::Succeeded && r.response_status == Some(200))
    );

    // Read back through the library: the matched twins are patched (JSON merge patch, version
    // up by one), the others are exactly as before.
    for (id, old) in &before {
        let now = hub.emulator.twin_json(id).unwrap();
        if matched.contains(id) {
            let mut want = old.clone();
            let tags = want["tags"].as_object_mut().unwrap();
            tags.remove("floor");
            tags.insert("maintenance".to_owned(), json!({"window": "sunday-02:00"}));
            want["properties"]["desired"]["setpoint"] = json!(19);
            want["properties"]["desired"]["mode"] = json!("eco");
            want["version"] = json!(old["version"].as_i64().unwrap() + 1);
            assert_eq!(now, want, "{id}");
            let twin = hub.emulator.twin(id).unwrap();
            assert_eq!(twin.version, Some(old["version"].as_i64().unwrap() + 1));
            let desired = twin.properties.unwrap().desired.unwrap();
            assert_eq!(desired["mode"], "eco");
        } else {
            assert_eq!(&now, old, "{id} is not matched and must not change");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 3. Cancelling a scheduled job.

#[tokio::test]
async fn a_cancelled_scheduled_job_never_runs() {
    let hub = start(manual_config()).await;
    let client = hub.client();
    let start_at = hub.at(60);
    for id in ["reboot-later", "control"] {
        let condition = if id == "control" {
            "deviceId = 'thermostat-44-01'"
        } else {
            "*"
        };
        let created = client
            .schedule_device_method(id, condition, reboot(30, 0))
            .start_time(start_at)
            .await
            .unwrap();
        assert_eq!(created.status, Some(JobStatus::Scheduled));
    }

    hub.emulator.advance(Duration::from_secs(30));
    let cancelled_at = hub.now();
    let cancelled = client.cancel_scheduled_job("reboot-later").await.unwrap();
    assert_eq!(cancelled.status, Some(JobStatus::Cancelled));
    assert_eq!(cancelled.end_time, Some(cancelled_at));
    assert_eq!(
        stats(cancelled.device_job_statistics.as_ref()),
        (0, 0, 0, 0, 0)
    );

    // Well past the start time (and past any answer a device would give).
    hub.emulator.advance(Duration::from_secs(600));
    let job = client.get_scheduled_job("reboot-later").await.unwrap();
    assert_eq!(job.status, Some(JobStatus::Cancelled));
    assert_eq!(job.end_time, Some(cancelled_at));
    assert_eq!(stats(job.device_job_statistics.as_ref()), (0, 0, 0, 0, 0));
    assert_eq!(
        hub.emulator.device_results("reboot-later"),
        Some(Vec::new()),
        "no device was ever called"
    );
    // `cancelled` is terminal for wait_for_job: one poll, no clock needed.
    let before = hub.requests("GET", "/jobs/v2/reboot-later").len();
    let waited = client
        .wait_for_job("reboot-later", POLL, WAIT_BOUND)
        .await
        .unwrap();
    assert_eq!(waited.status, Some(JobStatus::Cancelled));
    assert_eq!(
        hub.requests("GET", "/jobs/v2/reboot-later").len(),
        before + 1
    );
    // Cancelling again returns it unchanged.
    let again = client.cancel_scheduled_job("reboot-later").await.unwrap();
    assert_eq!(again.end_time, Some(cancelled_at));
    let cancelled: Vec<JobResponse> = client
        .query_scheduled_jobs()
        .job_status(JobStatus::Cancelled)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&cancelled), ["reboot-later"]);

    // The same schedule without the cancel did run.
    let control = client.get_scheduled_job("control").await.unwrap();
    assert_eq!(control.status, Some(JobStatus::Completed));
    assert_eq!(
        stats(control.device_job_statistics.as_ref()),
        (1, 0, 0, 1, 0)
    );
    assert_eq!(hub.emulator.device_results("control").unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------
// 4. Paging.

#[tokio::test]
async fn paging_through_250_jobs_in_pages_of_100() {
    let hub = start(manual_config().with_max_active_jobs(1000)).await;
    let client = hub.client();
    let start_at = hub.at(3600);
    let created: Vec<String> = (0..250).map(|i| format!("page-job-{i:03}")).collect();
    for id in &created {
        client
            .schedule_device_method(id, "*", reboot(30, 0))
            .start_time(start_at)
            .await
            .unwrap();
    }

    // The stream follows the continuation tokens.
    let before = hub.exchanges().len();
    let streamed: Vec<JobResponse> = client
        .query_scheduled_jobs()
        .page_size(100)
        .try_collect()
        .await
        .unwrap();
    let streamed_ids = ids(&streamed);
    assert_eq!(streamed_ids.len(), 250);
    let unique: BTreeSet<&String> = streamed_ids.iter().collect();
    assert_eq!(unique.len(), 250, "every job once");
    assert_eq!(streamed_ids, created, "in creation order");
    let queries: Vec<Exchange> = hub.exchanges()[before..]
        .iter()
        .filter(|e| e.is("GET", "/jobs/v2/query"))
        .cloned()
        .collect();
    assert_eq!(queries.len(), 3, "three pages fetched");
    assert!(
        queries
            .iter()
            .all(|q| q.request_header("x-ms-max-item-count") == Some("100") && q.status == 200)
    );
    assert_eq!(queries[0].request_header("x-ms-continuation"), None);
    for pair in queries.windows(2) {
        let token = pair[0].response_header("x-ms-continuation");
        assert!(token.is_some());
        assert_eq!(pair[1].request_header("x-ms-continuation"), token);
    }
    assert_eq!(queries[2].response_header("x-ms-continuation"), None);

    // Page by page.
    let first = client
        .query_scheduled_jobs_page()
        .page_size(100)
        .await
        .unwrap();
    let t1 = first
        .x_ms_continuation
        .clone()
        .expect("a token after page 1");
    let second = client
        .query_scheduled_jobs_page()
        .page_size(100)
        .continuation(&t1)
        .await
        .unwrap();
    let t2 = second
        .x_ms_continuation
        .clone()
        .expect("a token after page 2");
    assert_ne!(t1, t2);
    let third = client
        .query_scheduled_jobs_page()
        .page_size(100)
        .continuation(&t2)
        .await
        .unwrap();
    assert_eq!(third.x_ms_continuation, None, "the last page has no token");
    let pages = [&first, &second, &third];
    assert_eq!(pages.map(|p| p.body.len()), [100, 100, 50]);
    assert!(
        pages
            .iter()
            .all(|p| p.x_ms_item_type.as_deref() == Some("JobResponse"))
    );
    assert_eq!(
        [ids(&first.body), ids(&second.body), ids(&third.body)].concat(),
        streamed_ids
    );
    assert_eq!(
        [Some(t1.as_str()), Some(t2.as_str())],
        [
            queries[0].response_header("x-ms-continuation"),
            queries[1].response_header("x-ms-continuation")
        ],
        "the same positions give the same tokens"
    );
}

// ---------------------------------------------------------------------------------------
// 5. The active-job limit.

#[tokio::test]
async fn the_active_job_limit_is_429_and_retries_succeed_once_the_running_job_finishes() {
    let hub = start(manual_config().with_max_active_jobs(1)).await;
    let now = hub.now();
    // The one slot: thermostat-43-01 answers `reboot` after 1 s.
    hub.client()
        .schedule_device_method(
            "holds-the-slot",
            "deviceId = 'thermostat-43-01'",
            reboot(30, 0),
        )
        .start_time(now)
        .await
        .unwrap();
    assert_eq!(
        hub.emulator.job("holds-the-slot").unwrap().status,
        Some(JobStatus::Running)
    );

    // Retries off: the 429 comes back at once.
    let strict = hub.client().with_retry_policy(RetryPolicy::none());
    let refused = strict
        .schedule_device_method("next-job", "*", reboot(30, 0))
        .start_time(now)
        .await;
    let info = expect_status(refused, 429, "ThrottlingMaxActiveJobCountExceeded", true);
    assert_eq!(info.numeric_code, None, "envelope A has no numeric code");
    let puts = hub.requests("PUT", "/jobs/v2/next-job");
    assert_eq!(puts.iter().map(|e| e.status).collect::<Vec<_>>(), [429]);

    // Retries on, small delays: the helper task finishes the running job when it sees the
    // first 429 (before the client gets it), so the next attempt succeeds.
    let retrying = hub.client().with_retry_policy(
        Client::default_retry_policy()
            .max_attempts(10)
            .delays(Duration::from_millis(1), Duration::from_millis(10)),
    );
    let driver = hub.drive(|e| {
        (e.is("PUT", "/jobs/v2/next-job") && e.status == 429).then_some(Duration::from_secs(2))
    });
    let created = retrying
        .schedule_device_method("next-job", "*", reboot(30, 0))
        .start_time(now)
        .await
        .expect("the create succeeds after backing off");
    assert_eq!(hub.stop_driving(driver).await, 1);
    assert_eq!(created.job_id.as_deref(), Some("next-job"));
    let attempts: Vec<u16> = hub.requests("PUT", "/jobs/v2/next-job")[1..]
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(
        attempts,
        [429, 200],
        "more than one attempt, the last one created"
    );
    assert_eq!(
        hub.emulator.job("holds-the-slot").unwrap().status,
        Some(JobStatus::Completed)
    );
    assert!(hub.emulator.job("next-job").is_some());
}

// ---------------------------------------------------------------------------------------
// 6. Every operation and every error kind.

fn export_request() -> JobProperties {
    JobProperties {
        r#type: JobType::Export,
        output_blob_container_uri: Some("https://account.blob.core.windows.net/out?sv=x".into()),
        exclude_keys_in_export: Some(true),
        job_id: None,
        start_time_utc: None,
        end_time_utc: None,
        status: None,
        progress: None,
        input_blob_container_uri: None,
        input_blob_name: None,
        output_blob_name: None,
        storage_authentication_type: None,
        identity: None,
        failure_reason: None,
        include_configurations: None,
        configurations_blob_name: None,
    }
}

#[tokio::test]
async fn every_operation_and_every_error_kind_through_the_client() {
    let hub = start(manual_config()).await;
    let client = hub.client();
    let later = hub.at(600);
    let request = JobRequest {
        job_id: "op-job".to_owned(),
        r#type: JobType::ScheduleDeviceMethod,
        cloud_to_device_method: Some(reboot(30, 0)),
        query_condition: Some("tags.building = '44'".to_owned()),
        start_time: Some(later),
        max_execution_time_in_seconds: Some(600),
        update_twin: None,
    };

    // Scheduled jobs: create, get, query, cancel.
    let created = client
        .create_scheduled_job("op-job", &request)
        .await
        .unwrap();
    assert_eq!(created.status, Some(JobStatus::Scheduled));
    assert_eq!(created.start_time, Some(later));
    let fetched = client.get_scheduled_job("op-job").await.unwrap();
    assert_eq!(fetched.job_id.as_deref(), Some("op-job"));
    assert_eq!(fetched.max_execution_time_in_seconds, Some(600));
    let page = client
        .query_scheduled_jobs_page()
        .job_type(JobType::ScheduleDeviceMethod)
        .job_status(JobStatus::Scheduled)
        .page_size(10)
        .await
        .unwrap();
    assert_eq!(ids(&page.body), ["op-job"]);
    assert_eq!(page.x_ms_continuation, None);
    let cancelled = client.cancel_scheduled_job("op-job").await.unwrap();
    assert_eq!(cancelled.status, Some(JobStatus::Cancelled));

    // Import/export jobs: create, list, get, cancel.
    let export = client
        .create_import_export_job(&export_request())
        .await
        .unwrap();
    let export_id = export.job_id.clone().unwrap();
    assert_eq!(export.status, Some(JobStatus::Enqueued));
    let listed = client.get_import_export_jobs().await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|j| j.job_id.as_deref().unwrap())
            .collect::<Vec<_>>(),
        [export_id.as_str()]
    );
    let got = client.get_import_export_job(&export_id).await.unwrap();
    assert_eq!(
        got.output_blob_container_uri,
        export.output_blob_container_uri
    );

    // 429: a second import/export job while one is active. The create is not idempotent, so
    // even the default retry policy sends it once; the error still says it is retryable.
    let posts_before = hub.requests("POST", "/jobs/create").len();
    expect_status(
        client.create_import_export_job(&export_request()).await,
        429,
        "ThrottlingMaxActiveJobCountExceeded",
        true,
    );
    assert_eq!(hub.requests("POST", "/jobs/create").len(), posts_before + 1);

    match client.cancel_import_export_job(&export_id).await.unwrap() {
        CancelImportExportJobResponse::Ok(job) => {
            assert_eq!(job["jobId"], export_id.as_str());
            assert_eq!(job["status"], "cancelled");
        }
        other => panic!("expected 200 with the job, got {other:?}"),
    }
    assert_eq!(
        hub.emulator.import_export_job(&export_id).unwrap().status,
        Some(JobStatus::Cancelled)
    );

    // 401: a token signed with the wrong key, and a token that is not a SAS token at all.
    let wrong_key = format!(
        "HostName={};SharedAccessKeyName={};SharedAccessKey={}",
        hub.emulator.host_name(),
        hub.emulator.policies()[0].name(),
        "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktMDA="
    );
    let intruder = Client::from_connection_string_with_endpoint(&wrong_key, &hub.endpoint).unwrap();
    expect_status(
        intruder.get_scheduled_job("op-job").await,
        401,
        "IotHubUnauthorizedAccess",
        false,
    );
    let garbage = Client::new(&hub.endpoint)
        .unwrap()
        .with_credential(StaticCredential::new("SharedAccessSignature sig=nonsense").unwrap());
    expect_status(
        garbage.get_import_export_jobs().await,
        401,
        "IotHubUnauthorizedAccess",
        false,
    );

    // 404 JobNotFound on both APIs (envelope B at the top level, and inside `Message`).
    for info in [
        expect_status(
            client.get_scheduled_job("no-such-job").await,
            404,
            "JobNotFound",
            false,
        ),
        expect_status(
            client.cancel_scheduled_job("no-such-job").await,
            404,
            "JobNotFound",
            false,
        ),
        expect_status(
            client.get_import_export_job("no-such-job").await,
            404,
            "JobNotFound",
            false,
        ),
        expect_status(
            client.cancel_import_export_job("no-such-job").await,
            404,
            "JobNotFound",
            false,
        ),
    ] {
        assert_eq!(info.numeric_code, Some(404_002));
        assert_eq!(
            info.message.as_deref(),
            Some("Job with id 'no-such-job' not found")
        );
    }

    // 400 ArgumentInvalid: a bad job id. The helper refuses it without sending anything;
    // sent raw through `create_scheduled_job`, the emulator refuses it.
    let sent_before = hub.exchanges().len();
    let refused = client
        .schedule_device_method("bad_id", "*", reboot(30, 0))
        .start_time(later)
        .await;
    assert!(
        matches!(refused, Err(Error::InvalidInput(_))),
        "{refused:?}"
    );
    assert_eq!(hub.exchanges().len(), sent_before, "nothing was sent");
    let bad = JobRequest {
        job_id: "bad_id".to_owned(),
        ..request.clone()
    };
    let info = expect_status(
        client.create_scheduled_job("bad_id", &bad).await,
        400,
        "ArgumentInvalid",
        false,
    );
    assert!(info.message.unwrap().contains("job id"));

    // 400 ArgumentInvalid: an api-version the emulator does not support.
    let old = client.clone().with_api_version("2019-03-30");
    let info = expect_status(
        old.get_scheduled_job("op-job").await,
        400,
        "ArgumentInvalid",
        false,
    );
    assert!(info.message.unwrap().contains("2019-03-30"));
    let last = hub.exchanges().pop().unwrap();
    assert_eq!(last.query.as_deref(), Some("api-version=2019-03-30"));

    // 409: the id exists (even though that job is over).
    let info = expect_status(
        client.create_scheduled_job("op-job", &request).await,
        409,
        "JobAlreadyExists",
        false,
    );
    assert_eq!(info.numeric_code, None);
}

// ---------------------------------------------------------------------------------------
// 7. The example.

/// The example, and the binary whose output it reads: the two variables must keep their
/// names on both sides.
const EXAMPLE_SOURCE: &str = include_str!("../../../generated/examples/schedule_direct_method.rs");
const BINARY_SOURCE: &str = include_str!("../src/main.rs");

/// The example's poll interval: each poll here moves the emulator clock by that much.
const EXAMPLE_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// The example's steps, repeated here against the emulator (the example's own binary is not
/// run: it waits on real time): its source is checked to read the two variables the
/// emulator's binary prints and to build its client from them, and then the same calls, in
/// the same order, schedule a job and wait for it.
#[tokio::test]
async fn the_examples_steps_work_against_the_emulator_from_the_printed_variables() {
    for name in ["IOTHUB_ENDPOINT", "IOTHUB_CONNECTION_STRING"] {
        assert!(
            EXAMPLE_SOURCE.contains(&format!("std::env::var(\"{name}\")")),
            "the example reads {name}"
        );
        assert!(
            BINARY_SOURCE.contains(&format!("\"{name}={{}}\"")),
            "the binary prints {name}"
        );
    }
    assert!(
        EXAMPLE_SOURCE
            .contains("Client::from_connection_string_with_endpoint(&connection_string, endpoint)"),
        "the example builds its client from both variables"
    );

    let hub = start(manual_config()).await;
    // The two lines the binary prints, from the library's values.
    let printed = format!(
        "IOTHUB_ENDPOINT={}\nIOTHUB_CONNECTION_STRING={}\n",
        hub.endpoint,
        hub.emulator.connection_string()
    );
    let vars: HashMap<&str, &str> = printed
        .lines()
        .filter_map(|line| line.split_once('='))
        .collect();

    // From here on, as the example does.
    let connection_string = vars
        .get("IOTHUB_CONNECTION_STRING")
        .map(|v| (*v).to_owned())
        .expect("set IOTHUB_CONNECTION_STRING");
    let endpoint = vars
        .get("IOTHUB_ENDPOINT")
        .map(|v| (*v).to_owned())
        .filter(|e| !e.trim().is_empty());
    let method_name = "reboot".to_owned();
    let condition = "deviceId IN ['thermostat-43-01', 'thermostat-43-02']";
    let client = match endpoint.as_deref() {
        Some(endpoint) => {
            Client::from_connection_string_with_endpoint(&connection_string, endpoint)
        }
        None => Client::from_connection_string(&connection_string),
    }
    .expect("the example's client");
    assert_eq!(client.base_url().as_str(), format!("{}/", hub.endpoint));
    assert_eq!(client.retry_policy(), &Client::default_retry_policy());

    let job_id = format!(
        "direct-method-{}-{:08x}",
        Utc::now().format("%Y%m%dT%H%M%S"),
        fastrand::u32(..)
    );
    let method = CloudToDeviceMethod {
        method_name: method_name.clone(),
        payload: Some(json!({})),
        response_timeout_in_seconds: Some(30),
        connect_timeout_in_seconds: Some(30),
    };
    let created = client
        .schedule_device_method(&job_id, condition, method)
        .await
        .expect("scheduling the example's job");
    // Its start time is the system clock's now, a little after the emulator's.
    let start_at = created.start_time.unwrap();
    assert!(start_at >= created.created_time.unwrap());

    let driver = hub.drive(on_each_poll_of(&job_id, EXAMPLE_POLL_INTERVAL));
    let job = client
        .wait_for_job(&job_id, POLL, WAIT_BOUND)
        .await
        .expect("waiting for the example's job");
    let polls = hub.stop_driving(driver).await;
    assert!((1..MAX_ADVANCES).contains(&polls), "{polls}");

    // What the example prints and checks: JSON, and `completed`.
    let printed_job: Value =
        serde_json::from_str(&serde_json::to_string_pretty(&job).unwrap()).unwrap();
    assert_eq!(printed_job["jobId"], job_id.as_str());
    assert_eq!(job.status, Some(JobStatus::Completed), "{job:?}");
    assert_eq!(stats(job.device_job_statistics.as_ref()), (2, 0, 0, 2, 0));
    // "That job completes in about 2 s": thermostat-43-02 answers `reboot` after 2 s.
    assert_eq!(job.end_time, Some(start_at + chrono::Duration::seconds(2)));
    assert_eq!(job.max_execution_time_in_seconds, Some(3600));
}
