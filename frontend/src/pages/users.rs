//! `/users`: accounts and their roles (admins of every environment only). Roles are written as
//! `environment:role` pairs, e.g. `local:deployer, *:viewer`.

use leptos::prelude::*;
use shared::auth::{Grant, NewUser, Role, UserInfo};
use shared::error::ApiError;

use crate::api;
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

#[component]
fn NewUserForm(on_added: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let roles = RwSignal::new(String::from("*:viewer"));
    let pending = RwSignal::new(false);
    let server_error = RwSignal::new(None::<ApiError>);
    let user = move || NewUser {
        name: name.get(),
        password: password.get(),
        grants: parse_grants(&roles.get()).unwrap_or_default(),
    };
    let problems = Memo::new(move |_| {
        let mut list: Vec<String> =
            user().validate().err().unwrap_or_default().into_iter().map(|e| e.message).collect();
        if let Err(m) = parse_grants(&roles.get()) {
            list.insert(0, m);
        }
        list
    });
    let touched = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if !problems.read_untracked().is_empty() {
            return;
        }
        let new = user();
        send(pending, async move { api::add_user(&new).await }, move |answer| match answer {
            Ok(_) => {
                server_error.set(None);
                touched.set(false);
                name.set(String::new());
                password.set(String::new());
                on_added.run(());
            }
            Err(e) => server_error.set(Some(e)),
        });
    };
    view! {
        <form class="wizard" on:submit=on_submit>
            <fieldset>
                <legend>"New user"</legend>
                <label for="userName">"Name"</label>
                <input id="userName" autocomplete="off" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <label for="userPassword">"Password (at least 10 characters)"</label>
                <input id="userPassword" type="password" autocomplete="new-password" prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))/>
                <label for="userRoles">"Roles"</label>
                <input id="userRoles" prop:value=move || roles.get() on:input=move |ev| roles.set(event_target_value(&ev))/>
                {move || touched.get().then(|| problems.get().into_iter().map(|m| view! { <p class="field-error">{m}</p> }).collect_view())}
            </fieldset>
            {move || server_error.get().map(|e| view! { <ErrorBanner error=e/> })}
            <div class="actions"><button type="submit" class="primary" disabled=move || pending.get()>"Add user"</button></div>
        </form>
    }
}
