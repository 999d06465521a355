//! Widgets over lists: checkboxes over choices, lines of text, rows of elements; and the form's
//! problems in one list.

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
use shared::error::FieldError;

use super::widgets::{Input, labelled, message, message_under};
use super::{Document, Fields, Lens};

/// One checkbox per item (`(id, label)`, which may load later), bound to the list of chosen ids;
/// `name` is each input's, `class` the items' container's.
#[allow(clippy::too_many_arguments)]
fn checklist_view(
    fields: Fields,
    path: String,
    name: &'static str,
    title: &'static str,
    class: &'static str,
    items: Signal<Vec<(String, String)>>,
    chosen: Signal<Vec<String>>,
    set: Callback<Vec<String>>,
) -> AnyView {
    let boxes =
        {
            let path = path.clone();
            move || {
                let path = path.clone();
                items
                .get()
                .into_iter()
                .map(|(id, label)| {
                    let checked = { let id = id.clone(); move || chosen.read().contains(&id) };
                    let path = path.clone();
                    let toggle = { let id = id.clone(); move |ev| {
                        let on = event_target_checked(&ev);
                        let mut list = chosen.get_untracked();
                        list.retain(|x| *x != id);
                        if on {
                            list.push(id.clone());
                        }
                        set.run(list);
                        fields.touch(&path);
                    }};
                    view! {
                        <label class="check">
                            <input type="checkbox" name=name value=id.clone() prop:checked=checked on:change=toggle/>
                            {if label.is_empty() { id.clone().into_any() } else {
                                view! { <span class="mono">{id.clone()}</span>" "<small>{label}</small> }.into_any()
                            }}
                        </label>
                    }
                })
                .collect_view()
            }
        };
    view! {
        <div class="field checklist" data-path=path.clone()>
            <span class="label">{title}</span>
            <div class=class>{boxes}</div>
            {message_under(fields, path.clone())}
        </div>
    }
    .into_any()
}

/// A list of ids chosen with checkboxes (see [`checklist_view`]).
pub fn checklist<S: Document>(
    lens: Lens<S, Vec<String>>,
    name: &'static str,
    title: &'static str,
    class: &'static str,
    items: Signal<Vec<(String, String)>>,
) -> AnyView {
    let (chosen, set) = lens.bind(|v| v, Some);
    checklist_view(lens.form.fields, lens.path, name, title, class, items, chosen, set)
}

/// A list of typed choices chosen with checkboxes, each named by `to` (and read back by `from`).
pub fn checklist_by<S: Document, T: Clone + Send + Sync + 'static>(
    lens: Lens<S, Vec<T>>,
    name: &'static str,
    title: &'static str,
    items: Signal<Vec<(String, String)>>,
    to: fn(&T) -> String,
    from: fn(&str) -> Option<T>,
) -> AnyView {
    let (chosen, set) = lens.bind(
        move |v: Vec<T>| v.iter().map(to).collect(),
        move |v: Vec<String>| Some(v.iter().filter_map(|s| from(s)).collect()),
    );
    checklist_view(lens.form.fields, lens.path, name, title, "", items, chosen, set)
}

/// An optional list of ids chosen with checkboxes, absent when none is.
pub fn opt_checklist<S: Document>(
    lens: Lens<S, Option<Vec<String>>>,
    name: &'static str,
    title: &'static str,
    items: Signal<Vec<(String, String)>>,
) -> AnyView {
    let (chosen, set) = lens.bind(Option::unwrap_or_default, |v: Vec<String>| Some((!v.is_empty()).then_some(v)));
    checklist_view(lens.form.fields, lens.path, name, title, "", items, chosen, set)
}

/// A list of strings, one per line (committed when the field is left, so typing is never rewritten).
fn lines_view(
    fields: Fields,
    path: String,
    label: &'static str,
    hint: Option<&'static str>,
    placeholder: &'static str,
    value: Signal<String>,
    set: Callback<String>,
) -> AnyView {
    let control = view! {
        <textarea name=path.clone() rows="2" spellcheck="false" placeholder=placeholder prop:value=move || value.get()
            on:change={ let p = path.clone(); move |ev| {
                set.run(event_target_value(&ev));
                fields.touch(&p);
            }}></textarea>
    }
    .into_any();
    labelled(fields, Input { hint, ..Input::new(label) }, control, path)
}

fn split_lines(text: String) -> Vec<String> {
    text.lines().map(str::to_string).filter(|l| !l.trim().is_empty()).collect()
}

