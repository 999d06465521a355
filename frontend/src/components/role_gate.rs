//! A page the caller's role can't use says which role it needs, instead of showing a form the
//! server would refuse once it is filled in. The server still checks every request (403).

use leptos::prelude::*;
use shared::auth::{Grant, Role};

/// `page` when the caller has at least `needed` in `env`; otherwise "`doing` needs the `needed`
/// role in environment 'env'; you are viewer." under the page's `title`.
pub fn role_gate(
    env: Memo<String>,
    needed: Role,
    title: &'static str,
    doing: &'static str,
    page: fn() -> AnyView,
) -> impl IntoView {
    let session = crate::context::session();
    // A memo: the page is rebuilt only when the answer changes, not on every signal it reads.
    let refusal = Memo::new(move |_| {
        let env = env.get();
        let have = session.role_in(&env);
        (have < Some(needed)).then(|| {
            let have = have.map_or_else(|| "you have no role there".to_string(), |r| format!("you are {}", r.as_str()));
            format!("{doing} needs the {} role in environment '{env}'; {have}.", needed.as_str())
        })
    });
    move || match refusal.get() {
        None => page(),
        Some(message) => refused(title, message),
    }
}

/// `page` for admins of every environment (`*`): users, API tokens, the audit log.
pub fn global_admin_gate(title: &'static str, doing: &'static str, page: fn() -> AnyView) -> impl IntoView {
    let session = crate::context::session();
    let refusal = Memo::new(move |_| {
        (!session.is_global_admin()).then(|| {
            let grants = session.0.with(|me| me.as_ref().map(|m| describe(&m.grants)).unwrap_or_default());
            format!("{doing} needs the admin role in every environment (*); {grants}.")
        })
    });
    move || match refusal.get() {
        None => page(),
        Some(message) => refused(title, message),
    }
}

/// "you are viewer in 'local', deployer in 'prod'".
fn describe(grants: &[Grant]) -> String {
    if grants.is_empty() {
        return "you have no role".into();
    }
    let each: Vec<String> = grants
        .iter()
        .map(|g| match g.environment.as_str() {
            "*" => format!("{} in every environment", g.role.as_str()),
            env => format!("{} in '{env}'", g.role.as_str()),
        })
        .collect();
    format!("you are {}", each.join(", "))
}

fn refused(title: &'static str, message: String) -> AnyView {
    view! {
        <div class="page-head"><h1>{title}</h1></div>
        <div class="banner notice" id="roleNeeded" role="status">
            <strong>"Not allowed"</strong>
            <p>{message}</p>
            <p class="hint">"An admin of every environment can give you that role on the Users page."</p>
        </div>
    }
    .into_any()
}
