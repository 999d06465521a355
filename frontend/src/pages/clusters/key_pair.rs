//! The cluster wizard's "Create a key pair": the lab reaches its instances over SSH, so a key pair
//! can be made here (CreateKeyPair). Its private key is shown once, to copy or download as
//! `<name>.pem`; Berth keeps no copy, and closing the panel forgets it.

use leptos::prelude::*;
use shared::ecs::cluster::{Choice, ClusterSpec, CreatedKeyPair};
use shared::error::ApiError;

use crate::api;
use crate::components::ErrorBanner;
use crate::components::form::Lens;
use crate::load::{Loaded, send};

/// A name, Create, then the private key once; the new key pair is chosen in `key`.
pub(super) fn key_pair_maker(
    env: Memo<String>,
    key: Lens<ClusterSpec, Option<String>>,
    keys: Loaded<Vec<Choice>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let created = RwSignal::new(None::<CreatedKeyPair>);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let create = move |_| {
        let (env, wanted) = (env.get_untracked(), name.get_untracked().trim().to_string());
        let key = key.clone();
        send(pending, async move { api::create_key_pair(&env, &wanted).await }, move |answer| match answer {
            Ok(pair) => {
                error.set(None);
                keys.reload();
                key.set(Some(pair.key_name.clone()));
                created.set(Some(pair));
            }
            Err(e) => error.set(Some(e)),
        });
    };
    let forget = move |_| {
        created.set(None);
        open.set(false);
    };
    view! {
        <div class="key-pair-maker">
            <Show when=move || !open.get()>
                <button type="button" id="newKeyPair" on:click=move |_| open.set(true)>"Create a key pair…"</button>
            </Show>
            <Show when=move || open.get() && created.read().is_none()>
                <div class="inline-form">
                    <label>"Key pair name "<input type="text" id="keyPairName" maxlength="255" placeholder="lab-key"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                    <button type="button" id="createKeyPair" disabled=move || pending.get() on:click=create.clone()>"Create"</button>
                    <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                </div>
                {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
            </Show>
            {move || created.get().map(|pair| {
                let file = format!("{}.pem", pair.key_name);
                let href = format!("data:application/x-pem-file;charset=utf-8,{}", js_sys::encode_uri_component(&pair.private_key));
                view! {
                    <div class="banner warning" id="privateKey" role="status">
                        <p>{format!("Key pair {} created (fingerprint {}). Its private key is shown only now: Berth does not keep it, and AWS can't give it again. Save it, then chmod 400 it.", pair.key_name, pair.key_fingerprint)}</p>
                        <textarea class="mono" readonly rows="6">{pair.private_key.clone()}</textarea>
                        <p><a class="button" href=href download=file.clone() id="downloadKey">{format!("Download {file}")}</a>
                           " "<button type="button" on:click=forget>"I saved it: hide it"</button></p>
                    </div>
                }
            })}
        </div>
    }
}
