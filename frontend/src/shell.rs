//! What both apps share: the session gate (login page until logged in), the environments, and the
//! header with the navigation across both.

use leptos::prelude::*;
use leptos_router::components::Router;
use leptos_router::hooks::{use_location, use_navigate};
use shared::auth::{Me, Role, is_global_admin, role_in};
use shared::env::EnvironmentInfo;

use crate::api::{self, paths};
use crate::load::{Loaded, load};
use crate::pages::LoginPage;

/// Which app this is: links into the other one are full page loads.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Console,
    Clusters,
    Services,
    ServiceWizard,
    TaskDefinitions,
    TaskWizard,
    History,
    Admin,
}

pub fn mount(area: Area, routes: fn() -> AnyView) {
    leptos::mount::mount_to_body(move || view! { <App area routes/> });
}

/// The configured environments, fetched once and shared with every page.
#[derive(Clone, Copy)]
pub struct Environments(pub Loaded<Vec<EnvironmentInfo>>);

/// Who is logged in (`None`: nobody, the login page shows).
#[derive(Clone, Copy)]
pub struct Session(pub RwSignal<Option<Me>>);

impl Session {
    pub fn role_in(&self, environment: &str) -> Option<Role> {
        self.0.with(|me| me.as_ref().and_then(|me| role_in(&me.grants, environment)))
    }
    pub fn is_global_admin(&self) -> bool {
        self.0.with(|me| me.as_ref().is_some_and(|me| is_global_admin(&me.grants)))
    }
}

/// A full page load: into another app (its own bundle).
pub fn go(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
}

pub fn session() -> Session {
    expect_context::<Session>()
}

#[component]
fn App(area: Area, routes: fn() -> AnyView) -> impl IntoView {
    provide_context(area);
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
    view! {
        <Router>
            {move || match (checked.get(), logged_in.get()) {
                (false, _) => view! { <p class="muted boot">"Loading…"</p> }.into_any(),
                (true, false) => view! { <LoginPage/> }.into_any(),
                (true, true) => view! { <Console routes/> }.into_any(),
            }}
        </Router>
    }
}

#[component]
fn Console(routes: fn() -> AnyView) -> impl IntoView {
    provide_context(Environments(load(api::list_environments)));
    view! {
        <Header/>
        <main>{routes()}</main>
    }
}

/// The environment named in the current URL (`/e/{env}/...`).
fn current_env() -> Memo<Option<String>> {
    let location = use_location();
    Memo::new(move |_| {
        let path = location.pathname.get();
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
    let location = use_location();
    // `aria-current="page"` on the navigation link of the current area (styled in style.css).
    let current = move |prefix: &'static str| move || location.pathname.get().starts_with(prefix).then_some("page");
    let here = expect_context::<Area>();
    // Into the other app: a full page load, not the router's client-side navigation.
    let rel = move |area: Area| (area != here).then_some("external");
    let navigate = use_navigate();
    // Switching environments stays on the same kind of page.
    let on_change = move |ev| {
        let picked = event_target_value(&ev);
        let (target, same_app) = match here {
            Area::TaskDefinitions => (paths::task_definitions(&picked), true),
            Area::TaskWizard => (paths::task_definitions(&picked), false),
            Area::Clusters => (paths::clusters(&picked), true),
            Area::Services | Area::ServiceWizard => (paths::clusters(&picked), false),
            Area::Console => (paths::repositories(&picked), true),
            Area::Admin | Area::History => (paths::repositories(&picked), false),
        };
        if same_app {
            navigate(&target, Default::default());
        } else {
            go(&target);
        }
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
            <a href="/" class="brand" rel=rel(Area::Console)>"⚓ Berth"</a>
            <nav>
                <a href=move || link_env().map_or_else(|| "/".to_string(), |e| paths::repositories(&e))
                    rel=rel(Area::Console) aria-current=move || (here == Area::Console).then(current("/e/")).flatten()>"Repositories"</a>
                <a href=move || link_env().map_or_else(|| "/".to_string(), |e| paths::clusters(&e))
                    rel=rel(Area::Clusters) aria-current=move || matches!(here, Area::Clusters | Area::Services | Area::ServiceWizard).then_some("page")>"Clusters"</a>
                <a href=move || link_env().map_or_else(|| "/".to_string(), |e| paths::task_definitions(&e))
                    rel=rel(Area::TaskDefinitions) aria-current=move || matches!(here, Area::TaskDefinitions | Area::TaskWizard).then_some("page")>"Task definitions"</a>
                <a href=paths::history("") rel=rel(Area::History) aria-current=move || (here == Area::History).then_some("page")>"Deployments"</a>
                <Show when=move || session.is_global_admin()>
                    <a href=paths::USERS rel=rel(Area::Admin) aria-current=current(paths::USERS)>"Users"</a>
                    <a href=paths::TOKENS rel=rel(Area::Admin) aria-current=current(paths::TOKENS)>"API tokens"</a>
                    <a href=paths::AUDIT rel=rel(Area::Admin) aria-current=current(paths::AUDIT)>"Audit log"</a>
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
