//! The service, live: one `EventSource` on the server's watch stream. The server polls ECS once
//! per interval for all viewers and pushes each snapshot; the browser never polls.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::wasm_bindgen::closure::Closure;
use shared::deploy::{DeploymentRecord, NativeRollout, ServiceSnapshot, TargetHealth};
use shared::ecs::service::ServiceDetail;
use shared::error::{ApiError, ErrorCode};

use crate::api;

pub struct Live {
    pub detail: RwSignal<Option<Result<ServiceDetail, ApiError>>>,
    /// The service's latest deployment Berth recorded.
    pub deployment: RwSignal<Option<DeploymentRecord>>,
    /// ECS's own record of the current deployment, where the environment has it.
    pub rollout: RwSignal<Option<NativeRollout>>,
    /// The load balancer targets' health.
    pub targets: RwSignal<Vec<TargetHealth>>,
}

pub fn watch(env: &str, cluster: &str, service: &str) -> Live {
    let detail = RwSignal::new(None);
    let deployment = RwSignal::new(None);
    let rollout = RwSignal::new(None);
    let targets = RwSignal::new(Vec::new());
    let Ok(source) = web_sys::EventSource::new(&api::watch_url(env, cluster, service)) else {
        detail.set(Some(Err(ApiError::new(ErrorCode::Unavailable, "This browser can't follow the service live."))));
        return Live { detail, deployment, rollout, targets };
    };
    let closer = source.clone();
    let on_snapshot = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let Some(snapshot) = ev.data().as_string().and_then(|t| serde_json::from_str::<ServiceSnapshot>(&t).ok())
        else {
            return;
        };
        // Only a change re-renders the page (a steady service sends the same snapshot each poll).
        match (snapshot.service, snapshot.error) {
            (Some(service), _) => {
                if detail.with_untracked(|d| d.as_ref().and_then(|r| r.as_ref().ok()) != Some(&service)) {
                    detail.set(Some(Ok(service)));
                }
            }
            (None, Some(error)) => {
                if error.code == ErrorCode::NotFound {
                    closer.close(); // gone: no reconnecting
                }
                detail.set(Some(Err(error)));
            }
            (None, None) => {}
        }
        if deployment.with_untracked(|d| d != &snapshot.deployment) {
            deployment.set(snapshot.deployment);
        }
        if rollout.with_untracked(|r| r != &snapshot.rollout) {
            rollout.set(snapshot.rollout);
        }
        if targets.with_untracked(|t| t != &snapshot.targets) {
            targets.set(snapshot.targets);
        }
    });
    let _ = source.add_event_listener_with_callback("snapshot", on_snapshot.as_ref().unchecked_ref());
    let held = StoredValue::new_local((source, on_snapshot));
    on_cleanup(move || held.with_value(|(source, _)| source.close()));
    Live { detail, deployment, rollout, targets }
}
