//! The apps' router: which page the URL shows, its parameters and query, and navigation. Each app
//! renders a handful of pages (`frontend/apps.txt`), so a table of path patterns matched segment by
//! segment does the job of a routing library (leptos_router was ≈ 5 % of every bundle).
//!
//! Navigation inside the app (a link or `navigate` to a path the same app renders) changes the
//! URL with the History API and re-renders; a path another app renders is a full page load.

use std::cell::Cell;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::context::go;

/// A page: its path pattern (`:name` matches one segment) and its view.
pub type Route = (&'static str, fn() -> AnyView);

/// The current URL's path and query (without `?`), kept in step with the browser's history.
#[derive(Clone, Copy)]
struct Location {
    app: &'static str,
    path: RwSignal<String>,
    query: RwSignal<String>,
}

/// The matched route's parameters, raw (still percent-encoded).
type Params = Memo<Vec<(&'static str, String)>>;

// One app per page, one router per app: kept here rather than in a context, so that navigating and
// reading a parameter work from event handlers and callbacks too, outside the components' owners.
thread_local! {
    static LOCATION: Cell<Option<Location>> = const { Cell::new(None) };
    static PARAMS: Cell<Option<Params>> = const { Cell::new(None) };
}

/// A URL's query, decoded: `get` gives a key's first value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryMap(Vec<(String, String)>);

impl QueryMap {
    pub fn get(&self, key: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }
}

/// Starts following the browser's URL for `app`: back/forward, and clicks on links this app
/// renders (plain anchors without `rel="external"`, no modifier key, no `target`).
pub fn provide(app: &'static str) {
    let (path, query) = browser_url();
    let location = Location { app, path: RwSignal::new(path), query: RwSignal::new(query) };
    LOCATION.set(Some(location));
    let sync = move || {
        let (path, query) = browser_url();
        location.path.set(path);
        location.query.set(query);
    };
    let _ = window_event_listener(leptos::ev::popstate, move |_| sync());
    let _ = window_event_listener(leptos::ev::click, move |ev| {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.ctrl_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let Some(anchor) =
            ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.closest("a").ok().flatten())
        else {
            return;
        };
        let attr = |name: &str| anchor.get_attribute(name);
        let external = attr("rel").is_some_and(|r| r.split_whitespace().any(|r| r == "external"));
        let Some(href) = attr("href").filter(|h| h.starts_with('/') && !h.starts_with("//")) else { return };
        if external || attr("target").is_some() || attr("download").is_some() || !renders(app, &href) {
            return;
        }
        ev.prevent_default();
        navigate(&href, false);
    });
}

fn browser_url() -> (String, String) {
    let location = window().location();
    let path = location.pathname().unwrap_or_default();
    let query = location.search().unwrap_or_default();
    (path, query.trim_start_matches('?').to_string())
}

fn renders(app: &'static str, href: &str) -> bool {
    shared::apps::app_for(href.split(['?', '#']).next().unwrap_or_default()) == app
}

fn location() -> Location {
    LOCATION.get().expect("router::provide runs first")
}

/// Goes to `to` (a path with an optional query): in this app through the History API (`replace`
/// replaces the current entry), into another app as a full page load.
pub fn navigate(to: &str, replace: bool) {
    let here = location();
    if !renders(here.app, to) {
        return go(to);
    }
    let history = window().history();
    let done = match history {
        Ok(h) if replace => h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to)),
        Ok(h) => h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to)),
        Err(e) => Err(e),
    };
    if done.is_err() {
        return go(to);
    }
    let (path, query) = to.split_once('?').unwrap_or((to, ""));
    here.path.set(path.to_string());
    here.query.set(query.split('#').next().unwrap_or_default().to_string());
    window().scroll_to_with_x_and_y(0.0, 0.0);
}

/// The current path, reactive.
pub fn pathname() -> Signal<String> {
    location().path.into()
}

/// The current query, decoded, reactive.
pub fn query_map() -> Memo<QueryMap> {
    let query = location().query;
    Memo::new(move |_| query.with(|q| parse_query(q)))
}

/// A route parameter, raw; `None` outside a matched route or for a name the pattern lacks.
pub fn raw_param(key: &'static str) -> Memo<Option<String>> {
    let params = PARAMS.get();
    Memo::new(move |_| params?.with(|p| p.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone())))
}

/// The page of the first route whose pattern matches the path, or `fallback`.
pub fn routes(table: &'static [Route], fallback: fn() -> AnyView) -> impl IntoView {
    let path = location().path;
    let matched =
        Memo::new(move |_| path.with(|p| table.iter().enumerate().find_map(|(i, r)| Some((i, matches(r.0, p)?)))));
    PARAMS.set(Some(Memo::new(move |_| matched.with(|m| m.as_ref().map(|(_, p)| p.clone()).unwrap_or_default()))));
    let index = Memo::new(move |_| matched.with(|m| m.as_ref().map(|(i, _)| *i)));
    move || match index.get() {
        Some(i) => (table[i].1)(),
        None => fallback(),
    }
}

/// The parameters of `pattern` in `path` when it matches (a trailing `/` is ignored).
fn matches(pattern: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let trim = |s: &'static str| if s.len() > 1 { s.trim_end_matches('/') } else { s };
    let path = if path.len() > 1 { path.trim_end_matches('/') } else { path };
    let (mut want, mut got) = (trim(pattern).split('/'), path.split('/'));
    let mut params = Vec::new();
    loop {
        match (want.next(), got.next()) {
            (None, None) => return Some(params),
            (Some(w), Some(g)) => match w.strip_prefix(':') {
                Some(name) if !g.is_empty() => params.push((name, g.to_string())),
                None if w == g => {}
                _ => return None,
            },
            _ => return None,
        }
    }
}

/// `a=1&b=x%20y` into its pairs (`+` is a space, as in a form's query).
fn parse_query(query: &str) -> QueryMap {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        js_sys::decode_uri_component(&s).map(String::from).unwrap_or(s)
    };
    QueryMap(
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect(),
    )
}