/// An optional list of strings, absent when empty.
pub fn lines<S: Document>(
    lens: Lens<S, Option<Vec<String>>>,
    label: &'static str,
    hint: Option<&'static str>,
) -> AnyView {
    let (value, set) = lens.bind(
        |l| l.unwrap_or_default().join("\n"),
        |text| {
            let list = split_lines(text);
            Some((!list.is_empty()).then_some(list))
        },
    );
    lines_view(lens.form.fields, lens.path, label, hint, "", value, set)
}

/// A required list of strings.
pub fn required_lines<S: Document>(
    lens: Lens<S, Vec<String>>,
    label: &'static str,
    hint: Option<&'static str>,
) -> AnyView {
    let (value, set) = lens.bind(|l| l.join("\n"), |text| Some(split_lines(text)));
    lines_view(lens.form.fields, lens.path, label, hint, "", value, set)
}

/// A string map as `KEY=value` lines (committed when the field is left).
pub fn map_lines<S: Document>(lens: Lens<S, Option<BTreeMap<String, String>>>, label: &'static str) -> AnyView {
    let (value, set) = lens.bind(
        |m| m.unwrap_or_default().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n"),
        |text| {
            let map: BTreeMap<String, String> = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| match l.split_once('=') {
                    Some((k, v)) => (k.trim().to_string(), v.to_string()),
                    None => (l.trim().to_string(), String::new()),
                })
                .collect();
            Some((!map.is_empty()).then_some(map))
        },
    );
    lines_view(lens.form.fields, lens.path, label, None, "KEY=value, one per line", value, set)
}

/// Rows of a list member with add and remove buttons; `row` draws one element's inputs.
pub fn rows<S: Document, T: Clone + Default + Send + Sync + 'static>(
    lens: Lens<S, Option<Vec<T>>>,
    title: &'static str,
    add_label: &'static str,
    row: impl Fn(Lens<S, T>) -> AnyView + Send + Sync + 'static,
) -> AnyView {
    let (item, add, remove) = (lens.clone(), lens.clone(), lens.clone());
    rows_view(
        lens.len(),
        lens.form.fields,
        lens.path.clone(),
        title,
        add_label,
        Arc::new(move |i| row(item.item(i))),
        Callback::new(move |()| add.push(T::default())),
        Callback::new(move |i| remove.remove(i)),
    )
}

/// The part of [`rows`] that does not depend on the element type (compiled once).
#[allow(clippy::too_many_arguments)]
fn rows_view(
    len: Memo<usize>,
    fields: Fields,
    path: String,
    title: &'static str,
    add_label: &'static str,
    row: Arc<dyn Fn(usize) -> AnyView + Send + Sync>,
    add: Callback<()>,
    remove: Callback<usize>,
) -> AnyView {
    view! {
        <div class="rows" data-path=path.clone()>
            <span class="label">{title}</span>
            {move || {
                (0..len.get())
                    .map(|i| view! {
                        <div class="row">
                            {row(i)}
                            <button type="button" class="icon" aria-label=format!("Remove {} {}", title, i + 1)
                                on:click=move |_| remove.run(i)>"✕"</button>
                        </div>
                    })
                    .collect_view()
            }}
            {message(fields, path.clone())}
            <button type="button" class="add" on:click=move |_| add.run(())>{add_label}</button>
        </div>
    }
    .into_any()
}

/// The form's problems in one list, after a submit was tried: errors (with `what` the submit
/// would do) and warnings, each with its path.
pub fn problems(fields: impl Into<Fields>, what: &'static str) -> AnyView {
    let fields = fields.into();
    let item = |f: FieldError| {
        let path = if f.path.is_empty() { "document".to_string() } else { f.path };
        view! { <li><code>{path}</code>": "{f.message}</li> }
    };
    (move || {
        let report = fields.report.get();
        let shown = fields.submitted.get() && !(report.errors.is_empty() && report.warnings.is_empty());
        shown.then(|| {
            view! {
                <div class="problems" id="problems">
                    {(!report.errors.is_empty()).then(|| view! {
                        <p class="field-error">{format!("{} problem(s) to fix before {what}:", report.errors.len())}</p>
                        <ul>{report.errors.iter().cloned().map(item).collect_view()}</ul>
                    })}
                    {(!report.warnings.is_empty()).then(|| view! {
                        <p class="field-warning">{format!("Warnings ({what} is allowed):")}</p>
                        <ul>{report.warnings.iter().cloned().map(item).collect_view()}</ul>
                    })}
                </div>
            }
        })
    })
    .into_any()
}
