//! `/audit`: who did what, when, where, and how it ended — filtered, newest first.

use leptos::prelude::*;
use shared::auth::AuditEntry;
use shared::error::ApiError;

use crate::api::{self, enc};
use crate::components::{ErrorBanner, global_admin_gate};
use crate::context::Environments;
use crate::format::local_time;

#[derive(Clone, Copy)]
struct Filters {
    actor: RwSignal<String>,
    environment: RwSignal<String>,
    action: RwSignal<String>,
    outcome: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
}

impl Filters {
    /// The query string for the API; dates (`YYYY-MM-DD`, the browser's date input) as whole UTC days.
    fn query(&self, before: Option<i64>) -> String {
        let mut parts = Vec::new();
        let mut add = |key: &str, value: String| {
            if !value.trim().is_empty() {
                parts.push(format!("{key}={}", enc(value.trim())));
            }
        };
        add("actor", self.actor.get());
        add("environment", self.environment.get());
        add("action", self.action.get());
        add("outcome", self.outcome.get());
        add(
            "from",
            Some(self.from.get()).filter(|d| !d.is_empty()).map(|d| format!("{d}T00:00:00Z")).unwrap_or_default(),
        );
        add("to", Some(self.to.get()).filter(|d| !d.is_empty()).map(|d| format!("{d}T23:59:59Z")).unwrap_or_default());
        if let Some(b) = before {
            parts.push(format!("before={b}"));
        }
        parts.join("&")
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    global_admin_gate("Audit log", "Reading the audit log", || view! { <Audit/> }.into_any())
}

#[component]
fn Audit() -> impl IntoView {
    let envs = expect_context::<Environments>().0;
    let f = Filters {
        actor: RwSignal::new(String::new()),
        environment: RwSignal::new(String::new()),
        action: RwSignal::new(String::new()),
        outcome: RwSignal::new(String::new()),
        from: RwSignal::new(String::new()),
        to: RwSignal::new(String::new()),
    };
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let next = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |query: String, append: bool| {
        leptos::task::spawn_local(async move {
            match api::audit(&query).await {
                Ok(page) => {
                    if append {
                        entries.update(|e| e.extend(page.entries));
                    } else {
                        entries.set(page.entries);
                    }
                    next.set(page.next_before);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| load(f.query(None), false));
    let text = |label: &'static str, id: &'static str, signal: RwSignal<String>| {
        view! {
            <label for=id>{label}<input id=id on:change=move |ev| signal.set(event_target_value(&ev))/></label>
        }
    };
    let date = |label: &'static str, id: &'static str, signal: RwSignal<String>| {
        view! {
            <label for=id>{label}<input id=id type="date" on:change=move |ev| signal.set(event_target_value(&ev))/></label>
        }
    };
    view! {
        <div class="page-head"><h1>"Audit log"</h1></div>
        <div class="filters">
            {text("Who", "auditActor", f.actor)}
            <label for="auditEnv">"Environment"
                <select id="auditEnv" on:change=move |ev| f.environment.set(event_target_value(&ev))>
                    <option value="">"any"</option>
                    {move || envs.get().and_then(Result::ok).unwrap_or_default().into_iter()
                        .map(|e| view! { <option value=e.name.clone()>{e.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            {text("Action", "auditAction", f.action)}
            <label for="auditOutcome">"Outcome"
                <select id="auditOutcome" on:change=move |ev| f.outcome.set(event_target_value(&ev))>
                    <option value="">"any"</option>
                    <option value="success">"success"</option>
                    <option value="denied">"denied"</option>
                    <option value="failed">"failed"</option>
                </select>
            </label>
            {date("From", "auditFrom", f.from)}
            {date("To", "auditTo", f.to)}
        </div>
        {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
        <table class="grid">
            <thead><tr><th>"When"</th><th>"Who"</th><th>"Via"</th><th>"Environment"</th><th>"Resource"</th><th>"Action"</th><th>"Outcome"</th></tr></thead>
            <tbody>
                {move || entries.get().into_iter().map(|e| view! {
                    <tr>
                        <td>{local_time(Some(&e.at))}</td>
                        <td>{e.actor}</td>
                        <td>{e.via}</td>
                        <td>{e.environment.unwrap_or_default()}</td>
                        <td>{e.resource.unwrap_or_default()}</td>
                        <td class="mono">{e.action}</td>
                        <td>{e.outcome}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <Show when=move || next.get().is_some()>
            <div class="actions">
                <button type="button" on:click=move |_| load(f.query(next.get_untracked()), true)>"Load more"</button>
            </div>
        </Show>
    }
}
