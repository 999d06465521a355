//! "Open" on the service page: where the service answers, one click away (the lab's final test).

use leptos::prelude::*;

use crate::api;
use crate::load::load;
use crate::pages::param;

/// "Open": where the service answers — its load balancers' DNS names, then its running tasks' host
/// ports on their instances' public IPs (private ones marked), with what those leave out.
#[component]
pub(super) fn Addresses(cluster: String, service: String) -> impl IntoView {
    let env = param("env");
    let found = load(move || {
        let (env, cluster, service) = (env.get(), cluster.clone(), service.clone());
        async move { api::service_addresses(&env, &cluster, &service).await }
    });
    view! {
        <div class="open-links" id="openAddresses">
            <strong>"Open"</strong>
            {move || match found.get() {
                None => view! { <span class="muted">"…"</span> }.into_any(),
                Some(Err(e)) => view! { <span class="muted">{e.message}</span> }.into_any(),
                Some(Ok(a)) => view! {
                    {a.load_balancers.into_iter().map(|lb| {
                        (lb.url, lb.load_balancer_name, " (load balancer)")
                    }).chain(a.addresses.into_iter().map(|a| {
                        let mut title = format!("task {} ({}:{} → host port {})", a.task_id, a.container, a.container_port, a.host_port);
                        let note = match &a.on_aws {
                            Some(on_aws) => {
                                title.push_str(&format!("; on AWS: {on_aws}"));
                                " (local stand-in)"
                            }
                            None if a.public => "",
                            None => " (private)",
                        };
                        (a.url, title, note)
                    })).map(|(url, title, note)| {
                        let text = url.clone();
                        view! {
                            <a href=url target="_blank" rel="noopener external" title=title>{text}</a>
                            <small class="muted">{note}</small>
                        }
                    }).collect_view()}
                    {a.notes.into_iter().map(|n| view! { <small class="muted">{n}</small> }).collect_view()}
                }.into_any(),
            }}
        </div>
    }
}
