//! Identical AWS reads at the same moment share one call, and an answer is reused for a short
//! while (`--aws-read-reuse-ms`, default 2 s): fifty people opening one cluster's services page make
//! one set of AWS calls, not fifty, and AWS's per-account API budget goes to deploys. Per
//! environment, keyed by the operation and its parameters. A change made through Berth forgets the
//! environment's answers at once (`ops::Caller::act`); a change made elsewhere (the console, the
//! CLI) shows within the reuse time. A failed read is shared with the callers already waiting for
//! it, never kept. The service page's live stream polls on its own (one poller per service) and is
//! not affected.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use crate::error::AppError;

type Value = Arc<dyn Any + Send + Sync>;
/// A read's answer and when it came.
type Answer = (Instant, Result<Value, Arc<AppError>>);

pub(crate) struct SharedReads {
    reuse: Duration,
    entries: Mutex<HashMap<String, Arc<OnceCell<Answer>>>>,
}

impl SharedReads {
    pub(crate) fn new(reuse: Duration) -> Self {
        Self { reuse, entries: Mutex::default() }
    }

    /// `read`'s answer, or the answer of the same read (same `key`) in flight or done within the
    /// reuse time. With a reuse time of 0, calls in flight are still shared.
    pub(crate) async fn read<T>(
        &self,
        key: &str,
        read: impl Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError>
    where
        T: Clone + Send + Sync + 'static,
    {
        let key = format!("{}|{key}", std::any::type_name::<T>());
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            entries.retain(|_, cell| match cell.get() {
                None => true,
                Some((at, Ok(_))) => now.duration_since(*at) < self.reuse,
                Some((_, Err(_))) => false,
            });
            entries.entry(key).or_default().clone()
        };
        let (_, answer) = cell
            .get_or_init(|| async {
                let answer = read.await.map(|v| Arc::new(v) as Value).map_err(Arc::new);
                (Instant::now(), answer)
            })
            .await;
        match answer {
            Ok(value) => value
                .downcast_ref::<T>()
                .cloned()
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a shared read answered another type"))),
            Err(e) => Err(e.duplicate()),
        }
    }

    /// Forgets every answer (after a change): the next read asks AWS.
    pub(crate) fn forget(&self) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    async fn counted(calls: &AtomicUsize, value: u32) -> Result<u32, AppError> {
        calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        Ok(value)
    }

    #[tokio::test]
    async fn fifty_identical_reads_at_once_make_one_call_and_another_key_its_own() {
        let reads = SharedReads::new(Duration::from_secs(2));
        let calls = AtomicUsize::new(0);
        let same = (0..50).map(|_| reads.read("ListServices lab", counted(&calls, 7)));
        let answers = futures::future::join_all(same).await;
        assert!(answers.iter().all(|a| matches!(a, Ok(7))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(reads.read("ListServices other", counted(&calls, 8)).await.unwrap(), 8);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn an_answer_is_reused_for_the_reuse_time_and_forgotten_after_a_change() {
        let reads = SharedReads::new(Duration::from_millis(300));
        let calls = AtomicUsize::new(0);
        assert_eq!(reads.read("k", counted(&calls, 1)).await.unwrap(), 1);
        assert_eq!(reads.read("k", counted(&calls, 2)).await.unwrap(), 1, "reused");
        reads.forget();
        assert_eq!(reads.read("k", counted(&calls, 3)).await.unwrap(), 3, "asked again after a change");
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert_eq!(reads.read("k", counted(&calls, 4)).await.unwrap(), 4, "asked again after the reuse time");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_failed_read_is_shared_with_its_waiters_but_not_kept() {
        let reads = SharedReads::new(Duration::from_secs(2));
        let calls = AtomicUsize::new(0);
        let failing = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err::<u32, _>(AppError::NotFound("Service web not found.".into()))
        };
        let answers = futures::future::join_all((0..10).map(|_| reads.read("k", failing()))).await;
        assert!(answers.iter().all(|a| matches!(a, Err(AppError::NotFound(m)) if m == "Service web not found.")));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(reads.read("k", failing()).await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2, "not kept");
    }
}
