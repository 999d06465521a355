//! The image field's "Choose from ECR…": the console's one ECR picker, folded until asked for.

use leptos::prelude::*;

use super::fields::Lens;
use crate::components::EcrPicker;
use crate::pages::param;

pub fn image_picker(image: Lens<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let env = param("env");
    view! {
        <button type="button" class="link" on:click=move |_| open.update(|o| *o = !*o)>
            {move || if open.get() { "Close the ECR picker" } else { "Choose from ECR…" }}
        </button>
        {move || open.get().then(|| {
            let image = image.clone();
            let current = image.get_untracked();
            view! {
                <EcrPicker env current pick=Callback::new(move |reference| {
                    image.set(reference);
                    open.set(false);
                })/>
            }
        })}
    }
}
