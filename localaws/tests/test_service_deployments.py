"""ECS's deployment history for ROLLING deployments: service deployments and revisions as the
scheduler's rollouts move, rollbacks inside the deployment they undo, stops, limits and errors."""

import datetime

import pytest
from botocore.exceptions import ClientError

from lab import BREAKER_ROLLBACK, create, register, service, lab_cluster


@pytest.fixture
def lab(ecs, clock):
    lab_cluster(ecs)
    register(ecs, "nginx:1.27")
    register(ecs, "nginx:1.28")
    register(ecs, "nginxweb:v3-cannot-start")
    return ecs


def history(ecs, **filters):
    return ecs.list_service_deployments(cluster="lab", service="web", **filters)["serviceDeployments"]


def describe(ecs, arn):
    answer = ecs.describe_service_deployments(serviceDeploymentArns=[arn])
    assert answer["failures"] == []
    return answer["serviceDeployments"][0]


def revision(ecs, arn):
    return ecs.describe_service_revisions(serviceRevisionArns=[arn])["serviceRevisions"][0]


def counts(summary):
    return summary["requestedTaskCount"], summary["runningTaskCount"], summary["pendingTaskCount"]


def test_a_rolling_deployment_is_a_service_deployment_of_a_new_revision(lab, clock, account):
    create(lab, deploymentConfiguration=BREAKER_ROLLBACK)
    [brief] = history(lab)
    arn = brief["serviceDeploymentArn"]
    assert arn.startswith(f"arn:aws:ecs:us-east-1:{account}:service-deployment/lab/web/")
    assert len(arn.rsplit("/", 1)[-1]) == 21
    assert brief["status"] == "IN_PROGRESS"
    assert brief["targetServiceRevisionArn"].startswith(f"arn:aws:ecs:us-east-1:{account}:service-revision/lab/web/")
    first = describe(lab, arn)
    assert (first["lifecycleStage"], first["sourceServiceRevisions"] if "sourceServiceRevisions" in first else []) == ("SCALE_UP", [])
    assert counts(first["targetServiceRevision"]) == (4, 0, 4)
    assert first["deploymentCircuitBreaker"] == {"status": "MONITORING", "failureCount": 0, "threshold": 3}
    assert first["alarms"] == {"status": "DISABLED"}
    assert first["deploymentConfiguration"] == BREAKER_ROLLBACK
    described = service(lab)
    assert described["currentServiceDeployment"] == arn
    assert described["currentServiceRevisions"] == [
        {"arn": brief["targetServiceRevisionArn"], "requestedTaskCount": 4, "runningTaskCount": 0, "pendingTaskCount": 4}
    ]

    clock.steps(1)
    assert counts(describe(lab, arn)["targetServiceRevision"]) == (4, 4, 0)
    clock.steps(1)
    assert describe(lab, arn)["lifecycleStage"] == "CLEAN_UP"
    clock.steps(1)
    done = describe(lab, arn)
    assert (done["status"], done["lifecycleStage"]) == ("SUCCESSFUL", "CLEAN_UP")
    assert done["finishedAt"] >= done["startedAt"]
    assert "stoppedAt" not in done
    assert done["deploymentCircuitBreaker"]["status"] == "MONITORING_COMPLETE"

    rev = revision(lab, brief["targetServiceRevisionArn"])
    assert rev["taskDefinition"].endswith(":task-definition/web:1")
    assert rev["containerImages"] == [{"containerName": "web", "image": "nginx:1.27"}]
    assert (rev["serviceArn"], rev["clusterArn"]) == (described["serviceArn"], described["clusterArn"])
    assert "createdAt" in rev


def test_an_update_replaces_the_running_deployment_which_ends_stopped(lab, clock):
    create(lab)
    clock.steps(3)
    lab.update_service(cluster="lab", service="web", taskDefinition="web:2")
    clock.steps(0.5)
    lab.update_service(cluster="lab", service="web", taskDefinition="web:1", forceNewDeployment=True)
    third, second, first = history(lab)
    assert [d["status"] for d in (third, second, first)] == ["IN_PROGRESS", "STOPPED", "SUCCESSFUL"]
    assert second["statusReason"].startswith("Service deployment stopped: a newer service deployment (")
    replaced = describe(lab, second["serviceDeploymentArn"])
    assert "stoppedAt" in replaced and "finishedAt" in replaced
    now = describe(lab, third["serviceDeploymentArn"])
    # Both earlier revisions still had tasks when the third started; a forced deployment is a new revision.
    assert [s["arn"] for s in now["sourceServiceRevisions"]] == [second["targetServiceRevisionArn"], first["targetServiceRevisionArn"]]
    assert third["targetServiceRevisionArn"] not in (first["targetServiceRevisionArn"], second["targetServiceRevisionArn"])
    clock.steps(3)
    assert history(lab)[0]["status"] == "SUCCESSFUL"
    assert len(service(lab)["currentServiceRevisions"]) == 1


