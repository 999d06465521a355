//! The console's one form mechanism: one signal holds the whole document being edited (the shared
//! crate's typed spec), a [`Lens`] points at one member of it together with the member's JSON
//! path — where the shared validator reports its errors and warnings — and the field widgets below
//! read and write through lenses. A message shows at its field once the field was left or a submit
//! was tried.

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
pub use shared::ecs::task_definition::Report;
use shared::error::FieldError;

/// What a form's document may be: the shared crate's specs are.
pub trait Document: Clone + Default + Send + Sync + 'static {}
impl<S: Clone + Default + Send + Sync + 'static> Document for S {}

/// The document being edited, its rule report, and which fields the user has left.
pub struct Form<S: Document> {
    pub spec: RwSignal<S>,
    pub report: Memo<Report>,
    touched: RwSignal<Vec<String>>,
    pub submitted: RwSignal<bool>,
}

impl<S: Document> Clone for Form<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: Document> Copy for Form<S> {}

impl<S: Document> Form<S> {
    /// `check`: the shared rules for `S`, run on every change.
    pub fn new(check: fn(&S) -> Report) -> Self {
        let spec = RwSignal::new(S::default());
        Self {
            spec,
            report: Memo::new(move |_| spec.with(check)),
            touched: RwSignal::new(Vec::new()),
            submitted: RwSignal::new(false),
        }
    }

    pub fn touch(&self, path: &str) {
        if !self.touched.read_untracked().iter().any(|p| p == path) {
            self.touched.update(|t| t.push(path.to_string()));
        }
    }

    /// The error (or else warning) at `path`, once the user has been there: `(is_error, message)`.
    pub fn message(&self, path: &str) -> Option<(bool, String)> {
        if !self.submitted.get() && !self.touched.read().iter().any(|p| p == path) {
            return None;
        }
        let report = self.report.read();
        let at = |list: &[FieldError]| list.iter().find(|e| e.path == path).map(|e| e.message.clone());
        at(&report.errors).map(|m| (true, m)).or_else(|| at(&report.warnings).map(|m| (false, m)))
    }

    pub fn root(&self) -> Lens<S, S> {
        Lens { form: *self, path: String::new(), at: Arc::new(pick(|s: &mut S| Some(s))) }
    }
}

type At<S, T> = Arc<dyn Fn(&mut S) -> Option<&mut T> + Send + Sync>;

/// Gives a closure the signature `for<'a> Fn(&'a mut S) -> Option<&'a mut T>`.
fn pick<S, T, F: Fn(&mut S) -> Option<&mut T>>(f: F) -> F {
    f
}

/// One place in the document and its JSON path.
pub struct Lens<S: Document, T> {
    pub form: Form<S>,
    pub path: String,
    at: At<S, T>,
}

impl<S: Document, T> Clone for Lens<S, T> {
    fn clone(&self) -> Self {
        Self { form: self.form, path: self.path.clone(), at: self.at.clone() }
    }
}

impl<S: Document, T: Clone + Default + Send + Sync + 'static> Lens<S, T> {
    /// The value, tracked (read through the same accessor that writes, without notifying).
    pub fn get(&self) -> T {
        self.form.spec.track();
        self.form.spec.try_update_untracked(|s| (self.at)(s).cloned()).flatten().unwrap_or_default()
    }

    pub fn get_untracked(&self) -> T {
        self.form.spec.try_update_untracked(|s| (self.at)(s).cloned()).flatten().unwrap_or_default()
    }

    pub fn set(&self, value: T) {
        self.form.spec.update(|s| {
            if let Some(place) = (self.at)(s) {
                *place = value;
            }
        });
    }

    pub fn update(&self, f: impl FnOnce(&mut T)) {
        self.form.spec.update(|s| {
            if let Some(place) = (self.at)(s) {
                f(place);
            }
        });
    }

    /// A member: `key` is its JSON name (joined to the path), `f` reaches it.
    pub fn field<U>(&self, key: &str, f: impl Fn(&mut T) -> Option<&mut U> + Send + Sync + 'static) -> Lens<S, U> {
        let parent = self.at.clone();
        let path = if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) };
        Lens { form: self.form, path, at: Arc::new(pick(move |s: &mut S| parent(s).and_then(&f))) }
    }
}

impl<S: Document, T: Clone + Default + Send + Sync + 'static> Lens<S, Vec<T>> {
    pub fn at(&self, index: usize) -> Lens<S, T> {
        let parent = self.at.clone();
        Lens {
            form: self.form,
            path: format!("{}[{index}]", self.path),
            at: Arc::new(pick(move |s: &mut S| parent(s).and_then(|l| l.get_mut(index)))),
        }
    }
}

