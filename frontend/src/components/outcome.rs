//! How a deployment ended, as a coloured badge (the history, a deployment's page, the service page,
//! a redeploy plan).

use leptos::prelude::*;
use shared::deploy::Outcome;

fn outcome_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Succeeded => "ok",
        Outcome::InProgress => "info",
        Outcome::Superseded | Outcome::TimedOut => "warn",
        Outcome::Failed => "bad",
    }
}

pub fn outcome_badge(outcome: Outcome) -> impl IntoView {
    view! { <span class=format!("badge {}", outcome_class(outcome))>{outcome.as_str()}</span> }
}
