//! `/approvals`: deploys, rollbacks and promotions waiting for another deployer's decision (in
//! environments whose guardrails ask for it): what each would change, who asked and until when;
//! Approve starts it, Reject says why. The requester may withdraw their own; never approve it.

use leptos::prelude::*;
use shared::approvals::{ApprovalRequest, ApprovalStatus, Decision};
use shared::auth::Role;
use shared::error::ApiError;

use crate::api::{self, paths};
use crate::components::{ChangeTable, ErrorBanner};
use crate::format::local_time;
use crate::load::{load, send};

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let all = RwSignal::new(false);
    let reload = RwSignal::new(0u32);
    let found = load(move || {
        let (all, _) = (all.get(), reload.get());
        async move { api::approvals(all).await }
    });
    let done = Callback::new(move |()| reload.update(|n| *n += 1));
    view! {
        <super::PipelineTabs/>
        <div class="page-head"><h1>"Approvals"</h1><div class="spacer"></div>
            <label class="check"><input type="checkbox" id="showDecided" prop:checked=move || all.get()
                on:change=move |ev| all.set(event_target_checked(&ev))/>"Show decided and expired ones"</label></div>
        <p class="hint">"Where an environment's guardrails ask for approval, a deploy, rollback, redeploy or promotion waits
            here until another deployer of the service approves it (it starts then, as the requester's) or rejects it."</p>
        {move || match found.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="muted" id="noApprovals">"Nothing waits for a decision."</p> }.into_any(),
            Some(Ok(list)) => list.into_iter().map(|r| view! { <RequestCard request=r done/> }).collect_view().into_any(),
        }}
    }
}

fn status_badge(status: ApprovalStatus) -> impl IntoView {
    let class = match status {
        ApprovalStatus::Pending => "badge warn",
        ApprovalStatus::Approved => "badge ok",
        ApprovalStatus::Rejected => "badge bad",
        ApprovalStatus::Expired => "badge",
    };
    view! { <span class=class>{status.as_str()}</span> }
}

#[component]
fn RequestCard(request: ApprovalRequest, done: Callback<()>) -> impl IntoView {
    let r = request;
    let session = crate::context::session();
    let mine = session.0.with_untracked(|me| me.as_ref().is_some_and(|me| me.name == r.requested_by));
    let deployer = session.role_in(&r.environment).is_some_and(|role| role >= Role::Deployer);
    let pending = r.status == ApprovalStatus::Pending;
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = r.id;
    let decide = move |approve: bool| {
        let decision = Decision { reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()) };
        send(busy, async move { api::decide(id, approve, &decision).await }, move |answer| match answer {
            Ok(_) => done.run(()),
            Err(e) => error.set(Some(e)),
        });
    };
    let service = paths::service(&r.environment, &r.cluster, &r.service);
    view! {
        <section class="card approval" data-id=r.id.to_string() data-status=r.status.as_str()>
            <h2>{format!("#{} · {} · ", r.id, r.kind.as_str())}
                <a href=service.clone() rel="external">{format!("{} / {} / {}", r.environment, r.cluster, r.service)}</a>" "
                {status_badge(r.status)}</h2>
            <p class="approval-summary">{r.summary.clone()}</p>
            <p class="muted">{format!("Asked by {} ({}) ", r.requested_by, r.requested_via)}{local_time(Some(&r.requested_at))}
                {pending.then(|| view! { " · expires "{local_time(Some(&r.expires_at))} })}</p>
            {r.note.clone().map(|n| view! { <p>"Note: "{n}</p> })}
            {r.decided_by.clone().map(|by| view! {
                <p class="decision">{format!("{} by {by} ", r.status.as_str().to_lowercase())}{local_time(r.decided_at.as_deref())}
                    {r.reason.clone().map(|why| format!(": {why}"))}
                    {r.deployment.map(|d| view! { " → "<a href=paths::deployment(d)>{format!("deployment #{d}")}</a> })}</p>
            })}
            <details open=pending><summary>"Task definition changes"</summary>
                <ChangeTable changes=r.changes.clone() id=format!("changes{}", r.id) before="Now" after="Once started"/></details>
            {(pending && deployer).then(|| view! {
                <div class="decide">
                    <label>{if mine { "Why withdraw it" } else { "Comment (a rejection needs one)" }}
                        <input type="text" name="reason" maxlength="500" prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))/></label>
                    <div class="actions">
                        {(!mine).then(|| view! {
                            <button type="button" class="primary approve" disabled=move || busy.get() on:click=move |_| decide(true)>"Approve and start"</button>
                        })}
                        <button type="button" class="danger reject" disabled=move || busy.get() on:click=move |_| decide(false)>
                            {if mine { "Withdraw" } else { "Reject" }}</button>
                    </div>
                    {mine.then(|| view! { <p class="hint">"You asked for it: another deployer approves it."</p> })}
                </div>
            })}
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
        </section>
    }
}
