"""Placement as ECS does it: tasks go only where they fit (CPU, memory, static host ports) on the
cluster's ACTIVE container instances, as the constraints allow and the strategies prefer; a task
that fits nowhere is not started and the service says why in ECS's words. The lab is Berth's demo:
the nginx-web task definition (bridge, task cpu 1024 / memory 256, host ports 80 and 443) on two
t2.micro instances (1024 CPU units, 982 MiB each) of an Auto Scaling group."""

import base64
import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from berth_localaws import ecs_placement, ecs_scheduler
from lab import AMAZON_LINUX

USER_DATA = "#!/bin/bash\necho ECS_CLUSTER=lab >> /etc/ecs/ecs.config\n"
TEMPLATE = Path(__file__).resolve().parents[2] / ".." / "shared" / "seed" / "fixtures" / "task-definition-template.json"
TROUBLESHOOTING = "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."


def nginx_web(**changes):
    """The seed's task definition (as in the repository's shared seed), with `changes`."""
    if TEMPLATE.exists():
        definition = json.loads(TEMPLATE.read_text())
    else:  # the same, should the seed not be beside this checkout
        definition = {
            "family": "nginx-web", "networkMode": "bridge", "requiresCompatibilities": ["EC2"], "cpu": "1024", "memory": "256",
            "containerDefinitions": [{
                "name": "nginx-web", "image": "nginx:latest", "cpu": 0, "memoryReservation": 256, "essential": True,
                "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}, {"containerPort": 443, "hostPort": 443, "protocol": "tcp"}],
            }],
        }
    definition.pop("volumes", None)
    for container in definition["containerDefinitions"]:
        container.pop("mountPoints", None)
    definition.update(changes)
    return definition


def dynamic(cpu="256", memory="128", family="nginx-web"):
    """nginx-web with dynamic host ports (hostPort 0) and a smaller task."""
    definition = nginx_web(cpu=cpu, memory=memory, family=family)
    for container in definition["containerDefinitions"]:
        container["memoryReservation"] = 64
        container["portMappings"] = [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}]
    return definition


class Lab:
    def __init__(self, client, instances=2, instance_type="t2.micro"):
        self.ecs, self.ec2, self.autoscaling = client("ecs"), client("ec2"), client("autoscaling")
        self.ecs.create_cluster(clusterName="lab")
        self.ec2.create_launch_template(
            LaunchTemplateName="lab",
            LaunchTemplateData={"ImageId": AMAZON_LINUX, "InstanceType": instance_type, "UserData": base64.b64encode(USER_DATA.encode()).decode()},
        )
        subnets = [s["SubnetId"] for s in self.ec2.describe_subnets()["Subnets"] if s.get("DefaultForAz")][:2]
        self.autoscaling.create_auto_scaling_group(
            AutoScalingGroupName="lab", LaunchTemplate={"LaunchTemplateName": "lab"},
            MinSize=0, MaxSize=6, DesiredCapacity=instances, VPCZoneIdentifier=",".join(subnets),
        )

    def register(self, definition):
        return self.ecs.register_task_definition(**definition)["taskDefinition"]["taskDefinitionArn"]

    def serve(self, revision, desired, name="nginx-web-access", **extra):
        return self.ecs.create_service(cluster="lab", serviceName=name, taskDefinition=revision, desiredCount=desired, **extra)["service"]

    def service(self, name="nginx-web-access"):
        return self.ecs.describe_services(cluster="lab", services=[name])["services"][0]

    def deployments(self, name="nginx-web-access"):
        return [(d["status"], d["rolloutState"], d["runningCount"], d["pendingCount"]) for d in self.service(name)["deployments"]]

    def messages(self, name="nginx-web-access"):
        return [e["message"] for e in reversed(self.service(name)["events"])]

    def tasks(self, name="nginx-web-access"):
        arns = self.ecs.list_tasks(cluster="lab", serviceName=name)["taskArns"]
        return self.ecs.describe_tasks(cluster="lab", tasks=arns)["tasks"] if arns else []

    def instances(self):
        arns = self.ecs.list_container_instances(cluster="lab")["containerInstanceArns"]
        found = self.ecs.describe_container_instances(cluster="lab", containerInstances=arns)["containerInstances"] if arns else []
        return sorted(found, key=lambda i: i["registeredAt"] if "registeredAt" in i else i["containerInstanceArn"])


def unable(service, closest, why):
    return (
        f"(service {service}) was unable to place a task because no container instance met all of its requirements. "
        f"The closest matching (container-instance {closest.split('/')[-1]}) {why}. {TROUBLESHOOTING}"
    )


