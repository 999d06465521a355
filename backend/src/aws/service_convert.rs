//! ECS services: Berth's models <-> the SDK's, both ways, and the export of a service as the
//! create-service document that would make it again.

use aws_sdk_ecs::types as sdk;
use shared::ecs::service::{
    AdvancedConfiguration, AwsVpcConfiguration, CanaryConfiguration, CapacityProviderStrategyItem, CircuitBreaker,
    ContainerState, Deployment, DeploymentAlarms, DeploymentConfiguration, HookTimeout, LifecycleHook,
    LinearConfiguration, LoadBalancer, NetworkConfiguration, PlacementConstraint, PlacementStrategy, ServiceDetail,
    ServiceEvent, ServiceRegistry, ServiceSpec, Task,
};

use super::convert::{invalid, last_segment, narrow_opt, timestamp as time};
use crate::error::AppError;

/// A member ECS takes as a 32-bit `Integer`, refused at `path` beyond it.
pub(super) fn i32_at(v: Option<i64>, path: &str) -> Result<Option<i32>, AppError> {
    narrow_opt(v, path).map_err(invalid)
}

/// `arn:...:task-definition/web:3` -> `web:3`.
pub(super) fn short(arn: &str) -> String {
    last_segment(arn).to_string()
}

pub(super) fn strategy(
    items: &[CapacityProviderStrategyItem],
) -> Result<Vec<sdk::CapacityProviderStrategyItem>, AppError> {
    items
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let path = |member: &str| format!("capacityProviderStrategy[{n}].{member}");
            sdk::CapacityProviderStrategyItem::builder()
                .capacity_provider(&i.capacity_provider)
                .weight(i32_at(i.weight, &path("weight"))?.unwrap_or(0))
                .base(i32_at(i.base, &path("base"))?.unwrap_or(0))
                .build()
                .map_err(|e| AppError::BadRequest(format!("capacityProviderStrategy: {e}")))
        })
        .collect()
}

pub(super) fn deployment_configuration(c: &DeploymentConfiguration) -> Result<sdk::DeploymentConfiguration, AppError> {
    let breaker = c
        .deployment_circuit_breaker
        .as_ref()
        .map(|b| sdk::DeploymentCircuitBreaker::builder().enable(b.enable).rollback(b.rollback).build());
    let alarms = c
        .alarms
        .as_ref()
        .map(|a| {
            sdk::DeploymentAlarms::builder()
                .set_alarm_names(Some(a.alarm_names.clone()))
                .enable(a.enable)
                .rollback(a.rollback)
                .build()
        })
        .transpose()
        .map_err(|e| AppError::BadRequest(format!("alarms: {e}")))?;
    Ok(sdk::DeploymentConfiguration::builder()
        .set_deployment_circuit_breaker(breaker)
        .set_maximum_percent(i32_at(c.maximum_percent, "deploymentConfiguration.maximumPercent")?)
        .set_minimum_healthy_percent(i32_at(
            c.minimum_healthy_percent,
            "deploymentConfiguration.minimumHealthyPercent",
        )?)
        .set_alarms(alarms)
        .set_strategy(c.strategy.as_deref().map(sdk::DeploymentStrategy::from))
        .set_bake_time_in_minutes(i32_at(c.bake_time_in_minutes, "deploymentConfiguration.bakeTimeInMinutes")?)
        .build())
}

pub(super) fn deployment_configuration_of(c: &sdk::DeploymentConfiguration) -> DeploymentConfiguration {
    DeploymentConfiguration {
        deployment_circuit_breaker: c
            .deployment_circuit_breaker()
            .map(|b| CircuitBreaker { enable: b.enable(), rollback: b.rollback() }),
        maximum_percent: c.maximum_percent().map(i64::from),
        minimum_healthy_percent: c.minimum_healthy_percent().map(i64::from),
        alarms: c.alarms().map(|a| DeploymentAlarms {
            alarm_names: a.alarm_names().to_vec(),
            enable: a.enable(),
            rollback: a.rollback(),
        }),
        strategy: c.strategy().map(|s| s.as_str().to_string()),
        bake_time_in_minutes: c.bake_time_in_minutes().map(i64::from),
        lifecycle_hooks: (!c.lifecycle_hooks().is_empty()).then(|| c.lifecycle_hooks().iter().map(hook_of).collect()),
        linear_configuration: c.linear_configuration().map(|l| LinearConfiguration {
            step_percent: l.step_percent().and_then(serde_json::Number::from_f64),
            step_bake_time_in_minutes: l.step_bake_time_in_minutes().map(i64::from),
        }),
        canary_configuration: c.canary_configuration().map(|l| CanaryConfiguration {
            canary_percent: l.canary_percent().and_then(serde_json::Number::from_f64),
            canary_bake_time_in_minutes: l.canary_bake_time_in_minutes().map(i64::from),
        }),
        early_success_criteria: None,
    }
}

