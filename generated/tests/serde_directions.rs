//! Hand-written: which serde impls the models have. Without the `serde-all` feature a model
//! the client only sends (`JobRequest`) has `Serialize` alone and one it only receives
//! (`JobResponse`) `Deserialize` alone; `serde-all` (and `server`, which turns it on) gives
//! both. `cargo test -p iothub-jobs --test serde_directions` checks the first case;
//! `cargo test --workspace` (where the tests turn `server` on) the second.

use iothub_jobs::models::{JobRequest, JobResponse, JobType};
use std::marker::PhantomData;

/// Asks whether a type has `Serialize` and `Deserialize` (autoref specialization: the trait
/// implemented for `Probe<T>` itself wins when its bound holds, else the one for `&Probe<T>`).
struct Probe<T>(PhantomData<T>);

trait HasSer {
    fn ser(&self) -> bool {
        true
    }
}
impl<T: iothub_jobs::runtime::serde::Serialize> HasSer for Probe<T> {}
#[allow(dead_code)] // unused when every model has both (`serde-all`)
trait NoSer {
    fn ser(&self) -> bool {
        false
    }
}
impl<T> NoSer for &Probe<T> {}

trait HasDe {
    fn de(&self) -> bool {
        true
    }
}
impl<T: iothub_jobs::runtime::serde::de::DeserializeOwned> HasDe for Probe<T> {}
#[allow(dead_code)] // likewise
trait NoDe {
    fn de(&self) -> bool {
        false
    }
}
impl<T> NoDe for &Probe<T> {}

/// `(Serialize, Deserialize)` of `T`.
macro_rules! impls {
    ($ty:ty) => {
        (
            (&Probe::<$ty>(PhantomData)).ser(),
            (&Probe::<$ty>(PhantomData)).de(),
        )
    };
}

#[test]
#[allow(clippy::needless_borrow)] // the borrow picks the `Has…` trait when its bound holds
fn models_have_the_directions_the_client_uses_and_serde_all_adds_the_other() {
    let all = cfg!(feature = "serde-all");
    assert_eq!(impls!(JobRequest), (true, all), "sent only");
    assert_eq!(impls!(JobResponse), (all, true), "received only");
    // Sent and received.
    assert_eq!(impls!(JobType), (true, true));
    let request = JobRequest::new("job-1", JobType::ScheduleDeviceMethod);
    let text = iothub_jobs::runtime::serde_json::to_string(&request).expect("a request serializes");
    assert!(text.contains(r#""jobId":"job-1""#), "{text}");
}
