//! The create-repository wizard: the console's form over the CreateRepository document. Every
//! field is checked as you type with the rules in `shared` (the same ones the server applies);
//! submit stays disabled until they all pass.

use crate::router::navigate;
use leptos::prelude::*;
use shared::auth::Role;
use shared::ecr::{EncryptionConfiguration, EncryptionType, ImageTagMutability, RepositorySpec, Tag};

use super::param;
use crate::api::{self, paths};
use crate::components::form::{Choice, Form, Input, errors_only, flag, message, opt_text_input, radio, text_input};
use crate::components::{ErrorBanner, JsonExport, TagsEditor, role_gate};
use crate::load::send;

const MUTABILITY: &[Choice] = &[
    ("MUTABLE", "Mutable", "Tags can be moved to a newer image."),
    ("IMMUTABLE", "Immutable", "A tag, once pushed, always names the same image."),
];

const ENCRYPTION: &[Choice] = &[
    ("AES256", "AES-256", "Amazon S3-managed keys."),
    ("KMS", "AWS KMS", "A KMS key; without one, AWS uses aws/ecr."),
];

fn initial() -> RepositorySpec {
    RepositorySpec {
        encryption_configuration: Some(EncryptionConfiguration {
            encryption_type: EncryptionType::Aes256,
            kms_key: None,
        }),
        ..RepositorySpec::named("")
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
    let form = Form::checked(initial(), |s: &RepositorySpec| errors_only(s.validate())).live();
    let root = form.root();
    let encryption =
        root.field("encryptionConfiguration", |s: &mut RepositorySpec| Some(&mut s.encryption_configuration));
    let kms = Memo::new(move |_| {
        form.spec.with(|s| s.encryption_configuration.as_ref().is_some_and(|e| e.encryption_type.uses_kms()))
    });
    let tags = root.field("tags", |s: &mut RepositorySpec| Some(&mut s.tags));
    let pending = RwSignal::new(false);
    let can_submit = move || form.report.read().is_valid() && !pending.get();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.fields.submit() {
            return;
        }
        let (env, spec) = (env.get_untracked(), form.spec.get_untracked());
        let navigate = navigate.clone();
        let list = paths::repositories(&env);
        send(pending, async move { api::create_repository(&env, &spec).await }, move |answer| match answer {
            Ok(repo) => navigate(&format!("{list}?created={}", repo.repository_name), false),
            Err(e) => form.fields.server.set(Some(e)),
        });
    };
    let kms_key = root.field("encryptionConfiguration.kmsKey", |s: &mut RepositorySpec| {
        s.encryption_configuration.as_mut().map(|e| &mut e.kms_key)
    });
    let (read_tags, write_tags) = (tags.clone(), tags);

    view! {
        <div class="page-head">
            <h1>"Create private repository"</h1>
            <a href=move || paths::repositories(&env.get()) class="button">"Cancel"</a>
        </div>
        // Errors of fields the form has no place for (e.g. a registry ID from an import).
        {move || form.fields.unplaced_error().map(|e| view! { <ErrorBanner error=e/> })}
        <form class="wizard" on:submit=on_submit novalidate>
            <fieldset>
                <legend>"General settings"</legend>
                {text_input(root.field("repositoryName", |s: &mut RepositorySpec| Some(&mut s.repository_name)),
                    Input::new("Repository name").id("repositoryName")
                        .hint("2–256 characters: lowercase letters, digits, and . _ - between them; / to group (team/app)."))}
                <span class="label">"Image tag mutability"</span>
                {radio(root.field("imageTagMutability", |s: &mut RepositorySpec| Some(&mut s.image_tag_mutability)),
                    "mutability", MUTABILITY, true,
                    |m| if m == ImageTagMutability::Immutable { "IMMUTABLE" } else { "MUTABLE" },
                    |v| Some(if v == "IMMUTABLE" { ImageTagMutability::Immutable } else { ImageTagMutability::Mutable }))}
            </fieldset>

            <fieldset>
                <legend>"Image scan settings"</legend>
                {flag(root.field("imageScanningConfiguration.scanOnPush", |s: &mut RepositorySpec| Some(&mut s.image_scanning_configuration.scan_on_push)),
                    Input::new("Scan on push — each image is scanned for vulnerabilities after it is pushed.").id("scanOnPush").name("scanOnPush"))}
            </fieldset>

            <fieldset>
                <legend>"Encryption settings"</legend>
                <p class="hint">"Encryption can't be changed after the repository is created."</p>
                {radio(encryption, "encryption", ENCRYPTION, true,
                    |e| if e.is_some_and(|e| e.encryption_type.uses_kms()) { "KMS" } else { "AES256" },
                    |v| Some(Some(EncryptionConfiguration {
                        encryption_type: if v == "KMS" { EncryptionType::Kms } else { EncryptionType::Aes256 },
                        kms_key: None,
                    })))}
                <Show when=move || kms.get()>
                    {opt_text_input(kms_key.clone(), Input::new("KMS key (ID, ARN or alias; optional)").id("kmsKey").placeholder("alias/my-key"))}
                </Show>
                {message(form, "encryptionConfiguration")}
            </fieldset>

            <TagsEditor path="tags" members=("Key", "Value") fields=form.fields
                tags=Signal::derive(move || read_tags.get().into_iter().map(|t| (t.key, t.value)).collect::<Vec<_>>())
                set=Callback::new(move |list: Vec<(String, String)>| {
                    write_tags.set(list.into_iter().map(|(key, value)| Tag { key, value }).collect())
                })/>

            <div class="actions">
                <button type="submit" class="primary" disabled=move || !can_submit()>
                    {move || if pending.get() { "Creating…" } else { "Create repository" }}
                </button>
            </div>
        </form>
        <JsonExport summary="CLI JSON" json=Signal::derive(move || crate::format::pretty_json(&form.spec.get()))
            hint=view! { "What this form creates, as "<code>"aws ecr create-repository --cli-input-json"</code>" takes it." }.into_any()/>
    }
}
