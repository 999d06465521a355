//! `/admin/notifications/ENV`: where the environment's deployment events go (admins of the
//! environment) — add a Slack or signed webhook destination with its filter, list them (URL and
//! secret as hints), each one's delivery log, "Send test", remove.

use leptos::prelude::*;
use shared::auth::Role;
use shared::error::ApiError;
use shared::notify::{DeliveryInfo, DestinationInfo, DestinationKind, NewDestination, NotifyEvent};

use crate::api;
use crate::components::form::{
    Form, Input, checklist_by, errors_only, opt_text_input, options, parsed_text, select_by, text_input,
};
use crate::components::{ErrorBanner, role_gate};
use crate::format::local_time;
use crate::load::{load, send};
use crate::pages::param;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    role_gate(param("env"), Role::Admin, "Notifications", "Managing notifications", || {
        view! { <Notifications/> }.into_any()
    })
}

#[component]
fn Notifications() -> impl IntoView {
    let env = param("env");
    let list = load(move || api::list_destinations(env.get()));
    let error = RwSignal::new(None::<ApiError>);
    let shown = RwSignal::new(None::<i64>);
    view! {
        <div class="page-head"><h1>{move || format!("Notifications · {}", env.get())}</h1>
            <div class="spacer"></div>
            <a class="button" id="guardrailsLink" href=move || crate::api::paths::guardrails(&env.get())>"Guardrails"</a></div>
        <p class="hint">"Deployment events of this environment go to Slack (an incoming webhook) or to any URL as JSON
            signed with HMAC-SHA256 (see the README, \"Notifications\"). A saved URL or secret is never shown again in full."</p>
        <NewDestinationForm env on_added=Callback::new(move |()| list.reload())/>
        {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
        <h2>"Destinations"</h2>
        {move || match list.get() {
            None => view! { <p class="muted">"Loading destinations…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(items)) if items.is_empty() => view! { <p class="muted">"No destinations yet."</p> }.into_any(),
            Some(Ok(items)) => view! {
                <table class="grid" id="destinations">
                    <thead><tr><th>"Name"</th><th>"Kind"</th><th>"URL"</th><th>"Secret"</th><th>"Services"</th>
                        <th>"Events"</th><th>"Added"</th><th></th></tr></thead>
                    <tbody>{items.into_iter().map(|d| destination_row(env, d, shown, error, Callback::new(move |()| list.reload()))).collect_view()}</tbody>
                </table>
            }.into_any(),
        }}
        {move || shown.get().map(|id| view! { <DeliveryLog env id/> })}
    }
}

fn destination_row(
    env: Memo<String>,
    d: DestinationInfo,
    shown: RwSignal<Option<i64>>,
    error: RwSignal<Option<ApiError>>,
    reload: Callback<()>,
) -> impl IntoView {
    let id = d.id;
    let pending = RwSignal::new(false);
    let test = move |_| {
        send(pending, async move { api::send_test(&env.get_untracked(), id).await }, move |answer| match answer {
            Ok(_) => {
                error.set(None);
                shown.set(Some(id));
            }
            Err(e) => error.set(Some(e)),
        })
    };
    let remove =
        move |_| {
            send(pending, async move { api::remove_destination(&env.get_untracked(), id).await }, move |answer| {
                match answer {
                    Ok(()) => reload.run(()),
                    Err(e) => error.set(Some(e)),
                }
            })
        };
    let kind = match d.kind {
        DestinationKind::Slack => "Slack",
        DestinationKind::Webhook => "Webhook",
    };
    let events: Vec<&str> = d.events.iter().map(|e| e.label()).collect();
    view! {
        <tr>
            <td>{d.name.clone()}</td>
            <td>{kind}</td>
            <td class="mono">{d.url_hint.clone()}</td>
            <td class="mono">{d.secret_hint.clone().unwrap_or_default()}</td>
            <td>{if d.services.is_empty() { "every service".to_string() } else { d.services.join(", ") }}</td>
            <td>{events.join(", ")}</td>
            <td>{format!("{} by {}", local_time(Some(&d.created_at)), d.created_by)}</td>
            <td class="actions">
                <button type="button" on:click=move |_| shown.set(Some(id))>"Deliveries"</button>
                <button type="button" disabled=move || pending.get() on:click=test>"Send test"</button>
                <button type="button" class="danger" disabled=move || pending.get() on:click=remove>"Remove"</button>
            </td>
        </tr>
    }
}

const KINDS: &[(&str, &str)] = &[("slack", "Slack incoming webhook"), ("webhook", "Webhook (JSON, signed)")];

#[component]
fn NewDestinationForm(env: Memo<String>, on_added: Callback<()>) -> impl IntoView {
    let initial = NewDestination { events: NotifyEvent::CHOOSABLE.to_vec(), ..NewDestination::default() };
    let form = Form::checked(initial, |s: &NewDestination| errors_only(s.validate()));
    let root = form.root();
    let pending = RwSignal::new(false);
    let add = move || {
        let new = form.spec.get_untracked();
        send(pending, async move { api::add_destination(&env.get_untracked(), &new).await }, move |answer| match answer
        {
            Ok(_) => {
                form.spec.update(|s| {
                    s.name.clear();
                    s.url.clear();
                    s.secret = None;
                });
                form.fields.reset();
                on_added.run(());
            }
            Err(e) => form.fields.server.set(Some(e)),
        })
    };
    let events = Signal::stored(
        NotifyEvent::CHOOSABLE.iter().map(|e| (e.as_str().to_string(), e.label().to_string())).collect::<Vec<_>>(),
    );
    let webhook = move || form.spec.with(|s| s.kind == DestinationKind::Webhook);
    // Only a webhook has a secret: its field comes and goes with the kind.
    let secret = root.field("secret", |s: &mut NewDestination| Some(&mut s.secret));
    Effect::new(move |_| {
        if form.spec.with(|s| s.kind == DestinationKind::Slack && s.secret.is_some()) {
            form.spec.update(|s| s.secret = None);
        }
    });
    view! {
        <form class="wizard" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if form.fields.submit() { add(); }
        }>
            <fieldset>
                <legend>"New destination"</legend>
                {text_input(root.field("name", |s: &mut NewDestination| Some(&mut s.name)),
                    Input::new("Name").id("destinationName").placeholder("#deploys"))}
                {select_by(root.field("kind", |s: &mut NewDestination| Some(&mut s.kind)), Input::new("Kind").id("destinationKind"),
                    options(KINDS), |k| if k == DestinationKind::Webhook { "webhook".into() } else { "slack".into() },
                    |v| Some(if v == "webhook" { DestinationKind::Webhook } else { DestinationKind::Slack }))}
                {text_input(root.field("url", |s: &mut NewDestination| Some(&mut s.url)),
                    Input::new("URL").id("destinationUrl").placeholder("https://hooks.slack.com/services/…"))}
                {move || webhook().then(|| opt_text_input(secret.clone(),
                    Input::new("Secret (16 to 256 characters; signs each request)").id("destinationSecret").password()))}
                {parsed_text(root.field("services", |s: &mut NewDestination| Some(&mut s.services)),
                    Input::new("Services (comma-separated, each as cluster/service; empty = every service)")
                        .id("destinationServices").placeholder("itflex-nginx/nginx-web-access").under(),
                    |list| list.join(", "),
                    |text| text.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())}
                {checklist_by(root.field("events", |s: &mut NewDestination| Some(&mut s.events)), "events", "Events", events,
                    |e| e.as_str().to_string(), NotifyEvent::parse)}
            </fieldset>
            {move || form.fields.server.get().map(|e| view! { <ErrorBanner error=e/> })}
            <div class="actions">
                <button type="submit" class="primary" disabled=move || pending.get()>"Add destination"</button>
            </div>
        </form>
    }
}

#[component]
fn DeliveryLog(env: Memo<String>, id: i64) -> impl IntoView {
    let log = load(move || api::deliveries(env.get(), id));
    view! {
        <h2>"Deliveries " <button type="button" on:click=move |_| log.reload()>"Refresh"</button></h2>
        {move || match log.get() {
            None => view! { <p class="muted">"Loading deliveries…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"Nothing sent to it yet."</p> }.into_any(),
            Some(Ok(list)) => view! {
                <table class="grid" id="deliveries">
                    <thead><tr><th>"Event"</th><th>"Service"</th><th>"Status"</th><th>"Attempts"</th><th>"Last answer"</th>
                        <th>"Created"</th><th>"Idempotency key"</th></tr></thead>
                    <tbody>{list.into_iter().map(delivery_row).collect_view()}</tbody>
                </table>
            }.into_any(),
        }}
    }
}

fn delivery_row(d: DeliveryInfo) -> impl IntoView {
    let status = match d.status {
        shared::notify::DeliveryStatus::Pending => {
            format!("pending (next {})", local_time(d.next_attempt_at.as_deref()))
        }
        shared::notify::DeliveryStatus::Delivered => format!("delivered {}", local_time(d.delivered_at.as_deref())),
        shared::notify::DeliveryStatus::GaveUp => "gave up".to_string(),
    };
    let answer = match (d.last_status, d.last_error) {
        (_, Some(error)) => error,
        (Some(code), None) => code.to_string(),
        (None, None) => String::new(),
    };
    view! {
        <tr>
            <td>{d.event.label()}</td>
            <td>{d.deployment_id.map(|id| view! { <a href=api::paths::deployment(id) rel="external">{d.service.clone().unwrap_or_default()}</a> })}</td>
            <td>{status}</td>
            <td>{d.attempts}</td>
            <td>{answer}</td>
            <td>{local_time(Some(&d.created_at))}</td>
            <td class="mono">{d.idempotency_key}</td>
        </tr>
    }
}
