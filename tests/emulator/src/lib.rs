// Hand-written test infrastructure (not generated): the IoT Hub Jobs emulator library.
//! A local IoT Hub Jobs emulator: a real HTTP service on loopback that behaves like IoT Hub's
//! Jobs API (api-version 2021-04-12), for tests and demos.
//!
//! - **Contract**: it implements the generated [`iothub_jobs::server::Api`] and is served by
//!   the generated [`iothub_jobs::server::router`], so it decodes and answers exactly what
//!   `spec/iothub-jobs.yaml` describes.
//! - **Authentication**: SAS tokens are checked against the configured policies and their
//!   permissions ([`auth`]), bearer tokens (standing in for Microsoft Entra ID tokens) against
//!   the configured ones ([`bearer`]); errors come in IoT Hub's envelopes ([`errors`]), also for bodies
//!   that are too large or not JSON ([`body`]).
//! - **Devices**: a [`Registry`] loaded from JSON says what each device looks like and how it
//!   answers direct methods.
//! - **Jobs**: scheduled jobs, direct methods, twin updates and import/export jobs move
//!   along as the [`Clock`] does ([`engine`]); with a [`ManualClock`], a test calls
//!   [`Emulator::advance`] instead of sleeping.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use std::time::Duration;
//! use iothub_emulator::{Config, Emulator, ManualClock, Registry};
//!
//! let clock = ManualClock::starting_now();
//! let emulator = Emulator::new(Config::default().with_clock(clock).with_registry(Registry::demo()));
//! let server = emulator.serve_loopback().await?;
//! let client = iothub_jobs::Client::from_connection_string_with_endpoint(
//!     &emulator.connection_string(),
//!     &server.endpoint(),
//! )
//! .unwrap();
//! // ... create jobs with `client`, then:
//! emulator.advance(Duration::from_secs(30));
//! # Ok(()) }
//! ```

pub mod api;
pub mod auth;
pub mod bearer;
pub mod body;
pub mod clock;
pub mod engine;
pub mod errors;
pub mod hubquery;
pub mod query;
pub mod registry;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use iothub_jobs::models::{JobProperties, JobResponse, Twin};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use auth::{DEMO_KEY, DEMO_POLICY, Permissions, Policy};
pub use bearer::BearerToken;
pub use clock::{Clock, ManualClock, SasClock, SystemClock};
pub use engine::{DeviceJobFailure, DeviceJobResult, DeviceJobStatus};
pub use registry::{Device, Registry};

/// The host name the emulator answers as unless told otherwise (the SAS resource).
pub const DEFAULT_HOST_NAME: &str = "emulator.azure-devices.net";

/// The api-version the emulator accepts unless told otherwise.
pub const DEFAULT_API_VERSION: &str = "2021-04-12";

