use leptos::prelude::*;
use shared::error::{ApiError, ErrorCode};

/// An error the user can act on: which environment, what happened.
#[component]
pub fn ErrorBanner(error: ApiError) -> impl IntoView {
    let title = match error.code {
        ErrorCode::AccessDenied => "AWS denied access",
        ErrorCode::Unavailable => "AWS is unreachable",
        ErrorCode::Throttled => "AWS is throttling requests",
        ErrorCode::NotFound => "Not found",
        ErrorCode::Validation => "Some fields are invalid",
        ErrorCode::Conflict => "Conflict",
        _ => "Something went wrong",
    };
    let env = error.environment.clone().filter(|e| !e.is_empty());
    view! {
        <div class="banner error" role="alert">
            <strong>{title}</strong>
            {env.map(|e| view! { <span class="env-tag">{format!("environment: {e}")}</span> })}
            <p>{error.message.clone()}</p>
        </div>
    }
}
