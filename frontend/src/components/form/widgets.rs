//! The field widgets: generic shells (a lens in, a getter and a setter out) over non-generic views.

use leptos::prelude::*;

use super::{Document, Fields, Lens};

/// How an input looks: its label, and optionally a hint, an element id, a `name` other than the
/// JSON path, a placeholder, a type (`password`) and a datalist.
#[derive(Clone, Copy, Default)]
pub struct Input {
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub id: Option<&'static str>,
    pub name: Option<&'static str>,
    pub placeholder: &'static str,
    pub kind: &'static str,
    pub list: Option<&'static str>,
    /// A hint that changes (e.g. with what the server recommends).
    pub note: Option<Signal<String>>,
    /// Also show the messages at paths below this one (a list's elements).
    pub under: bool,
}

impl Input {
    pub const fn new(label: &'static str) -> Self {
        Self {
            label,
            hint: None,
            id: None,
            name: None,
            placeholder: "",
            kind: "text",
            list: None,
            note: None,
            under: false,
        }
    }

    pub const fn hint(self, hint: &'static str) -> Self {
        Self { hint: Some(hint), ..self }
    }

    pub const fn id(self, id: &'static str) -> Self {
        Self { id: Some(id), ..self }
    }

    pub const fn name(self, name: &'static str) -> Self {
        Self { name: Some(name), ..self }
    }

    pub const fn placeholder(self, placeholder: &'static str) -> Self {
        Self { placeholder, ..self }
    }

    pub const fn password(self) -> Self {
        Self { kind: "password", ..self }
    }

    pub const fn list(self, list: &'static str) -> Self {
        Self { list: Some(list), ..self }
    }

    pub const fn note(self, note: Signal<String>) -> Self {
        Self { note: Some(note), ..self }
    }

    pub const fn under(self) -> Self {
        Self { under: true, ..self }
    }

    fn name_or(&self, path: &str) -> String {
        self.name.map_or_else(|| path.to_string(), str::to_string)
    }
}

/// The error or warning under a field (id `{path}-error`, `data-for` its path).
pub fn message(fields: impl Into<Fields>, path: impl Into<String>) -> AnyView {
    message_view(fields.into(), path.into(), false)
}

/// As [`message`], also for the paths below `path` (a list's elements).
pub fn message_under(fields: impl Into<Fields>, path: impl Into<String>) -> AnyView {
    message_view(fields.into(), path.into(), true)
}

fn message_view(fields: Fields, path: String, under: bool) -> AnyView {
    fields.place(&path);
    let id = format!("{path}-error");
    (move || {
        fields.find(&path, under).map(|(is_error, text)| {
            view! {
                <p class=if is_error { "field-error" } else { "field-warning" } id=id.clone() data-for=path.clone()
                    role="alert">{text}</p>
            }
        })
    })
    .into_any()
}

pub(super) fn labelled(fields: Fields, input: Input, control: AnyView, path: String) -> AnyView {
    view! {
        <div class="field">
            <label>
                <span class="label">{input.label}</span>
                {input.hint.map(|h| view! { <small class="hint">{h}</small> })}
                {input.note.map(|n| view! { <small class="hint">{move || n.get()}</small> })}
                {control}
            </label>
            {message_view(fields, path, input.under)}
        </div>
    }
    .into_any()
}

/// A text input; `on_change`: the value is committed when the field is left (so typing is never
/// rewritten), else on every keystroke.
fn text_view(
    fields: Fields,
    path: String,
    input: Input,
    value: Signal<String>,
    set: Callback<String>,
    on_change: bool,
) -> AnyView {
    let commit = {
        let path = path.clone();
        move |ev: leptos::ev::Event, committed: bool| {
            // A change with a value the field never reported as typed (a WebDriver clear, some
            // autofill) is taken too, or the next redraw would put the old value back.
            let text = event_target_value(&ev);
            if committed == on_change || (committed && text != value.get_untracked()) {
                set.run(text);
            }
            if committed {
                fields.touch(&path);
            } else {
                fields.typed(&path);
            }
        }
    };
    let commit2 = commit.clone();
    let control = view! {
        <input type=input.kind name=input.name_or(&path) id=input.id list=input.list placeholder=input.placeholder
            autocomplete=if input.kind == "password" { "new-password" } else { "off" } spellcheck="false"
            class:invalid={ let p = path.clone(); move || fields.message(&p).is_some_and(|(e, _)| e) }
            prop:value=move || value.get()
            on:input=move |ev| commit(ev, false)
            on:change=move |ev| commit2(ev, true)
            on:blur={ let p = path.clone(); move |_| fields.touch(&p) }/>
    }
    .into_any();
    labelled(fields, input, control, path)
}