/// How the emulator is set up. Start from [`Config::default`] and change what a test needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The hub's host name: the resource (`sr`) every SAS token must name, and the
    /// `HostName` of [`Emulator::connection_string`]. Default [`DEFAULT_HOST_NAME`].
    pub host_name: String,
    /// The shared access policies whose keys may sign tokens; the first one is used for
    /// [`Emulator::connection_string`]. Default: [`Policy::hub_defaults`], the five policies
    /// of a new hub with their permissions, `iothubowner` ([`Policy::demo`], every
    /// permission, [`DEMO_KEY`]) first.
    pub policies: Vec<Policy>,
    /// The bearer tokens accepted in place of Microsoft Entra ID tokens
    /// (`Authorization: Bearer …`), each with its permissions. Default none: every bearer
    /// token is refused (401).
    pub bearer_tokens: Vec<BearerToken>,
    /// The devices. Default [`Registry::demo`].
    pub registry: Registry,
    /// The clock. Default [`SystemClock`]; tests use a [`ManualClock`].
    pub clock: Arc<dyn Clock>,
    /// How many scheduled jobs may be active (scheduled, queued or running) at once; creating
    /// one more answers 429 `ThrottlingMaxActiveJobCountExceeded`. Default 5 (IoT Hub allows
    /// 1 on S1, 5 on S2, 10 on S3).
    pub max_active_jobs: usize,
    /// How many import/export jobs may be active at once. Default 1, as on every IoT Hub
    /// tier.
    pub max_active_import_export_jobs: usize,
    /// How long an import/export job takes, in emulator time. Default 10 s.
    pub import_export_duration: Duration,
    /// The accepted `api-version` values. Default `["2021-04-12"]`.
    pub api_versions: Vec<String>,
    /// How long a finished job (scheduled or import/export) can still be read; then it is
    /// forgotten (404, and its id may be used again). Default 30 days
    /// ([`engine::JOB_RETENTION`]), as IoT Hub keeps job history.
    pub job_retention: Duration,
    /// How many finished jobs are kept at most; beyond, the oldest finished are forgotten.
    /// Default 10,000 ([`engine::MAX_FINISHED_JOBS`]).
    pub max_finished_jobs: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host_name: DEFAULT_HOST_NAME.to_owned(),
            policies: Policy::hub_defaults(),
            bearer_tokens: Vec::new(),
            registry: Registry::demo(),
            clock: Arc::new(SystemClock),
            max_active_jobs: 5,
            max_active_import_export_jobs: 1,
            import_export_duration: Duration::from_secs(10),
            api_versions: vec![DEFAULT_API_VERSION.to_owned()],
            job_retention: engine::JOB_RETENTION,
            max_finished_jobs: engine::MAX_FINISHED_JOBS,
        }
    }
}

impl Config {
    /// Sets the host name.
    #[must_use]
    pub fn with_host_name(mut self, host_name: impl Into<String>) -> Self {
        self.host_name = host_name.into();
        self
    }

    /// Replaces the policies with `policies`.
    #[must_use]
    pub fn with_policies(mut self, policies: Vec<Policy>) -> Self {
        self.policies = policies;
        self
    }

    /// Accepts `Authorization: Bearer {token}` with every permission (those of the
    /// `iothubowner` policy), in addition to SAS tokens and to bearer tokens already added.
    /// [`Config::with_bearer_tokens`] sets narrower permissions.
    #[must_use]
    pub fn with_bearer_token(mut self, token: &str) -> Self {
        self.bearer_tokens.push(BearerToken::new(token));
        self
    }

    /// Replaces the accepted bearer tokens with `tokens`.
    #[must_use]
    pub fn with_bearer_tokens(mut self, tokens: Vec<BearerToken>) -> Self {
        self.bearer_tokens = tokens;
        self
    }

    /// Sets the registry.
    #[must_use]
    pub fn with_registry(mut self, registry: Registry) -> Self {
        self.registry = registry;
        self
    }

    /// Sets the clock (for example a [`ManualClock`]).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the maximum number of active scheduled jobs.
    #[must_use]
    pub fn with_max_active_jobs(mut self, max: usize) -> Self {
        self.max_active_jobs = max;
        self
    }

    /// Sets the maximum number of active import/export jobs.
    #[must_use]
    pub fn with_max_active_import_export_jobs(mut self, max: usize) -> Self {
        self.max_active_import_export_jobs = max;
        self
    }

    /// Sets how long an import/export job takes.
    #[must_use]
    pub fn with_import_export_duration(mut self, duration: Duration) -> Self {
        self.import_export_duration = duration;
        self
    }

    /// Replaces the accepted api-versions.
    #[must_use]
    pub fn with_api_versions(mut self, versions: &[&str]) -> Self {
        self.api_versions = versions.iter().map(|v| (*v).to_owned()).collect();
        self
    }

    /// Sets how long finished jobs are kept.
    #[must_use]
    pub fn with_job_retention(mut self, retention: Duration) -> Self {
        self.job_retention = retention;
        self
    }

