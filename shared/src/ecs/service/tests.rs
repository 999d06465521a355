use super::*;
use crate::ecs::task_definition::{ContainerDefinition, PortMapping, TaskDefinitionSpec};

const SEED: &str = include_str!("../../../../tests/fixtures/seed/ecs-create-service-template.json");
const SEED_TASK: &str = include_str!("../../../../tests/fixtures/seed/task-definition-template.json");

fn seed() -> ServiceSpec {
    serde_json::from_str(SEED).unwrap()
}

fn seed_task() -> TaskDefinitionSpec {
    serde_json::from_str(SEED_TASK).unwrap()
}

fn awsvpc_fargate_task() -> TaskDefinitionSpec {
    TaskDefinitionSpec {
        family: "api".into(),
        network_mode: Some("awsvpc".into()),
        requires_compatibilities: Some(vec!["FARGATE".into()]),
        cpu: Some("256".into()),
        memory: Some("512".into()),
        container_definitions: vec![ContainerDefinition {
            name: "api".into(),
            image: "nginx:1.27".into(),
            port_mappings: Some(vec![PortMapping { container_port: Some(80), ..PortMapping::default() }]),
            ..ContainerDefinition::default()
        }],
        ..TaskDefinitionSpec::default()
    }
}

fn paths(spec: &ServiceSpec, td: Option<&TaskDefinitionSpec>) -> Vec<String> {
    validate(spec, td).err().unwrap_or_default().into_iter().map(|e| e.path).collect()
}

fn replica(desired: i64) -> ServiceSpec {
    ServiceSpec {
        scheduling_strategy: Some("REPLICA".into()),
        desired_count: Some(desired),
        deployment_configuration: Some(DeploymentConfiguration {
            maximum_percent: Some(200),
            minimum_healthy_percent: Some(100),
            ..DeploymentConfiguration::default()
        }),
        ..seed()
    }
}

#[test]
fn the_seeds_daemon_service_is_valid_with_the_seeds_task_definition() {
    assert_eq!(paths(&seed(), Some(&seed_task())), Vec::<String>::new());
    assert_eq!(paths(&replica(4), Some(&seed_task())), Vec::<String>::new());
}

#[test]
fn daemon_keeps_maximum_at_100_and_is_not_for_fargate() {
    let mut spec = seed();
    spec.deployment_configuration.as_mut().unwrap().maximum_percent = Some(200);
    assert_eq!(paths(&spec, None), ["deploymentConfiguration.maximumPercent"]);
    let fargate = ServiceSpec { launch_type: Some("FARGATE".into()), ..seed() };
    assert_eq!(paths(&fargate, None), ["schedulingStrategy"]);
}

#[test]
fn counts_and_percentages_are_in_range() {
    assert_eq!(paths(&replica(-1), None), ["desiredCount"]);
    let mut spec = replica(2);
    spec.deployment_configuration.as_mut().unwrap().minimum_healthy_percent = Some(150);
    assert_eq!(paths(&spec, None), ["deploymentConfiguration.minimumHealthyPercent"]);
    let mut spec = replica(2);
    spec.deployment_configuration.as_mut().unwrap().maximum_percent = Some(50);
    assert_eq!(paths(&spec, None), ["deploymentConfiguration.maximumPercent"]);
    let mut spec = replica(2);
    spec.deployment_configuration.as_mut().unwrap().deployment_circuit_breaker =
        Some(CircuitBreaker { enable: false, rollback: true });
    // No AWS source shows CreateService refusing it (the rule has none in sources::RULES): not an error.
    assert_eq!(paths(&spec, None), Vec::<String>::new());
}

#[test]
fn the_task_definition_must_suit_the_launch_type() {
    let fargate = ServiceSpec { launch_type: Some("FARGATE".into()), ..replica(2) };
    assert_eq!(paths(&fargate, Some(&seed_task())), ["taskDefinition"], "bridge + EC2 only: not for Fargate");
    let network = NetworkConfiguration {
        awsvpc_configuration: Some(AwsVpcConfiguration {
            subnets: vec!["subnet-1".into()],
            ..AwsVpcConfiguration::default()
        }),
    };
    let ok = ServiceSpec { network_configuration: Some(network.clone()), ..fargate.clone() };
    assert_eq!(paths(&ok, Some(&awsvpc_fargate_task())), Vec::<String>::new());
    let ec2_only = ServiceSpec { launch_type: Some("EC2".into()), ..ok.clone() };
    assert_eq!(paths(&ec2_only, Some(&awsvpc_fargate_task())), ["taskDefinition"]);
}

