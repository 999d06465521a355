//! The create-repository wizard. Every field is checked as you type with the rules in `shared`
//! (the same ones the server applies); submit stays disabled until they all pass.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::auth::Role;
use shared::ecr::{EncryptionConfiguration, EncryptionType, ImageTagMutability, RepositorySpec, Tag};
use shared::error::ApiError;

use super::param;
use crate::api::{self, paths};
use crate::components::{ErrorBanner, FieldMessage, JsonExport, TagsEditor, role_gate};
use crate::load::send;

#[derive(Clone, Copy)]
struct Form {
    name: RwSignal<String>,
    mutability: RwSignal<ImageTagMutability>,
    scan_on_push: RwSignal<bool>,
    encryption: RwSignal<EncryptionType>,
    kms_key: RwSignal<String>,
    tags: RwSignal<Vec<Tag>>,
}

impl Form {
    fn new() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            mutability: RwSignal::new(ImageTagMutability::Mutable),
            scan_on_push: RwSignal::new(false),
            encryption: RwSignal::new(EncryptionType::Aes256),
            kms_key: RwSignal::new(String::new()),
            tags: RwSignal::new(Vec::new()),
        }
    }

    fn spec(&self) -> RepositorySpec {
        let encryption = self.encryption.get();
        let kms_key = Some(self.kms_key.get()).filter(|k| encryption.uses_kms() && !k.is_empty());
        RepositorySpec {
            image_tag_mutability: self.mutability.get(),
            image_scanning_configuration: shared::ecr::ImageScanningConfiguration {
                scan_on_push: self.scan_on_push.get(),
            },
            encryption_configuration: Some(EncryptionConfiguration { encryption_type: encryption, kms_key }),
            tags: self.tags.get(),
            ..RepositorySpec::named(self.name.get())
        }
    }
}

/// `/e/:env/repositories/new` (admins of the environment).
#[component]
pub fn CreateRepositoryPage() -> impl IntoView {
    role_gate(param("env"), Role::Admin, "Create private repository", "Creating a repository", || {
        view! { <RepositoryForm/> }.into_any()
    })
}