def test_the_breaker_s_rollback_belongs_to_the_failed_deployment_and_reuses_the_earlier_revision(lab, clock):
    create(lab, deploymentConfiguration=BREAKER_ROLLBACK)
    clock.steps(3)
    lab.update_service(cluster="lab", service="web", taskDefinition="web:3")
    clock.steps(1)
    failing, good = history(lab)
    assert failing["status"] == "ROLLBACK_IN_PROGRESS"
    detail = describe(lab, failing["serviceDeploymentArn"])
    assert detail["rollback"]["serviceRevisionArn"] == good["targetServiceRevisionArn"]
    assert detail["rollback"]["reason"] == "Circuit breaker initiated the rollback: tasks failed to start."
    assert detail["deploymentCircuitBreaker"] == {"status": "TRIGGERED", "failureCount": 4, "threshold": 3}
    assert service(lab)["currentServiceDeployment"] == failing["serviceDeploymentArn"]
    assert service(lab)["currentServiceRevisions"][0]["arn"] == good["targetServiceRevisionArn"]

    clock.steps(3)
    assert [d["status"] for d in history(lab)] == ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]  # no deployment of its own
    ended = describe(lab, failing["serviceDeploymentArn"])
    assert "finishedAt" in ended and ended["deploymentCircuitBreaker"]["status"] == "TRIGGERED"
    assert revision(lab, good["targetServiceRevisionArn"])["taskDefinition"].endswith("web:1")


def test_without_rollback_the_breaker_stops_the_deployment(lab, clock):
    create(lab, deploymentConfiguration={**BREAKER_ROLLBACK, "deploymentCircuitBreaker": {"enable": True, "rollback": False}})
    clock.steps(3)
    lab.update_service(cluster="lab", service="web", taskDefinition="web:3")
    clock.steps(1)
    latest = describe(lab, history(lab)[0]["serviceDeploymentArn"])
    assert latest["status"] == "STOPPED"
    assert "circuit breaker" in latest["statusReason"] and "stoppedAt" in latest
    assert latest["deploymentCircuitBreaker"]["status"] == "TRIGGERED"


def test_stop_with_rollback_redeploys_the_previous_revision(lab, clock):
    create(lab)
    clock.steps(3)
    lab.update_service(cluster="lab", service="web", taskDefinition="web:2")
    clock.steps(0.5)
    current, previous = history(lab)
    arn = current["serviceDeploymentArn"]
    assert lab.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")["serviceDeploymentArn"] == arn
    assert describe(lab, arn)["status"] == "ROLLBACK_REQUESTED"
    clock.steps(1)
    rolling_back = describe(lab, arn)
    assert rolling_back["status"] == "ROLLBACK_IN_PROGRESS"
    assert rolling_back["rollback"]["serviceRevisionArn"] == previous["targetServiceRevisionArn"]
    clock.steps(3)
    assert describe(lab, arn)["status"] == "ROLLBACK_SUCCESSFUL"
    assert service(lab)["taskDefinition"].endswith("web:1")
    assert [d["taskDefinition"].split("/")[-1] for d in service(lab)["deployments"]] == ["web:1"]
    with pytest.raises(ClientError) as ended:
        lab.stop_service_deployment(serviceDeploymentArn=arn)
    assert ended.value.response["Error"]["Code"] == "ConflictException"


def test_stop_with_abort_leaves_the_tasks_as_they_are(lab, clock):
    create(lab)
    clock.steps(3)
    lab.update_service(cluster="lab", service="web", taskDefinition="web:2")
    clock.steps(1)
    arn = history(lab)[0]["serviceDeploymentArn"]
    lab.stop_service_deployment(serviceDeploymentArn=arn, stopType="ABORT")
    assert describe(lab, arn)["status"] == "STOP_REQUESTED"
    clock.steps(1)
    stopped = describe(lab, arn)
    assert stopped["status"] == "STOPPED" and "stoppedAt" in stopped
    clock.steps(5)
    # Both revisions keep their tasks: the aborted rollout never drained the old one.
    assert [(d["taskDefinition"].split("/")[-1], d["runningCount"]) for d in service(lab)["deployments"]] == [("web:2", 4), ("web:1", 4)]