#[test]
fn awsvpc_needs_a_network_configuration_and_only_awsvpc_takes_one() {
    let fargate = ServiceSpec { launch_type: Some("FARGATE".into()), ..replica(1) };
    assert_eq!(paths(&fargate, Some(&awsvpc_fargate_task())), ["networkConfiguration"]);
    let network = NetworkConfiguration {
        awsvpc_configuration: Some(AwsVpcConfiguration {
            subnets: vec![],
            assign_public_ip: Some("yes".into()),
            ..AwsVpcConfiguration::default()
        }),
    };
    let bad = ServiceSpec { network_configuration: Some(network.clone()), ..fargate };
    assert_eq!(
        paths(&bad, Some(&awsvpc_fargate_task())),
        ["networkConfiguration.awsvpcConfiguration.subnets", "networkConfiguration.awsvpcConfiguration.assignPublicIp"]
    );
    let bridge = ServiceSpec { network_configuration: Some(network), ..replica(1) };
    assert!(paths(&bridge, Some(&seed_task())).contains(&"networkConfiguration".to_string()));
}

#[test]
fn launch_type_and_strategy_exclude_each_other_and_load_balancers_name_a_mapped_port() {
    let both = ServiceSpec {
        capacity_provider_strategy: Some(vec![CapacityProviderStrategyItem {
            capacity_provider: "berth-lab".into(),
            weight: Some(1),
            base: None,
        }]),
        ..replica(1)
    };
    assert_eq!(paths(&both, None), ["capacityProviderStrategy"]);
    let lb = |name: &str, port: i64| ServiceSpec {
        load_balancers: Some(vec![LoadBalancer {
            target_group_arn: Some("arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1".into()),
            container_name: Some(name.into()),
            container_port: Some(port),
            ..LoadBalancer::default()
        }]),
        ..replica(1)
    };
    assert_eq!(paths(&lb("nginx-web", 80), Some(&seed_task())), Vec::<String>::new());
    assert_eq!(paths(&lb("nginx-web", 8080), Some(&seed_task())), ["loadBalancers[0].containerPort"]);
    assert_eq!(paths(&lb("php", 80), Some(&seed_task())), ["loadBalancers[0].containerName"]);
}

#[test]
fn placement_follows_ecs_spelling_and_is_not_for_fargate() {
    let spread = |field: &str| ServiceSpec {
        placement_strategy: Some(vec![PlacementStrategy { kind: Some("spread".into()), field: Some(field.into()) }]),
        ..replica(4)
    };
    assert!(paths(&spread("attribute:ecs.availability-zone"), None).is_empty());
    assert_eq!(paths(&spread("zone"), None), ["placementStrategy[0]"]);
    let fargate = ServiceSpec { launch_type: Some("FARGATE".into()), ..spread("instanceId") };
    assert_eq!(paths(&fargate, None), ["placementStrategy"]);
}

#[test]
fn the_seeds_update_template_reads_as_an_update() {
    let update: ServiceUpdate =
        serde_json::from_str(include_str!("../../../../tests/fixtures/seed/ecs-update-service-template.json")).unwrap();
    assert_eq!(update.force_new_deployment, Some(true));
    assert_eq!(update.service, "nginx-web-access");
}

mod strategies {
    use super::super::*;

    fn spec(json: serde_json::Value) -> ServiceSpec {
        serde_json::from_value(json).unwrap()
    }

    fn paths(spec: &ServiceSpec) -> Vec<String> {
        validate(spec, None).err().unwrap_or_default().into_iter().map(|e| e.path).collect()
    }