def unplaced_events(messages):
    return [m for m in messages if "was unable to place a task" in m]


@pytest.fixture
def lab(client, clock):
    return Lab(client)


def test_the_lab_s_four_tasks_on_two_t2_micro_run_two_and_say_why_not_the_others(lab, clock):
    lab.serve(lab.register(nginx_web()), 4)
    assert lab.deployments() == [("PRIMARY", "IN_PROGRESS", 0, 2)]
    clock.steps(1)
    assert lab.deployments() == [("PRIMARY", "IN_PROGRESS", 2, 0)]
    now = lab.service()
    assert (now["desiredCount"], now["runningCount"], now["pendingCount"]) == (4, 2, 0)
    placed = sorted(t["containerInstanceArn"] for t in lab.tasks())
    assert placed == sorted(i["containerInstanceArn"] for i in lab.instances())  # one on each
    events = lab.messages()
    assert events[0].startswith("(service nginx-web-access) has started 2 tasks: (task ")
    first = events[0 + 1]
    assert first == unable("nginx-web-access", first.split("container-instance ")[1].split(")")[0], "is already using a port required by your task")

    clock.steps(30)  # never steady: 2 of 4 is the truth
    for _ in range(3):
        lab.service()  # describes don't write the event again
    assert lab.deployments() == [("PRIMARY", "IN_PROGRESS", 2, 0)]
    assert len(unplaced_events(lab.messages())) == 2  # written once, then again UNPLACED_EVENT_STEPS later
    assert "has reached a steady state." not in " ".join(lab.messages())
    clock.steps(ecs_scheduler.UNPLACED_EVENT_STEPS)
    assert len(unplaced_events(lab.messages())) == 3


def test_the_instances_remaining_resources_are_what_the_tasks_leave(lab, clock):
    lab.serve(lab.register(nginx_web()), 4)
    clock.steps(1)
    for instance in lab.instances():
        remaining = {r["name"]: r for r in instance["remainingResources"]}
        assert remaining["CPU"]["integerValue"] == 0
        assert remaining["MEMORY"]["integerValue"] == 982 - 256
        assert set(remaining["PORTS"]["stringSetValue"]) == {"22", "2375", "2376", "51678", "51679", "80", "443"}
        assert remaining["PORTS_UDP"].get("stringSetValue", []) == []
        assert (instance["runningTasksCount"], instance["pendingTasksCount"]) == (1, 0)
    lab.ecs.update_service(cluster="lab", service="nginx-web-access", desiredCount=0)
    clock.steps(1)
    for instance in lab.instances():
        remaining = {r["name"]: r for r in instance["remainingResources"]}
        assert (remaining["CPU"]["integerValue"], remaining["MEMORY"]["integerValue"]) == (1024, 982)
        assert set(remaining["PORTS"]["stringSetValue"]) == {"22", "2375", "2376", "51678", "51679"}


def test_with_dynamic_host_ports_and_a_task_that_fits_all_four_run(lab, clock):
    lab.serve(lab.register(dynamic()), 4)
    clock.steps(3)
    assert lab.deployments() == [("PRIMARY", "COMPLETED", 4, 0)]
    assert not unplaced_events(lab.messages())
    placed = [t["containerInstanceArn"] for t in lab.tasks()]
    assert sorted(placed.count(a) for a in set(placed)) == [2, 2]  # spread over zones, then instances


def test_a_deployment_needing_more_cpu_than_any_instance_has_waits_in_progress(lab, clock):
    lab.serve(lab.register(dynamic()), 2)
    clock.steps(3)
    big = lab.register(dynamic(cpu="2048"))
    lab.ecs.update_service(cluster="lab", service="nginx-web-access", taskDefinition=big)
    clock.steps(10)
    assert lab.deployments() == [("PRIMARY", "IN_PROGRESS", 0, 0), ("ACTIVE", "COMPLETED", 2, 0)]
    last = unplaced_events(lab.messages())[-1]
    assert last.endswith(f"has insufficient CPU units available. {TROUBLESHOOTING}")
    assert lab.service()["deployments"][0]["failedTasks"] == 0  # placement failures are no task failures


def static_small(lab, image):
    definition = nginx_web(cpu="256", memory="128")
    definition["containerDefinitions"][0]["image"] = image
    definition["containerDefinitions"][0]["portMappings"] = [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]
    return lab.register(definition)