/// A required string member.
pub fn text<S: Document>(lens: Lens<S, String>, label: &'static str, hint: Option<&'static str>) -> AnyView {
    text_input(lens, Input { hint, ..Input::new(label) })
}

pub fn text_input<S: Document>(lens: Lens<S, String>, input: Input) -> AnyView {
    let (value, set) = lens.bind(|v| v, Some);
    text_view(lens.form.fields, lens.path, input, value, set, false)
}

/// A string member that is absent when left empty.
pub fn opt_text<S: Document>(lens: Lens<S, Option<String>>, label: &'static str, placeholder: &'static str) -> AnyView {
    opt_text_input(lens, Input::new(label).placeholder(placeholder))
}

pub fn opt_text_input<S: Document>(lens: Lens<S, Option<String>>, input: Input) -> AnyView {
    let (value, set) = lens.bind(Option::unwrap_or_default, |v: String| Some((!v.is_empty()).then_some(v)));
    text_view(lens.form.fields, lens.path, input, value, set, false)
}

/// Any member written as text, parsed when the field is left (`parse` of what is typed; `show`
/// writes it back), e.g. a list of ports as `80, 443`.
pub fn parsed_text<S: Document, T: Clone + Default + Send + Sync + 'static>(
    lens: Lens<S, T>,
    input: Input,
    show: impl Fn(T) -> String + Send + Sync + 'static,
    parse: impl Fn(String) -> T + Send + Sync + 'static,
) -> AnyView {
    let (value, set) = lens.bind(show, move |v| Some(parse(v)));
    text_view(lens.form.fields, lens.path, input, value, set, true)
}

fn number_view(
    fields: Fields,
    path: String,
    input: Input,
    value: Signal<Option<i64>>,
    set: Callback<Option<i64>>,
) -> AnyView {
    let control = view! {
        <input type="number" name=input.name_or(&path) id=input.id
            class:invalid={ let p = path.clone(); move || fields.message(&p).is_some_and(|(e, _)| e) }
            prop:value=move || value.get().map(|n| n.to_string()).unwrap_or_default()
            on:input={ let p = path.clone(); move |ev| {
                let v = event_target_value(&ev);
                if v.is_empty() {
                    set.run(None);
                } else if let Ok(n) = v.parse() {
                    set.run(Some(n));
                }
                fields.typed(&p);
            }}
            on:blur={ let p = path.clone(); move |_| fields.touch(&p) }/>
    }
    .into_any();
    labelled(fields, input, control, path)
}

/// An integer member, absent when empty (what is not yet a number is left as typed).
pub fn number<S: Document>(lens: Lens<S, Option<i64>>, label: &'static str, hint: Option<&'static str>) -> AnyView {
    number_input(lens, Input { hint, ..Input::new(label) })
}

pub fn number_input<S: Document>(lens: Lens<S, Option<i64>>, input: Input) -> AnyView {
    let (value, set) = lens.bind(|v| v, Some);
    number_view(lens.form.fields, lens.path, input, value, set)
}

/// A required integer member (empty input keeps the last number).
pub fn int<S: Document>(lens: Lens<S, i64>, label: &'static str) -> AnyView {
    int_input(lens, Input::new(label))
}

pub fn int_input<S: Document>(lens: Lens<S, i64>, input: Input) -> AnyView {
    let (value, set) = lens.bind(Some, |v| v);
    number_view(lens.form.fields, lens.path, input, value, set)
}

fn check_view(fields: Fields, path: String, input: Input, on: Signal<bool>, set: Callback<bool>) -> AnyView {
    view! {
        <div class="field">
            <label class="check">
                <input type="checkbox" name=input.name_or(&path) id=input.id prop:checked=move || on.get()
                    on:change={ let p = path.clone(); move |ev| { set.run(event_target_checked(&ev)); fields.touch(&p) } }/>
                {input.label}
            </label>
            {message(fields, path)}
        </div>
    }
    .into_any()
}

/// A boolean member; `default` is what AWS assumes when it is absent (written only when it differs).
pub fn checkbox<S: Document>(lens: Lens<S, Option<bool>>, label: &'static str, default: bool) -> AnyView {
    let (on, set) = lens.bind(move |v| v.unwrap_or(default), move |on| Some((on != default).then_some(on)));
    check_view(lens.form.fields, lens.path, Input::new(label), on, set)
}

