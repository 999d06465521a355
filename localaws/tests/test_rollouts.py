"""The scheduler's state machine for deployments: a rollout's phases, one rollout replacing another,
an image that cannot start, and the circuit breaker's FAILED and rollback."""

import pytest

from berth_localaws import ecs_scheduler
from lab import BREAKER_ROLLBACK, create, deployments, messages, register, service, tasks, lab_cluster


@pytest.fixture
def lab(ecs, clock):
    lab_cluster(ecs)
    register(ecs, "nginx:1.27")
    register(ecs, "nginx:1.28")
    register(ecs, "nginxweb:v3-cannot-start")
    return ecs


def test_a_rollout_goes_from_in_progress_to_completed_one_step_at_a_time(lab, clock):
    created = create(lab, deploymentConfiguration=BREAKER_ROLLBACK, enableECSManagedTags=True)
    assert created["deploymentConfiguration"] == BREAKER_ROLLBACK
    assert created["enableECSManagedTags"] is True
    assert deployments(lab) == [("PRIMARY", "web:1", "IN_PROGRESS", 0, 4)]
    assert [t["lastStatus"] for t in tasks(lab)] == ["PENDING"] * 4

    clock.steps(1)
    assert deployments(lab) == [("PRIMARY", "web:1", "IN_PROGRESS", 4, 0)]
    assert [t["lastStatus"] for t in tasks(lab)] == ["RUNNING"] * 4
    assert (service(lab)["runningCount"], service(lab)["pendingCount"]) == (4, 0)

    clock.steps(1.9)
    assert deployments(lab)[0][2] == "IN_PROGRESS"
    clock.steps(0.1)
    primary = service(lab)["deployments"][0]
    assert (primary["rolloutState"], primary["rolloutStateReason"]) == (
        "COMPLETED",
        f"ECS deployment {primary['id']} completed.",
    )
    events = messages(lab)
    assert events[0].startswith("(service web) has started 4 tasks: (task ")
    assert events[-2:] == [
        f"(service web) (deployment {primary['id']}) deployment completed.",
        "(service web) has reached a steady state.",
    ]


def test_a_new_revision_replaces_the_old_deployment_which_drains_and_leaves(lab, clock):
    create(lab)
    clock.steps(3)
    old_tasks = {t["taskArn"] for t in tasks(lab)}
    lab.update_service(cluster="lab", service="web", taskDefinition="web:2")
    assert deployments(lab) == [("PRIMARY", "web:2", "IN_PROGRESS", 0, 4), ("ACTIVE", "web:1", "COMPLETED", 4, 0)]

    clock.steps(1)
    assert deployments(lab) == [("PRIMARY", "web:2", "IN_PROGRESS", 4, 0), ("ACTIVE", "web:1", "COMPLETED", 4, 0)]
    assert service(lab)["runningCount"] == 8

    clock.steps(1)
    assert deployments(lab) == [("PRIMARY", "web:2", "IN_PROGRESS", 4, 0)]
    new_id = service(lab)["deployments"][0]["id"]
    stopped = [t for t in tasks(lab, "STOPPED") if t["taskArn"] in old_tasks]
    assert len(stopped) == 4
    for task in stopped:
        assert (task["lastStatus"], task["stopCode"]) == ("STOPPED", "ServiceSchedulerInitiated")
        assert task["stoppedReason"] == f"Scaling activity initiated by (deployment {new_id})"
        assert [c["exitCode"] for c in task["containers"]] == [0]
    assert {t["taskDefinitionArn"].split("/")[-1] for t in tasks(lab)} == {"web:2"}

    clock.steps(1)
    assert deployments(lab) == [("PRIMARY", "web:2", "COMPLETED", 4, 0)]
    assert service(lab)["taskDefinition"].endswith("web:2")