fn hook_of(h: &sdk::DeploymentLifecycleHook) -> LifecycleHook {
    LifecycleHook {
        target_type: h.target_type().map(|t| t.as_str().to_string()),
        hook_target_arn: h.hook_target_arn().map(str::to_string),
        role_arn: h.role_arn().map(str::to_string),
        lifecycle_stages: Some(h.lifecycle_stages().iter().map(|s| s.as_str().to_string()).collect()),
        hook_details: h.hook_details().map(super::convert::document_to_json),
        timeout_configuration: h.timeout_configuration().map(|t| HookTimeout {
            timeout_in_minutes: t.timeout_in_minutes().map(i64::from),
            action: t.action().map(|a| a.as_str().to_string()),
        }),
    }
}

pub(super) fn network(n: &NetworkConfiguration) -> Result<Option<sdk::NetworkConfiguration>, AppError> {
    let Some(c) = &n.awsvpc_configuration else { return Ok(None) };
    let vpc = sdk::AwsVpcConfiguration::builder()
        .set_subnets(Some(c.subnets.clone()))
        .set_security_groups(c.security_groups.clone())
        .set_assign_public_ip(c.assign_public_ip.as_deref().map(sdk::AssignPublicIp::from))
        .build()
        .map_err(|e| AppError::BadRequest(format!("awsvpcConfiguration: {e}")))?;
    Ok(Some(sdk::NetworkConfiguration::builder().awsvpc_configuration(vpc).build()))
}

pub(super) fn network_of(n: &sdk::NetworkConfiguration) -> NetworkConfiguration {
    NetworkConfiguration {
        awsvpc_configuration: n.awsvpc_configuration().map(|c| AwsVpcConfiguration {
            subnets: c.subnets().to_vec(),
            security_groups: (!c.security_groups().is_empty()).then(|| c.security_groups().to_vec()),
            assign_public_ip: c.assign_public_ip().map(|a| a.as_str().to_string()),
        }),
    }
}

pub(super) fn load_balancers(list: &[LoadBalancer]) -> Result<Vec<sdk::LoadBalancer>, AppError> {
    list.iter()
        .enumerate()
        .map(|(i, l)| {
            Ok(sdk::LoadBalancer::builder()
                .set_target_group_arn(l.target_group_arn.clone())
                .set_load_balancer_name(l.load_balancer_name.clone())
                .set_container_name(l.container_name.clone())
                .set_container_port(i32_at(l.container_port, &format!("loadBalancers[{i}].containerPort"))?)
                .set_advanced_configuration(l.advanced_configuration.as_ref().map(|a| {
                    sdk::AdvancedConfiguration::builder()
                        .set_alternate_target_group_arn(a.alternate_target_group_arn.clone())
                        .set_production_listener_rule(a.production_listener_rule.clone())
                        .set_test_listener_rule(a.test_listener_rule.clone())
                        .set_role_arn(a.role_arn.clone())
                        .build()
                }))
                .build())
        })
        .collect()
}

pub(super) fn registries(list: &[ServiceRegistry]) -> Result<Vec<sdk::ServiceRegistry>, AppError> {
    list.iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(sdk::ServiceRegistry::builder()
                .set_registry_arn(r.registry_arn.clone())
                .set_port(i32_at(r.port, &format!("serviceRegistries[{i}].port"))?)
                .set_container_name(r.container_name.clone())
                .set_container_port(i32_at(r.container_port, &format!("serviceRegistries[{i}].containerPort"))?)
                .build())
        })
        .collect()
}

/// The CreateService members Berth sends as JSON (service connect, volume and VPC Lattice
/// configurations, deployment lifecycle hooks with their Lambda parameters, linear and canary
/// settings, early success criteria), as the JSON the request body gains: the SDK's builders for
/// them are deep (a hook's parameters are a free-form document) and the JSON is exactly the model's.
pub(super) fn passthrough(spec: &ServiceSpec) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    let mut extra = serde_json::Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            extra.insert(key.into(), value);
        }
    };
    put("serviceConnectConfiguration", spec.service_connect_configuration.clone().map(Value::Object));
    put(
        "volumeConfigurations",
        spec.volume_configurations.as_ref().map(|l| l.iter().cloned().map(Value::Object).collect()),
    );
    put(
        "vpcLatticeConfigurations",
        spec.vpc_lattice_configurations.as_ref().map(|l| l.iter().cloned().map(Value::Object).collect()),
    );
    extra.extend(deployment_passthrough(spec.deployment_configuration.as_ref()));
    extra
}

