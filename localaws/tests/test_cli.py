"""The deployment history through the real AWS CLI (v1, pinned in requirements-test.lock): the
requests it builds and the answers it parses are the ones a person at a shell gets."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab import create, register, lab_cluster

AWS = Path(sys.executable).with_name("aws")


@pytest.fixture
def aws(endpoint, account):
    if not AWS.exists():
        pytest.skip(f"no AWS CLI at {AWS}: run scripts/install-local-aws (requirements-test.lock pins awscli)")
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": f"LOCALAWS{account}",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }

    def run(*args, fail=False):
        done = subprocess.run([str(AWS), "--endpoint-url", endpoint, "--output", "json", *args], env=env, capture_output=True, text=True, timeout=60)
        if fail:
            assert done.returncode != 0, done.stdout
            return done.stderr
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None

    return run


def test_the_cli_lists_describes_and_stops_service_deployments(ecs, clock, aws):
    lab_cluster(ecs)
    register(ecs, "nginx:1.27")
    register(ecs, "nginx:1.28")
    create(ecs, desired=2)
    clock.steps(3)
    ecs.update_service(cluster="lab", service="web", taskDefinition="web:2")

    listed = aws("ecs", "list-service-deployments", "--cluster", "lab", "--service", "web")["serviceDeployments"]
    assert [d["status"] for d in listed] == ["IN_PROGRESS", "SUCCESSFUL"]
    arn = listed[0]["serviceDeploymentArn"]
    described = aws("ecs", "describe-service-deployments", "--service-deployment-arns", arn)["serviceDeployments"][0]
    assert described["targetServiceRevision"]["arn"] == listed[0]["targetServiceRevisionArn"]
    assert described["sourceServiceRevisions"][0]["arn"] == listed[1]["targetServiceRevisionArn"]
    revisions = aws("ecs", "describe-service-revisions", "--service-revision-arns", listed[0]["targetServiceRevisionArn"], listed[1]["targetServiceRevisionArn"])
    assert [r["containerImages"][0]["image"] for r in revisions["serviceRevisions"]] == ["nginx:1.28", "nginx:1.27"]

    assert aws("ecs", "stop-service-deployment", "--service-deployment-arn", arn, "--stop-type", "ROLLBACK") == {"serviceDeploymentArn": arn}
    clock.steps(4)
    after = aws("ecs", "describe-service-deployments", "--service-deployment-arns", arn)["serviceDeployments"][0]
    assert after["status"] == "ROLLBACK_SUCCESSFUL"
    assert after["rollback"]["serviceRevisionArn"] == listed[1]["targetServiceRevisionArn"]
    assert "ConflictException" in aws("ecs", "stop-service-deployment", "--service-deployment-arn", arn, fail=True)
