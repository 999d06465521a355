use leptos::prelude::*;

use crate::api;
use crate::context::session;
use crate::load::send;

/// Shown instead of the console while nobody is logged in.
#[component]
pub fn LoginPage() -> impl IntoView {
    let session = session();
    let (name, set_name) = signal(String::new());
    let (password, set_password) = signal(String::new());
    let pending = RwSignal::new(false);
    let (error, set_error) = signal(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send(pending, api::login(name.get_untracked(), password.get_untracked()), move |answer| match answer {
            Ok(me) => session.0.set(Some(me)),
            Err(e) => set_error.set(Some(e.message)),
        });
    };
    view! {
        <main class="login">
            <form class="login-card" on:submit=on_submit>
                <h1>"⚓ Berth"</h1>
                <p class="muted">"Log in to the console."</p>
                <label for="loginName">"User"</label>
                <input id="loginName" name="username" autocomplete="username" required
                    on:input=move |ev| set_name.set(event_target_value(&ev))/>
                <label for="loginPassword">"Password"</label>
                <input id="loginPassword" name="password" type="password" autocomplete="current-password" required
                    on:input=move |ev| set_password.set(event_target_value(&ev))/>
                {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                <button type="submit" class="primary" disabled=move || pending.get()>"Log in"</button>
            </form>
        </main>
    }
}
