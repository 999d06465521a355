//! Fetching into a signal. One boxed future per load instead of a resource's async machinery:
//! this keeps the WebAssembly bundle within its budget (a `LocalResource` + `Suspense` pair costs
//! several KB per use).

use std::future::Future;

use leptos::prelude::*;
use shared::error::ApiError;

/// The latest answer of a fetch (`None` while the first one is in flight).
pub struct Loaded<T: Send + Sync + 'static> {
    pub value: ReadSignal<Option<Result<T, ApiError>>>,
    reload: Trigger,
}

impl<T: Send + Sync + 'static> Clone for Loaded<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Loaded<T> {}

impl<T: Clone + Send + Sync + 'static> Loaded<T> {
    pub fn get(&self) -> Option<Result<T, ApiError>> {
        self.value.get()
    }

    /// Fetches again (the current value stays until the new one arrives).
    pub fn reload(&self) {
        self.reload.notify();
    }
}

/// Runs `fetch` now and whenever the signals it reads change; an answer that arrives after a newer
/// fetch started is dropped.
pub fn load<T, F>(fetch: impl Fn() -> F + 'static) -> Loaded<T>
where
    T: Send + Sync + 'static,
    F: Future<Output = Result<T, ApiError>> + 'static,
{
    let (value, set_value) = signal(None);
    let reload = Trigger::new();
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        reload.track();
        let future = fetch();
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        leptos::task::spawn_local(async move {
            let answer = future.await;
            if generation.try_get_value() == Some(mine) {
                set_value.set(Some(answer));
            }
        });
    });
    Loaded { value, reload }
}

/// Sends a one-off request (a form's submit): `pending` is true meanwhile, `done` gets the answer.
pub fn send<T: 'static>(
    pending: RwSignal<bool>,
    request: impl Future<Output = Result<T, ApiError>> + 'static,
    done: impl FnOnce(Result<T, ApiError>) + 'static,
) {
    pending.set(true);
    leptos::task::spawn_local(async move {
        let answer = request.await;
        pending.set(false);
        done(answer);
    });
}
