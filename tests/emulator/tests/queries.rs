// Hand-written test infrastructure (not generated): tests of job queries in the emulator.
//! `GET /jobs/v2/query` through the generated client: filters by `jobType` and `jobStatus`,
//! paging with `x-ms-max-item-count` and `x-ms-continuation` as spec/ describes (a JSON
//! array per page, the next token in the response header, none on the last page).

mod common;

use std::collections::BTreeSet;

use common::{Hub, method_job, start, twin_job};
use futures::TryStreamExt as _;
use iothub_jobs::models::{JobResponse, JobStatus, JobType, Twin};

async fn hub_with_jobs(count: usize) -> Hub {
    let hub = start(common::manual_config().with_max_active_jobs(10_000)).await;
    let start_at = hub.at(3600);
    for i in 0..count {
        let id = format!("job-{i:04}");
        let request = if i % 3 == 0 {
            twin_job(&id, "*", Twin::default(), start_at)
        } else {
            method_job(&id, "*", "reboot", start_at, 30, 0, None)
        };
        hub.client
            .create_scheduled_job(&id, &request)
            .await
            .unwrap();
        if i % 5 == 0 {
            hub.client.cancel_scheduled_job(&id).await.unwrap();
        }
    }
    hub
}

fn ids(jobs: &[JobResponse]) -> Vec<String> {
    jobs.iter().map(|j| j.job_id.clone().unwrap()).collect()
}

#[tokio::test]
async fn pages_of_100_over_250_jobs() {
    let hub = hub_with_jobs(250).await;
    let mut pages = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request = hub.client.query_scheduled_jobs_page().page_size(100);
        if let Some(token) = &token {
            request = request.continuation(token);
        }
        let page = request.await.unwrap();
        assert_eq!(page.x_ms_item_type.as_deref(), Some("JobResponse"));
        pages.push(ids(&page.body));
        match page.x_ms_continuation {
            Some(next) => token = Some(next),
            None => break,
        }
        assert!(pages.len() < 10, "paging does not end");
    }
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        [100, 100, 50],
        "three pages, the last without a token"
    );
    let all: Vec<String> = pages.concat();
    let expected: Vec<String> = (0..250).map(|i| format!("job-{i:04}")).collect();
    assert_eq!(all, expected, "every job once, in creation order");

    // The stream follows the tokens too.
    let streamed: Vec<JobResponse> = hub
        .client
        .query_scheduled_jobs()
        .page_size(100)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&streamed), expected);

    // Without x-ms-max-item-count the page size is 100.
    let first = hub.client.query_scheduled_jobs_page().await.unwrap();
    assert_eq!(first.body.len(), 100);
    assert!(first.x_ms_continuation.is_some());

    // Jobs created between pages show up at the end, once.
    let page = hub
        .client
        .query_scheduled_jobs_page()
        .page_size(200)
        .await
        .unwrap();
    let request = method_job("job-late", "*", "reboot", hub.at(3600), 30, 0, None);
    hub.client
        .create_scheduled_job("job-late", &request)
        .await
        .unwrap();
    let rest = hub
        .client
        .query_scheduled_jobs_page()
        .page_size(200)
        .continuation(page.x_ms_continuation.clone().unwrap())
        .await
        .unwrap();
    assert_eq!(rest.body.len(), 51);
    assert_eq!(
        rest.body.last().unwrap().job_id.as_deref(),
        Some("job-late")
    );
    assert_eq!(rest.x_ms_continuation, None);
}

#[tokio::test]
async fn filters_by_type_and_status() {
    let hub = hub_with_jobs(30).await;
    // The test advances the clock past an hour: tokens must follow the emulator's clock.
    let client = hub.clock_following_client();
    let query = |job_type: Option<&'static str>, status: Option<&'static str>| {
        let client = client.clone();
        async move {
            // Values as the wire carries them: outside the enums (PascalCase, `Canceled`)
            // they are `Other`.
            let job_type: Option<JobType> =
                job_type.map(|t| serde_json::from_value(t.into()).unwrap());
            let status: Option<JobStatus> =
                status.map(|s| serde_json::from_value(s.into()).unwrap());
            let mut stream = client.query_scheduled_jobs().page_size(7);
            if let Some(job_type) = job_type {
                stream = stream.job_type(job_type);
            }
            if let Some(status) = status {
                stream = stream.job_status(status);
            }
            let jobs: Vec<JobResponse> = stream.try_collect().await.unwrap();
            jobs
        }
    };
    let twins = query(Some("scheduleUpdateTwin"), None).await;
    assert_eq!(twins.len(), 10);
    assert!(
        twins
            .iter()
            .all(|j| j.r#type.as_ref().unwrap().as_str() == "scheduleUpdateTwin")
    );
    let methods = query(Some("scheduleDeviceMethod"), None).await;
    assert_eq!(methods.len(), 20);
    let cancelled = query(None, Some("cancelled")).await;
    assert_eq!(cancelled.len(), 6);
    assert!(
        cancelled
            .iter()
            .all(|j| j.status.as_ref().unwrap().as_str() == "cancelled")
    );
    assert_eq!(query(None, Some("scheduled")).await.len(), 24);
    // i % 15 == 0 is both a twin update and cancelled: 0 and 15.
    let both = query(Some("scheduleUpdateTwin"), Some("cancelled")).await;
    assert_eq!(ids(&both), ["job-0000", "job-0015"]);
    // Case does not matter (C# sends PascalCase); `canceled` is `cancelled`.
    assert_eq!(
        query(Some("ScheduleUpdateTwin"), Some("Canceled"))
            .await
            .len(),
        2
    );
    assert!(query(Some("export"), None).await.is_empty());
    assert!(query(None, Some("completed")).await.is_empty());

    // Statuses change as the clock moves: at the start time the jobs run and finish.
    hub.emulator
        .advance(std::time::Duration::from_secs(3600 + 60));
    let completed: BTreeSet<String> = ids(&query(None, Some("completed")).await)
        .into_iter()
        .collect();
    assert_eq!(completed.len(), 24);
    assert!(query(None, Some("scheduled")).await.is_empty());
}
