use crate::router::navigate;
use leptos::prelude::*;

use crate::api::paths;
use crate::components::ErrorBanner;
use crate::context::Environments;

/// `/`: goes to the first environment's repositories.
#[component]
pub fn Home() -> impl IntoView {
    let envs = expect_context::<Environments>().0;
    Effect::new(move |_| {
        if let Some(Ok(list)) = envs.get()
            && let Some(first) = list.first()
        {
            navigate(&paths::repositories(&first.name), true);
        }
    });
    view! {
        {move || match envs.get() {
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <section class="empty"><h1>"No environments"</h1><p>"Add one to Berth's config file (see the README)."</p></section>
            }.into_any(),
            _ => view! { <p class="muted">"Loading…"</p> }.into_any(),
        }}
    }
}
