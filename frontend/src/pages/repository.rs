//! `/e/:env/repository/:name`: settings, images, lifecycle policy, push commands, delete.

use crate::router::navigate;
use leptos::prelude::*;
use shared::ecr::{Image, PushCommand, RepositoryDetail};

use super::param;
use super::repositories::title_case;
use crate::api::{self, paths};
use crate::components::{CopyButton, ErrorBanner, Modal};
use crate::format::{local_time, short_digest, size};
use crate::load::{load, send};

#[component]
pub fn RepositoryPage() -> impl IntoView {
    let env = param("env");
    let name = param("name");
    let detail = load(move || {
        let (env, name) = (env.get(), name.get());
        async move { api::get_repository(&env, &name).await }
    });
    let images = load(move || {
        let (env, name) = (env.get(), name.get());
        async move { api::list_images(&env, &name).await }
    });
    view! {
        <p class="crumbs"><a href=move || paths::repositories(&env.get())>"Repositories"</a>" / "{name}</p>
        {move || match detail.get() {
            None => view! { <p class="muted">"Loading repository…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(d)) => view! { <Overview detail=d/> }.into_any(),
        }}
        <section>
            <h2>"Images"</h2>
            {move || {
                let env_name = env.get();
                let local = crate::context::environment_info(&env_name).is_some_and(|e| e.local);
                let deployer = crate::context::session().role_in(&env_name).is_some_and(|r| r >= shared::auth::Role::Deployer);
                (local && deployer).then(|| view! {
                    <super::repository_push::SimulatePush env name on_pushed=Callback::new(move |()| images.reload())/>
                })
            }}
            {move || match images.get() {
                None => view! { <p class="muted">"Loading images…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                Some(Ok(list)) => view! { <ImageTable list/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Overview(detail: RepositoryDetail) -> impl IntoView {
    let RepositoryDetail { repository: r, lifecycle_policy, push_commands } = detail;
    let (show_push, set_show_push) = signal(false);
    let (show_delete, set_show_delete) = signal(false);
    let image_count = r.image_count.unwrap_or(0);
    let name = r.repository_name.clone();
    let env = param("env");
    let session = crate::context::session();
    let can_delete = Memo::new(move |_| session.role_in(&env.get()) == Some(shared::auth::Role::Admin));
    view! {
        <div class="page-head">
            <h1>{r.repository_name.clone()}</h1>
            <div class="buttons">
                <button type="button" on:click=move |_| set_show_push.set(true)>"View push commands"</button>
                <Show when=move || can_delete.get()>
                    <button type="button" class="danger" on:click=move |_| set_show_delete.set(true)>"Delete"</button>
                </Show>
            </div>
        </div>
        <dl class="summary">
            <div><dt>"URI"</dt><dd class="mono">{r.repository_uri.clone()}" "<CopyButton text=r.repository_uri.clone()/></dd></div>
            <div><dt>"ARN"</dt><dd class="mono">{r.repository_arn.clone()}</dd></div>
            <div><dt>"Created at"</dt><dd>{local_time(r.created_at.as_deref())}</dd></div>
            <div><dt>"Tag mutability"</dt><dd>{title_case(&r.image_tag_mutability)}</dd></div>
            <div><dt>"Scan on push"</dt><dd>{if r.scan_on_push { "Enabled" } else { "Disabled" }}</dd></div>
            <div><dt>"Encryption"</dt><dd>{r.encryption_type.clone()}{r.kms_key.clone().map(|k| format!(" ({k})"))}</dd></div>
            <div><dt>"Images"</dt><dd>{r.image_count.map_or("—".to_string(), |n| n.to_string())}</dd></div>
        </dl>
        <section>
            <h2>"Lifecycle policy"</h2>
            {match lifecycle_policy {
                Some(policy) => view! { <pre class="code">{policy}</pre> }.into_any(),
                None => view! { <p class="muted">"No lifecycle policy: images are kept until deleted."</p> }.into_any(),
            }}
        </section>
        <Show when=move || show_push.get()>
            <PushCommands commands=push_commands.clone() on_close=Callback::new(move |()| set_show_push.set(false))/>
        </Show>
        <Show when=move || show_delete.get()>
            <DeleteDialog name=name.clone() image_count on_close=Callback::new(move |()| set_show_delete.set(false))/>
        </Show>
    }
}

#[component]
fn PushCommands(commands: Vec<PushCommand>, on_close: Callback<()>) -> impl IntoView {
    let local = commands.first().is_some_and(|c| c.command.contains("berth local push"));
    view! {
        <Modal title="Push commands" on_close>
            <p class="hint">{if local {
                "Local mode: no Docker or AWS CLI needed — or use \"Simulate a push\" above the images."
            } else {
                "Make sure you have the latest AWS CLI and Docker installed."
            }}</p>
            <ol class="push-commands">
                {commands.into_iter().map(|c| view! {
                    <li>
                        <p>{c.title}</p>
                        <div class="code-block"><pre>{c.command.clone()}</pre><CopyButton text=c.command/></div>
                    </li>
                }).collect_view()}
            </ol>
        </Modal>
    }
}

#[component]
fn DeleteDialog(name: String, image_count: u64, on_close: Callback<()>) -> impl IntoView {
    let env = param("env");
    let (typed, set_typed) = signal(String::new());
    let (with_images, set_with_images) = signal(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<shared::error::ApiError>);
    let confirm_name = name.clone();
    let ready = move || typed.get() == confirm_name && (image_count == 0 || with_images.get()) && !pending.get();
    let submit_name = name.clone();
    let on_delete = move |_| {
        let (env, name, force) = (env.get_untracked(), submit_name.clone(), with_images.get_untracked());
        let navigate = navigate.clone();
        let list = paths::repositories(&env);
        send(pending, async move { api::delete_repository(&env, &name, force).await }, move |answer| match answer {
            Ok(()) => navigate(&list, false),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <Modal title=format!("Delete {name}") on_close>
            <p>"This deletes the repository. It can't be undone."</p>
            {(image_count > 0).then(|| view! {
                <label class="check">
                    <input type="checkbox" id="deleteImages" on:change=move |ev| set_with_images.set(event_target_checked(&ev))/>
                    {if image_count == 1 { "Delete its image too".to_string() } else { format!("Delete its {image_count} images too") }}
                    " — required: a repository that holds images can't be deleted otherwise."
                </label>
            })}
            <label for="confirmName">"Type "<code>{name.clone()}</code>" to confirm"</label>
            <input id="confirmName" autocomplete="off" on:input=move |ev| set_typed.set(event_target_value(&ev))/>
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="danger" disabled=move || !ready() on:click=on_delete>
                    "Delete repository"
                </button>
            </div>
        </Modal>
    }
}

#[component]
fn ImageTable(list: Vec<Image>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"No images yet: use the push commands to push one."</p> }.into_any();
    }
    view! {
        <table class="grid">
            <thead><tr><th>"Image tags"</th><th>"Digest"</th><th>"Pushed at"</th><th class="num">"Size"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|i| view! {
                    <tr>
                        <td>{if i.image_tags.is_empty() {
                            view! { <em class="muted">"untagged"</em> }.into_any()
                        } else {
                            i.image_tags.iter().map(|t| view! { <span class="chip">{t.clone()}</span> }).collect_view().into_any()
                        }}</td>
                        <td class="mono" title=i.image_digest.clone()>{short_digest(&i.image_digest)}" "<CopyButton text=i.image_digest.clone()/></td>
                        <td>{local_time(i.pushed_at.as_deref())}</td>
                        <td class="num">{size(i.size_bytes)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }.into_any()
}
