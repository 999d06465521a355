//! The deployment strategy's fields, in the service wizard and the "Update service" settings:
//! ROLLING, BLUE_GREEN, LINEAR or CANARY, the bake time, the linear and canary steps, and a PAUSE
//! hook for approval before production traffic moves. The rules that tie them together (and to
//! the load balancer's alternate target group and listener rules) are shared/'s, answered at the
//! field.

use leptos::prelude::*;
use shared::ecs::service::{
    AdvancedConfiguration, CanaryConfiguration, DeploymentAlarms, DeploymentConfiguration, HOOK_STAGES, HookTimeout,
    LifecycleHook, LinearConfiguration, shifts_traffic,
};

use crate::components::form::{
    Document, Input, Lens, flag, number_input, opt_checklist, opt_text_input, options, parsed_text, required_lines,
    rows, select_by, select_input, toggle,
};

// No "absent" choice: UpdateService leaves an absent strategy as it was, so going back to rolling
// updates must say ROLLING.
const STRATEGIES: &[(&str, &str)] = &[
    ("ROLLING", "ROLLING — replace tasks in batches (ECS's default)"),
    ("BLUE_GREEN", "BLUE_GREEN — bring up the new revision, shift all traffic, bake"),
    ("LINEAR", "LINEAR — shift traffic in equal steps"),
    ("CANARY", "CANARY — a share of traffic first, then the rest"),
];

/// A percentage as typed, written and read by the browser's own number conversions (Rust's float
/// printing and parsing would add ~20 KB to the bundles).
fn percent_text(n: Option<serde_json::Number>) -> String {
    n.and_then(|n| n.as_f64())
        .map(|f| String::from(js_sys::Number::from(f).to_string_with_radix(10).unwrap_or_default()))
        .unwrap_or_default()
}

fn percent_of(text: String) -> Option<serde_json::Number> {
    let f = js_sys::Number::parse_float(text.trim());
    if f.is_nan() { None } else { serde_json::Number::from_f64(f) }
}

/// A PAUSE hook before production traffic, on or off (other hooks are kept as they are).
fn approval<S: Document>(hooks: Lens<S, Option<Vec<LifecycleHook>>>) -> AnyView {
    let current = hooks.clone();
    toggle(
        hooks,
        Input::new(
            "Pause for approval before production traffic (a PAUSE hook; rolled back if nobody answers in 60 min)",
        )
        .name("approvalPause"),
        |list: Option<Vec<LifecycleHook>>| list.is_some_and(|l| l.iter().any(LifecycleHook::is_pause)),
        move |on| {
            let mut list = current.get_untracked().unwrap_or_default();
            list.retain(|h| !h.is_pause());
            if on {
                list.push(LifecycleHook::approval_pause());
            }
            // An empty list, not none: UpdateService leaves absent hooks as they were.
            Some(list)
        },
    )
}

const HOOK_TYPES: &[(&str, &str)] =
    &[("PAUSE", "PAUSE — wait for Continue or Roll back"), ("AWS_LAMBDA", "AWS_LAMBDA — run a Lambda function")];
const TIMEOUT_ACTIONS: &[(&str, &str)] = &[("", "ECS's default"), ("ROLLBACK", "ROLLBACK"), ("CONTINUE", "CONTINUE")];