def test_with_static_ports_minimum_100_percent_waits_and_50_percent_completes(client, clock):
    lab = Lab(client)
    lab.serve(static_small(lab, "nginx:1.27"), 2, deploymentConfiguration={"minimumHealthyPercent": 100, "maximumPercent": 200})
    lab.serve(static_small(lab, "nginx:1.27"), 0, name="spare")  # just another revision's owner
    clock.steps(3)
    assert lab.deployments() == [("PRIMARY", "COMPLETED", 2, 0)]
    second = static_small(lab, "nginx:1.28")
    lab.ecs.update_service(cluster="lab", service="nginx-web-access", taskDefinition=second)
    clock.steps(10)
    assert lab.deployments() == [("PRIMARY", "IN_PROGRESS", 0, 0), ("ACTIVE", "COMPLETED", 2, 0)]
    assert unplaced_events(lab.messages())[-1].endswith(f"is already using a port required by your task. {TROUBLESHOOTING}")

    lab.ecs.update_service(
        cluster="lab", service="nginx-web-access", taskDefinition=second, forceNewDeployment=True,
        deploymentConfiguration={"minimumHealthyPercent": 50, "maximumPercent": 200},
    )
    assert lab.deployments()[0] == ("PRIMARY", "IN_PROGRESS", 0, 1)  # one old task stopped to make room
    clock.steps(1)
    assert lab.deployments()[0] == ("PRIMARY", "IN_PROGRESS", 1, 1)
    clock.steps(1)
    assert lab.deployments() == [("PRIMARY", "IN_PROGRESS", 2, 0)]
    clock.steps(1)
    assert lab.deployments() == [("PRIMARY", "COMPLETED", 2, 0)]
    assert {t["taskDefinitionArn"] for t in lab.tasks()} == {second}


def test_a_daemon_runs_where_it_fits_and_names_the_full_instance(lab, clock):
    instances = lab.instances()
    full = instances[0]
    hog = lab.register(dynamic(cpu="1024", family="hog"))
    lab.serve(hog, 1, name="hog", placementConstraints=[{"type": "memberOf", "expression": f"ec2InstanceId == {full['ec2InstanceId']}"}])
    daemon = lab.register(dynamic(cpu="512", family="daemon"))
    lab.ecs.create_service(cluster="lab", serviceName="agent", taskDefinition=daemon, schedulingStrategy="DAEMON")
    clock.steps(3)
    now = lab.service("agent")
    assert (now["desiredCount"], now["runningCount"]) == (2, 1)
    assert [t["containerInstanceArn"] for t in lab.tasks("agent")] == [instances[1]["containerInstanceArn"]]
    assert unplaced_events(lab.messages("agent"))[-1] == unable("agent", full["containerInstanceArn"], "has insufficient CPU units available")


def test_distinct_instance_puts_one_task_per_instance(lab, clock):
    lab.serve(lab.register(dynamic()), 3, placementConstraints=[{"type": "distinctInstance"}])
    clock.steps(3)
    assert lab.deployments() == [("PRIMARY", "IN_PROGRESS", 2, 0)]
    assert len({t["containerInstanceArn"] for t in lab.tasks()}) == 2
    assert 'encountered error "DistinctInstance placement constraint unsatisfied."' in unplaced_events(lab.messages())[-1]


def test_member_of_places_only_on_the_instances_the_expression_names(lab, clock):
    first, second = lab.instances()
    zone = next(a["value"] for a in first["attributes"] if a["name"] == "ecs.availability-zone")
    assert {a["name"] for a in first["attributes"]} >= {"ecs.availability-zone", "ecs.instance-type", "ecs.os-type", "ecs.cpu-architecture"}
    lab.serve(lab.register(dynamic()), 3, placementConstraints=[{"type": "memberOf", "expression": f"attribute:ecs.availability-zone == {zone} and attribute:ecs.instance-type =~ t2.*"}])
    clock.steps(1)
    assert {t["containerInstanceArn"] for t in lab.tasks()} == {first["containerInstanceArn"]}

    lab.ecs.put_attributes(cluster="lab", attributes=[{"name": "stack", "value": "blue", "targetId": second["containerInstanceArn"]}])
    lab.serve(lab.register(dynamic(family="blue")), 2, name="blue", placementConstraints=[{"type": "memberOf", "expression": "attribute:stack in [blue, green]"}])
    clock.steps(1)
    assert {t["containerInstanceArn"] for t in lab.tasks("blue")} == {second["containerInstanceArn"]}