impl<S: Document, T: Clone + Default + Send + Sync + 'static> Lens<S, Option<T>> {
    /// The value inside, while there is one (reading never creates it).
    pub fn some(&self) -> Lens<S, T> {
        let parent = self.at.clone();
        Lens {
            form: self.form,
            path: self.path.clone(),
            at: Arc::new(pick(move |s: &mut S| parent(s).and_then(|o| o.as_mut()))),
        }
    }
}

impl<S: Document, T: Clone + Default + Send + Sync + 'static> Lens<S, Option<Vec<T>>> {
    pub fn item(&self, index: usize) -> Lens<S, T> {
        let parent = self.at.clone();
        Lens {
            form: self.form,
            path: format!("{}[{index}]", self.path),
            at: Arc::new(pick(move |s: &mut S| parent(s).and_then(|l| l.as_mut()).and_then(|l| l.get_mut(index)))),
        }
    }

    /// The number of elements, as a memo: rows re-render when it changes, not on every keystroke.
    pub fn len(&self) -> Memo<usize> {
        let this = self.clone();
        Memo::new(move |_| this.get().map_or(0, |l| l.len()))
    }

    pub fn push(&self, value: T) {
        self.update(|l| l.get_or_insert_with(Vec::new).push(value));
    }

    /// Removes an element; an emptied list becomes absent, as the AWS CLI writes it.
    pub fn remove(&self, index: usize) {
        self.update(|l| {
            if let Some(list) = l.as_mut() {
                if index < list.len() {
                    list.remove(index);
                }
                if list.is_empty() {
                    *l = None;
                }
            }
        });
    }
}

/// The error or warning under a field.
pub fn message<S: Document>(form: Form<S>, path: String) -> impl IntoView {
    let id = format!("{path}-message");
    move || {
        form.message(&path).map(|(is_error, text)| {
            view! {
                <p class=if is_error { "field-error" } else { "field-warning" } id=id.clone() data-for=path.clone()
                    role="alert">{text}</p>
            }
        })
    }
}

fn labelled<S: Document>(
    label: &'static str,
    hint: Option<&'static str>,
    input: impl IntoView,
    form: Form<S>,
    path: String,
) -> impl IntoView {
    view! {
        <div class="field">
            <label>
                <span class="label">{label}</span>
                {hint.map(|h| view! { <small class="hint">{h}</small> })}
                {input}
            </label>
            {message(form, path)}
        </div>
    }
}

pub fn text<S: Document>(lens: Lens<S, String>, label: &'static str, hint: Option<&'static str>) -> impl IntoView {
    let (form, path) = (lens.form, lens.path.clone());
    let (read, write) = (lens.clone(), lens.clone());
    let input = view! {
        <input name=path.clone() autocomplete="off" spellcheck="false"
            class:invalid={ let p = path.clone(); move || form.message(&p).is_some_and(|(e, _)| e) }
            prop:value=move || read.get()
            on:input=move |ev| write.set(event_target_value(&ev))
            on:blur={ let p = path.clone(); move |_| form.touch(&p) }/>
    };
    labelled(label, hint, input, form, path)
}

/// A string member that is absent when left empty.
pub fn opt_text<S: Document>(
    lens: Lens<S, Option<String>>,
    label: &'static str,
    placeholder: &'static str,
) -> impl IntoView {
    let (form, path) = (lens.form, lens.path.clone());
    let (read, write) = (lens.clone(), lens.clone());
    let input = view! {
        <input name=path.clone() autocomplete="off" spellcheck="false" placeholder=placeholder
            class:invalid={ let p = path.clone(); move || form.message(&p).is_some_and(|(e, _)| e) }
            prop:value=move || read.get().unwrap_or_default()
            on:input=move |ev| {
                let v = event_target_value(&ev);
                write.set(if v.is_empty() { None } else { Some(v) })
            }
            on:blur={ let p = path.clone(); move |_| form.touch(&p) }/>
    };
    labelled(label, None, input, form, path)
}

/// An integer member, absent when empty (what is not yet a number is left as typed).
pub fn number<S: Document>(
    lens: Lens<S, Option<i64>>,
    label: &'static str,
    hint: Option<&'static str>,
) -> impl IntoView {
    let (form, path) = (lens.form, lens.path.clone());
    let (read, write) = (lens.clone(), lens.clone());
    let input = view! {
        <input type="number" name=path.clone()
            class:invalid={ let p = path.clone(); move || form.message(&p).is_some_and(|(e, _)| e) }
            prop:value=move || read.get().map(|n| n.to_string()).unwrap_or_default()
            on:input=move |ev| {
                let v = event_target_value(&ev);
                if v.is_empty() {
                    write.set(None);
                } else if let Ok(n) = v.parse() {
                    write.set(Some(n));
                }
            }
            on:blur={ let p = path.clone(); move |_| form.touch(&p) }/>
    };
    labelled(label, hint, input, form, path)
}

