//! Key/value tags for any resource: a row per tag (key, value, remove), "Add tag", and the
//! validator's message under the field it names.

use leptos::prelude::*;
use shared::error::FieldError;

use super::FieldMessage;

/// A tag as the editor holds it, whatever the resource calls its members (`Key`/`key`).
pub type TagPair = (String, String);

/// `errors` are the validator's, keyed by JSON path: `{path}[i].{key}` / `{path}[i].{value}`
/// (`members` names the two), and `{path}` for the list itself.
#[component]
pub fn TagsEditor(
    #[prop(into)] tags: Signal<Vec<TagPair>>,
    set: Callback<Vec<TagPair>>,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
    path: &'static str,
    members: (&'static str, &'static str),
) -> impl IntoView {
    let error_at = move |at: String| errors.read().iter().find(|e| e.path == at).map(|e| e.message.clone());
    let edit = move |f: Box<dyn FnOnce(&mut Vec<TagPair>)>| {
        let mut list = tags.get_untracked();
        f(&mut list);
        set.run(list);
    };
    let rows = move || {
        (0..tags.read().len())
            .map(|i| {
                let key = move || tags.read().get(i).map(|t| t.0.clone()).unwrap_or_default();
                let value = move || tags.read().get(i).map(|t| t.1.clone()).unwrap_or_default();
                let key_error = Signal::derive(move || error_at(format!("{path}[{i}].{}", members.0)));
                let value_error = Signal::derive(move || error_at(format!("{path}[{i}].{}", members.1)));
                view! {
                    <div class="tag-row">
                        <div>
                            <input placeholder="Key" prop:value=key aria-label=format!("Tag {} key", i + 1)
                                on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |t| t[i].0 = v)) }/>
                            <FieldMessage id=format!("tags{i}-key-error") message=key_error/>
                        </div>
                        <div>
                            <input placeholder="Value (optional)" prop:value=value aria-label=format!("Tag {} value", i + 1)
                                on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |t| t[i].1 = v)) }/>
                            <FieldMessage id=format!("tags{i}-value-error") message=value_error/>
                        </div>
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
            <FieldMessage id="tags-error" message=Signal::derive(move || error_at(path.into()))/>
            <button type="button" on:click=move |_| edit(Box::new(|t| t.push(Default::default())))>"Add tag"</button>
        </fieldset>
    }
}
