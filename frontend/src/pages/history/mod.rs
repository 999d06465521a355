//! The deployment history: every deployment across environments with filters and keyset pages,
//! the charts over the selected range, a service's timeline, and one deployment's page.

mod approvals;
mod charts;
mod detail;
mod links;
mod list;
mod live;
mod service_filter;

pub use approvals::ApprovalsPage;
pub use detail::DeploymentPage;
pub use list::HistoryPage;
pub use live::LivePage;

/// The tabs over the history app's pages: every deployment, what's live where, what waits for
/// approval.
#[leptos::component]
pub fn PipelineTabs() -> impl leptos::IntoView {
    use leptos::prelude::*;
    let path = crate::router::pathname();
    let current = move |prefix: &'static str| move || path.get().starts_with(prefix).then_some("page");
    view! {
        <nav class="tabs" id="pipelineTabs" aria-label="Deployments">
            <a href=crate::api::paths::history("") aria-current=current("/deployments")>"History"</a>
            <a href=crate::api::paths::live("") id="liveLink" aria-current=current("/live")>"What's live where"</a>
            <a href=crate::api::paths::APPROVALS id="approvalsLink" aria-current=current("/approvals")>"Approvals"</a>
        </nav>
    }
}
