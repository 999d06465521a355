//! `/tokens`: API tokens for CI — create (the secret is shown once), list, revoke.

use leptos::prelude::*;
use shared::auth::{CreatedToken, Role, TokenInfo, TokenSpec};
use shared::error::ApiError;

use crate::api;
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

#[component]
fn NewToken(on_created: Callback<CreatedToken>) -> impl IntoView {
    let envs = expect_context::<Environments>().0;
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Deployer);
    let chosen = RwSignal::new(Vec::<String>::new());
    let services = RwSignal::new(String::new());
    let days = RwSignal::new(90u32);
    let spec = move || TokenSpec {
        name: name.get(),
        role: role.get(),
        environments: chosen.get(),
        services: Some(services.get())
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.split(',').map(|x| x.trim().to_string()).collect()),
        expires_at: days_from_now(days.get()),
    };
    let errors = Memo::new(move |_| spec().validate().err().unwrap_or_default());
    let error_at =
        move |path: &'static str| move || errors.read().iter().find(|e| e.path == path).map(|e| e.message.clone());
    let pending = RwSignal::new(false);
    let touched = RwSignal::new(false);
    let server_error = RwSignal::new(None::<ApiError>);
    let create = move |spec: TokenSpec| {
        send(pending, async move { api::create_token(&spec).await }, move |answer| match answer {
            Ok(token) => {
                server_error.set(None);
                touched.set(false);
                name.set(String::new());
                on_created.run(token);
            }
            Err(e) => server_error.set(Some(e)),
        });
    };
    view! {
        <form class="wizard" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            touched.set(true);
            if errors.read_untracked().is_empty() { create(spec()); }
        }>
            <fieldset>
                <legend>"New token"</legend>
                <label for="tokenName">"Name"</label>
                <input id="tokenName" placeholder="gitlab-ci nginx-web" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))/>
                {move || error_at("name")().filter(|_| touched.get()).map(|m| view! { <p class="field-error">{m}</p> })}
                <label for="tokenRole">"Role"</label>
                <select id="tokenRole" on:change=move |ev| role.set(if event_target_value(&ev) == "viewer" { Role::Viewer } else { Role::Deployer })>
                    <option value="deployer" selected>"deployer — read, deploy, roll back"</option>
                    <option value="viewer">"viewer — read only"</option>
                </select>
                <span class="label">"Environments"</span>
                <div class="envs">
                    {move || envs.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|e| {
                        let env = e.name.clone();
                        view! {
                            <label class="check">
                                <input type="checkbox" on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let env = env.clone();
                                    chosen.update(|c| { c.retain(|x| *x != env); if on { c.push(env) } });
                                }/>
                                {e.name.clone()}
                            </label>
                        }
                    }).collect_view()}
                </div>
                {move || error_at("environments")().filter(|_| touched.get()).map(|m| view! { <p class="field-error">{m}</p> })}
                <label for="tokenServices">"Services (optional, comma-separated, each as cluster/service; empty = any service)"</label>
                <input id="tokenServices" placeholder="itflex-nginx/nginx-web-access" on:input=move |ev| services.set(event_target_value(&ev))/>
                <label for="tokenExpiry">"Expires in"</label>
                <select id="tokenExpiry" on:change=move |ev| days.set(event_target_value(&ev).parse().unwrap_or(90))>
                    <option value="7">"7 days"</option>
                    <option value="30">"30 days"</option>
                    <option value="90" selected>"90 days"</option>
                    <option value="365">"1 year"</option>
                </select>
            </fieldset>
            {move || server_error.get().map(|e| view! { <ErrorBanner error=e/> })}
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