/// A boolean member; `default` is what AWS assumes when it is absent (written only when it differs).
pub fn checkbox<S: Document>(lens: Lens<S, Option<bool>>, label: &'static str, default: bool) -> impl IntoView {
    let path = lens.path.clone();
    let (read, write) = (lens.clone(), lens.clone());
    view! {
        <div class="field">
            <label class="check">
                <input type="checkbox" name=path.clone() prop:checked=move || read.get().unwrap_or(default)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        write.set(if on == default { None } else { Some(on) })
                    }/>
                {label}
            </label>
            {message(lens.form, path)}
        </div>
    }
}

/// A choice among fixed values; the first option's value may be "" for "absent".
pub fn select<S: Document>(
    lens: Lens<S, Option<String>>,
    label: &'static str,
    options: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let (form, path) = (lens.form, lens.path.clone());
    let (read, write) = (lens.clone(), lens.clone());
    let input = view! {
        <select name=path.clone() prop:value=move || read.get().unwrap_or_default()
            on:change=move |ev| {
                let v = event_target_value(&ev);
                write.set(if v.is_empty() { None } else { Some(v) })
            }>
            {options.iter().map(|(value, text)| view! { <option value=*value>{*text}</option> }).collect_view()}
        </select>
    };
    labelled(label, None, input, form, path)
}

/// A list of strings, one per line (committed when the field is left, so typing is never rewritten).
fn lines_input<S: Document>(
    form: Form<S>,
    path: String,
    label: &'static str,
    hint: Option<&'static str>,
    read: impl Fn() -> Vec<String> + Send + Sync + 'static,
    write: impl Fn(Vec<String>) + 'static,
) -> impl IntoView {
    let input = view! {
        <textarea name=path.clone() rows="2" spellcheck="false" prop:value=move || read().join("\n")
            on:change={ let p = path.clone(); move |ev| {
                let text = event_target_value(&ev);
                write(text.lines().map(str::to_string).filter(|l| !l.trim().is_empty()).collect());
                form.touch(&p);
            }}></textarea>
    };
    labelled(label, hint, input, form, path)
}

/// An optional list of strings, absent when empty.
pub fn lines<S: Document>(
    lens: Lens<S, Option<Vec<String>>>,
    label: &'static str,
    hint: Option<&'static str>,
) -> impl IntoView {
    let (read, write) = (lens.clone(), lens.clone());
    let read = move || read.get().unwrap_or_default();
    let write = move |list: Vec<String>| write.set(if list.is_empty() { None } else { Some(list) });
    lines_input(lens.form, lens.path.clone(), label, hint, read, write)
}

/// A required list of strings.
pub fn required_lines<S: Document>(
    lens: Lens<S, Vec<String>>,
    label: &'static str,
    hint: Option<&'static str>,
) -> impl IntoView {
    let (read, write) = (lens.clone(), lens.clone());
    lines_input(lens.form, lens.path.clone(), label, hint, move || read.get(), move |list| write.set(list))
}

/// A string map as `KEY=value` lines (committed when the field is left).
pub fn map_lines<S: Document>(lens: Lens<S, Option<BTreeMap<String, String>>>, label: &'static str) -> impl IntoView {
    let (form, path) = (lens.form, lens.path.clone());
    let (read, write) = (lens.clone(), lens.clone());
    let input = view! {
        <textarea name=path.clone() rows="2" spellcheck="false" placeholder="KEY=value, one per line"
            prop:value=move || {
                read.get().unwrap_or_default().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n")
            }
            on:change={ let p = path.clone(); move |ev| {
                let text = event_target_value(&ev);
                let map: BTreeMap<String, String> = text
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| match l.split_once('=') {
                        Some((k, v)) => (k.trim().to_string(), v.to_string()),
                        None => (l.trim().to_string(), String::new()),
                    })
                    .collect();
                write.set(if map.is_empty() { None } else { Some(map) });
                form.touch(&p);
            }}></textarea>
    };
    labelled(label, None, input, form, path)
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
        lens.form,
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
fn rows_view<S: Document>(
    len: Memo<usize>,
    form: Form<S>,
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
            {message(form, path.clone())}
            <button type="button" class="add" on:click=move |_| add.run(())>{add_label}</button>
        </div>
    }
    .into_any()
}

/// A required integer member (empty input keeps the last number).
pub fn int<S: Document>(lens: Lens<S, i64>, label: &'static str) -> impl IntoView {
    let (form, path) = (lens.form, lens.path.clone());
    let (read, write) = (lens.clone(), lens.clone());
    let input = view! {
        <input type="number" name=path.clone() prop:value=move || read.get().to_string()
            on:input=move |ev| {
                if let Ok(n) = event_target_value(&ev).parse() {
                    write.set(n);
                }
            }
            on:blur={ let p = path.clone(); move |_| form.touch(&p) }/>
    };
    labelled(label, None, input, form, path)
}
