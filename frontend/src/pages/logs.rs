//! Container logs: `/e/:env/services/:cluster/:service/logs` (the service's lines, filtered by
//! container, task, text and time range, followed live over one `EventSource`, downloadable as
//! text), and the lines block a task's page and a deployment's page show.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::wasm_bindgen::closure::Closure;
use shared::logs::{LogLine, LogQuery, Logs, NoLogs};

use crate::api::{self, paths};
use crate::components::ErrorBanner;
use crate::load::load;
use crate::pages::param;

/// The most lines the page holds while following (the oldest leave first).
const HELD: usize = 5_000;

/// A line's time, `HH:MM:SS.mmm` in the browser's zone, with the date as its tooltip.
fn time_of(ms: i64) -> (String, String) {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let clock = format!(
        "{:02}:{:02}:{:02}.{:03}",
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds(),
        date.get_milliseconds()
    );
    (clock, String::from(date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)))
}

/// Lines, oldest first: time, task (a link to its page when `tasks_in`, the environment and
/// cluster, is given), container, text.
#[component]
pub fn LogLines(
    #[prop(into)] lines: Signal<Vec<LogLine>>,
    #[prop(optional)] tasks_in: Option<(String, String)>,
) -> impl IntoView {
    let block = NodeRef::<leptos::html::Div>::new();
    // The newest lines stay in view as they arrive, unless the reader scrolled up.
    Effect::new(move |shown_before: Option<bool>| {
        let shown = !lines.with(Vec::is_empty);
        if let Some(el) = block.get_untracked() {
            let at_end = el.scroll_top() + el.client_height() >= el.scroll_height() - 48;
            if at_end || shown_before != Some(true) {
                request_animation_frame(move || el.set_scroll_top(el.scroll_height()));
            }
        }
        shown_before == Some(true) || shown
    });
    view! {
        <div class="log-lines" id="logLines" node_ref=block>
            {move || {
                let lines = lines.get();
                if lines.is_empty() {
                    return view! { <p class="muted" id="noLines">"No lines."</p> }.into_any();
                }
                lines
                    .into_iter()
                    .map(|l| {
                        let (clock, full) = time_of(l.timestamp);
                        let short: String = l.task_id.chars().take(8).collect();
                        let task = match &tasks_in {
                            Some((env, c)) => view! { <a href=paths::task(env, c, &l.task_id) rel="external" class="log-task">{short}</a> }.into_any(),
                            None => view! { <span class="log-task">{short}</span> }.into_any(),
                        };
                        view! {
                            <div class="log-line" data-event=l.event_id.clone()>
                                <time title=full>{clock}</time>
                                {task}
                                <span class="log-container">{l.container.clone()}</span>
                                <span class="log-message">{l.message.clone()}</span>
                            </div>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </div>
    }
}

/// The containers whose logs Berth can't read, and why.
pub fn unreadable(list: &[NoLogs]) -> impl IntoView + use<> {
    let notes = list
        .iter()
        .map(|n| view! { <li><b>{format!("{} ({})", n.container, n.task_definition)}</b>": "{n.reason.clone()}</li> })
        .collect_view();
    (!list.is_empty()).then(|| view! { <ul class="banner warning" id="unreadable">{notes}</ul> })
}

/// The ranges the page offers, in minutes back from now.
const RANGES: [(&str, i64); 5] = [("15", 15), ("60", 60), ("360", 360), ("1440", 1440), ("10080", 10080)];

fn range_label(minutes: i64) -> &'static str {
    match minutes {
        15 => "Last 15 minutes",
        60 => "Last hour",
        360 => "Last 6 hours",
        1440 => "Last 24 hours",
        _ => "Last 7 days",
    }
}

#[component]
pub fn ServiceLogsPage() -> impl IntoView {
    let (env, cluster, service) = (param("env"), param("cluster"), param("service"));
    let container = RwSignal::new(String::new());
    let task = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let minutes = RwSignal::new(60_i64);
    let follow = RwSignal::new(true);
    let some = |s: String| Some(s).filter(|s| !s.is_empty());
    let query = Memo::new(move |_| LogQuery {
        container: some(container.get()),
        task: some(task.get()),
        text: some(text.get()),
        revision: None,
        start: Some(js_sys::Date::now() as i64 - minutes.get() * 60_000),
        end: None,
    });
    let loaded = load(move || {
        let (env, cluster, service, query) = (env.get(), cluster.get(), service.get(), query.get());
        async move { api::service_logs(&env, &cluster, &service, &query).await }
    });
    let lines = RwSignal::new(Vec::<LogLine>::new());
    let meta = RwSignal::new(None::<Logs>);
    // The choices of the filters: every container and task seen, so a narrowed answer keeps them.
    let containers = RwSignal::new(std::collections::BTreeSet::<String>::new());
    let tasks = RwSignal::new(std::collections::BTreeSet::<String>::new());
    Effect::new(move |_| {
        if let Some(Ok(logs)) = loaded.get() {
            lines.set(logs.lines.clone());
            containers.update(|c| c.extend(logs.sources.iter().map(|s| s.container.clone())));
            tasks.update(|t| t.extend(logs.tasks.keys().cloned()));
            meta.set(Some(Logs { lines: Vec::new(), ..logs }));
        }
    });
    follow_into(lines, move || {
        follow.get().then(|| api::follow_logs_url(&env.get(), &cluster.get(), &service.get(), &query.get()))
    });
    let download = move |_| {
        let body: String = lines.with_untracked(|ls| {
            ls.iter()
                .map(|l| format!("{}\t{}\t{}\t{}\n", time_of(l.timestamp).1, l.task_id, l.container, l.message))
                .collect()
        });
        let href = format!("data:text/plain;charset=utf-8,{}", api::enc(&body));
        let document = web_sys::window().and_then(|w| w.document());
        if let Some(a) = document.and_then(|d| d.create_element("a").ok()) {
            let _ = a.set_attribute("href", &href);
            let _ = a.set_attribute("download", &format!("{}-logs.txt", service.get_untracked()));
            if let Some(a) = a.dyn_ref::<web_sys::HtmlElement>() {
                a.click();
            }
        }
    };
    let back = move || paths::service(&env.get(), &cluster.get(), &service.get());
    let options = move |choices: RwSignal<std::collections::BTreeSet<String>>, picked: RwSignal<String>| {
        let picked = picked.get();
        choices
            .get()
            .into_iter()
            .map(|v| view! { <option value=v.clone() selected=v == picked>{v.clone()}</option> })
            .collect_view()
    };
    view! {
        <div class="page-head">
            <h1>"Logs of "{move || service.get()}</h1>
            <div class="spacer"></div>
            <a href=back rel="external" class="button">"Service"</a>
        </div>
        <form class="filters log-filters" on:submit=|ev| ev.prevent_default()>
            <label>"Container"
                <select id="logContainer" on:change=move |ev| container.set(event_target_value(&ev))>
                    <option value="">"All"</option>
                    {move || options(containers, container)}
                </select>
            </label>
            <label>"Task"
                <select id="logTask" on:change=move |ev| task.set(event_target_value(&ev))>
                    <option value="">"All"</option>
                    {move || options(tasks, task)}
                </select>
            </label>
            <label>"Text"
                <input id="logText" type="search" placeholder="exact, case-sensitive"
                    on:change=move |ev| text.set(event_target_value(&ev))/>
            </label>
            <label>"Range"
                <select id="logRange" on:change=move |ev| minutes.set(event_target_value(&ev).parse().unwrap_or(60))>
                    {RANGES.iter().map(|(v, m)| view! { <option value=*v selected=*m == 60>{range_label(*m)}</option> }).collect_view()}
                </select>
            </label>
            <label class="check"><input id="logFollow" type="checkbox" prop:checked=follow
                on:change=move |ev| follow.set(event_target_checked(&ev))/>"Follow"</label>
            <button type="button" id="logDownload" on:click=download>"Download"</button>
        </form>
        {move || match loaded.get() {
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Ok(_)) => ().into_any(),
        }}
        {move || meta.get().map(|m| view! {
            {unreadable(&m.unreadable)}
            {m.truncated.then(|| view! { <p class="muted">"More lines matched: the oldest are left out. Narrow the range or filter."</p> })}
        })}
        <LogLines lines=lines tasks_in=(env.get_untracked(), cluster.get_untracked())/>
    }
}

/// Follows `url()` (none: not following) into `lines`: one `EventSource`, replaced when the URL
/// changes and closed on leaving; new lines append, each once, oldest first.
pub fn follow_into(lines: RwSignal<Vec<LogLine>>, url: impl Fn() -> Option<String> + 'static) {
    type Following = (web_sys::EventSource, Closure<dyn FnMut(web_sys::MessageEvent)>);
    let held = StoredValue::new_local(None::<Following>);
    let close = move || {
        held.update_value(|f| {
            if let Some((source, _)) = f.take() {
                source.close();
            }
        })
    };
    Effect::new(move |_| {
        close();
        let Some(url) = url() else { return };
        let Ok(source) = web_sys::EventSource::new(&url) else { return };
        let on_lines = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(new) = ev.data().as_string().and_then(|t| serde_json::from_str::<Vec<LogLine>>(&t).ok()) else {
                return;
            };
            lines.update(|held| {
                let known: HashSet<String> = held.iter().map(|l| l.event_id.clone()).collect();
                held.extend(new.into_iter().filter(|l| !known.contains(&l.event_id)));
                held.sort_by_key(|l| l.timestamp);
                let excess = held.len().saturating_sub(HELD);
                held.drain(..excess);
            });
        });
        let _ = source.add_event_listener_with_callback("lines", on_lines.as_ref().unchecked_ref());
        held.set_value(Some((source, on_lines)));
    });
    on_cleanup(close);
}

/// A rollout's new revision's lines, live (a deployment's page while it is in progress).
#[component]
pub fn RolloutLogs(env: String, cluster: String, service: String, revision: String) -> impl IntoView {
    let lines = RwSignal::new(Vec::new());
    let query = LogQuery { revision: Some(revision), ..LogQuery::default() };
    let url = api::follow_logs_url(&env, &cluster, &service, &query);
    follow_into(lines, move || Some(url.clone()));
    view! {
        <h2>"Logs of the new revision"</h2>
        <LogLines lines=lines tasks_in=(env, cluster)/>
    }
}

/// A task's lines, for its page.
#[component]
pub fn TaskLogs(cluster: String, task: String) -> impl IntoView {
    let env = param("env").get_untracked();
    let loaded = load({
        let (env, cluster, task) = (env.clone(), cluster.clone(), task.clone());
        move || {
            let (env, cluster, task) = (env.clone(), cluster.clone(), task.clone());
            async move { api::task_logs(&env, &cluster, &task).await }
        }
    });
    view! {
        <h2>"Logs"</h2>
        {move || match loaded.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(logs)) => view! {
                {unreadable(&logs.unreadable)}
                <LogLines lines=Signal::stored(logs.lines) tasks_in=(env.clone(), cluster.clone())/>
            }.into_any(),
        }}
    }
}
