//! `/tokens`: API tokens for CI — create (the secret is shown once), list, revoke.

use leptos::prelude::*;
use shared::auth::{CreatedToken, Role, TokenInfo, TokenSpec};

use crate::api;
use crate::components::form::{Form, Input, checklist, errors_only, options, parsed_text, select_by, text_input};
use crate::components::{CopyButton, ErrorBanner, global_admin_gate};
use crate::context::Environments;
use crate::format::local_time;
use crate::load::{load, send};

/// RFC 3339 for `days` from now, from the browser's clock.
fn days_from_now(days: u32) -> String {
    let ms = js_sys::Date::now() + f64::from(days) * 86_400_000.0;
    String::from(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms)).to_iso_string())
}

#[component]
pub fn TokensPage() -> impl IntoView {
    global_admin_gate("API tokens", "Managing API tokens", || view! { <Tokens/> }.into_any())
}

#[component]
fn Tokens() -> impl IntoView {
    let tokens = load(api::list_tokens);
    let created = RwSignal::new(None::<CreatedToken>);
    let on_created = Callback::new(move |token: CreatedToken| {
        created.set(Some(token));
        tokens.reload();
    });
    view! {
        <div class="page-head"><h1>"API tokens"</h1></div>
        <p class="hint">"Tokens let CI call Berth's API as "<code>"Authorization: Bearer <token>"</code>
            " instead of holding AWS keys. A token is at most a deployer, in the environments (and services) you choose."</p>
        {move || created.get().map(|c| view! {
            <div class="secret" role="status">
                <strong>{format!("Token {} created. Copy it now: it will not be shown again.", c.token.name)}</strong>
                <div class="code-block"><pre id="newTokenSecret">{c.secret.clone()}</pre><CopyButton text=c.secret/></div>
            </div>
        })}
        <NewToken on_created/>
        <h2>"Tokens"</h2>
        {move || match tokens.get() {
            None => view! { <p class="muted">"Loading tokens…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No tokens yet."</p> }.into_any(),
            Some(Ok(list)) => view! { <TokenTable list on_revoked=Callback::new(move |()| tokens.reload())/> }.into_any(),
        }}
    }
}

const ROLES: &[(&str, &str)] = &[("deployer", "deployer — read, deploy, roll back"), ("viewer", "viewer — read only")];

const EXPIRY: &[(&str, &str)] = &[("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("365", "1 year")];

#[component]
fn NewToken(on_created: Callback<CreatedToken>) -> impl IntoView {
    let envs = expect_context::<Environments>().0;
    let days = RwSignal::new(90u32);
    let initial = TokenSpec {
        name: String::new(),
        role: Role::Deployer,
        environments: Vec::new(),
        services: None,
        expires_at: days_from_now(90),
    };
    let form = Form::checked(initial, |s: &TokenSpec| errors_only(s.validate()));
    let root = form.root();
    let pending = RwSignal::new(false);
    let create = move || {
        // The expiry counts from now, not from when the page opened.
        form.spec.update(|s| s.expires_at = days_from_now(days.get_untracked()));
        let spec = form.spec.get_untracked();
        send(pending, async move { api::create_token(&spec).await }, move |answer| match answer {
            Ok(token) => {
                form.spec.update(|s| s.name.clear());
                form.fields.reset();
                on_created.run(token);
            }
            Err(e) => form.fields.server.set(Some(e)),
        });
    };
    let env_items = Signal::derive(move || {
        envs.get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.name, String::new()))
            .collect::<Vec<_>>()
    });
    view! {
        <form class="wizard" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if form.fields.submit() { create(); }
        }>
            <fieldset>
                <legend>"New token"</legend>
                {text_input(root.field("name", |s: &mut TokenSpec| Some(&mut s.name)),
                    Input::new("Name").id("tokenName").placeholder("gitlab-ci nginx-web"))}
                {select_by(root.field("role", |s: &mut TokenSpec| Some(&mut s.role)), Input::new("Role").id("tokenRole"), options(ROLES),
                    |r| r.as_str().to_string(), |v| Some(if v == "viewer" { Role::Viewer } else { Role::Deployer }))}
                {checklist(root.field("environments", |s: &mut TokenSpec| Some(&mut s.environments)), "environments", "Environments", "envs", env_items)}
                {parsed_text(root.field("services", |s: &mut TokenSpec| Some(&mut s.services)),
                    Input::new("Services (optional, comma-separated, each as cluster/service; empty = any service)")
                        .id("tokenServices").placeholder("itflex-nginx/nginx-web-access").under(),
                    |list| list.unwrap_or_default().join(", "),
                    |text| (!text.trim().is_empty()).then(|| text.split(',').map(|x| x.trim().to_string()).collect()))}
                {select_by(root.field("expiresAt", |s: &mut TokenSpec| Some(&mut s.expires_at)), Input::new("Expires in").id("tokenExpiry"), options(EXPIRY),
                    move |_| days.get().to_string(),
                    move |v| {
                        let d = v.parse().unwrap_or(90);
                        days.set(d);
                        Some(days_from_now(d))
                    })}
            </fieldset>
            {move || form.fields.server.get().map(|e| view! { <ErrorBanner error=e/> })}
            <div class="actions">
                <button type="submit" class="primary" disabled=move || pending.get()>"Create token"</button>
            </div>
        </form>
    }
}

#[component]
fn TokenTable(list: Vec<TokenInfo>, on_revoked: Callback<()>) -> impl IntoView {
    let now = js_sys::Date::now();
    let rows = list
        .into_iter()
        .map(|t| {
            let expired = js_sys::Date::parse(&t.expires_at) <= now;
            let status = if t.revoked_at.is_some() { "Revoked" } else if expired { "Expired" } else { "Active" };
            let live = status == "Active";
            let id = t.id;
            let revoke = move |_| {
                leptos::task::spawn_local(async move {
                    if api::revoke_token(id).await.is_ok() {
                        on_revoked.run(());
                    }
                });
            };
            view! {
                <tr>
                    <td>{t.name.clone()}</td>
                    <td class="mono">{format!("{}…", t.prefix)}</td>
                    <td>
                        {t.role.as_str()}
                        // A demoted or disabled creator narrows the token: say so where its role is.
                        {t.narrowed_by.clone().map(|why| view! { <p class="hint">{why}</p> })}
                    </td>
                    <td>{t.environments.join(", ")}</td>
                    <td>{t.services.clone().map_or("any".to_string(), |s| s.join(", "))}</td>
                    <td>{local_time(Some(&t.expires_at))}</td>
                    <td>{t.created_by.clone()}</td>
                    <td>{t.last_used_at.as_deref().map_or("never".to_string(), |t| local_time(Some(t)))}</td>
                    <td>{status}</td>
                    <td>{live.then(|| view! { <button type="button" class="danger" on:click=revoke>"Revoke"</button> })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="grid">
            <thead><tr>
                <th>"Name"</th><th>"Token"</th><th>"Role"</th><th>"Environments"</th><th>"Services"</th>
                <th>"Expires"</th><th>"Created by"</th><th>"Last used"</th><th>"Status"</th><th></th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
