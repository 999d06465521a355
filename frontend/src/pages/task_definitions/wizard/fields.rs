//! The wizard's form: the console's one form mechanism (`components::form`) over the
//! RegisterTaskDefinition document, and the members it has no inputs for.

use leptos::prelude::*;
use shared::ecs::task_definition::TaskDefinitionSpec as Spec;

pub use crate::components::form::{
    checkbox, int, lines, map_lines, message, number, opt_text, required_lines, rows, select, text,
};

pub type Form = crate::components::form::Form<Spec>;
pub type Lens<T> = crate::components::form::Lens<Spec, T>;

/// Members the wizard has no inputs for, shown as they will be registered.
pub fn kept_as_is<T: serde::Serialize>(value: &T, edited: &[&str]) -> Option<String> {
    let serde_json::Value::Object(mut map) = shared::validate::as_value(value)? else { return None };
    map.retain(|k, _| !edited.contains(&k.as_str()));
    (!map.is_empty()).then(|| super::super::pretty_json(&map))
}

pub fn kept_view(title: &'static str, json: Option<String>) -> impl IntoView {
    json.map(|json| {
        view! {
            <details class="kept">
                <summary>{title}</summary>
                <p class="hint">"Kept exactly as imported and registered with the rest (edit them in the JSON import)."</p>
                <pre>{json}</pre>
            </details>
        }
    })
}
