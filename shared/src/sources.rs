//! Where each AWS rule Berth checks comes from: a section of the API reference or developer
//! guide, or an AWS error message seen in public (quoted, with the thread it was seen in).
//!
//! Validators name a rule by id (`Errors::rule`); a rule whose entry has an empty source is
//! reported as a warning, not an error, because nothing shows AWS refuses it. The table's test
//! checks every id used in shared/ is listed here with a source, and every entry is used.

/// One AWS rule and its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    /// A URL, and a quote where the rule is only seen in an error message. Empty: not known to be
    /// AWS's, so a warning.
    pub source: &'static str,
}

/// Every rule, by id, with its source.
pub const RULES: &[Rule] = &[
    // Whole documents.
    Rule {
        id: "integer.32bit",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonParameters.html — every ECS Integer member is a 32-bit signed integer (API_ContainerDefinition: `Type: Integer`)",
    },
    // Any document, as the AWS CLI reads it before sending (botocore's parameter validation).
    Rule {
        id: "document.required",
        source: "https://github.com/boto/botocore/blob/develop/botocore/validate.py (\"Missing required parameter in input: ...\"); required members per https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html and API_CreateService.html (Required: Yes)",
    },
    Rule {
        id: "document.unknownKey",
        source: "\"Parameter validation failed: Unknown parameter in input: \\\"memory\\\", must be one of: family, taskRoleArn, ...\" (aws-samples/aws-microservices-deploy-options#165) — botocore ParamValidationError",
    },
    Rule {
        id: "document.type",
        source: "\"Invalid type for parameter containerDefinitions[0].memory, value: 256, type: <class 'str'>, valid types: <class 'int'>\" (aws-samples/aws-containers-task-definitions#3) — botocore ParamValidationError",
    },
    // RegisterTaskDefinition.
    Rule {
        id: "td.containers.max",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html (Containers per task definition: 10); \"ClientException: Too many containers.\" (aws/amazon-ecs-cli#184)",
    },
    Rule {
        id: "td.size.max",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html (Task definition size: 64 KiB)",
    },
    Rule {
        id: "td.family",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html#ECS-RegisterTaskDefinition-request-family (\"Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.\")",
    },
    Rule {
        id: "td.networkMode",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html#ECS-RegisterTaskDefinition-request-networkMode (Valid Values: bridge | host | awsvpc | none)",
    },
    Rule {
        id: "td.pidMode",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html#ECS-RegisterTaskDefinition-request-pidMode (Valid Values: host | task); \"ClientException:  is not a valid value for pidMode. The value must be one of [task,host]\" (aws/amazon-ecs-cli#667)",
    },
    Rule {
        id: "td.ipcMode",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html#ECS-RegisterTaskDefinition-request-ipcMode (Valid Values: host | task | none)",
    },
    Rule {
        id: "td.size.format",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size (CPU units or vCPUs, MiB or GB); \"Invalid 'cpu' setting for task.\" (oranmoshai/ecsServiceRestart#2)",
    },
    Rule {
        id: "td.requiresCompatibilities",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html#ECS-RegisterTaskDefinition-request-requiresCompatibilities (Valid Values: EC2 | FARGATE | EXTERNAL | MANAGED_INSTANCES)",
    },
    Rule {
        id: "td.fargate.awsvpc",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#network_mode (\"If you're using Fargate, the awsvpc network mode is required.\")",
    },
    Rule {
        id: "td.fargate.size",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size (task CPU and memory are required on Fargate, in the listed combinations)",
    },
    Rule {
        id: "td.ec2.containerMemory",
        source: "\"ClientException: Invalid setting for container 'my-container'. At least one of 'memory' or 'memoryReservation' must be specified.\" (sil-org/ecs-deploy#59); https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-memoryReservation",
    },
    Rule {
        id: "td.volume.name",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Volume.html#ECS-Type-Volume-name (\"Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.\")",
    },
    Rule { id: "td.volume.unique", source: "" },
    Rule {
        id: "td.volume.scope",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DockerVolumeConfiguration.html#ECS-Type-DockerVolumeConfiguration-scope (Valid Values: task | shared)",
    },
    // The API reference says autoprovision "is only used if the scope is shared": not a refusal.
    Rule { id: "td.volume.autoprovision", source: "" },
    Rule {
        id: "td.volume.efs",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSVolumeConfiguration.html#ECS-Type-EFSVolumeConfiguration-fileSystemId (Required: Yes)",
    },
    Rule { id: "td.volume.oneKind", source: "" },
    Rule {
        id: "td.containers.min",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html#ECS-RegisterTaskDefinition-request-containerDefinitions (Required: Yes)",
    },
    Rule {
        id: "td.containers.essential",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_essential (\"All tasks must have at least one essential container.\")",
    },
    Rule {
        id: "td.container.name",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-name (\"Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.\"); \"Container.name contains invalid characters.\" (ansible/ansible#22860)",
    },
    Rule {
        id: "td.container.name.unique",
        source: "\"ClientException: Container names must be unique within a Task Definition.\" (Shippable/support#2946, metaps/genova#291)",
    },
    Rule {
        id: "td.container.image",
        source: "\"ClientException: The container.image should not be null or empty\" (prefect-archive/prefect-aws#159); https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-image (\"Up to 255 letters (uppercase and lowercase), numbers, hyphens, underscores, colons, periods, forward slashes, and number signs are allowed.\")",
    },
    Rule {
        id: "td.container.memory.min",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-memory (\"The Docker 20.10.0 or later daemon reserves a minimum of 6 MiB of memory for a container. So, don't specify less than 6 MiB of memory for your containers.\")",
    },
    Rule {
        id: "td.container.memoryReservation",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory (\"memory must be greater than or equal to memoryReservation\", awsdocs/amazon-ecs-developer-guide#242)",
    },
    Rule {
        id: "td.container.memory.task",
        source: "\"ClientException: The 'memory' setting for container 'worker' is greater than for the task.\" (pulumi/pulumi-awsx#1220)",
    },
    Rule { id: "td.container.cpu", source: "" },
    Rule {
        id: "td.sum.memoryReservation",
        source: "\"ClientException: The sum of all container 'memoryReservation' values cannot be greater than the value of the task 'memory'.\" (cloudnativedaysjp/dreamkast-infra#4766)",
    },
    Rule {
        id: "td.sum.cpu",
        source: "\"ClientException: The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.\" (aws/aws-cdk#24629, cloudnativedaysjp/dreamkast-infra#4726)",
    },
    Rule {
        id: "td.port.containerPort",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html#ECS-Type-PortMapping-containerPort",
    },
    Rule {
        id: "td.port.hostPort",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html#ECS-Type-PortMapping-hostPort (\"If you use containers in a task with the awsvpc or host network mode, the hostPort can either be left blank or set to the same value as the containerPort.\"); \"ClientException: When networkMode=awsvpc, the host ports and container ports in port mappings must match.\" (pulumi/pulumi-awsx#935; with hostPort 0, aws/amazon-ecs-cli#1014)",
    },
    Rule {
        id: "td.port.protocol",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html#ECS-Type-PortMapping-protocol (Valid Values: tcp | udp)",
    },
    Rule {
        id: "td.links.awsvpc",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-links (\"This parameter is not supported for Windows containers or tasks that use the awsvpc network mode.\")",
    },
    Rule {
        id: "td.mount.sourceVolume",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_MountPoint.html#ECS-Type-MountPoint-sourceVolume (\"Must be a volume name referenced in the name parameter of task definition volume.\")",
    },
    Rule { id: "td.mount.containerPath", source: "" },
    Rule {
        id: "td.volumesFrom",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_VolumeFrom.html#ECS-Type-VolumeFrom-sourceContainer (\"The name of another container within the same task definition\")",
    },
    Rule {
        id: "td.dependsOn.containerName",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html#ECS-Type-ContainerDependency-containerName",
    },
    Rule {
        id: "td.dependsOn.condition",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html#ECS-Type-ContainerDependency-condition (Valid Values: START | COMPLETE | SUCCESS | HEALTHY)",
    },
    // HEALTHY is checked at task start ("This condition is confirmed only at task startup."), not at registration.
    Rule { id: "td.dependsOn.healthy", source: "" },
    Rule {
        id: "td.healthCheck.range",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html (\"You may specify between 5 and 300 seconds\" (interval), \"between 2 and 60 seconds\" (timeout), \"between 1 and 10 retries\", \"between 0 and 300 seconds\" (startPeriod))",
    },
    Rule {
        id: "td.secret.valueFrom",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Secret.html#ECS-Type-Secret-valueFrom (Required: Yes)",
    },
    Rule { id: "td.ulimit", source: "" },
    // CreateService.
    Rule {
        id: "svc.serviceName",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#ECS-CreateService-request-serviceName (\"Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.\")",
    },
    Rule {
        id: "svc.taskDefinition",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#ECS-CreateService-request-taskDefinition (\"A task definition must be specified if the service uses either the ECS or CODE_DEPLOY deployment controllers.\")",
    },
    Rule {
        id: "svc.schedulingStrategy",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#ECS-CreateService-request-schedulingStrategy (Valid Values: REPLICA | DAEMON)",
    },
    Rule {
        id: "svc.launchType",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#ECS-CreateService-request-launchType (Valid Values: EC2 | FARGATE | EXTERNAL | MANAGED_INSTANCES)",
    },
    Rule {
        id: "svc.launchType.capacityProvider",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#ECS-CreateService-request-capacityProviderStrategy (\"If a capacityProviderStrategy is specified, the launchType parameter must be omitted.\")",
    },
    Rule {
        id: "svc.capacityProvider.range",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html (weight 0-1000, base 0-100000)",
    },
    Rule {
        id: "svc.daemon.fargate",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#ECS-CreateService-request-schedulingStrategy (\"Tasks using the Fargate launch type or the CODE_DEPLOY or EXTERNAL deployment controller types don't support the DAEMON scheduling strategy.\")",
    },
    Rule {
        id: "svc.desiredCount",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html (Tasks per service: 5,000)",
    },
    Rule {
        id: "svc.minimumHealthyPercent",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html#ECS-Type-DeploymentConfiguration-minimumHealthyPercent",
    },
    Rule {
        id: "svc.maximumPercent",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html#ECS-Type-DeploymentConfiguration-maximumPercent (\"The default value for a daemon service is 100%\"; above the minimum healthy percent, or no task could be replaced)",
    },
    Rule { id: "svc.circuitBreaker", source: "" },
    Rule {
        id: "svc.propagateTags",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#ECS-CreateService-request-propagateTags (Valid Values: TASK_DEFINITION | SERVICE | NONE)",
    },
    Rule {
        id: "svc.deploymentController",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentController.html (Valid Values: ECS | CODE_DEPLOY | EXTERNAL)",
    },
    Rule {
        id: "svc.availabilityZoneRebalancing",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#ECS-CreateService-request-availabilityZoneRebalancing (Valid Values: ENABLED | DISABLED)",
    },
    Rule {
        id: "svc.placement.fargate",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html (\"Task placement strategies and constraints aren't supported for tasks using the Fargate launch type.\")",
    },
    Rule {
        id: "svc.placementStrategy",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PlacementStrategy.html",
    },
    Rule {
        id: "svc.placementConstraint",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PlacementConstraint.html (\"You can't specify an expression if the constraint type is distinctInstance.\")",
    },
    Rule {
        id: "svc.network.required",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#ECS-CreateService-request-networkConfiguration (\"This parameter is required for task definitions that use the awsvpc network mode\")",
    },
    Rule {
        id: "svc.network.notAwsvpc",
        source: "\"InvalidParameterException: Network Configuration is not valid for the given networkMode of this task definition.\" (DataDog/test-infra-definitions#57, boltops-tools/ufo#112)",
    },
    Rule {
        id: "svc.network.subnets",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html (\"There's a limit of 16 subnets\", \"There's a limit of 5 security groups\")",
    },
    Rule {
        id: "svc.network.assignPublicIp",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html#ECS-Type-AwsVpcConfiguration-assignPublicIp (Valid Values: ENABLED | DISABLED)",
    },
    Rule {
        id: "svc.taskDefinition.compatibility",
        source: "\"InvalidParameterException: Task definition does not support launch_type FARGATE.\" (aws/aws-cli#3983, sil-org/ecs-deploy#134)",
    },
    Rule {
        id: "svc.loadBalancer.container",
        source: "\"InvalidParameterException: The container app did not have a container port 80 defined.\" (pulumi/pulumi-awsx#1172)",
    },
    // ECS's own deployment strategies (CreateService / UpdateService deploymentConfiguration).
    Rule {
        id: "svc.strategy",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html (strategy, Valid Values: ROLLING | BLUE_GREEN | LINEAR | CANARY)",
    },
    Rule {
        id: "svc.strategy.controller",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html (\"This is only valid when you run CreateService or UpdateService with deploymentController set to ECS\"; the same in API_CanaryConfiguration)",
    },
    Rule {
        id: "svc.strategy.bakeTime",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html (bakeTimeInMinutes: \"You must provide this parameter when you use the BLUE_GREEN deployment strategy.\")",
    },
    // No AWS page states the range of the deployment's own bake time (only of the linear and
    // canary bakes): a warning until one does.
    Rule { id: "svc.bakeTime.range", source: "" },
    Rule {
        id: "svc.linear.strategy",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html (\"This is only valid when you run CreateService or UpdateService with deploymentController set to ECS and a deploymentConfiguration with a strategy set to LINEAR.\")",
    },
    Rule {
        id: "svc.linear.stepPercent",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html (stepPercent: \"Valid values are multiples of 0.1 from 3.0 to 100.0.\")",
    },
    Rule {
        id: "svc.linear.stepBakeTime",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html (stepBakeTimeInMinutes: \"Valid values are 0 to 1440 minutes (24 hours).\")",
    },
    Rule {
        id: "svc.canary.strategy",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html (\"This is only valid when you run CreateService or UpdateService with deploymentController set to ECS and a deploymentConfiguration with a strategy set to CANARY.\")",
    },
    Rule {
        id: "svc.canary.percent",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html (canaryPercent: \"Valid values are multiples of 0.1 from 0.1 to 100.0.\")",
    },
    Rule {
        id: "svc.canary.bakeTime",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html (canaryBakeTimeInMinutes: \"Valid values are 0 to 1440 minutes (24 hours).\")",
    },
    Rule {
        id: "svc.strategy.advancedConfiguration",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AdvancedConfiguration.html (\"Specify the alternate target group, listener rules, and IAM role required for traffic shifting during blue/green deployments\"); https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-implementation.html",
    },
    Rule {
        id: "svc.strategy.alternateTargetGroup",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-advancedconfiguration.html (AlternateTargetGroupArn, \"Required: Yes\"); https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html (\"A primary target group for the blue service revision\", \"An alternate target group for the green service revision\")",
    },
    Rule {
        id: "svc.strategy.productionListenerRule",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AdvancedConfiguration.html (productionListenerRule: the listener rule (ALB) or listener (NLB) \"for routing production traffic\"; \"listener rules ... required for traffic shifting\")",
    },
    Rule {
        id: "svc.strategy.role",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AdvancedConfiguration.html (roleArn: \"the IAM role that grants Amazon ECS permission to call the Elastic Load Balancing APIs for you\"; \"IAM role required for traffic shifting\")",
    },
    Rule {
        id: "svc.hook.targetType",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html (targetType, Valid Values: AWS_LAMBDA | PAUSE; \"If not specified, the default value is AWS_LAMBDA.\")",
    },
    Rule {
        id: "svc.alarms.names",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html (alarmNames: \"One or more CloudWatch alarm names.\" Required: Yes)",
    },
    Rule {
        id: "svc.alarms.controller",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html (\"You can only use the DeploymentAlarms method to detect failures when the DeploymentController is set to ECS.\")",
    },
    Rule {
        id: "svc.hook.lambda",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html (hookTargetArn: \"You must provide this parameter when configuring an AWS_LAMBDA lifecycle hook.\")",
    },
    Rule {
        id: "svc.hook.stages",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html (lifecycleStages: \"Choose from these valid values\": RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRE_PRODUCTION_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT)",
    },
    Rule {
        id: "svc.hook.pauseStage",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html (lifecycleStages: \"PAUSE hooks cannot be configured at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT stages. These stages are only valid for AWS_LAMBDA hooks.\")",
    },
    Rule {
        id: "svc.hook.timeoutAction",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHookDetail.html (timeoutAction: \"Valid values are CONTINUE and ROLLBACK.\")",
    },
    // CreateCluster and the EC2 capacity behind it.
    Rule {
        id: "cluster.name",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html#ECS-CreateCluster-request-clusterName (\"Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.\")",
    },
    Rule {
        id: "cluster.ec2.instanceType",
        source: "https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html (family, generation, options, then size: m7g.2xlarge)",
    },
    Rule {
        id: "cluster.ec2.instanceType.offered",
        source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypes.html (the types offered in the Region); https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html (InvalidInstanceType: \"The instance type is not supported in this Availability Zone/Region\")",
    },
    Rule {
        id: "cluster.ec2.instanceType.architecture",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/retrieve-ecs-optimized_AMI.html (separate x86_64 and arm64 ECS-optimized AMIs); EC2's refusal: \"The architecture 'x86_64' of the specified instance type does not match the architecture 'arm64' of the specified AMI\" (RunInstances, InvalidParameterValue)",
    },
    Rule {
        id: "cluster.ec2.groupSize",
        source: "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html (DesiredCapacity \"must be greater than or equal to the minimum size of the group and less than or equal to the maximum size of the group\")",
    },
    Rule {
        id: "cluster.ec2.imageId",
        source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RequestLaunchTemplateData.html#API_RequestLaunchTemplateData_Contents (ImageId: ami-0ac394d6a3example)",
    },
    Rule {
        id: "cluster.ec2.rootVolume",
        source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EbsBlockDevice.html (VolumeSize: \"gp2 and gp3: 1 - 16,384 GiB\"; \"If you specify a snapshot, the default is the snapshot size\" and a smaller size is refused)",
    },
    Rule {
        id: "cluster.ec2.keyName",
        source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateKeyPair.html (KeyName: \"Constraints: Up to 255 ASCII characters\")",
    },
    Rule {
        id: "cluster.ec2.resourceId",
        source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html (\"InvalidSubnetID.Malformed\" / \"InvalidGroupId.Malformed\" for anything but subnet-/sg- and hex, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html)",
    },
    Rule {
        id: "cluster.ec2.instanceRole",
        source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html#API_CreateRole_RequestParameters (RoleName: Length 1-64, Pattern [\\w+=,.@-]+)",
    },
    // Tags (ECR and ECS).
    Rule {
        id: "tag",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html and https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Tag.html (key 1-128, value 0-256 characters; 50 tags per resource; the aws: prefix is reserved)",
    },
    // ECR.
    Rule {
        id: "ecr.repositoryName",
        source: "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html#ECR-CreateRepository-request-repositoryName (Length 2-256, Pattern: (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)",
    },
    Rule {
        id: "ecr.registryId",
        source: "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html#ECR-CreateRepository-request-registryId (Pattern: [0-9]{12})",
    },
    Rule {
        id: "ecr.kmsKey",
        source: "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_EncryptionConfiguration.html#ECR-Type-EncryptionConfiguration-kmsKey (Length 1-2048; only with KMS encryption)",
    },
];

/// The source of rule `id`, if the table lists it.
pub fn source_of(id: &str) -> Option<&'static str> {
    RULES.iter().find(|r| r.id == id).map(|r| r.source)
}

/// Whether rule `id` is listed with a source (it is then an error, else a warning). Reads a table
/// computed at compile time from [`RULES`], so a program that only validates (the browser's
/// bundles) carries the ids, not the sources' text.
pub fn is_sourced(id: &str) -> bool {
    SOURCED.iter().any(|&(rule, sourced)| sourced && rule == id)
}

static SOURCED: [(&str, bool); RULES.len()] = {
    let mut table = [("", false); RULES.len()];
    let mut i = 0;
    while i < RULES.len() {
        table[i] = (RULES[i].id, !RULES[i].source.is_empty());
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests;
