// Hand-written test infrastructure (not generated): concurrency tests of the emulator.
//! Many clients at once over real HTTP on 127.0.0.1: 1,000 concurrent jobs created, cancelled,
//! fetched and queried (plus racing duplicate creates) end with every job accounted for
//! exactly once; the active-job limit holds exactly under a burst of creates.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use common::{hub_error, method_job, start};
use futures::TryStreamExt as _;
use iothub_jobs::models::{JobResponse, JobStatus};

const JOBS: usize = 1000;
const DUPLICATES: usize = 200;

/// What each job should end as: even ids are cancelled before they start, `i % 4 == 1` start
/// at once on one device and complete, the others stay scheduled.
fn expected_status(i: usize) -> &'static str {
    match i % 4 {
        0 | 2 => "cancelled",
        1 => "completed",
        _ => "scheduled",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_creates_cancels_and_queries_account_for_every_job_once() {
    let began = Instant::now();
    let hub = start(common::manual_config().with_max_active_jobs(100_000)).await;
    let now = hub.now();
    let later = hub.at(3600);
    let request_for = move |i: usize| {
        let id = format!("job-{i:04}");
        let (condition, start) = if i % 4 == 1 {
            ("deviceId = 'thermostat-43-01'", now)
        } else {
            ("*", later)
        };
        (
            id.clone(),
            method_job(&id, condition, "ping", start, 30, 0, None),
        )
    };

    let mut tasks = Vec::new();
    for i in 0..JOBS {
        let client = hub.client.clone();
        let (id, request) = request_for(i);
        tasks.push(tokio::spawn(async move {
            let created = client.create_scheduled_job(&id, &request).await;
            if i % 2 == 0 {
                let cancelled = client.cancel_scheduled_job(&id).await.unwrap();
                assert_eq!(cancelled.status.unwrap().as_str(), "cancelled", "{id}");
            }
            let fetched = client.get_scheduled_job(&id).await.unwrap();
            assert_eq!(fetched.job_id.as_deref(), Some(id.as_str()));
            // A page of whatever exists at this moment, filtered, never fails.
            let status = &[
                JobStatus::Scheduled,
                JobStatus::Cancelled,
                JobStatus::Completed,
                JobStatus::Running,
            ][i % 4];
            let page = client
                .query_scheduled_jobs_page()
                .job_status(status.clone())
                .page_size(50)
                .await
                .unwrap();
            assert!(page.body.len() <= 50);
            assert!(page.body.iter().all(|j| j.status.as_ref() == Some(status)));
            (i, created.is_ok())
        }));
    }
    // Racing duplicates of the first ids: each id is created exactly once, the other
    // attempt gets 409.
    for i in 0..DUPLICATES {
        let client = hub.client.clone();
        let (id, request) = request_for(i);
        tasks.push(tokio::spawn(async move {
            let created = client.create_scheduled_job(&id, &request).await;
            if let Err(error) = &created {
                let seen = hub_error(error);
                assert_eq!(
                    (seen.status, seen.header.as_deref()),
                    (409, Some("JobAlreadyExists"))
                );
            }
            (i, created.is_ok())
        }));
    }
    // The clock ticking meanwhile.
    let ticker = {
        let emulator = hub.emulator.clone();
        tokio::spawn(async move {
            for _ in 0..200 {
                emulator.advance(Duration::from_millis(10));
                tokio::task::yield_now().await;
            }
        })
    };

    let mut created_per_id: BTreeMap<usize, usize> = BTreeMap::new();
    for task in tasks {
        let (i, created) = task.await.expect("task panicked");
        *created_per_id.entry(i).or_default() += usize::from(created);
    }
    ticker.await.unwrap();
    assert_eq!(created_per_id.len(), JOBS);
    assert!(
        created_per_id.values().all(|n| *n == 1),
        "every id created exactly once: {:?}",
        created_per_id
            .iter()
            .filter(|(_, n)| **n != 1)
            .collect::<Vec<_>>()
    );

    // Every job appears exactly once across the pages, with the status it must have.
    let all: Vec<JobResponse> = hub
        .client
        .query_scheduled_jobs()
        .page_size(100)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), JOBS);
    let unique: BTreeSet<&str> = all.iter().map(|j| j.job_id.as_deref().unwrap()).collect();
    assert_eq!(unique.len(), JOBS, "no job twice");
    let expected: BTreeSet<String> = (0..JOBS).map(|i| format!("job-{i:04}")).collect();
    assert_eq!(
        unique
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<BTreeSet<_>>(),
        expected
    );
    for job in &all {
        let id = job.job_id.as_deref().unwrap();
        let i: usize = id["job-".len()..].parse().unwrap();
        assert_eq!(
            job.status.as_ref().unwrap().as_str(),
            expected_status(i),
            "{id}"
        );
    }
    // The filtered queries partition the same set.
    let mut by_status = 0;
    for wanted in [
        JobStatus::Cancelled,
        JobStatus::Completed,
        JobStatus::Scheduled,
    ] {
        let status = wanted.as_str();
        let jobs: Vec<JobResponse> = hub
            .client
            .query_scheduled_jobs()
            .job_status(wanted.clone())
            .page_size(100)
            .try_collect()
            .await
            .unwrap();
        let want = (0..JOBS).filter(|i| expected_status(*i) == status).count();
        assert_eq!(jobs.len(), want, "{status}");
        by_status += jobs.len();
    }
    assert_eq!(by_status, JOBS);
    eprintln!(
        "{JOBS} concurrent jobs accounted for in {:?}",
        began.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_active_job_limit_holds_under_a_burst() {
    let hub = start(common::manual_config().with_max_active_jobs(100)).await;
    let later = hub.at(600);
    let tasks: Vec<_> = (0..400)
        .map(|i| {
            let client = hub.client.clone();
            tokio::spawn(async move {
                let id = format!("burst-{i}");
                let request = method_job(&id, "*", "reboot", later, 30, 0, None);
                match client.create_scheduled_job(&id, &request).await {
                    Ok(_) => true,
                    Err(error) => {
                        let seen = hub_error(&error);
                        assert_eq!(seen.status, 429);
                        assert_eq!(
                            seen.header.as_deref(),
                            Some("ThrottlingMaxActiveJobCountExceeded")
                        );
                        false
                    }
                }
            })
        })
        .collect();
    let mut accepted = 0;
    for task in tasks {
        accepted += usize::from(task.await.unwrap());
    }
    assert_eq!(accepted, 100);
    let all: Vec<JobResponse> = hub
        .client
        .query_scheduled_jobs()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 100);
}
