//! What a rollback or a redeploy would do, shown before confirming: the target revision, its
//! images (tag and digest), who deployed it, when and how that ended, the field-by-field diff
//! against what runs now; that ECS already rolled back; and, for a revision that failed, the
//! acknowledgement it needs.

use leptos::prelude::*;
use shared::deploy::{DeployedImage, RedeployPlan};
use shared::ecs::task_definition::Change;

use super::outcome_badge;
use crate::format::local_time;

/// A task definition diff: field, before, after. Long values wrap inside their cell.
#[component]
pub fn ChangeTable(
    changes: Vec<Change>,
    #[prop(into)] id: String,
    #[prop(into)] before: String,
    #[prop(into)] after: String,
) -> impl IntoView {
    let text = |v: Option<serde_json::Value>| v.map(|v| v.to_string()).unwrap_or_default();
    view! {
        <div class="table-scroll">
            <table class="grid changes" id=id>
                <thead><tr><th>"Field"</th><th>{before}</th><th>{after}</th></tr></thead>
                <tbody>{changes.into_iter().map(|c| view! {
                    <tr><td class="mono">{c.path}</td><td class="mono">{text(c.before)}</td><td class="mono">{text(c.after)}</td></tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    }
}

#[component]
pub fn ImageTable(images: Vec<DeployedImage>, #[prop(into)] id: String) -> impl IntoView {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    view! {
        <div class="table-scroll">
            <table class="grid images" id=id>
                <thead><tr><th>"Container"</th><th>"Image"</th><th>"Tag"</th><th>"Digest"</th></tr></thead>
                <tbody>{images.into_iter().map(|i| view! {
                    <tr><td>{i.container}</td><td class="mono">{i.image}</td><td>{or_dash(i.tag)}</td><td class="mono">{or_dash(i.digest)}</td></tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    }
}

/// The plan; `acknowledged` is set by the checkbox a failed revision asks for.
#[component]
pub fn PlanView(plan: RedeployPlan, acknowledged: RwSignal<bool>) -> impl IntoView {
    let target = plan.target.clone();
    view! {
        <div class="plan" id="redeployPlan">
            {plan.already_rolled_back.clone().map(|text| view! { <p class="banner info" id="alreadyRolledBack">{text}</p> })}
            <p id="planMessage">{plan.message.clone()}</p>
            {target.map(|t| view! {
                <dl class="facts" id="planTarget">
                    <dt>"Revision"</dt><dd class="mono">{t.to_task_definition.clone().unwrap_or_default()}</dd>
                    <dt>"Deployed"</dt><dd>{format!("#{} · {} · {}", t.id, t.made_by(), local_time(Some(&t.started_at)))}</dd>
                    <dt>"How it ended"</dt><dd>{outcome_badge(t.outcome)}" "
                        {t.verdict.as_ref().map(|v| v.summary.clone()).or(t.reason.clone()).unwrap_or_default()}</dd>
                </dl>
                <h3>"Its images"</h3>
                <ImageTable images=t.images.clone() id="planImages"/>
            })}
            <p class="hint">"Running now: "<span class="mono">{plan.current_task_definition.clone()}</span></p>
            {(!plan.changes.is_empty()).then(|| view! {
                <h3>"Changes against what runs now"</h3>
                <ChangeTable changes=plan.changes.clone() id="planChanges" before="Now" after="After"/>
            })}
            {plan.failed_before.clone().map(|f| view! {
                <div class="banner bad" id="failedBefore">
                    <p>{f.message.clone()}</p>
                    <label class="check"><input type="checkbox" id="acknowledgeFailure" prop:checked=move || acknowledged.get()
                        on:change=move |ev| acknowledged.set(event_target_checked(&ev))/>
                        "I know this revision failed, deploy it anyway"</label>
                </div>
            })}
        </div>
    }
}
