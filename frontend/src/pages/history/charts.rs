//! The history's figures drawn in SVG: deployments per day (failed ones in red), change failure
//! rate, median rollout duration; and a service's timeline.

use leptos::prelude::*;
use shared::deploy::{DeploymentRecord, HistoryStats, Outcome};

const W: f64 = 640.0;
const H: f64 = 120.0;

#[component]
pub fn Figures(stats: HistoryStats) -> impl IntoView {
    let rate = stats.change_failure_rate.map_or_else(|| "—".to_string(), |r| format!("{:.0} %", r * 100.0));
    let median = stats.median_duration_ms.map_or_else(|| "—".to_string(), |ms| format!("{:.1} s", ms as f64 / 1000.0));
    let total: i64 = stats.days.iter().map(|d| d.total).sum();
    view! {
        <div class="figures" id="figures">
            <div class="tile"><strong id="deploymentCount">{total}</strong><span>"deployments ended"</span></div>
            <div class="tile"><strong id="failureRate">{rate}</strong><span>"change failure rate"</span></div>
            <div class="tile"><strong id="medianDuration">{median}</strong><span>"median rollout"</span></div>
        </div>
        <PerDay stats/>
    }
}

#[component]
fn PerDay(stats: HistoryStats) -> impl IntoView {
    let days = stats.days;
    let most = days.iter().map(|d| d.total).max().unwrap_or(1).max(1) as f64;
    let slot = W / days.len().max(1) as f64;
    let bar = (slot * 0.7).max(1.0);
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let x = i as f64 * slot + (slot - bar) / 2.0;
            let h = d.total as f64 / most * (H - 20.0);
            let f = d.failed as f64 / most * (H - 20.0);
            view! {
                <g class="day" data-day=d.day.clone() data-total=d.total.to_string() data-failed=d.failed.to_string()>
                    <title>{format!("{}: {} deployments, {} failed", d.day, d.total, d.failed)}</title>
                    <rect class="total" x=format!("{x:.1}") y=format!("{:.1}", H - 16.0 - h) width=format!("{bar:.1}") height=format!("{h:.1}")/>
                    <rect class="failed" x=format!("{x:.1}") y=format!("{:.1}", H - 16.0 - f) width=format!("{bar:.1}") height=format!("{f:.1}")/>
                </g>
            }
        })
        .collect_view();
    let (first, last) = (days.first().map(|d| d.day.clone()), days.last().map(|d| d.day.clone()));
    view! {
        <svg class="chart" id="perDay" viewBox=format!("0 0 {W} {H}") role="img" aria-label="Deployments per day, failed ones in red">
            {bars}
            <text x="0" y=format!("{}", H - 2.0)>{first.unwrap_or_default()}</text>
            <text x=format!("{W}") y=format!("{}", H - 2.0) text-anchor="end">{last.unwrap_or_default()}</text>
        </svg>
    }
}

fn color(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Succeeded => "ok",
        Outcome::Failed => "bad",
        Outcome::InProgress => "info",
        _ => "warn",
    }
}

/// One service's deployments on a time axis, oldest left.
#[component]
pub fn Timeline(items: Vec<DeploymentRecord>) -> impl IntoView {
    let times: Vec<f64> = items.iter().map(|d| js_sys::Date::parse(&d.started_at)).collect();
    let (min, max) = times.iter().fold((f64::MAX, f64::MIN), |(a, b), t| (a.min(*t), b.max(*t)));
    let span = (max - min).max(1.0);
    let dots = items
        .iter()
        .zip(times)
        .map(|(d, t)| {
            let x = 10.0 + (t - min) / span * (W - 20.0);
            view! {
                <circle class=color(d.outcome) cx=format!("{x:.1}") cy="20" r="7" data-id=d.id.to_string()>
                    <title>{format!("#{} {} {} → {} ({})", d.id, d.kind.as_str(), d.from_task_definition.clone().unwrap_or_default(),
                        d.to_task_definition.clone().unwrap_or_default(), d.outcome.as_str())}</title>
                </circle>
            }
        })
        .collect_view();
    view! {
        <svg class="chart timeline" id="timeline" viewBox=format!("0 0 {W} 40") role="img" aria-label="The service's deployments over time">
            <line x1="10" y1="20" x2=format!("{}", W - 10.0) y2="20"/>
            {dots}
        </svg>
    }
}
