use leptos::prelude::*;
use shared::error::{ApiError, ErrorCode};

/// What happened, in a few words: each code the server explains has its own title.
fn title(error: &ApiError) -> &'static str {
    match error.code {
        ErrorCode::BadRequest => "Unreadable request",
        ErrorCode::Unauthorized => "Not logged in",
        ErrorCode::Forbidden => "Not allowed",
        ErrorCode::RateLimited => "Too many attempts",
        ErrorCode::Validation => "Check the form",
        ErrorCode::NotFound => "Not found",
        // A 409 is a name already in use, or a state that forbids the action (a deployment under
        // way, a repository still holding images); the server's sentence says which.
        ErrorCode::Conflict if is_taken(&error.message) => "Already exists",
        ErrorCode::Conflict => "Not possible now",
        ErrorCode::AccessDenied => "AWS refused access",
        ErrorCode::Throttled => "AWS is throttling requests",
        ErrorCode::Unavailable if error.environment.is_some() => "AWS is unreachable",
        ErrorCode::Unavailable => "Berth is unreachable",
        ErrorCode::PayloadTooLarge => "Too large",
        ErrorCode::UnsupportedMediaType => "Not JSON",
        ErrorCode::MethodNotAllowed => "Not supported",
        ErrorCode::Internal => "Something went wrong",
    }
}

fn is_taken(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("already exists") || m.contains("already has") || m.contains("is taken")
}

/// An error the user can act on: which environment, what happened.
#[component]
pub fn ErrorBanner(error: ApiError) -> impl IntoView {
    let title = title(&error);
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
