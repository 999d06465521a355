//! The console's one form mechanism. One signal holds the whole document being edited (the shared
//! crate's typed spec, or what the page types before it becomes one), a [`Lens`] points at one
//! member of it together with the member's JSON path — where the shared validator reports its
//! errors and warnings, and where the server's refusal of the last submit names its fields — and
//! the field widgets below read and write through lenses. A rule's message shows at its field once
//! the field was left (typed into, for a [`Form::live`] form) or a submit was tried; the server's
//! shows until the document changes.
//!
//! The widgets are thin generic shells over non-generic views taking [`Fields`] (the form's state
//! that does not depend on the document type) and boxed getters/setters, so a bundle carries each
//! widget's view code once however many document types it edits.

mod lists;
mod widgets;

use std::sync::Arc;

use leptos::prelude::*;
pub use lists::*;
pub use shared::ecs::task_definition::Report;
use shared::error::{ApiError, FieldError};
pub use widgets::*;

/// What a form's document may be: the shared crate's specs are.
pub trait Document: Clone + Send + Sync + 'static {}
impl<S: Clone + Send + Sync + 'static> Document for S {}

/// A validator's `Result` as a report (rules that only have errors).
pub fn errors_only(result: Result<(), Vec<FieldError>>) -> Report {
    Report { errors: result.err().unwrap_or_default(), warnings: Vec::new() }
}

/// A form's state whatever its document: the rule report, the fields the user has been to,
/// whether a submit was tried, and what the server said about the last one.
#[derive(Clone, Copy)]
pub struct Fields {
    pub report: Memo<Report>,
    touched: RwSignal<Vec<String>>,
    pub submitted: RwSignal<bool>,
    /// The server's refusal of the last submit; cleared when the document changes.
    pub server: RwSignal<Option<ApiError>>,
    /// Paths the form shows a message at (a server error naming none of them goes to a banner).
    placed: StoredValue<Vec<String>>,
    live: bool,
}

impl Fields {
    pub fn touch(&self, path: &str) {
        if !self.touched.read_untracked().iter().any(|p| p == path) {
            self.touched.update(|t| t.push(path.to_string()));
        }
    }

    /// Typing into a field: touches it in a live form.
    fn typed(&self, path: &str) {
        if self.live {
            self.touch(path);
        }
    }

    fn seen(&self, path: &str) -> bool {
        self.submitted.get() || self.touched.read().iter().any(|p| p == path)
    }

    /// The message at `path` (`under`: or at a path below it, e.g. `ports[2]`), once the user has
    /// been there: `(is_error, text)`. The rules' first, then the server's.
    fn find(&self, path: &str, under: bool) -> Option<(bool, String)> {
        let at = |list: &[FieldError]| {
            list.iter()
                .find(|e| {
                    e.path == path
                        || (under && e.path.starts_with(path) && e.path[path.len()..].starts_with(['[', '.']))
                })
                .map(|e| e.message.clone())
        };
        if self.seen(path) {
            let report = self.report.read();
            if let Some(m) = at(&report.errors) {
                return Some((true, m));
            }
            if let Some(m) = at(&report.warnings) {
                return Some((false, m));
            }
        }
        self.server.read().as_ref().and_then(|e| at(&e.fields)).map(|m| (true, m))
    }

    pub fn message(&self, path: &str) -> Option<(bool, String)> {
        self.find(path, false)
    }

    fn place(&self, path: &str) {
        self.placed.update_value(|p| {
            if !p.iter().any(|x| x == path) {
                p.push(path.to_string())
            }
        });
    }

    /// The server's error when none of its fields has a place in the form (for a banner).
    pub fn unplaced_error(&self) -> Option<ApiError> {
        let error = self.server.get()?;
        let placed = self.placed.read_value();
        let shown = |f: &FieldError| placed.iter().any(|p| f.path == *p || f.path.starts_with(&format!("{p}[")));
        (error.fields.is_empty() || !error.fields.iter().any(shown)).then_some(error)
    }

    /// A submit: marks every field seen; true when the rules let it through.
    pub fn submit(&self) -> bool {
        self.submitted.set(true);
        self.report.read_untracked().is_valid()
    }

    /// After a successful submit that keeps the form on the page: nothing seen yet.
    pub fn reset(&self) {
        self.touched.set(Vec::new());
        self.submitted.set(false);
        self.server.set(None);
    }
}

impl<S: Document> From<Form<S>> for Fields {
    fn from(form: Form<S>) -> Self {
        form.fields
    }
}

/// The document being edited and its [`Fields`].
pub struct Form<S: Document> {
    pub spec: RwSignal<S>,
    pub report: Memo<Report>,
    pub submitted: RwSignal<bool>,
    pub fields: Fields,
}

impl<S: Document> Clone for Form<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: Document> Copy for Form<S> {}

impl<S: Document> Form<S> {
    /// `check`: the shared rules for `S`, run on every change.
    pub fn new(check: fn(&S) -> Report) -> Self
    where
        S: Default,
    {
        Self::checked(S::default(), check)
    }

