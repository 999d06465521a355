//! What every page reads from the app around it: who is logged in, the configured environments,
//! and full page loads into another app. Its own module so pages need nothing from the shell that
//! mounts them (the shell imports pages, never the reverse).

use leptos::prelude::*;
use shared::auth::{Me, Role, is_global_admin, role_in};
use shared::env::EnvironmentInfo;

use crate::load::Loaded;

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

/// The environment named `name`, once the list is loaded.
pub fn environment_info(name: &str) -> Option<EnvironmentInfo> {
    use_context::<Environments>()?.0.get()?.ok()?.into_iter().find(|e| e.name == name)
}

pub fn session() -> Session {
    expect_context::<Session>()
}

/// A full page load: into another app (its own bundle).
pub fn go(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
}