#[component]
fn RepositoryForm() -> impl IntoView {
    let env = param("env");
    let form = Form::new();
    let spec = Memo::new(move |_| form.spec());
    let rule_errors = Memo::new(move |_| spec.get().validate().err().unwrap_or_default());
    // What the server said about the last submit; cleared as soon as the input changes.
    let server_error = RwSignal::new(None::<ApiError>);
    Effect::new(move |_| {
        spec.track();
        server_error.set(None);
    });
    let name_touched = RwSignal::new(false);

    let field_error = move |path: &'static str| {
        Signal::derive(move || {
            let from_rules = rule_errors.read().iter().find(|e| e.path == path).map(|e| e.message.clone());
            let from_server = server_error.read().as_ref().and_then(|e| e.field(path).map(str::to_string));
            from_rules.or(from_server)
        })
    };

    let navigate = use_navigate();
    let pending = RwSignal::new(false);
    let can_submit = move || rule_errors.read().is_empty() && !pending.get();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        name_touched.set(true);
        if !rule_errors.read_untracked().is_empty() {
            return;
        }
        let (env, spec) = (env.get_untracked(), spec.get_untracked());
        let navigate = navigate.clone();
        let list = paths::repositories(&env);
        send(pending, async move { api::create_repository(&env, &spec).await }, move |answer| match answer {
            Ok(repo) => navigate(&format!("{list}?created={}", repo.repository_name), NavigateOptions::default()),
            Err(e) => server_error.set(Some(e)),
        });
    };
    let name_error = field_error("repositoryName");
    let shown_name_error = move || name_error.get().filter(|_| name_touched.get() || !form.name.read().is_empty());
    // Errors of fields the form has no place for (e.g. a registry ID from an import).
    let banner =
        move || server_error.get().filter(|e| e.fields.is_empty() || e.fields.iter().all(|f| !is_form_path(&f.path)));

    view! {
        <div class="page-head">
            <h1>"Create private repository"</h1>
            <a href=move || paths::repositories(&env.get()) class="button">"Cancel"</a>
        </div>
        {move || banner().map(|e| view! { <ErrorBanner error=e/> })}
        <form class="wizard" on:submit=on_submit novalidate>
            <fieldset>
                <legend>"General settings"</legend>
                <label for="repositoryName">"Repository name"</label>
                <p class="hint">"2–256 characters: lowercase letters, digits, and . _ - between them; / to group (team/app)."</p>
                <input id="repositoryName" name="repositoryName" autocomplete="off" spellcheck="false"
                    class:invalid=move || shown_name_error().is_some()
                    prop:value=move || form.name.get()
                    on:input=move |ev| form.name.set(event_target_value(&ev))
                    on:blur=move |_| name_touched.set(true)/>
                <FieldMessage id="repositoryName-error" message=Signal::derive(shown_name_error)/>

                <span class="label">"Image tag mutability"</span>
                <div class="choices">
                    <Radio name="mutability" label="Mutable" hint="Tags can be moved to a newer image."
                        checked=Signal::derive(move || form.mutability.get() == ImageTagMutability::Mutable)
                        on_pick=Callback::new(move |()| form.mutability.set(ImageTagMutability::Mutable))/>
                    <Radio name="mutability" label="Immutable" hint="A tag, once pushed, always names the same image."
                        checked=Signal::derive(move || form.mutability.get() == ImageTagMutability::Immutable)
                        on_pick=Callback::new(move |()| form.mutability.set(ImageTagMutability::Immutable))/>
                </div>
            </fieldset>

            <fieldset>
                <legend>"Image scan settings"</legend>
                <label class="check">
                    <input type="checkbox" id="scanOnPush" prop:checked=move || form.scan_on_push.get()
                        on:change=move |ev| form.scan_on_push.set(event_target_checked(&ev))/>
                    "Scan on push — each image is scanned for vulnerabilities after it is pushed."
                </label>
            </fieldset>

            <fieldset>
                <legend>"Encryption settings"</legend>
                <p class="hint">"Encryption can't be changed after the repository is created."</p>
                <div class="choices">
                    <Radio name="encryption" label="AES-256" hint="Amazon S3-managed keys."
                        checked=Signal::derive(move || form.encryption.get() == EncryptionType::Aes256)
                        on_pick=Callback::new(move |()| form.encryption.set(EncryptionType::Aes256))/>
                    <Radio name="encryption" label="AWS KMS" hint="A KMS key; without one, AWS uses aws/ecr."
                        checked=Signal::derive(move || form.encryption.get() == EncryptionType::Kms)
                        on_pick=Callback::new(move |()| form.encryption.set(EncryptionType::Kms))/>
                </div>
                <Show when=move || form.encryption.get().uses_kms()>
                    <label for="kmsKey">"KMS key (ID, ARN or alias; optional)"</label>
                    <input id="kmsKey" placeholder="alias/my-key" prop:value=move || form.kms_key.get()
                        on:input=move |ev| form.kms_key.set(event_target_value(&ev))/>
                    <FieldMessage id="kmsKey-error" message=field_error("encryptionConfiguration.kmsKey")/>
                </Show>
            </fieldset>

            <TagsEditor path="tags" members=("Key", "Value") errors=rule_errors
                tags=Signal::derive(move || form.tags.get().into_iter().map(|t| (t.key, t.value)).collect::<Vec<_>>())
                set=Callback::new(move |list: Vec<(String, String)>| {
                    form.tags.set(list.into_iter().map(|(key, value)| Tag { key, value }).collect())
                })/>

            <div class="actions">
                <button type="submit" class="primary" disabled=move || !can_submit()>
                    {move || if pending.get() { "Creating…" } else { "Create repository" }}
                </button>
            </div>
        </form>
        <JsonExport summary="CLI JSON" json=Signal::derive(move || crate::format::pretty_json(&spec.get()))
            hint=view! { "What this form creates, as "<code>"aws ecr create-repository --cli-input-json"</code>" takes it." }.into_any()/>
    }
}

fn is_form_path(path: &str) -> bool {
    path == "repositoryName" || path == "encryptionConfiguration.kmsKey" || path.starts_with("tags")
}

#[component]
fn Radio(
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    checked: Signal<bool>,
    on_pick: Callback<()>,
) -> impl IntoView {
    view! {
        <label class="choice" class:selected=move || checked.get()>
            <input type="radio" name=name prop:checked=move || checked.get() on:change=move |_| on_pick.run(())/>
            <span><strong>{label}</strong><small>{hint}</small></span>
        </label>
    }
}
