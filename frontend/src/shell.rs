//! What every app shares: the session gate (login page until logged in), the environments, and the
//! header with the navigation across the apps. Which app renders a link's page comes from the one
//! list of apps (`frontend/apps.txt`, `shared::apps`): a link into another app is a full page load.

use leptos::prelude::*;
use shared::apps::app_for;
use shared::auth::Me;

use crate::api::{self, paths};
use crate::context::{Environments, Session, session};
use crate::load::load;
use crate::pages::{LoginPage, NotFound};
use crate::router::{self, Route, navigate};

/// Which app this is: a name from `frontend/apps.txt`.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Here(&'static str);

pub fn mount(app: &'static str, routes: &'static [Route]) {
    debug_assert!(shared::apps::apps().iter().any(|a| a.name == app), "{app} is not in frontend/apps.txt");
    leptos::mount::mount_to_body(move || view! { <App here=Here(app) routes/> });
}

#[component]
fn App(here: Here, routes: &'static [Route]) -> impl IntoView {
    provide_context(here);
    router::provide(here.0);
    let me = RwSignal::new(None::<Me>);
    let checked = RwSignal::new(false);
    provide_context(Session(me));
    api::on_unauthorized(move || me.set(None));
    leptos::task::spawn_local(async move {
        if let Ok(found) = api::me().await {
            me.set(Some(found));
        }
        checked.set(true);
    });
    let logged_in = Memo::new(move |_| me.with(Option::is_some));
    move || match (checked.get(), logged_in.get()) {
        (false, _) => view! { <p class="muted boot">"Loading…"</p> }.into_any(),
        (true, false) => view! { <LoginPage/> }.into_any(),
        (true, true) => view! { <Console routes/> }.into_any(),
    }
}

#[component]
fn Console(routes: &'static [Route]) -> impl IntoView {
    provide_context(Environments(load(api::list_environments)));
    view! {
        <Header/>
        <main>{router::routes(routes, || view! { <NotFound/> }.into_any())}</main>
    }
}

/// The environment named in the current URL (`/e/{env}/...`).
fn current_env() -> Memo<Option<String>> {
    let path = router::pathname();
    Memo::new(move |_| {
        let path = path.get();
        let rest = path.strip_prefix("/e/")?;
        let env = rest.split('/').next().filter(|s| !s.is_empty())?;
        Some(String::from(js_sys::decode_uri_component(env).ok()?))
    })
}

#[component]
fn Header() -> impl IntoView {
    let envs = expect_context::<Environments>().0;
    let session = session();
    let env = current_env();
    let path = router::pathname();
    // `aria-current="page"` on the navigation link of the current area (styled in style.css).
    let current = move |prefix: &'static str| move || path.get().starts_with(prefix).then_some("page");
    let here = expect_context::<Here>().0;
    // Into another app: a full page load, not the router's client-side navigation.
    let rel = move |href: &str| (app_for(href) != here).then_some("external");
    // Switching environments stays on the same kind of page.
    let on_change = move |ev| {
        let picked = event_target_value(&ev);
        let target = match here {
            "taskdefs" | "taskwizard" => paths::task_definitions(&picked),
            "clusters" | "services" | "servicewizard" | "serviceupdate" => paths::clusters(&picked),
            _ => paths::repositories(&picked),
        };
        navigate(&target, false);
    };
    // Pages outside an environment (admin, home) link to the first one.
    let link_env =
        move || env.get().or_else(|| envs.get().and_then(Result::ok).and_then(|l| l.first().map(|e| e.name.clone())));
    let user = move || session.0.with(|me| me.as_ref().map(|m| m.name.clone()).unwrap_or_default());
    let role = move || env.get().and_then(|e| session.role_in(&e)).map(|r| r.as_str());
    let logout = move |_| {
        leptos::task::spawn_local(async move {
            let _ = api::logout().await;
            session.0.set(None);
        });
    };
    view! {
        <header class="topbar">
            <a href="/" class="brand" rel=rel("/")>"⚓ Berth"</a>
            <nav>
                {move || {
                    let env = link_env();
                    let in_env = |to: fn(&str) -> String| env.as_deref().map_or_else(|| "/".to_string(), to);
                    let (repositories, clusters, task_definitions) =
                        (in_env(paths::repositories), in_env(paths::clusters), in_env(paths::task_definitions));
                    view! {
                        <a rel=rel(&repositories) href=repositories
                            aria-current=move || (here == "console").then(current("/e/")).flatten()>"Repositories"</a>
                        <a rel=rel(&clusters) href=clusters
                            aria-current=move || matches!(here, "clusters" | "services" | "servicewizard" | "serviceupdate").then_some("page")>"Clusters"</a>
                        <a rel=rel(&task_definitions) href=task_definitions
                            aria-current=move || matches!(here, "taskdefs" | "taskwizard").then_some("page")>"Task definitions"</a>
                    }
                }}
                // The history, what's live where and the approvals: tabs of one page (see `PipelineTabs`).
                <a href=paths::history("") rel=rel(&paths::history("")) aria-current=move || (here == "history").then_some("page")>"Deployments"</a>
                // Notifications are per environment, for its admins.
                {move || link_env().filter(|e| session.role_in(e) == Some(shared::auth::Role::Admin)).map(|e| {
                    // The environment's settings: notifications, and (linked from there) guardrails.
                    let to = paths::notifications(&e);
                    let on_settings = move || current("/admin/notifications")().or(current("/admin/guardrails")());
                    view! { <a rel=rel(&to) href=to aria-current=on_settings>"Notifications"</a> }
                })}
                <Show when=move || session.is_global_admin()>
                    <a href=paths::USERS rel=rel(paths::USERS) aria-current=current(paths::USERS)>"Users"</a>
                    <a href=paths::TOKENS rel=rel(paths::TOKENS) aria-current=current(paths::TOKENS)>"API tokens"</a>
                    <a href=paths::AUDIT rel=rel(paths::AUDIT) aria-current=current(paths::AUDIT)>"Audit log"</a>
                </Show>
            </nav>
            <div class="spacer"></div>
            <label class="env-select" title="Environment: the AWS account and region you are looking at">
                <select aria-label="Environment" on:change=on_change prop:value=move || env.get().unwrap_or_default()>
                    {move || {
                        envs.get()
                            .and_then(Result::ok)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|e| {
                                let label = if e.local {
                                    format!("{} · local AWS", e.name)
                                } else {
                                    format!("{} · {}", e.name, e.region)
                                };
                                view! { <option value=e.name.clone()>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <span class="user" title="Your role in this environment">{user}{move || role().map(|r| format!(" · {r}"))}</span>
            <button type="button" class="logout" on:click=logout>"Log out"</button>
        </header>
    }
}
