//! `/admin/guardrails/ENV`: the environment's guardrails (admins of the environment): the
//! failed-image guard, and the freeze windows as JSON (the README's "Guardrails" shows their
//! shapes; the server names a wrong field).

use leptos::prelude::*;
use shared::auth::Role;
use shared::error::{ApiError, ErrorCode};
use shared::guardrails::{ApprovalRule, FreezeWindow, Guardrails};

use crate::api;
use crate::components::{ErrorBanner, role_gate};
use crate::format::local_time;
use crate::load::{load, send};
use crate::pages::param;

const EXAMPLE: &str = r#"[
  {"name": "weekend", "days": ["SAT", "SUN"], "from": "00:00", "to": "24:00", "timeZone": "Europe/Lisbon"},
  {"name": "year end", "start": "2026-12-24T00:00:00Z", "end": "2027-01-02T00:00:00Z"}
]"#;

#[component]
pub fn GuardrailsPage() -> impl IntoView {
    role_gate(param("env"), Role::Admin, "Guardrails", "Setting guardrails", || view! { <GuardrailsForm/> }.into_any())
}

#[component]
fn GuardrailsForm() -> impl IntoView {
    let env = param("env");
    let current = load(move || api::guardrails(env.get()));
    view! {
        <div class="page-head"><h1>{move || format!("Guardrails · {}", env.get())}</h1>
            <div class="spacer"></div>
            <a class="button" href=move || api::paths::notifications(&env.get())>"Notifications"</a></div>
        <p class="hint">"Rules this environment enforces on every deploy, from the UI and from CI alike. Every refusal
            names the rule and how to proceed; every change is in the audit log."</p>
        {move || match current.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(info)) => view! { <Editor env=env.get_untracked() info/> }.into_any(),
        }}
    }
}

#[component]
fn Editor(env: String, info: shared::guardrails::GuardrailsInfo) -> impl IntoView {
    let guard = RwSignal::new(info.guardrails.failed_image_guard);
    let approval = RwSignal::new(info.guardrails.approval.is_some());
    let expiry = RwSignal::new(info.guardrails.approval.as_ref().map_or(60, |a| a.expires_after_minutes).to_string());
    let windows = RwSignal::new(if info.guardrails.freeze_windows.is_empty() {
        "[]".to_string()
    } else {
        serde_json::to_string_pretty(&info.guardrails.freeze_windows).unwrap_or_default()
    });
    let set_by = RwSignal::new(info.updated_by.map(|by| (by, info.updated_at)));
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let freeze_windows: Vec<FreezeWindow> = match serde_json::from_str(&windows.get_untracked()) {
            Ok(w) => w,
            Err(e) => {
                let message = format!("Freeze windows: not a JSON list of windows ({e}).");
                error.set(Some(ApiError::new(ErrorCode::Validation, message)));
                return;
            }
        };
        let approval = match (approval.get_untracked(), expiry.get_untracked().trim().parse::<u32>()) {
            (false, _) => None,
            (true, Ok(minutes)) => Some(ApprovalRule { expires_after_minutes: minutes }),
            (true, Err(_)) => {
                let message = "Approval: a request expires after a whole number of minutes.";
                error.set(Some(ApiError::new(ErrorCode::Validation, message)));
                return;
            }
        };
        let new = Guardrails { failed_image_guard: guard.get_untracked(), freeze_windows, approval };
        let env = env.clone();
        send(pending, async move { api::set_guardrails(&env, &new).await }, move |answer| match answer {
            Ok(saved) => {
                error.set(None);
                set_by.set(saved.updated_by.map(|by| (by, saved.updated_at)));
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <form class="stacked" id="guardrailsForm" on:submit=submit>
            <label class="check"><input type="checkbox" name="failedImageGuard" prop:checked=move || guard.get()
                on:change=move |ev| guard.set(event_target_checked(&ev))/>
                "Failed-image guard: after a deployment failed or was rolled back, its image digests go out to that service
                 again only once a deployer has acknowledged the failure with a reason."</label>
            <label class="check"><input type="checkbox" name="approval" prop:checked=move || approval.get()
                on:change=move |ev| approval.set(event_target_checked(&ev))/>
                "Approval before start: a deploy, rollback, redeploy or promotion waits until another deployer approves it
                 (never the one who asked) on the Approvals page."</label>
            <label>"A request nobody decides expires after (minutes, 5 to 10080)"
                <input type="number" name="approvalExpiry" min="5" max="10080" prop:value=move || expiry.get()
                    disabled=move || !approval.get() on:input=move |ev| expiry.set(event_target_value(&ev))/></label>
            <label>"Freeze windows (JSON): while one is on, deploys and redeploys are refused unless an admin overrides
                with a reason; rollbacks are not frozen."
                <textarea name="freezeWindows" rows="10" class="mono" prop:value=move || windows.get()
                    on:input=move |ev| windows.set(event_target_value(&ev))></textarea></label>
            <details><summary>"Example"</summary><pre class="mono">{EXAMPLE}</pre></details>
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
            <div class="actions">
                <button type="submit" class="primary" disabled=move || pending.get()>"Save"</button>
                {move || set_by.get().map(|(by, at)| view! {
                    <small class="muted" id="guardrailsSetBy">{format!("Last set by {by}, ")}{local_time(at.as_deref())}</small>
                })}
            </div>
        </form>
    }
}