    /// Sets how many finished jobs are kept at most.
    #[must_use]
    pub fn with_max_finished_jobs(mut self, max: usize) -> Self {
        self.max_finished_jobs = max;
        self
    }
}

/// The emulated hub: its configuration and state. Share it as `Arc<Emulator>`; every method
/// is safe to call from many tasks at once.
#[derive(Debug)]
pub struct Emulator {
    host_name: String,
    policies: Vec<Policy>,
    bearer_tokens: Vec<BearerToken>,
    clock: Arc<dyn Clock>,
    api_versions: Vec<String>,
    limits: engine::Limits,
    state: Mutex<engine::State>,
}

impl Emulator {
    /// An emulator set up by `config`.
    ///
    /// # Panics
    ///
    /// When `config.policies` is empty (no token could ever pass).
    pub fn new(config: Config) -> Arc<Self> {
        assert!(
            !config.policies.is_empty(),
            "the emulator needs at least one shared access policy"
        );
        Arc::new(Self {
            host_name: config.host_name,
            policies: config.policies,
            bearer_tokens: config.bearer_tokens,
            clock: config.clock,
            api_versions: config.api_versions,
            limits: engine::Limits {
                max_active_jobs: config.max_active_jobs,
                max_active_import_export_jobs: config.max_active_import_export_jobs,
                import_export_duration: config.import_export_duration,
            },
            state: Mutex::new(engine::State::new(
                config.registry.into_devices(),
                engine::History {
                    retention: config.job_retention,
                    max_finished: config.max_finished_jobs,
                },
            )),
        })
    }

    /// The whole service: the generated router behind the body checks ([`body`]), behind
    /// authentication ([`auth`], SAS and bearer tokens), which therefore runs first.
    pub fn router(self: &Arc<Self>) -> axum::Router {
        iothub_jobs::server::router(Arc::clone(self))
            .layer(axum::middleware::from_fn_with_state(
                Arc::clone(self),
                body::check_body,
            ))
            .layer(axum::middleware::from_fn_with_state(
                Arc::clone(self),
                auth::require_sas,
            ))
    }

