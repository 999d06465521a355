"""A cluster `lab` with a service `web`, and readers for what ECS answers about it."""

import boto3

AMAZON_LINUX = "ami-760aaa0f"  # one of the AMIs moto knows in every region
BREAKER_ROLLBACK = {
    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}


def register(ecs, image, cpu=256, memory=128):
    """Registers the next revision of family `web` running `image`; returns its ARN."""
    containers = [{"name": "web", "image": image, "cpu": cpu, "memory": memory}]
    return ecs.register_task_definition(family="web", containerDefinitions=containers)["taskDefinition"]["taskDefinitionArn"]


def create(ecs, revision="web:1", desired=4, **extra):
    return ecs.create_service(cluster="lab", serviceName="web", taskDefinition=revision, desiredCount=desired, **extra)["service"]


def service(ecs):
    return ecs.describe_services(cluster="lab", services=["web"])["services"][0]


def deployments(ecs):
    """(status, revision, rolloutState, running, pending) of each deployment, PRIMARY first."""
    return [
        (d["status"], d["taskDefinition"].split("/")[-1], d["rolloutState"], d["runningCount"], d["pendingCount"])
        for d in service(ecs)["deployments"]
    ]


def messages(ecs):
    """The service's event messages, oldest first."""
    return [e["message"] for e in reversed(service(ecs)["events"])]


def tasks(ecs, desired="RUNNING"):
    arns = ecs.list_tasks(cluster="lab", serviceName="web", desiredStatus=desired)["taskArns"]
    if not arns:
        return []
    return ecs.describe_tasks(cluster="lab", tasks=arns)["tasks"]


def register_instances(ecs, ec2, count):
    """EC2 instances registered as the ECS agent does (moto gives each 4096 CPU, 7482 MiB)."""
    started = ec2.run_instances(ImageId=AMAZON_LINUX, MinCount=count, MaxCount=count, InstanceType="t3.medium")
    for instance in started["Instances"]:
        document = '{"instanceId": "%s", "region": "us-east-1"}' % instance["InstanceId"]
        ecs.register_container_instance(cluster="lab", instanceIdentityDocument=document)
    return ecs.list_container_instances(cluster="lab")["containerInstanceArns"]


def ec2_of(ecs):
    """An EC2 client of the same endpoint, account and region as `ecs`."""
    credentials = ecs._request_signer._credentials
    return boto3.client(
        "ec2", endpoint_url=ecs.meta.endpoint_url, region_name=ecs.meta.region_name,
        aws_access_key_id=credentials.access_key, aws_secret_access_key=credentials.secret_key,
    )


def lab_cluster(ecs, instances=2):
    """Cluster `lab` with room: `instances` container instances registered through the API (moto's
    4096 CPU units and 7482 MiB each: sixteen of `register`'s 256-CPU tasks each). Tasks are only
    placed where they fit, as on ECS: a cluster without instances runs none."""
    ecs.create_cluster(clusterName="lab")
    return register_instances(ecs, ec2_of(ecs), instances)
