//! The history's environment, cluster and service filters: choices from the services that have
//! deployments, each narrowed by the one before, so a service is always named with its cluster
//! and environment (two clusters' `web` are two services).

use leptos::prelude::*;
use shared::deploy::DeployedService;

use crate::api;
use crate::load::{Loaded, load};

/// The three filters and the services they choose from.
#[derive(Clone, Copy)]
struct Levels {
    values: [RwSignal<String>; 3],
    known: Loaded<Vec<DeployedService>>,
}

impl Levels {
    /// The choices at `level` (0 environment, 1 cluster, 2 service) under the ones picked before it.
    /// The server sends the services sorted, so each level's choices come sorted and grouped.
    fn options(self, level: usize) -> Vec<String> {
        let [env, cluster, _] = self.values.map(|v| v.get());
        let all = self.known.get().and_then(Result::ok).unwrap_or_default();
        let mut list: Vec<String> = all
            .into_iter()
            .filter_map(|s| match level {
                0 => Some(s.environment),
                1 => (s.environment == env).then_some(s.cluster),
                _ => (s.environment == env && s.cluster == cluster).then_some(s.service),
            })
            .collect();
        list.dedup();
        list
    }

    fn pick(self, level: usize, value: String) {
        self.values[level].set(value);
        for later in &self.values[level + 1..] {
            later.set(String::new());
        }
    }

    fn enabled(self, level: usize) -> bool {
        level == 0 || !self.values[level - 1].get().is_empty()
    }
}

/// Three selects writing `environment`, `cluster` and `service`; picking one clears the ones after it.
#[component]
pub fn ServiceFilter(
    environment: RwSignal<String>,
    cluster: RwSignal<String>,
    service: RwSignal<String>,
) -> impl IntoView {
    let levels = Levels { values: [environment, cluster, service], known: load(api::deployed_services) };
    view! {
        {choice(levels, 0, "environment", "Environment")}
        {choice(levels, 1, "cluster", "Cluster")}
        {choice(levels, 2, "service", "Service")}
    }
}

/// A select of the level's choices (plus "any"); a value from the address that has no deployments
/// stays shown.
fn choice(levels: Levels, level: usize, name: &'static str, label: &'static str) -> impl IntoView {
    let value = levels.values[level];
    let items = move || {
        let mut list = levels.options(level);
        let now = value.get();
        if !now.is_empty() && !list.contains(&now) {
            list.insert(0, now.clone());
        }
        list.into_iter()
            .map(|o| {
                let selected = o == now;
                view! { <option value=o.clone() prop:selected=selected>{o.clone()}</option> }
            })
            .collect_view()
    };
    view! {
        <label>{label}
            <select name=name disabled=move || !levels.enabled(level)
                on:change=move |ev| levels.pick(level, event_target_value(&ev))>
                <option value="" prop:selected=move || value.get().is_empty()>"any"</option>
                {items}
            </select>
        </label>
    }
}

/// True when the filters name a service or cluster without what it belongs to: its figures would
/// merge same-named services of other clusters or environments.
pub fn partial(environment: &str, cluster: &str, service: &str) -> bool {
    (!service.is_empty() && (environment.is_empty() || cluster.is_empty()))
        || (!cluster.is_empty() && environment.is_empty())
}

/// `env / cluster / service` when the filters name one service.
pub fn one_service(environment: &str, cluster: &str, service: &str) -> Option<String> {
    let s = DeployedService { environment: environment.into(), cluster: cluster.into(), service: service.into() };
    (![environment, cluster, service].iter().any(|v| v.is_empty())).then(|| s.label())
}