def test_an_update_during_a_rollout_stops_the_earlier_one_which_never_completes(lab, clock):
    create(lab)
    clock.steps(3)
    lab.update_service(cluster="lab", service="web", taskDefinition="web:2")
    clock.steps(0.5)
    lab.update_service(cluster="lab", service="web", taskDefinition="web:1", forceNewDeployment=True)
    assert [d[:3] for d in deployments(lab)] == [
        ("PRIMARY", "web:1", "IN_PROGRESS"),
        ("ACTIVE", "web:2", "IN_PROGRESS"),
        ("ACTIVE", "web:1", "COMPLETED"),
    ]
    interrupted = service(lab)["deployments"][1]["id"]

    clock.steps(2)
    assert deployments(lab) == [("PRIMARY", "web:1", "IN_PROGRESS", 4, 0)]
    theirs = [t for t in tasks(lab, "STOPPED") if t["startedBy"] == interrupted]
    assert len(theirs) == 4 and all(t["stopCode"] == "ServiceSchedulerInitiated" for t in theirs)
    assert not any(f"(deployment {interrupted}) deployment completed." in m for m in messages(lab))

    clock.steps(1)
    assert deployments(lab)[0][2] == "COMPLETED"


def test_an_image_that_cannot_start_trips_the_breaker_and_rolls_back_to_the_last_completed(lab, clock):
    create(lab, deploymentConfiguration=BREAKER_ROLLBACK)
    clock.steps(3)
    lab.update_service(cluster="lab", service="web", taskDefinition="web:2")
    clock.steps(0.5)  # web:2 never completes: the rollback target is web:1
    lab.update_service(cluster="lab", service="web", taskDefinition="web:3")
    failing = service(lab)["deployments"][0]["id"]

    clock.steps(1)
    now = service(lab)["deployments"]
    assert [(d["status"], d["taskDefinition"].split("/")[-1], d["rolloutState"]) for d in now] == [
        ("PRIMARY", "web:1", "IN_PROGRESS"),
        ("ACTIVE", "web:3", "FAILED"),
        ("ACTIVE", "web:2", "IN_PROGRESS"),
        ("ACTIVE", "web:1", "COMPLETED"),
    ]
    failed = now[1]
    assert failed["id"] == failing
    assert failed["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert (failed["failedTasks"], failed["runningCount"], failed["pendingCount"]) == (4, 0, 0)
    pull = (
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
        "failed to resolve ref nginxweb:v3-cannot-start: not found"
    )
    never_started = [t for t in tasks(lab, "STOPPED") if t["startedBy"] == failing and t["stopCode"] == "TaskFailedToStart"]
    assert len(never_started) == 4
    for task in never_started:
        assert task["stoppedReason"] == pull
        assert [(c["reason"], c.get("exitCode")) for c in task["containers"]] == [(pull, None)]
    events = messages(lab)
    assert f"(service web) (deployment {failing}) deployment failed: tasks failed to start." in events
    rollback = now[0]["id"]
    assert events[-1] == f"(service web) (deployment {rollback}) rolling back to task definition web:1."

    clock.steps(3)
    assert deployments(lab) == [("PRIMARY", "web:1", "COMPLETED", 4, 0)]


def test_without_rollback_the_breaker_leaves_the_failed_deployment_primary(lab, clock):
    config = {**BREAKER_ROLLBACK, "deploymentCircuitBreaker": {"enable": True, "rollback": False}}
    create(lab, desired=10, deploymentConfiguration=config)
    clock.steps(3)
    lab.update_service(cluster="lab", service="web", taskDefinition="web:3")
    clock.steps(1)
    # ECS's threshold: half the desired count (5), at least 3, at most 200; 10 failed in one cycle.
    assert [d[:3] for d in deployments(lab)] == [("PRIMARY", "web:3", "FAILED"), ("ACTIVE", "web:1", "COMPLETED")]
    clock.steps(5)
    assert service(lab)["deployments"][0]["failedTasks"] == 10
    assert len(tasks(lab)) == 10  # the old deployment keeps running


def test_without_the_breaker_a_failing_rollout_keeps_retrying_in_progress(lab, clock):
    create(lab, desired=2)
    clock.steps(3)
    lab.update_service(cluster="lab", service="web", taskDefinition="web:3")
    for cycle in range(1, 5):
        clock.steps(1)
        primary = service(lab)["deployments"][0]
        assert (primary["rolloutState"], primary["failedTasks"], primary["pendingCount"]) == ("IN_PROGRESS", 2 * cycle, 2)
    assert len([t for t in tasks(lab, "STOPPED") if t["stopCode"] == "TaskFailedToStart"]) == 8


@pytest.mark.parametrize("desired,threshold", [(1, 3), (4, 3), (7, 4), (10, 5), (1000, 200)])
def test_the_breaker_threshold_is_ecs_s(desired, threshold):
    assert ecs_scheduler.failure_threshold(desired) == threshold


def test_an_image_the_registry_holds_is_pulled_and_crashes_and_one_it_lacks_cannot_be_pulled(client, account, clock):
    """The two ways a task fails at start: the demo's pushed `v3-cannot-start` runs and its
    essential container exits 1; a tag never pushed to the same repository can't be pulled."""
    ecs, ecr = client("ecs"), client("ecr")
    ecr.create_repository(repositoryName="nginxweb")
    manifest = '{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "layers": []}'
    ecr.put_image(repositoryName="nginxweb", imageManifest=manifest, imageTag="v3-cannot-start")
    repo = f"{account}.dkr.ecr.us-east-1.amazonaws.com/nginxweb"
    lab_cluster(ecs)
    register(ecs, f"{repo}:v3-cannot-start")
    register(ecs, f"{repo}:cannot-start")
    create(ecs, revision="web:1", desired=2)
    clock.steps(1)
    crashed = [t for t in tasks(ecs, "STOPPED")]
    assert len(crashed) == 2
    for task in crashed:
        assert (task["stopCode"], task["stoppedReason"]) == ("EssentialContainerExited", "Essential container in task exited")
        assert [(c.get("reason"), c["exitCode"]) for c in task["containers"]] == [(None, 1)]
        assert task.get("startedAt"), "the task ran before its container exited"

    ecs.update_service(cluster="lab", service="web", taskDefinition="web:2")
    failing = service(ecs)["deployments"][0]["id"]
    clock.steps(1)
    unpulled = [t for t in tasks(ecs, "STOPPED") if t["startedBy"] == failing]
    assert len(unpulled) == 2
    pull = f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {repo}:cannot-start: not found"
    for task in unpulled:
        assert (task["stopCode"], task["stoppedReason"]) == ("TaskFailedToStart", pull)
        assert [(c["reason"], c.get("exitCode")) for c in task["containers"]] == [(pull, None)]


def test_an_image_named_by_digest_fails_as_its_tag_does(client, account, clock):
    """Berth pins a deployed tag to its digest (`repo@sha256:…`): the image it names still crashes
    when its tag has the mark, and one by the digest of a good image runs."""
    ecs, ecr = client("ecs"), client("ecr")
    ecr.create_repository(repositoryName="nginxweb")
    layers = '"layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 10, "digest": "sha256:%s"}]'
    manifest = '{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", %s}'
    bad = ecr.put_image(repositoryName="nginxweb", imageManifest=manifest % (layers % ("1" * 64)), imageTag="v3-cannot-start")
    good = ecr.put_image(repositoryName="nginxweb", imageManifest=manifest % (layers % ("2" * 64)), imageTag="v2")
    repo = f"{account}.dkr.ecr.us-east-1.amazonaws.com/nginxweb"
    lab_cluster(ecs)
    register(ecs, f"{repo}@{bad['image']['imageId']['imageDigest']}")
    register(ecs, f"{repo}@{good['image']['imageId']['imageDigest']}")
    create(ecs, revision="web:1", desired=2)
    clock.steps(1)
    crashed = tasks(ecs, "STOPPED")
    assert len(crashed) == 2
    assert {t["stopCode"] for t in crashed} == {"EssentialContainerExited"}
    assert [[c.get("exitCode") for c in t["containers"]] for t in crashed] == [[1], [1]]

    ecs.update_service(cluster="lab", service="web", taskDefinition="web:2")
    fixed = service(ecs)["deployments"][0]["id"]
    clock.steps(3)
    running = [t for t in tasks(ecs, "RUNNING") if t["startedBy"] == fixed]
    assert len(running) == 2
