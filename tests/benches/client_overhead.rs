//! Per-request overhead of the generated client against a hand-written reqwest call making
//! the same request, side by side in one run, over loopback HTTP.
//!
//! `cargo bench -p workspace-tests --bench client_overhead [-- ROUNDS REQUESTS]`
//!
//! Both sides send `GET /jobs/v2/{id}?api-version=2021-04-12` with the same `Authorization`
//! header through one shared `reqwest::Client` and decode the same JSON body into
//! `iothub_jobs::models::JobResponse`. Rounds alternate between the two so that machine noise
//! hits both alike; the report gives per-request medians and their ratio.

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use iothub_jobs::models::JobResponse;
use iothub_jobs::{Client, StaticCredential};

const SAS: &str =
    "SharedAccessSignature sr=bench.azure-devices.net&sig=abc%3D&se=4102444800&skn=iothubowner";

const BODY: &str = r#"{"jobId":"job01","queryCondition":"deviceId IN ['d1','d2']","createdTime":"2022-05-04T15:53:00.077Z","startTime":"2022-05-04T15:53:00.077Z","endTime":"2022-05-04T15:54:00.001Z","maxExecutionTimeInSeconds":3600,"type":"scheduleDeviceMethod","cloudToDeviceMethod":{"methodName":"reboot","payload":{"delay":5},"responseTimeoutInSeconds":30,"connectTimeoutInSeconds":30},"status":"completed","deviceJobStatistics":{"deviceCount":2,"failedCount":0,"succeededCount":2,"runningCount":0,"pendingCount":0}}"#;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rounds = args.first().copied().unwrap_or(30);
    let requests = args.get(1).copied().unwrap_or(200);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(rounds, requests));
}

async fn run(rounds: usize, requests: usize) {
    let app = Router::new().route(
        "/jobs/v2/{id}",
        get(|| async { ([("content-type", "application/json")], BODY) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("server") });
    let base = format!("http://{address}");

    let http = reqwest::Client::new();
    let generated = Client::with_http_client(&base, http.clone())
        .expect("client")
        .with_credential(StaticCredential::new(SAS).expect("header value"));
    let url = format!("{base}/jobs/v2/job01");

    let hand_written = |http: reqwest::Client, url: String| async move {
        let response = http
            .get(&url)
            .query(&[("api-version", "2021-04-12")])
            .header(reqwest::header::AUTHORIZATION, SAS)
            .send()
            .await
            .expect("response");
        assert!(response.status().is_success());
        let bytes = response.bytes().await.expect("body");
        serde_json::from_slice::<JobResponse>(&bytes).expect("decodes")
    };

    // Warm up connections and allocations on both sides.
    for _ in 0..requests {
        generated
            .get_scheduled_job("job01")
            .await
            .expect("generated call");
        hand_written(http.clone(), url.clone()).await;
    }

    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for round in 0..rounds {
        let measure_ours = || async {
            let start = Instant::now();
            for _ in 0..requests {
                let job = generated
                    .get_scheduled_job("job01")
                    .await
                    .expect("generated call");
                std::hint::black_box(job);
            }
            start.elapsed()
        };
        let measure_theirs = || async {
            let start = Instant::now();
            for _ in 0..requests {
                std::hint::black_box(hand_written(http.clone(), url.clone()).await);
            }
            start.elapsed()
        };
        // Alternate which side goes first.
        let (a, b): (Duration, Duration) = if round % 2 == 0 {
            let a = measure_ours().await;
            (a, measure_theirs().await)
        } else {
            let b = measure_theirs().await;
            (measure_ours().await, b)
        };
        ours.push(a.as_secs_f64() * 1e6 / requests as f64);
        theirs.push(b.as_secs_f64() * 1e6 / requests as f64);
    }
    let (ours_median, theirs_median) = (median(ours.clone()), median(theirs.clone()));
    let ratios: Vec<f64> = ours.iter().zip(&theirs).map(|(a, b)| a / b).collect();
    let spread = |v: &[f64]| {
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = v.iter().copied().fold(0.0, f64::max);
        format!("{min:.1}–{max:.1}")
    };
    println!("| client | median µs/request | range over rounds |");
    println!("| --- | --- | --- |");
    println!(
        "| generated (`get_scheduled_job`) | {ours_median:.1} | {} |",
        spread(&ours)
    );
    println!(
        "| hand-written reqwest | {theirs_median:.1} | {} |",
        spread(&theirs)
    );
    println!();
    println!(
        "ratio generated / hand-written: median of per-round ratios {:.3} (range {}); {rounds} rounds × {requests} requests",
        median(ratios.clone()),
        {
            let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
            let max = ratios.iter().copied().fold(0.0, f64::max);
            format!("{min:.3}–{max:.3}")
        }
    );
}
