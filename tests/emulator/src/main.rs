// Hand-written test infrastructure (not generated): the emulator binary.
//! `iothub-emulator`: serves the IoT Hub Jobs emulator on loopback with the system clock.
//!
//! ```text
//! iothub-emulator [--addr 127.0.0.1:8080] [--registry FILE] [--host-name NAME]
//!                 [--policy NAME] [--key BASE64] [--bearer-token TOKEN] [--max-active-jobs N]
//!                 [--max-active-import-export-jobs N] [--import-export-seconds N]
//! ```
//!
//! Its first two lines on stdout are `IOTHUB_ENDPOINT=http://…` and
//! `IOTHUB_CONNECTION_STRING=…` (ready for `eval` or `export`); logs go to stderr. It runs
//! until Ctrl-C (or SIGTERM).

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context as _, bail};
use iothub_emulator::{Config, DEMO_KEY, DEMO_POLICY, Emulator, Policy, Registry};

const USAGE: &str = "\
usage: iothub-emulator [options]

  --addr ADDR                         loopback address to listen on (default 127.0.0.1:8080;
                                      port 0 picks a free port)
  --registry FILE                     device registry JSON (default: the built-in demo registry,
                                      tests/emulator/demo-registry.json)
  --host-name NAME                    the hub's host name, the SAS resource
                                      (default emulator.azure-devices.net)
  --policy NAME                       serve this one shared access policy instead of the five
                                      a new hub has (iothubowner, service, device,
                                      registryRead, registryReadWrite); its permissions are
                                      those of the default policy of that name, all of them
                                      for any other name (default iothubowner)
  --key BASE64                        that policy's key (default: a fixed public demo key)
  --bearer-token TOKEN                also accept `Authorization: Bearer TOKEN` (in place of a
                                      Microsoft Entra ID token), with every permission;
                                      may be repeated (default: no bearer token is accepted)
  --max-active-jobs N                 active scheduled jobs allowed at once (default 5)
  --max-active-import-export-jobs N   active import/export jobs allowed at once (default 1)
  --import-export-seconds N           how long an import/export job takes (default 10)
  --help                              this text

Prints IOTHUB_ENDPOINT=... and IOTHUB_CONNECTION_STRING=... on its first two lines, then
serves until Ctrl-C.";

