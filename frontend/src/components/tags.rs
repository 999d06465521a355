//! Key/value tags for any resource: a row per tag (key, value, remove), "Add tag", and the
//! form's messages under the fields they name.

use leptos::prelude::*;

use super::form::{Fields, message};

/// A tag as the editor holds it, whatever the resource calls its members (`Key`/`key`).
pub type TagPair = (String, String);

/// Messages come from the form's `fields` at `{path}[i].{key}` / `{path}[i].{value}` (`members`
/// names the two), and `{path}` for the list itself.
#[component]
pub fn TagsEditor(
    #[prop(into)] tags: Signal<Vec<TagPair>>,
    set: Callback<Vec<TagPair>>,
    fields: Fields,
    path: &'static str,
    members: (&'static str, &'static str),
) -> impl IntoView {
    let edit = move |f: Box<dyn FnOnce(&mut Vec<TagPair>)>| {
        let mut list = tags.get_untracked();
        f(&mut list);
        set.run(list);
    };
    let cell = move |i: usize, second: bool| {
        let at = format!("{path}[{i}].{}", if second { members.1 } else { members.0 });
        let value =
            move || tags.read().get(i).map(|t| if second { t.1.clone() } else { t.0.clone() }).unwrap_or_default();
        let input = {
            let at = at.clone();
            move |ev| {
                let v = event_target_value(&ev);
                edit(Box::new(move |t| if second { t[i].1 = v } else { t[i].0 = v }));
                fields.touch(&at);
            }
        };
        view! {
            <div>
                <input placeholder=if second { "Value (optional)" } else { "Key" } prop:value=value
                    aria-label=format!("Tag {} {}", i + 1, if second { "value" } else { "key" }) on:input=input/>
                {message(fields, at)}
            </div>
        }
    };
    let len = Memo::new(move |_| tags.read().len());
    let rows = move || {
        (0..len.get())
            .map(|i| {
                view! {
                    <div class="tag-row">
                        {cell(i, false)}
                        {cell(i, true)}
                        <button type="button" class="icon" aria-label="Remove tag"
                            on:click=move |_| edit(Box::new(move |t| { t.remove(i); }))>"✕"</button>
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <fieldset>
            <legend>"Tags"</legend>
            {rows}
            {message(fields, path)}
            <button type="button" on:click=move |_| edit(Box::new(|t| t.push(Default::default())))>"Add tag"</button>
        </fieldset>
    }
}
