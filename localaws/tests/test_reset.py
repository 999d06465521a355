"""What the extensions add lives with moto's ECS backend of the account and region, so moto's reset
clears it and accounts do not see each other's tasks."""

import urllib.request

from moto.ecs.models import ecs_backends

from berth_localaws import ecs_state
from conftest import REGION
from lab import create, deployments, register, tasks, lab_cluster


def test_reset_clears_the_scheduler_s_deployments_and_tasks(endpoint, ecs, account, clock):
    lab_cluster(ecs)
    register(ecs, "nginx:1.27")
    create(ecs, desired=2)
    clock.steps(3)
    ecs.delete_service(cluster="lab", service="web", force=True)
    before = [t["taskArn"] for t in tasks(ecs, "STOPPED")]
    assert len(before) == 2
    with ecs_state.LOCK:
        assert ecs_state.state_of(ecs_backends[account][REGION]).tasks

    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200

    with ecs_state.LOCK:
        assert ecs_state.state_of(ecs_backends[account][REGION]).tasks == {}
    lab_cluster(ecs)
    register(ecs, "nginx:1.27")
    create(ecs, desired=1)  # same cluster, service and so ARN as before the reset
    assert len(deployments(ecs)) == 1
    assert tasks(ecs, "STOPPED") == []
    assert ecs.describe_tasks(cluster="lab", tasks=before)["tasks"] == []


def test_an_account_sees_only_its_own_tasks(client, ecs, endpoint, clock):
    import boto3

    lab_cluster(ecs)
    register(ecs, "nginx:1.27")
    create(ecs, desired=1)
    mine = [t["taskArn"] for t in tasks(ecs)]
    other = boto3.client(
        "ecs", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id="LOCALAWS000000000042", aws_secret_access_key="local",
    )
    lab_cluster(other)
    assert other.describe_tasks(cluster="lab", tasks=mine)["tasks"] == []