/// The deployment configuration's members sent as JSON (CreateService and UpdateService alike).
pub(super) fn deployment_passthrough(
    c: Option<&DeploymentConfiguration>,
) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    let mut deployment = serde_json::Map::new();
    if let Some(c) = c {
        let mut keep = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                deployment.insert(key.into(), value);
            }
        };
        keep("lifecycleHooks", c.lifecycle_hooks.as_ref().and_then(|h| serde_json::to_value(h).ok()));
        keep("linearConfiguration", c.linear_configuration.as_ref().and_then(|l| serde_json::to_value(l).ok()));
        keep("canaryConfiguration", c.canary_configuration.as_ref().and_then(|l| serde_json::to_value(l).ok()));
        keep("earlySuccessCriteria", c.early_success_criteria.clone().map(Value::Object));
    }
    let mut extra = serde_json::Map::new();
    if !deployment.is_empty() {
        extra.insert("deploymentConfiguration".into(), Value::Object(deployment));
    }
    extra
}

/// Adds `extra` to a request's JSON body before it is signed (see [`merge_into_body`]).
pub(super) fn add_to_body(
    request: &mut aws_smithy_runtime_api::http::Request,
    extra: &serde_json::Map<String, serde_json::Value>,
) {
    if extra.is_empty() {
        return;
    }
    if let Some(body) = request.body().bytes().and_then(|b| merge_into_body(b, extra)) {
        request.headers_mut().insert("content-length", body.len().to_string());
        *request.body_mut() = body.into();
    }
}

/// Merges `extra` into a JSON request body (objects member by member), before it is signed.
pub(crate) fn merge_into_body(body: &[u8], extra: &serde_json::Map<String, serde_json::Value>) -> Option<Vec<u8>> {
    fn merge(
        into: &mut serde_json::Map<String, serde_json::Value>,
        extra: &serde_json::Map<String, serde_json::Value>,
    ) {
        for (key, value) in extra {
            match (into.get_mut(key), value) {
                (Some(serde_json::Value::Object(inner)), serde_json::Value::Object(more)) => merge(inner, more),
                _ => {
                    into.insert(key.clone(), value.clone());
                }
            }
        }
    }
    let mut doc: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body).ok()?;
    merge(&mut doc, extra);
    serde_json::to_vec(&doc).ok()
}

pub(super) fn placement(
    constraints: &Option<Vec<PlacementConstraint>>,
    strategies: &Option<Vec<PlacementStrategy>>,
) -> (Option<Vec<sdk::PlacementConstraint>>, Option<Vec<sdk::PlacementStrategy>>) {
    let constraints = constraints.as_ref().map(|l| {
        l.iter()
            .map(|c| {
                sdk::PlacementConstraint::builder()
                    .set_type(c.kind.as_deref().map(sdk::PlacementConstraintType::from))
                    .set_expression(c.expression.clone())
                    .build()
            })
            .collect()
    });
    let strategies = strategies.as_ref().map(|l| {
        l.iter()
            .map(|s| {
                sdk::PlacementStrategy::builder()
                    .set_type(s.kind.as_deref().map(sdk::PlacementStrategyType::from))
                    .set_field(s.field.clone())
                    .build()
            })
            .collect()
    });
    (constraints, strategies)
}

