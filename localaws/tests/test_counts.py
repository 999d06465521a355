"""Placement and counts: a service's tasks spread over the cluster's container instances, the
cluster's and each instance's figures counted from those tasks, scaling without a new deployment,
and DAEMON services following the instances."""

import pytest

from lab import create, deployments, messages, register, register_instances, service, tasks


@pytest.fixture
def lab(ecs, clock):
    ecs.create_cluster(clusterName="lab")
    register(ecs, "nginx:1.27", cpu=256, memory=128)
    return ecs


@pytest.fixture
def ec2(client):
    return client("ec2")


def cluster(ecs):
    return ecs.describe_clusters(clusters=["lab"])["clusters"][0]


def instances(ecs, arns):
    found = ecs.describe_container_instances(cluster="lab", containerInstances=arns)["containerInstances"]
    by_arn = {i["containerInstanceArn"]: i for i in found}
    return [by_arn[a] for a in arns]


def remaining(instance):
    return {r["name"]: r["integerValue"] for r in instance["remainingResources"] if r["name"] in ("CPU", "MEMORY")}


def test_tasks_spread_over_the_instances_and_the_figures_follow_them(lab, ec2, clock):
    arns = register_instances(lab, ec2, 2)
    create(lab, desired=4)
    figures = cluster(lab)
    assert (figures["pendingTasksCount"], figures["runningTasksCount"], figures["activeServicesCount"]) == (4, 0, 1)
    placed = [t["containerInstanceArn"] for t in tasks(lab)]
    assert sorted(placed) == sorted(arns * 2)
    assert [i["pendingTasksCount"] for i in instances(lab, arns)] == [2, 2]

    clock.steps(1)
    figures = cluster(lab)
    assert (figures["pendingTasksCount"], figures["runningTasksCount"]) == (0, 4)
    for instance in instances(lab, arns):
        assert (instance["runningTasksCount"], instance["pendingTasksCount"]) == (2, 0)
        assert remaining(instance) == {"CPU": 4096 - 2 * 256, "MEMORY": 7482 - 2 * 128}


def test_scaling_moves_the_counts_without_a_new_deployment(lab, ec2, clock):
    arns = register_instances(lab, ec2, 2)
    create(lab, desired=4)
    clock.steps(3)
    lab.update_service(cluster="lab", service="web", desiredCount=2)
    clock.steps(1)
    assert deployments(lab) == [("PRIMARY", "web:1", "COMPLETED", 2, 0)]
    stopped = tasks(lab, "STOPPED")
    assert len(stopped) == 2
    assert {t["stoppedReason"] for t in stopped} == {"Scaling activity initiated by (service web)"}
    assert messages(lab)[-1].startswith("(service web) has stopped 2 running tasks: (task ")
    assert cluster(lab)["runningTasksCount"] == 2
    assert sum(i["runningTasksCount"] for i in instances(lab, arns)) == 2

    lab.update_service(cluster="lab", service="web", desiredCount=5)
    assert deployments(lab) == [("PRIMARY", "web:1", "COMPLETED", 2, 3)]
    assert messages(lab)[-1].startswith("(service web) has started 3 tasks: (task ")
    clock.steps(1)
    assert deployments(lab) == [("PRIMARY", "web:1", "COMPLETED", 5, 0)]
    assert (service(lab)["runningCount"], cluster(lab)["runningTasksCount"]) == (5, 5)


def test_a_daemon_service_runs_one_task_per_active_instance(lab, ec2, clock):
    arns = register_instances(lab, ec2, 3)
    lab.create_service(cluster="lab", serviceName="web", taskDefinition="web:1", schedulingStrategy="DAEMON")
    clock.steps(1)
    now = service(lab)
    assert (now["desiredCount"], now["runningCount"]) == (3, 3)
    assert sorted(t["containerInstanceArn"] for t in tasks(lab)) == sorted(arns)
    assert now["deploymentConfiguration"]["maximumPercent"] == 100
    assert now["deploymentConfiguration"]["minimumHealthyPercent"] == 0


def test_without_container_instances_a_fargate_service_still_runs_its_tasks(lab, clock):
    create(lab, desired=2, launchType="FARGATE")
    clock.steps(1)
    assert [(t["lastStatus"], t.get("containerInstanceArn")) for t in tasks(lab)] == [("RUNNING", None)] * 2
    assert cluster(lab)["runningTasksCount"] == 2
