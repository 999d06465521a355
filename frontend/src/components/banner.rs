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
    // The fields at fault, by path: a form shows its own inline, but a pasted document has no inputs.
    let fields = (!error.fields.is_empty()).then(|| {
        let items = error
            .fields
            .iter()
            .map(|f| view! { <li><code>{f.path.clone()}</code>": "{f.message.clone()}</li> })
            .collect_view();
        view! { <ul class="banner-fields">{items}</ul> }
    });
    view! {
        <div class="banner error" role="alert">
            <strong>{title}</strong>
            {env.map(|e| view! { <span class="env-tag">{format!("environment: {e}")}</span> })}
            <p>{error.message.clone()}</p>
            {fields}
        </div>
    }
}