/// What the command line asks for.
struct Options {
    addr: SocketAddr,
    config: Config,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> anyhow::Result<Option<Options>> {
    let mut addr: SocketAddr = "127.0.0.1:8080".parse()?;
    let mut config = Config::default();
    let mut policy = None;
    let mut key = None;
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        if name == "--help" || name == "-h" {
            return Ok(None);
        }
        let mut value = || -> anyhow::Result<String> {
            inline
                .clone()
                .or_else(|| args.next())
                .with_context(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "--addr" => {
                let text = value()?;
                addr = text
                    .parse()
                    .with_context(|| format!("--addr `{text}` is not an IP address and port"))?;
            }
            "--registry" => {
                let path = value()?;
                config.registry =
                    Registry::load(&path).with_context(|| format!("loading --registry {path}"))?;
            }
            "--host-name" => config.host_name = value()?,
            "--policy" => policy = Some(value()?),
            "--key" => key = Some(value()?),
            "--bearer-token" => {
                let token = value()?;
                if token.trim().is_empty() {
                    bail!("--bearer-token needs a non-empty token");
                }
                config = config.with_bearer_token(&token);
            }
            "--max-active-jobs" => {
                config.max_active_jobs = value()?.parse().context("--max-active-jobs")?
            }
            "--max-active-import-export-jobs" => {
                config.max_active_import_export_jobs = value()?
                    .parse()
                    .context("--max-active-import-export-jobs")?;
            }
            "--import-export-seconds" => {
                config.import_export_duration =
                    Duration::from_secs(value()?.parse().context("--import-export-seconds")?);
            }
            other => bail!("unknown option `{other}`\n\n{USAGE}"),
        }
    }
    if !addr.ip().is_loopback() {
        bail!(
            "--addr must be a loopback address (127.0.0.1 or ::1): the emulator is for local use only"
        );
    }
    if policy.is_some() || key.is_some() {
        let name = policy.unwrap_or_else(|| DEMO_POLICY.to_owned());
        let key = key.unwrap_or_else(|| DEMO_KEY.to_owned());
        config.policies = vec![Policy::new(&name, &key)?];
    }
    Ok(Some(Options { addr, config }))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Some(options) = parse_args(std::env::args().skip(1))? else {
        println!("{USAGE}");
        return Ok(());
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();

    let devices = options.config.registry.len();
    let emulator = Emulator::new(options.config);
    let server = emulator
        .serve(options.addr)
        .await
        .with_context(|| format!("listening on {}", options.addr))?;
    let ticker = emulator.spawn_ticker(Duration::from_millis(100));

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "IOTHUB_ENDPOINT={}", server.endpoint())?;
    writeln!(
        stdout,
        "IOTHUB_CONNECTION_STRING={}",
        emulator.connection_string()
    )?;
    stdout.flush()?;
    drop(stdout);
    tracing::info!(
        endpoint = %server.endpoint(),
        host_name = emulator.host_name(),
        devices,
        "IoT Hub emulator ready; Ctrl-C stops it"
    );

    wait_for_stop().await;
    tracing::info!("stopping");
    ticker.abort();
    // Requests in flight may finish; idle keep-alive connections do not hold the exit up.
    match tokio::time::timeout(Duration::from_secs(5), server.shutdown()).await {
        Ok(result) => result?,
        Err(_) => tracing::info!("connections still open after 5 s; exiting anyway"),
    }
    Ok(())
}

/// Waits for Ctrl-C, or SIGTERM on Unix.
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> anyhow::Result<Option<Options>> {
        parse_args(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn parses_options() {
        let options = parse(&[
            "--addr",
            "127.0.0.1:0",
            "--host-name=hub.example.net",
            "--max-active-jobs",
            "7",
            "--import-export-seconds",
            "3",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(options.addr.port(), 0);
        assert_eq!(options.config.host_name, "hub.example.net");
        assert_eq!(options.config.max_active_jobs, 7);
        assert_eq!(
            options.config.import_export_duration,
            Duration::from_secs(3)
        );
        assert_eq!(options.config.policies[0].name(), DEMO_POLICY);
        assert_eq!(
            options.config.policies.len(),
            5,
            "the hub's default policies"
        );
        let one = parse(&["--policy", "service", "--key", DEMO_KEY])
            .unwrap()
            .unwrap();
        assert_eq!(one.config.policies.len(), 1);
        assert_eq!(
            one.config.policies[0].permissions(),
            iothub_emulator::Permissions::SERVICE_CONNECT
        );
        assert!(parse(&["--help"]).unwrap().is_none());
        assert!(one.config.bearer_tokens.is_empty());
        let bearer = parse(&["--bearer-token", "t1", "--bearer-token=t2"])
            .unwrap()
            .unwrap();
        let tokens: Vec<&str> = bearer
            .config
            .bearer_tokens
            .iter()
            .map(iothub_emulator::BearerToken::token)
            .collect();
        assert_eq!(tokens, ["t1", "t2"]);
        assert_eq!(
            bearer.config.bearer_tokens[0].permissions(),
            iothub_emulator::Permissions::ALL
        );
    }

    #[test]
    fn refuses_bad_options() {
        for args in [
            &["--addr", "0.0.0.0:80"][..],
            &["--addr"],
            &["--bogus"],
            &["--max-active-jobs", "x"],
            &["--key", "not base64!"],
            &["--registry", "/no/such/file.json"],
            &["--bearer-token"],
            &["--bearer-token", " "],
        ] {
            assert!(parse(args).is_err(), "{args:?}");
        }
    }
}
