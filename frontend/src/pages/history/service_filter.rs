//! The history's environment, cluster and service filters: choices from the services that have
//! deployments, each narrowed by the one before, so a service is always named with its cluster
//! and environment (two clusters' `web` are two services).

use leptos::prelude::*;
use shared::deploy::DeployedService;

use crate::api;
use crate::load::load;

/// Three selects writing `environment`, `cluster` and `service`; picking one clears the ones after it.
#[component]
pub fn ServiceFilter(
    environment: RwSignal<String>,
    cluster: RwSignal<String>,
    service: RwSignal<String>,
) -> impl IntoView {
    let known = load(api::deployed_services);
    let all = move || known.get().and_then(Result::ok).unwrap_or_default();
    let environments = Signal::derive(move || distinct(all().into_iter().map(|s| s.environment)));
    let clusters = Signal::derive(move || {
        let env = environment.get();
        distinct(all().into_iter().filter(|s| s.environment == env).map(|s| s.cluster))
    });
    let services = Signal::derive(move || {
        let (env, cl) = (environment.get(), cluster.get());
        distinct(all().into_iter().filter(|s| s.environment == env && s.cluster == cl).map(|s| s.service))
    });
    let pick_env = Callback::new(move |v: String| {
        environment.set(v);
        cluster.set(String::new());
        service.set(String::new());
    });
    let pick_cluster = Callback::new(move |v: String| {
        cluster.set(v);
        service.set(String::new());
    });
    let pick_service = Callback::new(move |v: String| service.set(v));
    view! {
        {choice("environment", "Environment", environment, environments, pick_env, Signal::derive(|| true))}
        {choice("cluster", "Cluster", cluster, clusters, pick_cluster, Signal::derive(move || !environment.get().is_empty()))}
        {choice("service", "Service", service, services, pick_service, Signal::derive(move || !cluster.get().is_empty()))}
    }
}

fn distinct(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut list: Vec<String> = names.collect();
    list.sort();
    list.dedup();
    list
}

/// A select of `options` (plus "any"); a value from the address that has no deployments stays shown.
fn choice(
    name: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    options: Signal<Vec<String>>,
    pick: Callback<String>,
    enabled: Signal<bool>,
) -> impl IntoView {
    let items = move || {
        let mut list = options.get();
        let now = value.get();
        if !now.is_empty() && !list.contains(&now) {
            list.insert(0, now);
        }
        list.into_iter()
            .map(|o| {
                let selected = o == value.get_untracked();
                view! { <option value=o.clone() prop:selected=selected>{o.clone()}</option> }
            })
            .collect_view()
    };
    view! {
        <label>{label}
            <select name=name disabled=move || !enabled.get() on:change=move |ev| pick.run(event_target_value(&ev))>
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
