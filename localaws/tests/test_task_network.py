"""Where a service's tasks answer: each RUNNING container's network bindings (container port ->
host port) as DescribeTasks reports them in bridge and host modes, and the task's zone — what
Berth's "Open" and task page read."""

import base64

from lab import AMAZON_LINUX

USER_DATA = "#!/bin/bash\necho ECS_CLUSTER=lab >> /etc/ecs/ecs.config\n"


def lab_with_instances(client, count):
    ecs, ec2, autoscaling = client("ecs"), client("ec2"), client("autoscaling")
    ecs.create_cluster(clusterName="lab")
    ec2.create_launch_template(
        LaunchTemplateName="lab",
        LaunchTemplateData={"ImageId": AMAZON_LINUX, "InstanceType": "t3.small", "UserData": base64.b64encode(USER_DATA.encode()).decode()},
    )
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if s.get("DefaultForAz")][:2]
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="lab", LaunchTemplate={"LaunchTemplateName": "lab"},
        MinSize=0, MaxSize=4, DesiredCapacity=count, VPCZoneIdentifier=",".join(subnets),
    )
    return ecs, ec2


def running(ecs, service):
    arns = ecs.list_tasks(cluster="lab", serviceName=service)["taskArns"]
    return ecs.describe_tasks(cluster="lab", tasks=arns)["tasks"] if arns else []


def serve(ecs, clock, name, network_mode, mappings, desired):
    container = {"name": "web", "image": "nginx", "memory": 128, "portMappings": mappings}
    ecs.register_task_definition(family=name, networkMode=network_mode, containerDefinitions=[container])
    ecs.create_service(cluster="lab", serviceName=name, taskDefinition=f"{name}:1", desiredCount=desired)
    clock.steps(5)
    ecs.describe_services(cluster="lab", services=[name])  # the scheduler moves on each ECS call
    return running(ecs, name)


def bindings(task):
    return [(b["containerPort"], b["hostPort"], b["protocol"]) for c in task["containers"] for b in c.get("networkBindings", [])]


def test_bridge_mode_binds_the_fixed_host_port_on_the_task_s_instance_in_its_zone(client, clock):
    ecs, ec2 = lab_with_instances(client, 2)
    tasks = serve(ecs, clock, "lab-web", "bridge", [{"containerPort": 80, "hostPort": 80}, {"containerPort": 443, "hostPort": 443}], 2)
    assert len(tasks) == 2 and all(t["lastStatus"] == "RUNNING" for t in tasks)
    instances = ecs.describe_container_instances(cluster="lab", containerInstances=[t["containerInstanceArn"] for t in tasks])
    zone_of = {}
    for i in instances["containerInstances"]:
        described = ec2.describe_instances(InstanceIds=[i["ec2InstanceId"]])["Reservations"][0]["Instances"][0]
        zone_of[i["containerInstanceArn"]] = described["Placement"]["AvailabilityZone"]
        assert described["PublicIpAddress"]  # the default VPC's subnets give instances a public IP
    for task in tasks:
        assert bindings(task) == [(80, 80, "tcp"), (443, 443, "tcp")]
        assert task["availabilityZone"] == zone_of[task["containerInstanceArn"]]


def test_bridge_mode_without_a_host_port_gets_distinct_ephemeral_ports(client, clock):
    ecs, _ = lab_with_instances(client, 1)
    tasks = serve(ecs, clock, "dynamic", "bridge", [{"containerPort": 80, "hostPort": 0}], 3)
    ports = sorted(host for t in tasks for (_, host, _) in bindings(t))
    assert len(ports) == 3 and len(set(ports)) == 3 and all(32768 <= p <= 61000 for p in ports), ports


def test_host_mode_binds_the_container_port_itself(client, clock):
    ecs, _ = lab_with_instances(client, 1)
    host = serve(ecs, clock, "host", "host", [{"containerPort": 8080}], 1)
    assert bindings(host[0]) == [(8080, 8080, "tcp")]


def test_a_stopped_task_has_no_bindings(client, clock):
    ecs, _ = lab_with_instances(client, 1)
    serve(ecs, clock, "lab-web", "bridge", [{"containerPort": 80, "hostPort": 80}], 1)
    ecs.update_service(cluster="lab", service="lab-web", desiredCount=0)
    clock.steps(5)
    ecs.describe_services(cluster="lab", services=["lab-web"])
    arns = ecs.list_tasks(cluster="lab", serviceName="lab-web", desiredStatus="STOPPED")["taskArns"]
    stopped = ecs.describe_tasks(cluster="lab", tasks=arns)["tasks"]
    assert stopped and all(t["lastStatus"] == "STOPPED" and bindings(t) == [] for t in stopped)


def test_a_stopped_task_is_forgotten_after_an_hour_as_ecs_does(client, clock):
    ecs, _ = lab_with_instances(client, 1)
    serve(ecs, clock, "lab-web", "bridge", [{"containerPort": 80, "hostPort": 80}], 1)
    ecs.update_service(cluster="lab", service="lab-web", desiredCount=0)
    clock.steps(5)
    ecs.describe_services(cluster="lab", services=["lab-web"])
    arns = ecs.list_tasks(cluster="lab", serviceName="lab-web", desiredStatus="STOPPED")["taskArns"]
    assert len(arns) == 1
    clock.now += 3500
    assert ecs.list_tasks(cluster="lab", serviceName="lab-web", desiredStatus="STOPPED")["taskArns"] == arns
    clock.now += 200
    assert ecs.list_tasks(cluster="lab", serviceName="lab-web", desiredStatus="STOPPED")["taskArns"] == []
    assert ecs.describe_tasks(cluster="lab", tasks=arns)["tasks"] == []