def test_errors_and_limits(lab, clock, account):
    create(lab)
    unknown = f"arn:aws:ecs:us-east-1:{account}:service-deployment/lab/web/AAAAAAAAAAAAAAAAAAAAA"
    answer = lab.describe_service_deployments(serviceDeploymentArns=[unknown])
    assert answer["serviceDeployments"] == [] and answer["failures"] == [{"arn": unknown, "reason": "MISSING"}]
    with pytest.raises(ClientError) as too_many:
        lab.describe_service_deployments(serviceDeploymentArns=[unknown] * 21)
    assert too_many.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as too_many:
        lab.describe_service_revisions(serviceRevisionArns=[unknown] * 21)
    assert too_many.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as missing:
        lab.stop_service_deployment(serviceDeploymentArn=unknown)
    assert missing.value.response["Error"]["Code"] == "ServiceDeploymentNotFoundException"
    with pytest.raises(ClientError) as no_service:
        lab.list_service_deployments(cluster="lab", service="nope")
    assert no_service.value.response["Error"]["Code"] == "ServiceNotFoundException"
    with pytest.raises(ClientError) as first_one:
        lab.stop_service_deployment(serviceDeploymentArn=history(lab)[0]["serviceDeploymentArn"])
    assert first_one.value.response["Error"]["Code"] == "ConflictException"  # nothing to roll back to


def test_list_filters_and_pages(lab, clock):
    create(lab)
    for _ in range(4):
        clock.steps(3)
        lab.update_service(cluster="lab", service="web", forceNewDeployment=True)
    every = history(lab)
    assert [d["status"] for d in every] == ["IN_PROGRESS"] + ["SUCCESSFUL"] * 4
    assert [d["serviceDeploymentArn"] for d in history(lab, status=["IN_PROGRESS"])] == [every[0]["serviceDeploymentArn"]]
    page = lab.list_service_deployments(cluster="lab", service="web", maxResults=2)
    assert [d["serviceDeploymentArn"] for d in page["serviceDeployments"]] == [d["serviceDeploymentArn"] for d in every[:2]]
    rest = lab.list_service_deployments(cluster="lab", service="web", maxResults=10, nextToken=page["nextToken"])
    assert [d["serviceDeploymentArn"] for d in rest["serviceDeployments"]] == [d["serviceDeploymentArn"] for d in every[2:]]
    assert "nextToken" not in rest
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    assert history(lab, createdAt={"after": later}) == []
    assert len(history(lab, createdAt={"before": later})) == 5
    with pytest.raises(ClientError):
        lab.list_service_deployments(cluster="lab", service="web", maxResults=101)


def test_the_deployment_configuration_and_advanced_load_balancer_settings_are_kept(lab, clock, account):
    config = {
        **BREAKER_ROLLBACK,
        "strategy": "ROLLING",
        "bakeTimeInMinutes": 5,
        "alarms": {"alarmNames": ["web-5xx"], "enable": True, "rollback": True},
        "lifecycleHooks": [{
            "targetType": "AWS_LAMBDA",
            "hookTargetArn": f"arn:aws:lambda:us-east-1:{account}:function:check",
            "roleArn": f"arn:aws:iam::{account}:role/hooks",
            "lifecycleStages": ["POST_SCALE_UP"],
        }],
    }
    created = create(lab, deploymentConfiguration=config)
    assert created["deploymentConfiguration"] == config
    assert service(lab)["deploymentConfiguration"] == config
    changed = {**config, "strategy": "LINEAR", "linearConfiguration": {"stepPercent": 25.0, "stepBakeTimeInMinutes": 1}}
    assert lab.update_service(cluster="lab", service="web", deploymentConfiguration=changed)["service"]["deploymentConfiguration"] == changed
    assert service(lab)["deploymentConfiguration"] == changed
    deployed = describe(lab, history(lab)[0]["serviceDeploymentArn"])
    assert deployed["deploymentConfiguration"] == config  # as it was when it started
    assert deployed["alarms"] == {"status": "MONITORING", "alarmNames": ["web-5xx"]}


def test_a_revision_has_the_digest_of_an_image_in_this_account_s_registry(client, account, clock):
    ecs, ecr = client("ecs"), client("ecr")
    ecr.create_repository(repositoryName="nginxweb")
    manifest = '{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "layers": []}'
    digest = ecr.put_image(repositoryName="nginxweb", imageManifest=manifest, imageTag="v1")["image"]["imageId"]["imageDigest"]
    lab_cluster(ecs)
    image = f"{account}.dkr.ecr.us-east-1.amazonaws.com/nginxweb:v1"
    register(ecs, image)
    create(ecs, desired=1)
    target = service(ecs)["currentServiceRevisions"][0]["arn"]
    assert revision(ecs, target)["containerImages"] == [{"containerName": "web", "image": image, "imageDigest": digest}]
