//! The rules of ECS's own deployment strategies (ROLLING, BLUE_GREEN, LINEAR, CANARY), their bake
//! times and lifecycle hooks, and what each strategy asks of the service's load balancers. Each
//! rule's source is in [`crate::sources::RULES`] under the id it is reported with.

use super::spec::{DEPLOYMENT_STRATEGIES, DeploymentConfiguration, HOOK_STAGES, LifecycleHook, ServiceSpec};
use crate::validate::Errors;

const BAKE_MINUTES_MAX: i64 = 1440;
const DC: &str = "deploymentConfiguration";

/// True for the strategies that shift traffic between two target groups.
pub fn shifts_traffic(strategy: Option<&str>) -> bool {
    matches!(strategy, Some("BLUE_GREEN" | "LINEAR" | "CANARY"))
}

pub(super) fn check(spec: &ServiceSpec, e: &mut Errors) {
    let Some(config) = &spec.deployment_configuration else { return };
    let strategy = config.strategy.as_deref();
    if let Some(s) = strategy
        && !DEPLOYMENT_STRATEGIES.contains(&s)
    {
        e.rule(
            "svc.strategy",
            format!("{DC}.strategy"),
            format!("The strategy is ROLLING, BLUE_GREEN, LINEAR or CANARY, not '{s}'."),
        );
    }
    if strategy.is_some_and(|s| s != "ROLLING")
        && let Some(controller) = &spec.deployment_controller
        && controller.kind != "ECS"
    {
        e.rule(
            "svc.strategy.controller",
            "deploymentController.type",
            format!(
                "The {} strategy is ECS's own: it needs the ECS deployment controller.",
                strategy.unwrap_or_default()
            ),
        );
    }
    if strategy == Some("BLUE_GREEN") && config.bake_time_in_minutes.is_none() {
        e.rule(
            "svc.strategy.bakeTime",
            format!("{DC}.bakeTimeInMinutes"),
            "A BLUE_GREEN deployment needs a bake time (minutes, 0 for none).",
        );
    }
    if let Some(message) = config.bake_time_in_minutes.and_then(bake_error) {
        e.rule("svc.bakeTime.range", format!("{DC}.bakeTimeInMinutes"), message);
    }
    check_linear_and_canary(config, strategy, e);
    if let Some(alarms) = config.alarms.as_ref().filter(|a| a.enable) {
        if alarms.alarm_names.iter().all(|n| n.trim().is_empty()) {
            e.rule(
                "svc.alarms.names",
                format!("{DC}.alarms.alarmNames"),
                "Watching alarms needs one or more CloudWatch alarm names.",
            );
        }
        if spec.deployment_controller.as_ref().is_some_and(|c| c.kind != "ECS") {
            e.rule(
                "svc.alarms.controller",
                format!("{DC}.alarms.enable"),
                "Deployment alarms work only with the ECS deployment controller.",
            );
        }
    }
    if shifts_traffic(strategy) {
        check_load_balancers(spec, strategy.unwrap_or_default(), e);
    }
    for (i, hook) in config.lifecycle_hooks.iter().flatten().enumerate() {
        check_hook(hook, &format!("{DC}.lifecycleHooks[{i}]"), e);
    }
}

/// A bake time's range, or `None` when `minutes` is within it.
fn bake_error(minutes: i64) -> Option<String> {
    (!(0..=BAKE_MINUTES_MAX).contains(&minutes))
        .then(|| format!("A bake time is 0 to {BAKE_MINUTES_MAX} minutes (24 hours)."))
}

/// A percentage ECS takes as "multiples of 0.1 from MIN to 100.0".
fn percent_ok(value: &serde_json::Number, min: f64) -> bool {
    let v = value.as_f64().unwrap_or(f64::NAN);
    let tenths = v * 10.0;
    (min..=100.0).contains(&v) && (tenths - tenths.round()).abs() < 1e-6
}

fn check_linear_and_canary(config: &DeploymentConfiguration, strategy: Option<&str>, e: &mut Errors) {
    if let Some(linear) = &config.linear_configuration {
        if strategy != Some("LINEAR") {
            e.rule(
                "svc.linear.strategy",
                format!("{DC}.linearConfiguration"),
                "A linear configuration is only for the LINEAR strategy.",
            );
        }
        if let Some(p) = &linear.step_percent
            && !percent_ok(p, 3.0)
        {
            e.rule(
                "svc.linear.stepPercent",
                format!("{DC}.linearConfiguration.stepPercent"),
                "The step is a multiple of 0.1 from 3.0 to 100.0 percent.",
            );
        }
        if let Some(message) = linear.step_bake_time_in_minutes.and_then(bake_error) {
            e.rule("svc.linear.stepBakeTime", format!("{DC}.linearConfiguration.stepBakeTimeInMinutes"), message);
        }
    }
    if let Some(canary) = &config.canary_configuration {
        if strategy != Some("CANARY") {
            e.rule(
                "svc.canary.strategy",
                format!("{DC}.canaryConfiguration"),
                "A canary configuration is only for the CANARY strategy.",
            );
        }
        if let Some(p) = &canary.canary_percent
            && !percent_ok(p, 0.1)
        {
            e.rule(
                "svc.canary.percent",
                format!("{DC}.canaryConfiguration.canaryPercent"),
                "The canary share is a multiple of 0.1 from 0.1 to 100.0 percent.",
            );
        }
        if let Some(message) = canary.canary_bake_time_in_minutes.and_then(bake_error) {
            e.rule("svc.canary.bakeTime", format!("{DC}.canaryConfiguration.canaryBakeTimeInMinutes"), message);
        }
    }
}

