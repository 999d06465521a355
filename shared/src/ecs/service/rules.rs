//! CreateService's rules, including those that tie a service to its task definition and launch
//! type; each error at the JSON path of the field to fix.

use super::spec::ServiceSpec;
use crate::ecr::rules::validate_tag_list;
use crate::ecs::task_definition::TaskDefinitionSpec;
use crate::validate::{Errors, char_len};

const LAUNCH_TYPES: [&str; 4] = ["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];
const MAX_SUBNETS: usize = 16;
const MAX_SECURITY_GROUPS: usize = 5;

/// Amazon ECS service quotas (Developer Guide, "Amazon ECS service quotas"): tasks per service,
/// 5,000. UpdateService and CreateService refuse a desired count above it.
pub const TASKS_PER_SERVICE_MAX: i64 = 5_000;

/// The desired count's rule (CreateService, UpdateService and Berth's scale), or `None` if valid.
pub fn desired_count_error(count: i64) -> Option<String> {
    if count < 0 {
        Some("Desired count can't be negative.".into())
    } else if count > TASKS_PER_SERVICE_MAX {
        Some(format!(
            "Desired count is at most {TASKS_PER_SERVICE_MAX}, ECS's quota of tasks per service (Amazon ECS service quotas)."
        ))
    } else {
        None
    }
}

fn is_name(s: &str) -> bool {
    (1..=255).contains(&char_len(s)) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Checks `spec`; `task_definition` is the revision it names, when known (cross-resource rules).
pub fn validate(
    spec: &ServiceSpec,
    task_definition: Option<&TaskDefinitionSpec>,
) -> Result<(), Vec<crate::error::FieldError>> {
    let mut e = Errors::new();
    if !is_name(&spec.service_name) {
        e.rule(
            "svc.serviceName",
            "serviceName",
            "Service name must be 1-255 letters, digits, hyphens and underscores.",
        );
    }
    let external = spec.deployment_controller.as_ref().is_some_and(|c| c.kind == "EXTERNAL");
    if !external && spec.task_definition.as_deref().is_none_or(str::is_empty) {
        e.rule("svc.taskDefinition", "taskDefinition", "Choose a task definition.");
    }
    if let Some(controller) = &spec.deployment_controller
        && !["ECS", "CODE_DEPLOY", "EXTERNAL"].contains(&controller.kind.as_str())
    {
        e.rule(
            "svc.deploymentController",
            "deploymentController.type",
            format!("The deployment controller is ECS, CODE_DEPLOY or EXTERNAL, not '{}'.", controller.kind),
        );
    }
    if let Some(rebalancing) = spec.availability_zone_rebalancing.as_deref()
        && rebalancing != "ENABLED"
        && rebalancing != "DISABLED"
    {
        e.rule(
            "svc.availabilityZoneRebalancing",
            "availabilityZoneRebalancing",
            "Availability zone rebalancing is ENABLED or DISABLED.",
        );
    }
    let daemon = spec.is_daemon();
    match spec.scheduling_strategy.as_deref() {
        None | Some("REPLICA") | Some("DAEMON") => {}
        Some(other) => e.rule(
            "svc.schedulingStrategy",
            "schedulingStrategy",
            format!("Scheduling strategy is REPLICA or DAEMON, not '{other}'."),
        ),
    }
    let fargate = spec.launch_type.as_deref() == Some("FARGATE")
        || spec.capacity_provider_strategy.iter().flatten().any(|c| c.capacity_provider.starts_with("FARGATE"));
    if let Some(launch) = spec.launch_type.as_deref() {
        if !LAUNCH_TYPES.contains(&launch) {
            e.rule(
                "svc.launchType",
                "launchType",
                format!("Launch type is EC2, FARGATE, EXTERNAL or MANAGED_INSTANCES, not '{launch}'."),
            );
        }
        if spec.capacity_provider_strategy.is_some() {
            e.rule(
                "svc.launchType.capacityProvider",
                "capacityProviderStrategy",
                "Give a launch type or a capacity provider strategy, not both.",
            );
        }
    }
    for (i, item) in spec.capacity_provider_strategy.iter().flatten().enumerate() {
        if !(0..=1000).contains(&item.weight.unwrap_or(0)) {
            e.rule("svc.capacityProvider.range", format!("capacityProviderStrategy[{i}].weight"), "Weight is 0-1000.");
        }
        if !(0..=100_000).contains(&item.base.unwrap_or(0)) {
            e.rule("svc.capacityProvider.range", format!("capacityProviderStrategy[{i}].base"), "Base is 0-100000.");
        }
    }
    if daemon && fargate {
        e.rule(
            "svc.daemon.fargate",
            "schedulingStrategy",
            "Fargate does not run DAEMON services: use REPLICA, or EC2.",
        );
    }
    if let Some(message) = spec.desired_count.and_then(desired_count_error) {
        e.rule("svc.desiredCount", "desiredCount", message);
    }
    super::strategy_rules::check(spec, &mut e);
    if let Some(config) = &spec.deployment_configuration {
        if let Some(min) = config.minimum_healthy_percent
            && !(0..=100).contains(&min)
        {
            e.rule(
                "svc.minimumHealthyPercent",
                "deploymentConfiguration.minimumHealthyPercent",
                "Minimum healthy percent is 0-100.",
            );
        }
        match config.maximum_percent {
            Some(max) if daemon && max != 100 => e.rule(
                "svc.maximumPercent",
                "deploymentConfiguration.maximumPercent",
                "A DAEMON service keeps maximum percent at 100.",
            ),
            Some(max) if max > i64::from(i32::MAX) => e.rule(
                "integer.32bit",
                "deploymentConfiguration.maximumPercent",
                "Maximum percent is an integer of at most 2147483647 (UpdateService's Integer).",
            ),
            Some(max) if max < config.minimum_healthy_percent.unwrap_or(0).max(1) => e.rule(
                "svc.maximumPercent",
                "deploymentConfiguration.maximumPercent",
                "Maximum percent must be above the minimum healthy percent, or no task could be replaced.",
            ),
            _ => {}
        }
        if let Some(breaker) = &config.deployment_circuit_breaker
            && breaker.rollback
            && !breaker.enable
        {
            e.rule(
                "svc.circuitBreaker",
                "deploymentConfiguration.deploymentCircuitBreaker.rollback",
                "Rollback needs the circuit breaker enabled.",
            );
        }
    }
    if let Some(grace) = spec.health_check_grace_period_seconds
        && !(0..=i64::from(i32::MAX)).contains(&grace)
    {
        e.rule("integer.32bit", "healthCheckGracePeriodSeconds", "The grace period is 0-2147483647 seconds.");
    }
    if let Some(propagate) = spec.propagate_tags.as_deref()
        && !["TASK_DEFINITION", "SERVICE", "NONE"].contains(&propagate)
    {
        e.rule("svc.propagateTags", "propagateTags", "Propagate tags from TASK_DEFINITION, SERVICE or NONE.");
    }
    if let Some(tags) = &spec.tags {
        let pairs: Vec<(&str, &str)> = tags.iter().map(|t| (t.key.as_str(), t.value.as_str())).collect();
        validate_tag_list(&pairs, true, &mut e);
    }
    placement(spec, fargate, &mut e);
    network(spec, task_definition, &mut e);
    if let Some(td) = task_definition {
        with_task_definition(spec, td, fargate, &mut e);
    }
    e.add_integer_overflows(spec);
    e.finish()
}

fn placement(spec: &ServiceSpec, fargate: bool, e: &mut Errors) {
    if fargate && (spec.placement_strategy.is_some() || spec.placement_constraints.is_some()) {
        e.rule(
            "svc.placement.fargate",
            "placementStrategy",
            "Fargate places tasks itself: no placement strategy or constraints.",
        );
    }
    for (i, s) in spec.placement_strategy.iter().flatten().enumerate() {
        let ok = match (s.kind.as_deref(), s.field.as_deref()) {
            (Some("random"), None) => true,
            (Some("spread"), Some(f)) => f == "instanceId" || f == "host" || f.starts_with("attribute:"),
            (Some("binpack"), Some(f)) => f == "cpu" || f == "memory",
            _ => false,
        };
        if !ok {
            e.rule(
                "svc.placementStrategy",
                format!("placementStrategy[{i}]"),
                "Use random, spread by instanceId/host/attribute:…, or binpack by cpu/memory.",
            );
        }
    }
    for (i, c) in spec.placement_constraints.iter().flatten().enumerate() {
        match c.kind.as_deref() {
            Some("distinctInstance") if c.expression.is_some() => e.rule(
                "svc.placementConstraint",
                format!("placementConstraints[{i}].expression"),
                "distinctInstance takes no expression.",
            ),
            Some("memberOf") if c.expression.as_deref().is_none_or(str::is_empty) => e.rule(
                "svc.placementConstraint",
                format!("placementConstraints[{i}].expression"),
                "memberOf needs an expression.",
            ),
            Some("distinctInstance" | "memberOf") => {}
            _ => e.rule(
                "svc.placementConstraint",
                format!("placementConstraints[{i}].type"),
                "A constraint is distinctInstance or memberOf.",
            ),
        }
    }
}

fn network(spec: &ServiceSpec, td: Option<&TaskDefinitionSpec>, e: &mut Errors) {
    let awsvpc = td.map(|t| t.network_mode.as_deref() == Some("awsvpc"));
    let config = spec.network_configuration.as_ref().and_then(|n| n.awsvpc_configuration.as_ref());
    match (awsvpc, config) {
        (Some(true), None) => e.rule(
            "svc.network.required",
            "networkConfiguration",
            "The task definition uses awsvpc: give the subnets (and security groups) for the tasks' network interfaces.",
        ),
        (Some(false), Some(_)) => e.rule(
            "svc.network.notAwsvpc",
            "networkConfiguration",
            "Only awsvpc task definitions take a network configuration; this one does not use awsvpc.",
        ),
        _ => {}
    }
    if let Some(c) = config {
        if c.subnets.is_empty() || c.subnets.len() > MAX_SUBNETS {
            e.rule(
                "svc.network.subnets",
                "networkConfiguration.awsvpcConfiguration.subnets",
                format!("Give 1 to {MAX_SUBNETS} subnets."),
            );
        }
        if c.security_groups.as_ref().is_some_and(|g| g.len() > MAX_SECURITY_GROUPS) {
            e.rule(
                "svc.network.subnets",
                "networkConfiguration.awsvpcConfiguration.securityGroups",
                format!("At most {MAX_SECURITY_GROUPS} security groups."),
            );
        }
        if let Some(ip) = c.assign_public_ip.as_deref()
            && ip != "ENABLED"
            && ip != "DISABLED"
        {
            e.rule(
                "svc.network.assignPublicIp",
                "networkConfiguration.awsvpcConfiguration.assignPublicIp",
                "Assign public IP is ENABLED or DISABLED.",
            );
        }
    }
}

fn with_task_definition(spec: &ServiceSpec, td: &TaskDefinitionSpec, fargate: bool, e: &mut Errors) {
    let compatible = |c: &str| td.requires_compatibilities.as_ref().is_none_or(|l| l.iter().any(|x| x == c));
    if fargate {
        if !td.requires_compatibilities.iter().flatten().any(|c| c == "FARGATE") {
            e.rule(
                "svc.taskDefinition.compatibility",
                "taskDefinition",
                "This task definition is not compatible with Fargate (requiresCompatibilities lacks FARGATE).",
            );
        } else if td.network_mode.as_deref() != Some("awsvpc") {
            e.rule(
                "svc.taskDefinition.compatibility",
                "taskDefinition",
                "Fargate needs a task definition with the awsvpc network mode.",
            );
        }
    } else if spec.launch_type.as_deref() == Some("EC2") && !compatible("EC2") {
        e.rule(
            "svc.taskDefinition.compatibility",
            "taskDefinition",
            "This task definition is not compatible with EC2 (requiresCompatibilities lacks EC2).",
        );
    }
    for (i, lb) in spec.load_balancers.iter().flatten().enumerate() {
        let container =
            lb.container_name.as_deref().and_then(|n| td.container_definitions.iter().find(|c| c.name == n));
        match container {
            None => e.rule(
                "svc.loadBalancer.container",
                format!("loadBalancers[{i}].containerName"),
                "Name a container of the task definition.",
            ),
            Some(c) => {
                let ports = c.port_mappings.iter().flatten().filter_map(|p| p.container_port);
                if lb.container_port.is_none_or(|port| !ports.clone().any(|p| p == port)) {
                    e.rule(
                        "svc.loadBalancer.container",
                        format!("loadBalancers[{i}].containerPort"),
                        format!("Use a container port that '{}' maps.", c.name),
                    );
                }
            }
        }
    }
}