/// Every lifecycle hook, PAUSE or Lambda, with its stages and timeout.
fn hooks_editor<S: Document>(hooks: Lens<S, Option<Vec<LifecycleHook>>>) -> AnyView {
    let stages = Signal::stored(HOOK_STAGES.iter().map(|s| (s.to_string(), s.to_string())).collect::<Vec<_>>());
    rows(hooks, "Lifecycle hooks", "Add a hook", move |hook: Lens<S, LifecycleHook>| {
        let timeout =
            hook.field("timeoutConfiguration", |h: &mut LifecycleHook| Some(&mut h.timeout_configuration)).made();
        view! {
            <div class="hook">
                {select_input(hook.field("targetType", |h: &mut LifecycleHook| Some(&mut h.target_type)),
                    Input::new("Target").name("hookTargetType"), options(HOOK_TYPES))}
                {opt_text_input(hook.field("hookTargetArn", |h: &mut LifecycleHook| Some(&mut h.hook_target_arn)),
                    Input::new("Lambda function ARN (AWS_LAMBDA)").name("hookTargetArn"))}
                {opt_text_input(hook.field("roleArn", |h: &mut LifecycleHook| Some(&mut h.role_arn)),
                    Input::new("Role ECS uses to call it").name("hookRoleArn"))}
                {opt_checklist(hook.field("lifecycleStages", |h: &mut LifecycleHook| Some(&mut h.lifecycle_stages)),
                    "hookStage", "Runs at", stages)}
                <div class="field-pair">
                    {number_input(timeout.field("timeoutInMinutes", |t: &mut HookTimeout| Some(&mut t.timeout_in_minutes)),
                        Input::new("Timeout (min)").name("hookTimeout"))}
                    {select_input(timeout.field("action", |t: &mut HookTimeout| Some(&mut t.action)),
                        Input::new("At the timeout").name("hookTimeoutAction"), options(TIMEOUT_ACTIONS))}
                </div>
            </div>
        }
        .into_any()
    })
}

/// CloudWatch alarms ECS watches during a deployment (any strategy), and whether one in ALARM rolls
/// the deployment back.
fn alarms_fields<S: Document>(deployment: Lens<S, DeploymentConfiguration>) -> AnyView {
    let alarms = deployment.field("alarms", |c: &mut DeploymentConfiguration| Some(&mut c.alarms)).made();
    view! {
        {required_lines(alarms.field("alarmNames", |a: &mut DeploymentAlarms| Some(&mut a.alarm_names)),
            "CloudWatch alarms (names, one per line)", Some("ECS watches them while a deployment runs and its bake time lasts."))}
        <div class="field-pair">
            {flag(alarms.field("enable", |a: &mut DeploymentAlarms| Some(&mut a.enable)), Input::new("Watch these alarms").name("alarmsEnable"))}
            {flag(alarms.field("rollback", |a: &mut DeploymentAlarms| Some(&mut a.rollback)), Input::new("Roll back when one goes into ALARM").name("alarmsRollback"))}
        </div>
    }
    .into_any()
}

