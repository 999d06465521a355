//! `/users`: accounts and their roles (admins of every environment only). Roles are written as
//! `environment:role` pairs, e.g. `local:deployer, *:viewer`.

use leptos::prelude::*;
use shared::auth::{Grant, NewUser, Role, UserInfo};
use shared::error::{ApiError, FieldError};

use crate::api;
use crate::components::form::{Form, Input, Report, errors_only, text_input};
use crate::components::{ErrorBanner, global_admin_gate};
use crate::format::local_time;
use crate::load::{load, send};

fn grants_text(grants: &[Grant]) -> String {
    grants.iter().map(|g| format!("{}:{}", g.environment, g.role.as_str())).collect::<Vec<_>>().join(", ")
}

fn parse_grants(text: &str) -> Result<Vec<Grant>, String> {
    text.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (env, role) =
                part.trim().split_once(':').ok_or_else(|| format!("'{}': write environment:role", part.trim()))?;
            let role = Role::parse(role.trim())
                .ok_or_else(|| format!("'{}' is not viewer, deployer or admin", role.trim()))?;
            Ok(Grant { environment: env.trim().to_string(), role })
        })
        .collect()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    global_admin_gate("Users", "Managing users", || view! { <Users/> }.into_any())
}

#[component]
fn Users() -> impl IntoView {
    let users = load(api::list_users);
    let error = RwSignal::new(None::<ApiError>);
    view! {
        <div class="page-head"><h1>"Users"</h1></div>
        <p class="hint">"Roles per environment: viewer reads; deployer also deploys and rolls back; admin also creates and deletes. "
            <code>"*:admin"</code>" also manages users, tokens and the audit log."</p>
        <NewUserForm on_added=Callback::new(move |()| users.reload())/>
        {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
        {move || match users.get() {
            None => view! { <p class="muted">"Loading users…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(list)) => view! {
                <table class="grid">
                    <thead><tr><th>"User"</th><th>"Roles (environment:role, …)"</th><th>"Created"</th><th></th></tr></thead>
                    <tbody>{list.into_iter().map(|u| view! { <UserRow user=u error on_change=Callback::new(move |()| users.reload())/> }).collect_view()}</tbody>
                </table>
            }.into_any(),
        }}
    }
}

#[component]
fn UserRow(user: UserInfo, error: RwSignal<Option<ApiError>>, on_change: Callback<()>) -> impl IntoView {
    let roles = RwSignal::new(grants_text(&user.grants));
    let pending = RwSignal::new(false);
    let name = user.name.clone();
    let save = {
        let name = name.clone();
        move |_| match parse_grants(&roles.get_untracked()) {
            Ok(grants) => {
                let name = name.clone();
                send(pending, async move { api::set_grants(&name, &grants).await }, move |answer| match answer {
                    Ok(_) => {
                        error.set(None);
                        on_change.run(())
                    }
                    Err(e) => error.set(Some(e)),
                })
            }
            Err(m) => error.set(Some(ApiError::new(shared::error::ErrorCode::Validation, m))),
        }
    };
    let disable = move |_| {
        let name = name.clone();
        send(pending, async move { api::disable_user(&name).await }, move |answer| match answer {
            Ok(()) => {
                error.set(None);
                on_change.run(())
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <tr>
            <td>{user.name.clone()}</td>
            <td><input aria-label=format!("Roles of {}", user.name) prop:value=move || roles.get() on:input=move |ev| roles.set(event_target_value(&ev))/></td>
            <td>{local_time(Some(&user.created_at))}</td>
            <td class="buttons">
                <button type="button" disabled=move || pending.get() on:click=save>"Save roles"</button>
                <button type="button" class="danger" disabled=move || pending.get() on:click=disable>"Disable"</button>
            </td>
        </tr>
    }
}

/// What the new-user form holds: the roles as typed (`environment:role, …`).
#[derive(Clone)]
struct Draft {
    name: String,
    password: String,
    roles: String,
}

impl Draft {
    fn user(&self) -> NewUser {
        NewUser {
            name: self.name.clone(),
            password: self.password.clone(),
            grants: parse_grants(&self.roles).unwrap_or_default(),
        }
    }
}

/// The user's rules, and the roles' spelling first (at `grants`, where the rules name them).
fn check(draft: &Draft) -> Report {
    let mut report = errors_only(draft.user().validate());
    if let Err(m) = parse_grants(&draft.roles) {
        report.errors.insert(0, FieldError::new("grants", m));
    }
    report
}

#[component]
fn NewUserForm(on_added: Callback<()>) -> impl IntoView {
    let draft = Draft { name: String::new(), password: String::new(), roles: "*:viewer".into() };
    let form = Form::checked(draft, check);
    let root = form.root();
    let pending = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.fields.submit() {
            return;
        }
        let new = form.spec.with_untracked(Draft::user);
        send(pending, async move { api::add_user(&new).await }, move |answer| match answer {
            Ok(_) => {
                form.spec.update(|d| {
                    d.name.clear();
                    d.password.clear();
                });
                form.fields.reset();
                on_added.run(());
            }
            Err(e) => form.fields.server.set(Some(e)),
        });
    };
    view! {
        <form class="wizard" on:submit=on_submit>
            <fieldset>
                <legend>"New user"</legend>
                {text_input(root.field("name", |d: &mut Draft| Some(&mut d.name)), Input::new("Name").id("userName"))}
                {text_input(root.field("password", |d: &mut Draft| Some(&mut d.password)),
                    Input::new("Password (at least 10 characters)").id("userPassword").password())}
                {text_input(root.field("grants", |d: &mut Draft| Some(&mut d.roles)), Input::new("Roles").id("userRoles").under())}
            </fieldset>
            {move || form.fields.server.get().map(|e| view! { <ErrorBanner error=e/> })}
            <div class="actions"><button type="submit" class="primary" disabled=move || pending.get()>"Add user"</button></div>
        </form>
    }
}