pub(super) fn detail(s: &sdk::Service) -> ServiceDetail {
    ServiceDetail {
        service_name: s.service_name().unwrap_or_default().into(),
        service_arn: s.service_arn().unwrap_or_default().into(),
        cluster: short(s.cluster_arn().unwrap_or_default()),
        status: s.status().unwrap_or_default().into(),
        desired_count: s.desired_count().into(),
        running_count: s.running_count().into(),
        pending_count: s.pending_count().into(),
        task_definition: short(s.task_definition().unwrap_or_default()),
        launch_type: s.launch_type().map(|l| l.as_str().to_string()),
        capacity_provider_strategy: s
            .capacity_provider_strategy()
            .iter()
            .map(|c| CapacityProviderStrategyItem {
                capacity_provider: c.capacity_provider().into(),
                weight: Some(c.weight().into()),
                base: Some(c.base().into()),
            })
            .collect(),
        scheduling_strategy: s.scheduling_strategy().map_or("REPLICA", |x| x.as_str()).to_string(),
        deployment_configuration: s.deployment_configuration().map(deployment_configuration_of),
        network_configuration: s.network_configuration().map(network_of),
        load_balancers: s
            .load_balancers()
            .iter()
            .map(|l| LoadBalancer {
                target_group_arn: l.target_group_arn().map(str::to_string),
                load_balancer_name: l.load_balancer_name().map(str::to_string),
                container_name: l.container_name().map(str::to_string),
                container_port: l.container_port().map(i64::from),
                advanced_configuration: l.advanced_configuration().map(|a| AdvancedConfiguration {
                    alternate_target_group_arn: a.alternate_target_group_arn().map(str::to_string),
                    production_listener_rule: a.production_listener_rule().map(str::to_string),
                    test_listener_rule: a.test_listener_rule().map(str::to_string),
                    role_arn: a.role_arn().map(str::to_string),
                }),
            })
            .collect(),
        placement_constraints: s
            .placement_constraints()
            .iter()
            .map(|c| PlacementConstraint {
                kind: c.r#type().map(|t| t.as_str().to_string()),
                expression: c.expression().map(str::to_string),
            })
            .collect(),
        placement_strategy: s
            .placement_strategy()
            .iter()
            .map(|p| PlacementStrategy {
                kind: p.r#type().map(|t| t.as_str().to_string()),
                field: p.field().map(str::to_string),
            })
            .collect(),
        enable_ecs_managed_tags: s.enable_ecs_managed_tags(),
        propagate_tags: s.propagate_tags().map(|p| p.as_str().to_string()),
        enable_execute_command: s.enable_execute_command(),
        health_check_grace_period_seconds: s.health_check_grace_period_seconds().map(i64::from),
        created_at: time(s.created_at()),
        deployments: s
            .deployments()
            .iter()
            .map(|d| Deployment {
                id: d.id().unwrap_or_default().into(),
                status: d.status().unwrap_or_default().into(),
                task_definition: short(d.task_definition().unwrap_or_default()),
                desired_count: d.desired_count().into(),
                running_count: d.running_count().into(),
                pending_count: d.pending_count().into(),
                failed_tasks: d.failed_tasks().into(),
                rollout_state: d.rollout_state().map(|r| r.as_str().to_string()),
                rollout_state_reason: d.rollout_state_reason().map(str::to_string),
                created_at: time(d.created_at()),
                updated_at: time(d.updated_at()),
            })
            .collect(),
        current_service_deployment: s.current_service_deployment().map(str::to_string),
        events: s
            .events()
            .iter()
            .map(|e| ServiceEvent {
                id: e.id().unwrap_or_default().into(),
                created_at: time(e.created_at()),
                message: e.message().unwrap_or_default().into(),
            })
            .collect(),
        tasks: Vec::new(),
    }
}

pub(super) fn task(t: &sdk::Task) -> Task {
    Task {
        task_id: short(t.task_arn().unwrap_or_default()),
        last_status: t.last_status().unwrap_or_default().into(),
        desired_status: t.desired_status().unwrap_or_default().into(),
        health_status: t.health_status().map(|h| h.as_str().to_string()),
        task_definition: short(t.task_definition_arn().unwrap_or_default()),
        container_instance_id: t.container_instance_arn().map(short),
        started_at: time(t.started_at()),
        stopped_at: time(t.stopped_at()),
        stop_code: t.stop_code().map(|c| c.as_str().to_string()),
        stopped_reason: t.stopped_reason().map(str::to_string),
        containers: t
            .containers()
            .iter()
            .map(|c| ContainerState {
                name: c.name().unwrap_or_default().to_string(),
                last_status: c.last_status().map(str::to_string),
                exit_code: c.exit_code().map(i64::from),
                reason: c.reason().map(str::to_string),
                last_lines: Vec::new(),
            })
            .collect(),
    }
}

/// A service as `aws ecs create-service --cli-input-json` would create it again.
pub(crate) fn export(d: &ServiceDetail) -> ServiceSpec {
    let daemon = d.scheduling_strategy == "DAEMON";
    ServiceSpec {
        cluster: Some(d.cluster.clone()),
        service_name: d.service_name.clone(),
        task_definition: Some(d.task_definition.clone()),
        desired_count: (!daemon).then_some(d.desired_count),
        launch_type: d.launch_type.clone(),
        capacity_provider_strategy: (!d.capacity_provider_strategy.is_empty())
            .then(|| d.capacity_provider_strategy.clone()),
        deployment_configuration: d.deployment_configuration.clone(),
        network_configuration: d.network_configuration.clone(),
        load_balancers: (!d.load_balancers.is_empty()).then(|| d.load_balancers.clone()),
        placement_constraints: (!d.placement_constraints.is_empty()).then(|| d.placement_constraints.clone()),
        placement_strategy: (!d.placement_strategy.is_empty()).then(|| d.placement_strategy.clone()),
        health_check_grace_period_seconds: d.health_check_grace_period_seconds,
        scheduling_strategy: Some(d.scheduling_strategy.clone()),
        enable_ecs_managed_tags: Some(d.enable_ecs_managed_tags),
        propagate_tags: d.propagate_tags.clone(),
        enable_execute_command: Some(d.enable_execute_command),
        ..ServiceSpec::default()
    }
}