    /// Starts from `initial`; `check` may also read other signals (e.g. the revision a service
    /// names), and runs again when they change.
    pub fn checked(initial: S, check: impl Fn(&S) -> Report + Send + Sync + 'static) -> Self {
        let spec = RwSignal::new(initial);
        let report = Memo::new(move |_| spec.with(&check));
        let fields = Fields {
            report,
            touched: RwSignal::new(Vec::new()),
            submitted: RwSignal::new(false),
            server: RwSignal::new(None),
            placed: StoredValue::new(Vec::new()),
            live: false,
        };
        let server = fields.server;
        Effect::new(move |first: Option<()>| {
            spec.track();
            if first.is_some() {
                server.set(None);
            }
        });
        Self { spec, report, submitted: fields.submitted, fields }
    }

    /// Messages show as the user types, not only once a field is left.
    pub fn live(mut self) -> Self {
        self.fields.live = true;
        self
    }

    pub fn root(&self) -> Lens<S, S> {
        Lens { form: *self, path: String::new(), at: Arc::new(pick(|s: &mut S, _| Some(s))) }
    }

    /// A place no chain of members reaches: `at(document, create)` finds it, and when `create`
    /// (a write) makes it if it is missing.
    pub fn lens<T>(
        &self,
        path: &str,
        at: impl Fn(&mut S, bool) -> Option<&mut T> + Send + Sync + 'static,
    ) -> Lens<S, T> {
        Lens { form: *self, path: path.to_string(), at: Arc::new(pick(at)) }
    }
}

/// Reaches a place in the document; `true` on a write (a place may be created then).
type At<S, T> = Arc<dyn Fn(&mut S, bool) -> Option<&mut T> + Send + Sync>;

/// Gives a closure the signature `for<'a> Fn(&'a mut S, bool) -> Option<&'a mut T>`.
fn pick<S, T, F: Fn(&mut S, bool) -> Option<&mut T>>(f: F) -> F {
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

impl<S: Document, T: 'static> Lens<S, T> {
    pub fn set(&self, value: T) {
        self.update(|place| *place = value);
    }

    pub fn update(&self, f: impl FnOnce(&mut T)) {
        self.form.spec.update(|s| {
            if let Some(place) = (self.at)(s, true) {
                f(place);
            }
        });
    }

    /// A member: `key` is its JSON name (joined to the path), `f` reaches it.
    pub fn field<U>(&self, key: &str, f: impl Fn(&mut T) -> Option<&mut U> + Send + Sync + 'static) -> Lens<S, U> {
        let parent = self.at.clone();
        let path = if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) };
        Lens { form: self.form, path, at: Arc::new(pick(move |s: &mut S, c| parent(s, c).and_then(&f))) }
    }

    /// The same place, its messages at another path (a widget that edits several members).
    pub fn reported_at(&self, path: &str) -> Self {
        Self { form: self.form, path: path.to_string(), at: self.at.clone() }
    }
}

impl<S: Document, T: Clone + Default + Send + Sync + 'static> Lens<S, T> {
    /// The value, tracked (read through the same accessor that writes, without notifying).
    pub fn get(&self) -> T {
        self.form.spec.track();
        self.get_untracked()
    }

    pub fn get_untracked(&self) -> T {
        self.form.spec.try_update_untracked(|s| (self.at)(s, false).cloned()).flatten().unwrap_or_default()
    }

    /// The value as a string signal and its setter (for the non-generic views).
    fn bind<V: Send + Sync + 'static>(
        &self,
        to: impl Fn(T) -> V + Send + Sync + 'static,
        from: impl Fn(V) -> Option<T> + Send + Sync + 'static,
    ) -> (Signal<V>, Callback<V>) {
        let (read, write) = (self.clone(), self.clone());
        (
            Signal::derive(move || to(read.get())),
            Callback::new(move |v| {
                if let Some(t) = from(v) {
                    write.set(t)
                }
            }),
        )
    }
}

impl<S: Document, T: Clone + Default + Send + Sync + 'static> Lens<S, Vec<T>> {
    pub fn at(&self, index: usize) -> Lens<S, T> {
        let parent = self.at.clone();
        Lens {
            form: self.form,
            path: format!("{}[{index}]", self.path),
            at: Arc::new(pick(move |s: &mut S, c| parent(s, c).and_then(|l| l.get_mut(index)))),
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
            at: Arc::new(pick(move |s: &mut S, c| parent(s, c).and_then(|o| o.as_mut()))),
        }
    }

    /// The value inside; a write makes it (from its default) when it is absent.
    pub fn made(&self) -> Lens<S, T> {
        let parent = self.at.clone();
        Lens {
            form: self.form,
            path: self.path.clone(),
            at: Arc::new(pick(move |s: &mut S, c| {
                parent(s, c).and_then(|o| if c { Some(o.get_or_insert_with(T::default)) } else { o.as_mut() })
            })),
        }
    }
}

impl<S: Document, T: Clone + Default + Send + Sync + 'static> Lens<S, Option<Vec<T>>> {
    pub fn item(&self, index: usize) -> Lens<S, T> {
        let parent = self.at.clone();
        Lens {
            form: self.form,
            path: format!("{}[{index}]", self.path),
            at: Arc::new(pick(move |s: &mut S, c| {
                parent(s, c).and_then(|l| l.as_mut()).and_then(|l| l.get_mut(index))
            })),
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