    fn blue_green(advanced: serde_json::Value, deployment: serde_json::Value) -> ServiceSpec {
        spec(serde_json::json!({
            "serviceName": "web", "taskDefinition": "web:1", "desiredCount": 2,
            "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/1",
                "containerName": "web", "containerPort": 80, "advancedConfiguration": advanced}],
            "deploymentConfiguration": deployment,
        }))
    }

    const ADVANCED: &str = r#"{"alternateTargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/2",
        "productionListenerRule": "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/lb/1/2/3",
        "roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers"}"#;

    #[test]
    fn a_complete_blue_green_service_with_a_pause_hook_passes_and_round_trips() {
        let json = serde_json::json!({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5,
            "lifecycleHooks": [{"targetType": "PAUSE", "lifecycleStages": ["PRE_PRODUCTION_TRAFFIC_SHIFT"],
                "timeoutConfiguration": {"timeoutInMinutes": 60, "action": "ROLLBACK"}}]});
        let s = blue_green(serde_json::from_str(ADVANCED).unwrap(), json.clone());
        assert_eq!(paths(&s), Vec::<String>::new());
        let back = serde_json::to_value(&s).unwrap();
        assert_eq!(back["deploymentConfiguration"], json);
    }

    #[test]
    fn blue_green_needs_a_bake_time_and_every_part_of_the_advanced_configuration() {
        let s = blue_green(serde_json::json!({}), serde_json::json!({"strategy": "BLUE_GREEN"}));
        assert_eq!(
            paths(&s),
            [
                "deploymentConfiguration.bakeTimeInMinutes",
                "loadBalancers[0].advancedConfiguration.alternateTargetGroupArn",
                "loadBalancers[0].advancedConfiguration.productionListenerRule",
                "loadBalancers[0].advancedConfiguration.roleArn",
            ]
        );
    }

    #[test]
    fn linear_and_canary_percentages_and_bakes_follow_ecs_ranges() {
        let ok = |d: serde_json::Value| paths(&blue_green(serde_json::from_str(ADVANCED).unwrap(), d));
        assert!(ok(serde_json::json!({"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 12.5, "stepBakeTimeInMinutes": 6}})).is_empty());
        assert_eq!(
            ok(
                serde_json::json!({"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 2.9, "stepBakeTimeInMinutes": 1441}})
            ),
            [
                "deploymentConfiguration.linearConfiguration.stepPercent",
                "deploymentConfiguration.linearConfiguration.stepBakeTimeInMinutes"
            ]
        );
        assert_eq!(
            ok(serde_json::json!({"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 5.05}})),
            ["deploymentConfiguration.canaryConfiguration.canaryPercent"]
        );
        assert!(ok(serde_json::json!({"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 0.1, "canaryBakeTimeInMinutes": 0}})).is_empty());
        // A configuration of the other strategy is refused where it is.
        assert_eq!(
            ok(serde_json::json!({"strategy": "LINEAR", "canaryConfiguration": {"canaryPercent": 10}})),
            ["deploymentConfiguration.canaryConfiguration"]
        );
    }

    #[test]
    fn hooks_name_their_type_lambda_and_stages() {
        let s = blue_green(
            serde_json::from_str(ADVANCED).unwrap(),
            serde_json::json!({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0, "lifecycleHooks": [
                {"targetType": "AWS_LAMBDA", "lifecycleStages": ["SCALE_UP"]},
                {"targetType": "SLEEP", "lifecycleStages": [], "timeoutConfiguration": {"action": "WAIT"}},
                {"lifecycleStages": ["POST_SCALE_UP"]},
                {"targetType": "PAUSE", "lifecycleStages": ["PRODUCTION_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT"]}]}),
        );
        assert_eq!(
            paths(&s),
            [
                "deploymentConfiguration.lifecycleHooks[0].hookTargetArn",
                "deploymentConfiguration.lifecycleHooks[0].lifecycleStages[0]",
                "deploymentConfiguration.lifecycleHooks[1].targetType",
                "deploymentConfiguration.lifecycleHooks[1].lifecycleStages",
                "deploymentConfiguration.lifecycleHooks[1].timeoutConfiguration.action",
                // No target type is AWS_LAMBDA, ECS's default: it needs its function.
                "deploymentConfiguration.lifecycleHooks[2].hookTargetArn",
                "deploymentConfiguration.lifecycleHooks[3].lifecycleStages[0]",
            ]
        );
    }

    #[test]
    fn watched_alarms_need_names_and_the_ecs_controller() {
        let rolling = |alarms: serde_json::Value, controller: &str| {
            let mut s = spec(serde_json::json!({"serviceName": "web", "taskDefinition": "web:1", "desiredCount": 1,
                "deploymentConfiguration": {"alarms": alarms}}));
            s.deployment_controller = Some(DeploymentController { kind: controller.into() });
            paths(&s)
        };
        assert!(
            rolling(serde_json::json!({"alarmNames": ["5xx-high"], "enable": true, "rollback": true}), "ECS")
                .is_empty()
        );
        // Turned off, nothing is watched: names may be empty (how a form switches alarms off).
        assert!(
            rolling(serde_json::json!({"alarmNames": [], "enable": false, "rollback": false}), "CODE_DEPLOY")
                .is_empty()
        );
        assert_eq!(
            rolling(serde_json::json!({"alarmNames": [" "], "enable": true, "rollback": false}), "CODE_DEPLOY"),
            ["deploymentConfiguration.alarms.alarmNames", "deploymentConfiguration.alarms.enable"]
        );
    }

    #[test]
    fn ecs_strategies_need_the_ecs_controller() {
        let mut s = blue_green(serde_json::from_str(ADVANCED).unwrap(), serde_json::json!({"strategy": "CANARY"}));
        s.deployment_controller = Some(DeploymentController { kind: "CODE_DEPLOY".into() });
        assert_eq!(paths(&s), ["deploymentController.type"]);
    }
}
