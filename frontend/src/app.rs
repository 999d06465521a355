use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::path;
use shared::env::EnvironmentInfo;
use shared::error::ApiError;

use crate::api::{self, paths};
use crate::pages::{CreateRepositoryPage, Home, NotFound, RepositoriesPage, RepositoryPage};

/// The configured environments, fetched once and shared with every page.
#[derive(Clone, Copy)]
pub struct Environments(pub LocalResource<Result<Vec<EnvironmentInfo>, ApiError>>);

#[component]
pub fn App() -> impl IntoView {
    provide_context(Environments(LocalResource::new(api::list_environments)));
    view! {
        <Router>
            <Header/>
            <main>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/e/:env/repositories") view=RepositoriesPage/>
                    <Route path=path!("/e/:env/repositories/new") view=CreateRepositoryPage/>
                    <Route path=path!("/e/:env/repository/:name") view=RepositoryPage/>
                </Routes>
            </main>
        </Router>
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
    let env = current_env();
    let navigate = use_navigate();
    let on_change = move |ev| navigate(&paths::repositories(&event_target_value(&ev)), Default::default());
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">"⚓ Berth"</A>
            <nav>
                {move || env.get().map(|e| view! { <A href=paths::repositories(&e)>"Repositories"</A> })}
            </nav>
            <div class="spacer"></div>
            <label class="env-select">
                <span>"Environment"</span>
                <select on:change=on_change prop:value=move || env.get().unwrap_or_default()>
                    {move || {
                        envs.get()
                            .and_then(Result::ok)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|e| {
                                let label = if e.local {
                                    format!("{} (local AWS, {})", e.name, e.region)
                                } else {
                                    format!("{} ({})", e.name, e.region)
                                };
                                view! { <option value=e.name.clone()>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
        </header>
    }
}