pub fn strategy_fields<S: Document>(deployment: Lens<S, DeploymentConfiguration>) -> AnyView {
    let strategy = deployment.field("strategy", |c: &mut DeploymentConfiguration| Some(&mut c.strategy));
    let chosen = {
        let strategy = strategy.clone();
        move || strategy.get().unwrap_or_default()
    };
    let shifts = {
        let chosen = chosen.clone();
        move || shifts_traffic(Some(chosen().as_str()))
    };
    // The other strategies' settings go when the strategy changes (ECS refuses a linear
    // configuration for a canary, and the form would no longer show it).
    {
        let (chosen, deployment) = (chosen.clone(), deployment.clone());
        Effect::new(move |_| {
            let now = chosen();
            let c = deployment.get_untracked();
            let stale_linear = now != "LINEAR" && c.linear_configuration.is_some();
            let stale_canary = now != "CANARY" && c.canary_configuration.is_some();
            // Only a real change writes (a write re-runs this effect).
            if stale_linear || stale_canary {
                deployment.update(|c| {
                    if stale_linear {
                        c.linear_configuration = None;
                    }
                    if stale_canary {
                        c.canary_configuration = None;
                    }
                });
            }
        });
    }
    let linear = deployment
        .field("linearConfiguration", |c: &mut DeploymentConfiguration| Some(&mut c.linear_configuration))
        .made();
    let canary = deployment
        .field("canaryConfiguration", |c: &mut DeploymentConfiguration| Some(&mut c.canary_configuration))
        .made();
    let hooks = deployment.field("lifecycleHooks", |c: &mut DeploymentConfiguration| Some(&mut c.lifecycle_hooks));
    let bake =
        deployment.field("bakeTimeInMinutes", |c: &mut DeploymentConfiguration| Some(&mut c.bake_time_in_minutes));
    let linear_fields = {
        let chosen = chosen.clone();
        move || {
            (chosen() == "LINEAR").then(|| view! {
                <div class="field-pair">
                    {parsed_text(linear.field("stepPercent", |l: &mut LinearConfiguration| Some(&mut l.step_percent)),
                        Input::new("Step (% of traffic)").name("stepPercent"), percent_text, percent_of)}
                    {number_input(linear.field("stepBakeTimeInMinutes", |l: &mut LinearConfiguration| Some(&mut l.step_bake_time_in_minutes)),
                        Input::new("Bake between steps (min)").name("stepBakeTimeInMinutes"))}
                </div>
            })
        }
    };
    let canary_fields = {
        let chosen = chosen.clone();
        move || {
            (chosen() == "CANARY").then(|| view! {
                <div class="field-pair">
                    {parsed_text(canary.field("canaryPercent", |c: &mut CanaryConfiguration| Some(&mut c.canary_percent)),
                        Input::new("Canary (% of traffic)").name("canaryPercent"), percent_text, percent_of)}
                    {number_input(canary.field("canaryBakeTimeInMinutes", |c: &mut CanaryConfiguration| Some(&mut c.canary_bake_time_in_minutes)),
                        Input::new("Canary bake (min)").name("canaryBakeTimeInMinutes"))}
                </div>
            })
        }
    };
    view! {
        <fieldset class="strategy">
            <legend>"Deployment strategy"</legend>
            {select_by(strategy, Input::new("Strategy").name("strategy"), options(STRATEGIES),
                |s: Option<String>| s.unwrap_or_else(|| "ROLLING".into()), |s| Some(Some(s)))}
            {linear_fields}
            {canary_fields}
            {move || shifts().then(|| view! {
                {number_input(bake.clone(), Input::new("Bake time after production traffic moved (min)").name("bakeTimeInMinutes"))}
                {approval(hooks.clone())}
                {hooks_editor(hooks.clone())}
                <p class="hint">"Traffic moves between the load balancer's target group and its alternate one: set both, the production listener rule and the role under Load balancing."</p>
            })}
            {alarms_fields(deployment)}
        </fieldset>
    }
    .into_any()
}

/// What blue/green, linear and canary deployments shift traffic with (AdvancedConfiguration).
pub fn advanced_fields<S: Document>(advanced: Lens<S, AdvancedConfiguration>) -> AnyView {
    view! {
        <p class="hint">"For BLUE_GREEN, LINEAR and CANARY: the alternate target group the new revision starts in, the listener rules ECS re-weights, and the role it does it with."</p>
        {opt_text_input(advanced.field("alternateTargetGroupArn", |a: &mut AdvancedConfiguration| Some(&mut a.alternate_target_group_arn)),
            Input::new("Alternate target group ARN").name("alternateTargetGroupArn"))}
        <div class="field-pair">
            {opt_text_input(advanced.field("productionListenerRule", |a: &mut AdvancedConfiguration| Some(&mut a.production_listener_rule)),
                Input::new("Production listener rule ARN").name("productionListenerRule"))}
            {opt_text_input(advanced.field("testListenerRule", |a: &mut AdvancedConfiguration| Some(&mut a.test_listener_rule)),
                Input::new("Test listener rule ARN (optional)").name("testListenerRule"))}
        </div>
        {opt_text_input(advanced.field("roleArn", |a: &mut AdvancedConfiguration| Some(&mut a.role_arn)),
            Input::new("Role ECS assumes for the load balancer (ARN)").name("advancedRoleArn"))}
    }
    .into_any()
}
