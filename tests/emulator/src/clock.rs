// Hand-written test infrastructure (not generated): the emulator's clocks.
//! Where the emulator reads the time: the system clock for the demo binary, or a
//! [`ManualClock`] that tests move forward instead of sleeping.
//!
//! Everything time-dependent in the emulator (job start times, device answers, timeouts,
//! maximum execution times, import/export delays, SAS token expiry) reads this clock, so a
//! test that advances a [`ManualClock`] through [`Emulator::advance`](crate::Emulator::advance)
//! sees exactly what a real hub would show after that much time, without waiting.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;

    /// This clock as a [`ManualClock`], when it is one (only manual clocks can be advanced).
    fn as_manual(&self) -> Option<&ManualClock> {
        None
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to. Shared between the emulator and the test that
/// drives it.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: DateTime<Utc>) -> Arc<Self> {
        Arc::new(Self {
            now: Mutex::new(start),
        })
    }

    /// A clock stopped at the current system time, rounded down to the whole second, so
    /// that SAS tokens signed with the system clock are valid against it.
    pub fn starting_now() -> Arc<Self> {
        Self::new(Utc::now().trunc_subsecs(0))
    }

    /// Moves the clock forward by `by` and returns the new time.
    ///
    /// Prefer [`Emulator::advance`](crate::Emulator::advance), which also runs everything
    /// that became due.
    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        let by = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
        let mut now = self.lock();
        *now = now
            .checked_add_signed(by)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        *now
    }

    /// Sets the clock to `at` if that is later than its current time (the clock never goes
    /// back) and returns the new time.
    pub fn advance_to(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let mut now = self.lock();
        if at > *now {
            *now = at;
        }
        *now
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
        self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.lock()
    }

    fn as_manual(&self) -> Option<&ManualClock> {
        Some(self)
    }
}

/// The emulator's clock seen as the generated client's SAS clock (whole seconds since the
/// Unix epoch), so that a test's [`SasCredential`](iothub_jobs::iothub::SasCredential) signs
/// tokens that stay valid however far the test advances the emulator.
#[derive(Debug, Clone)]
pub struct SasClock(pub Arc<dyn Clock>);

impl iothub_jobs::iothub::Clock for SasClock {
    fn now(&self) -> u64 {
        u64::try_from(self.0.now().timestamp()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_forward() {
        let start = DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        let later = clock.advance(Duration::from_secs(90));
        assert_eq!(later, start + chrono::Duration::seconds(90));
        assert_eq!(clock.advance_to(start), later, "never goes back");
        assert!(clock.as_manual().is_some());
        assert!(SystemClock.as_manual().is_none());
        let sas = SasClock(clock.clone());
        assert_eq!(
            iothub_jobs::iothub::Clock::now(&sas),
            u64::try_from(later.timestamp()).unwrap()
        );
    }
}