/// A required boolean member.
pub fn flag<S: Document>(lens: Lens<S, bool>, input: Input) -> AnyView {
    let (on, set) = lens.bind(|v| v, Some);
    check_view(lens.form.fields, lens.path, input, on, set)
}

/// Any member shown as a checkbox: `to` reads whether it is on, `from` writes it.
pub fn toggle<S: Document, T: Clone + Default + Send + Sync + 'static>(
    lens: Lens<S, T>,
    input: Input,
    to: impl Fn(T) -> bool + Send + Sync + 'static,
    from: impl Fn(bool) -> T + Send + Sync + 'static,
) -> AnyView {
    let (on, set) = lens.bind(to, move |on| Some(from(on)));
    check_view(lens.form.fields, lens.path, input, on, set)
}

fn select_view(
    fields: Fields,
    path: String,
    input: Input,
    options: Signal<Vec<(String, String)>>,
    value: Signal<String>,
    set: Callback<String>,
) -> AnyView {
    let control = view! {
        <select name=input.name_or(&path) id=input.id
            // Options may arrive after the value: re-applied when they do.
            prop:value=move || { options.track(); value.get() }
            on:change={ let p = path.clone(); move |ev| { set.run(event_target_value(&ev)); fields.touch(&p) } }>
            {move || options.get().into_iter().map(|(value, text)| view! { <option value=value>{text}</option> }).collect_view()}
        </select>
    }
    .into_any();
    labelled(fields, input, control, path)
}

/// `(value, text)` pairs for a select.
pub fn options(list: &'static [(&'static str, &'static str)]) -> Signal<Vec<(String, String)>> {
    Signal::stored(list.iter().map(|(v, t)| (v.to_string(), t.to_string())).collect())
}

/// A choice among fixed values; the first option's value may be "" for "absent".
pub fn select<S: Document>(
    lens: Lens<S, Option<String>>,
    label: &'static str,
    list: &'static [(&'static str, &'static str)],
) -> AnyView {
    select_input(lens, Input::new(label), options(list))
}

/// A choice among `options` (which may load later); "" is "absent".
pub fn select_input<S: Document>(
    lens: Lens<S, Option<String>>,
    input: Input,
    options: Signal<Vec<(String, String)>>,
) -> AnyView {
    let (value, set) = lens.bind(Option::unwrap_or_default, |v: String| Some((!v.is_empty()).then_some(v)));
    select_view(lens.form.fields, lens.path, input, options, value, set)
}

/// Any member chosen in a select: `to` names its option, `from` reads an option back.
pub fn select_by<S: Document, T: Clone + Default + Send + Sync + 'static>(
    lens: Lens<S, T>,
    input: Input,
    options: Signal<Vec<(String, String)>>,
    to: impl Fn(T) -> String + Send + Sync + 'static,
    from: impl Fn(String) -> Option<T> + Send + Sync + 'static,
) -> AnyView {
    let (value, set) = lens.bind(to, from);
    select_view(lens.form.fields, lens.path, input, options, value, set)
}

/// One radio button of a choice: `(value, title, hint)`.
pub type Choice = (&'static str, &'static str, &'static str);

fn radio_view(
    fields: Fields,
    path: String,
    name: &'static str,
    choices: &'static [Choice],
    cards: bool,
    value: Signal<String>,
    set: Callback<String>,
) -> AnyView {
    let buttons = choices
        .iter()
        .map(|&(v, title, hint)| {
            let checked = move || value.get() == v;
            let input = view! { <input type="radio" name=name value=v prop:checked=checked on:change=move |_| set.run(v.to_string())/> };
            if cards {
                view! {
                    <label class="choice" class:selected=checked>
                        {input}<span><strong>{title}</strong><small>{hint}</small></span>
                    </label>
                }
                .into_any()
            } else {
                view! { <label class="check">{input}{title}</label> }.into_any()
            }
        })
        .collect_view();
    view! {
        <div class=if cards { "choices" } else { "choices-inline" }>{buttons}</div>
        {message(fields, path)}
    }
    .into_any()
}

/// Radio buttons, as cards with a hint (`cards`) or inline: `to` names the checked one's value,
/// `from` reads a value back.
pub fn radio<S: Document, T: Clone + Default + Send + Sync + 'static>(
    lens: Lens<S, T>,
    name: &'static str,
    choices: &'static [Choice],
    cards: bool,
    to: impl Fn(T) -> &'static str + Send + Sync + 'static,
    from: impl Fn(String) -> Option<T> + Send + Sync + 'static,
) -> AnyView {
    let (value, set) = lens.bind(move |t| to(t).to_string(), from);
    radio_view(lens.form.fields, lens.path, name, choices, cards, value, set)
}