def test_binpack_fills_one_instance_and_spread_balances_them(lab, clock):
    small = lab.register(dynamic(cpu="128"))  # 8 fit on a t2.micro's CPU
    packed = lab.ecs.run_task(cluster="lab", taskDefinition=small, count=3, placementStrategy=[{"type": "binpack", "field": "memory"}])
    assert packed["failures"] == []
    assert len({t["containerInstanceArn"] for t in packed["tasks"]}) == 1
    spread = lab.ecs.run_task(cluster="lab", taskDefinition=small, count=4, group="spread", placementStrategy=[{"type": "spread", "field": "instanceId"}])
    placed = [t["containerInstanceArn"] for t in spread["tasks"]]
    assert sorted(placed.count(a) for a in set(placed)) == [2, 2]


def test_run_task_returns_ecs_s_failures_when_nothing_fits(lab, clock):
    revision = lab.register(nginx_web())
    answer = lab.ecs.run_task(cluster="lab", taskDefinition=revision, count=3)
    assert len(answer["tasks"]) == 2
    arns = {i["containerInstanceArn"] for i in lab.instances()}
    assert sorted((f["arn"], f["reason"]) for f in answer["failures"]) == sorted((a, "RESOURCE:PORTS") for a in arns)

    small = lab.register(dynamic(cpu="2048"))
    assert {f["reason"] for f in lab.ecs.run_task(cluster="lab", taskDefinition=small)["failures"]} == {"RESOURCE:CPU"}
    none = lab.ecs.run_task(cluster="lab", taskDefinition=lab.register(dynamic()), placementConstraints=[{"type": "memberOf", "expression": "attribute:ecs.instance-type == m5.large"}])
    assert none["tasks"] == [] and {f["reason"] for f in none["failures"]} == {"MemberOf placement constraint unsatisfied."}
    lab.ecs.create_cluster(clusterName="empty")
    with pytest.raises(ClientError) as refused:
        lab.ecs.run_task(cluster="empty", taskDefinition=revision)
    assert refused.value.response["Error"]["Message"] == "No Container Instances were found in your cluster."


def test_a_service_on_a_cluster_without_instances_says_so(client, clock):
    ecs = client("ecs")
    ecs.create_cluster(clusterName="lab")
    ecs.register_task_definition(**dynamic())
    ecs.create_service(cluster="lab", serviceName="web", taskDefinition="nginx-web:1", desiredCount=2)
    clock.steps(1)
    service = ecs.describe_services(cluster="lab", services=["web"])["services"][0]
    assert (service["runningCount"], service["pendingCount"]) == (0, 0)
    assert service["events"][0]["message"] == (
        "(service web) was unable to place a task because no container instance met all of its requirements. "
        f"Reason: No Container Instances were found in your cluster. {TROUBLESHOOTING}"
    )


def test_an_instance_that_joins_takes_the_waiting_tasks(lab, clock):
    lab.serve(lab.register(nginx_web()), 4)
    clock.steps(3)
    assert lab.deployments() == [("PRIMARY", "IN_PROGRESS", 2, 0)]
    lab.autoscaling.set_desired_capacity(AutoScalingGroupName="lab", DesiredCapacity=4)
    clock.steps(1)
    assert lab.deployments() == [("PRIMARY", "IN_PROGRESS", 2, 2)]
    clock.steps(3)
    assert lab.deployments() == [("PRIMARY", "COMPLETED", 4, 0)]
    assert len({t["containerInstanceArn"] for t in lab.tasks()}) == 4


@pytest.mark.parametrize("expression,matches", [
    ("attribute:ecs.instance-type == t2.micro", True),
    ("attribute:ecs.instance-type != t2.micro", False),
    ("attribute:ecs.instance-type in [t2.micro, t3.small]", True),
    ("attribute:ecs.instance-type not in [t2.micro, t3.small]", False),
    ("attribute:ecs.instance-type =~ t2.*", True),
    ("attribute:ecs.availability-zone == us-east-1b or attribute:stack exists", True),
    ("attribute:ecs.availability-zone == us-east-1a and attribute:stack == blue", True),
    ("(attribute:stack == green || attribute:ecs.os-type == windows) && agentConnected == true", False),
    ("runningTasksCount == 0", True),
    ("attribute:color !exists", True),
    ("attribute:ecs.instance-type ==", False),  # unreadable: matches nothing
])
def test_the_cluster_query_language(expression, matches):
    host = ecs_placement.Host(
        "arn:aws:ecs:us-east-1:1:container-instance/lab/abc", "i-1",
        {"ecs.instance-type": "t2.micro", "ecs.availability-zone": "us-east-1a", "ecs.os-type": "linux", "stack": "blue"}, 1024, 982,
    )
    assert ecs_placement.matches(expression, host) is matches