    /// Serves [`Emulator::router`] on `addr` until the returned [`Server`] is shut down or
    /// dropped.
    pub async fn serve(self: &Arc<Self>, addr: SocketAddr) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (shutdown, stop) = oneshot::channel::<()>();
        let app = self.router();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop.await;
                })
                .await
        });
        tracing::info!(%addr, "IoT Hub emulator listening");
        Ok(Server {
            addr,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// Serves on `127.0.0.1` at a free port.
    pub async fn serve_loopback(self: &Arc<Self>) -> std::io::Result<Server> {
        self.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// A service connection string for the first policy:
    /// `HostName=…;SharedAccessKeyName=…;SharedAccessKey=…`. Use it with
    /// [`iothub_jobs::Client::from_connection_string_with_endpoint`] and the
    /// [`Server::endpoint`].
    pub fn connection_string(&self) -> String {
        let policy = &self.policies[0];
        format!(
            "HostName={};SharedAccessKeyName={};SharedAccessKey={}",
            self.host_name,
            policy.name(),
            policy.key_base64()
        )
    }

    /// A service connection string for the policy named `name`, if the emulator has it.
    pub fn connection_string_for(&self, name: &str) -> Option<String> {
        let policy = self.policies.iter().find(|p| p.name() == name)?;
        Some(format!(
            "HostName={};SharedAccessKeyName={};SharedAccessKey={}",
            self.host_name,
            policy.name(),
            policy.key_base64()
        ))
    }

    /// The hub's host name.
    pub fn host_name(&self) -> &str {
        &self.host_name
    }

    /// The shared access policies.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// The accepted bearer tokens.
    pub fn bearer_tokens(&self) -> &[BearerToken] {
        &self.bearer_tokens
    }

    /// The emulator's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The emulator clock as a SAS clock, for a
    /// [`SasCredential`](iothub_jobs::iothub::SasCredential) whose tokens follow the
    /// emulator's time (see [`SasClock`]).
    pub fn sas_clock(&self) -> Arc<dyn iothub_jobs::iothub::Clock> {
        Arc::new(SasClock(Arc::clone(&self.clock)))
    }

    /// The current time of the emulator's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Runs everything that is due at the clock's current time: starts scheduled jobs,
    /// finishes device calls, enforces maximum execution times, moves import/export jobs.
    /// (Every API call does this first too, so answers never lag behind the clock.)
    pub fn tick(&self) {
        let now = self.now();
        self.lock().run_until(now);
    }

    /// Moves the [`ManualClock`] forward by `by` and runs everything that became due, in
    /// time order; returns the new time.
    ///
    /// # Panics
    ///
    /// When the emulator's clock is not a [`ManualClock`].
    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        let now = self.manual_clock().advance(by);
        self.lock().run_until(now);
        now
    }

    /// Moves the [`ManualClock`] forward to `at` (if later) and runs everything that became
    /// due; returns the new time.
    ///
    /// # Panics
    ///
    /// When the emulator's clock is not a [`ManualClock`].
    pub fn advance_to(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let now = self.manual_clock().advance_to(at);
        self.lock().run_until(now);
        now
    }

    fn manual_clock(&self) -> &ManualClock {
        self.clock
            .as_manual()
            .expect("Emulator::advance needs a ManualClock (Config::with_clock)")
    }

    /// Ticks every `period` in the background (for the system clock: jobs then move even
    /// when nobody calls the API). Stops when the task is aborted, and only then: a tick that
    /// panics (a bug, or a [`Clock`] that fails) is logged and the next one comes as usual.
    pub fn spawn_ticker(self: &Arc<Self>, period: Duration) -> JoinHandle<()> {
        let emulator = Arc::clone(self);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let tick = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    emulator.tick();
                }));
                if tick.is_err() {
                    tracing::error!("a background tick failed; the ticker goes on");
                }
            }
        })
    }

    /// The twin of `device_id` as it is now (after the twin updates of jobs that ran).
    pub fn twin(&self, device_id: &str) -> Option<Twin> {
        self.caught_up().twin(device_id).map(|t| t.to_model())
    }

    /// The twin of `device_id` as JSON, the shape query conditions see.
    pub fn twin_json(&self, device_id: &str) -> Option<Value> {
        self.caught_up().twin(device_id).map(|t| t.to_json())
    }

    /// Every device id, in order.
    pub fn device_ids(&self) -> Vec<String> {
        self.caught_up()
            .twins()
            .map(|t| t.device.device_id.clone())
            .collect()
    }

    /// A scheduled job as `GET /jobs/v2/{id}` would show it now.
    pub fn job(&self, job_id: &str) -> Option<JobResponse> {
        self.caught_up().get_scheduled(job_id).ok()
    }

    /// An import/export job as `GET /jobs/{id}` would show it now.
    pub fn import_export_job(&self, job_id: &str) -> Option<JobProperties> {
        self.caught_up().get_import_export(job_id).ok()
    }

    /// What happened on each device of a scheduled job (in device id order); `None` for an
    /// unknown job, empty before the job starts.
    pub fn device_results(&self, job_id: &str) -> Option<Vec<DeviceJobResult>> {
        self.caught_up().device_results(job_id)
    }

    fn lock(&self) -> MutexGuard<'_, engine::State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn caught_up(&self) -> MutexGuard<'_, engine::State> {
        let now = self.now();
        let mut state = self.lock();
        state.run_until(now);
        state
    }
}

/// A running emulator server. Dropping it stops the server (gracefully, in the background).
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://{addr}`: the endpoint to give the client (`IOTHUB_ENDPOINT`).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, lets requests in flight finish, and waits for that.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or(Ok(())),
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
