//! A creation's steps, followed live (polled once a second while it runs).

use leptos::prelude::*;
use shared::ecs::cluster::{Creation, CreationState, StepState};
use shared::error::ApiError;

use crate::api::{self, paths};
use crate::components::ErrorBanner;
use crate::load::send;
use crate::pages::param;

fn icon(state: StepState) -> &'static str {
    match state {
        StepState::Done => "✓",
        StepState::Running => "…",
        StepState::Failed => "✕",
        StepState::Removed => "↺",
        StepState::Pending | StepState::Skipped => "·",
    }
}

/// Polls `creation` while it is running or removing.
fn follow(creation: RwSignal<Option<Creation>>) {
    let env = param("env");
    Effect::new(move |_| {
        let Some(current) = creation.get() else { return };
        if !matches!(current.state, CreationState::Running | CreationState::Removing) {
            return;
        }
        let env = env.get_untracked();
        set_timeout(
            move || {
                leptos::task::spawn_local(async move {
                    if let Ok(next) = api::get_creation(&env, &current.id).await {
                        creation.set(Some(next));
                    }
                });
            },
            std::time::Duration::from_millis(700),
        );
    });
}

#[component]
pub fn CreationSteps(creation: RwSignal<Option<Creation>>) -> impl IntoView {
    let env = param("env");
    follow(creation);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let remove = move |_| {
        let Some(current) = creation.get_untracked() else { return };
        let env = env.get_untracked();
        send(pending, async move { api::remove_creation(&env, &current.id).await }, move |answer| match answer {
            Ok(next) => creation.set(Some(next)),
            Err(e) => error.set(Some(e)),
        });
    };
    move || {
        creation.get().map(|c| {
            let headline = match c.state {
                CreationState::Running => format!("Creating cluster {}…", c.cluster_name),
                CreationState::Succeeded => format!("Cluster {} is ready.", c.cluster_name),
                CreationState::Failed => format!("Creating cluster {} failed at one step. What the earlier steps made is still there.", c.cluster_name),
                CreationState::Removing => "Removing what was created…".to_string(),
                CreationState::Removed => "Everything that was created has been removed.".to_string(),
            };
            let link = paths::cluster(&env.get_untracked(), &c.cluster_name);
            view! {
                <section class="steps" id="creation" data-state=c.state.as_str()>
                    <h2>{headline}</h2>
                    <ol>
                        {c.steps.iter().map(|s| view! {
                            <li class=format!("step {}", s.state.as_str()) data-step=s.id.as_str()>
                                <span class="step-icon">{icon(s.state)}</span>
                                <span class="step-title">{s.title.clone()}</span>
                                {s.detail.clone().map(|d| view! { <span class="step-detail">{d}</span> })}
                            </li>
                        }).collect_view()}
                    </ol>
                    {(c.state == CreationState::Succeeded).then(|| view! { <a class="button primary" href=link id="openCluster">"Open the cluster"</a> })}
                    {(c.state == CreationState::Failed).then(|| view! {
                        <button type="button" class="danger" id="removeCreated" disabled=move || pending.get() on:click=remove>
                            "Remove what was created"
                        </button>
                    })}
                    {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
                </section>
            }
        })
    }
}