/// BLUE_GREEN, LINEAR and CANARY move traffic between the load balancer's target group and an
/// alternate one, through the production (and test) listener rule, with a role ECS assumes.
fn check_load_balancers(spec: &ServiceSpec, strategy: &str, e: &mut Errors) {
    for (i, lb) in spec.load_balancers.iter().flatten().enumerate() {
        if lb.target_group_arn.is_none() {
            continue;
        }
        let path = format!("loadBalancers[{i}].advancedConfiguration");
        let Some(advanced) = &lb.advanced_configuration else {
            e.rule(
                "svc.strategy.advancedConfiguration",
                path,
                format!("A {strategy} deployment shifts traffic to an alternate target group: give the alternate target group, the production listener rule and the role."),
            );
            continue;
        };
        let missing = |v: &Option<String>| v.as_deref().is_none_or(str::is_empty);
        if missing(&advanced.alternate_target_group_arn) {
            e.rule(
                "svc.strategy.alternateTargetGroup",
                format!("{path}.alternateTargetGroupArn"),
                "The alternate target group the new revision starts in.",
            );
        }
        if missing(&advanced.production_listener_rule) {
            e.rule(
                "svc.strategy.productionListenerRule",
                format!("{path}.productionListenerRule"),
                "The listener rule (ALB) or listener (NLB) that carries production traffic.",
            );
        }
        if missing(&advanced.role_arn) {
            e.rule(
                "svc.strategy.role",
                format!("{path}.roleArn"),
                "The IAM role ECS assumes to change the listener rules.",
            );
        }
        if advanced.alternate_target_group_arn.is_some() && advanced.alternate_target_group_arn == lb.target_group_arn {
            e.rule(
                "svc.strategy.alternateTargetGroup",
                format!("{path}.alternateTargetGroupArn"),
                "The alternate target group must differ from the load balancer's target group.",
            );
        }
    }
}

/// The stages a PAUSE hook can't wait at (only AWS_LAMBDA hooks run there).
const NO_PAUSE_STAGES: [&str; 2] = ["TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"];

fn check_hook(hook: &LifecycleHook, path: &str, e: &mut Errors) {
    // Absent, the target type is AWS_LAMBDA (ECS's default).
    match hook.target_type.as_deref().unwrap_or("AWS_LAMBDA") {
        "PAUSE" => {
            for (j, stage) in hook.lifecycle_stages.iter().flatten().enumerate() {
                if NO_PAUSE_STAGES.contains(&stage.as_str()) {
                    e.rule(
                        "svc.hook.pauseStage",
                        format!("{path}.lifecycleStages[{j}]"),
                        format!(
                            "A PAUSE hook can't wait at {stage}: pause before or after the shift (PRE_/POST_ stages)."
                        ),
                    );
                }
            }
        }
        "AWS_LAMBDA" => {
            if hook.hook_target_arn.as_deref().is_none_or(str::is_empty) {
                e.rule(
                    "svc.hook.lambda",
                    format!("{path}.hookTargetArn"),
                    "An AWS_LAMBDA hook names its Lambda function (ARN).",
                );
            }
        }
        other => e.rule(
            "svc.hook.targetType",
            format!("{path}.targetType"),
            format!("A hook's target type is PAUSE or AWS_LAMBDA, not '{other}'."),
        ),
    }
    let stages = hook.lifecycle_stages.as_deref().unwrap_or_default();
    if stages.is_empty() {
        e.rule(
            "svc.hook.stages",
            format!("{path}.lifecycleStages"),
            "Name at least one lifecycle stage the hook runs at.",
        );
    }
    for (j, stage) in stages.iter().enumerate() {
        if !HOOK_STAGES.contains(&stage.as_str()) {
            e.rule(
                "svc.hook.stages",
                format!("{path}.lifecycleStages[{j}]"),
                format!("'{stage}' is not a lifecycle stage a hook can run at ({}).", HOOK_STAGES.join(", ")),
            );
        }
    }
    if let Some(timeout) = &hook.timeout_configuration
        && let Some(action) = timeout.action.as_deref()
        && action != "CONTINUE"
        && action != "ROLLBACK"
    {
        e.rule(
            "svc.hook.timeoutAction",
            format!("{path}.timeoutConfiguration.action"),
            "At the timeout ECS either CONTINUEs or ROLLBACKs.",
        );
    }
}
