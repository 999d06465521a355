"""Running tasks write their containers' lines to CloudWatch Logs as the ECS agent's awslogs driver
does (nginx's start-up, health-check access lines as the scheduler's clock moves, the graceful stop,
a crash's [emerg]), a task that can't start writes nothing, a missing log group stops the task; and
the CloudWatch Logs reads behave as AWS's (stream prefix, interleaving, the tail of a stream)."""

import time
from datetime import datetime, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

from berth_localaws import ecs_logs
from conftest import REGION
from lab import BREAKER_ROLLBACK, create, deployments, service, tasks, lab_cluster

GROUP = "/ecs/web"
ENTRYPOINT = [
    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
    "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
    "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
    "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
    "/docker-entrypoint.sh: Configuration complete; ready for start up",
]
STARTED = [
    '[notice] 1#1: using the "epoll" event method',
    "[notice] 1#1: nginx/1.27.3",
    "[notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14)",
    "[notice] 1#1: OS: Linux 6.1.119-129.201.amzn2023.x86_64",
    "[notice] 1#1: getrlimit(RLIMIT_NOFILE): 32768:65536",
    "[notice] 1#1: start worker processes",
    "[notice] 1#1: start worker process 29",
]
STOPPED = [
    "[notice] 1#1: signal 3 (SIGQUIT) received, shutting down",
    "[notice] 29#29: gracefully shutting down",
    "[notice] 29#29: exiting",
    "[notice] 29#29: exit",
    "[notice] 1#1: signal 17 (SIGCHLD) received from 29",
    "[notice] 1#1: worker process 29 exited with code 0",
    "[notice] 1#1: exit",
]
EMERG = 'host not found in upstream "backend:8080" in /etc/nginx/conf.d/itflex.conf:14'
MISSING_GROUP = (
    "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: "
    "failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist."
)
MANIFEST = '{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "layers": []}'


def nginx_time(ms):
    return f"{datetime.fromtimestamp(ms / 1000, timezone.utc):%Y/%m/%d %H:%M:%S}"


def access_time(ms):
    return f"{datetime.fromtimestamp(ms / 1000, timezone.utc):%d/%b/%Y:%H:%M:%S} +0000"


def access(ms):
    return f'10.0.0.12 - - [{access_time(ms)}] "GET / HTTP/1.1" 200 615 "-" "ELB-HealthChecker/2.0" "-"'


def register(ecs, image="nginx:1.27", family="web", **options):
    """A revision whose container `web` logs with awslogs: group GROUP, prefix `ecs`, the group
    created; `options` override (None drops one)."""
    wanted = {
        "awslogs-group": GROUP,
        "awslogs-region": REGION,
        "awslogs-stream-prefix": "ecs",
        "awslogs-create-group": "true",
        **options,
    }
    container = {
        "name": "web",
        "image": image,
        "cpu": 256,
        "memory": 128,
        "logConfiguration": {"logDriver": "awslogs", "options": {k: v for k, v in wanted.items() if v is not None}},
    }
    return ecs.register_task_definition(family=family, containerDefinitions=[container])["taskDefinition"]["taskDefinitionArn"]


def events(logs, stream, group=GROUP):
    return logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]


def messages(logs, stream, group=GROUP):
    return [e["message"] for e in events(logs, stream, group)]


def started_lines(ms):
    return ENTRYPOINT + [f"{nginx_time(ms)} {line}" for line in STARTED]


@pytest.fixture
def lab(client, clock):
    ecs, logs = client("ecs"), client("logs")
    lab_cluster(ecs)
    return ecs, logs


def running_task_ids(ecs):
    return sorted(t["taskArn"].split("/")[-1] for t in tasks(ecs))


def test_a_running_container_writes_nginx_s_start_up_to_prefix_container_task_id(lab, clock):
    ecs, logs = lab
    register(ecs)
    create(ecs, desired=2)
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        logs.describe_log_streams(logGroupName=GROUP)  # PENDING: no container has started yet
    before = int(time.time() * 1000)
    clock.steps(1)
    # The read moves the service on first: the tasks start, the driver creates the group.
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == [GROUP]
    ids = running_task_ids(ecs)
    after = int(time.time() * 1000)
    assert len(ids) == 2
    streams = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert sorted(s["logStreamName"] for s in streams) == sorted(f"ecs/web/{i}" for i in ids)
    for task_id in ids:
        written = events(logs, f"ecs/web/{task_id}")
        stamp = written[0]["timestamp"]
        assert before <= stamp <= after
        assert {e["timestamp"] for e in written} == {stamp}
        assert [e["message"] for e in written] == started_lines(stamp)


def test_access_lines_follow_the_scheduler_s_clock_one_per_step(lab, clock):
    ecs, logs = lab
    register(ecs)
    create(ecs, desired=1)
    clock.steps(1)
    stream = f"ecs/web/{running_task_ids(ecs)[0]}"
    first = logs.get_log_events(logGroupName=GROUP, logStreamName=stream, startFromHead=True)
    started = first["events"][0]["timestamp"]
    token = first["nextForwardToken"]

    def follow():
        nonlocal token
        page = logs.get_log_events(logGroupName=GROUP, logStreamName=stream, nextToken=token)
        token = page["nextForwardToken"]
        return [(e["timestamp"], e["message"]) for e in page["events"]]

    assert follow() == []
    clock.now += ecs_logs.ACCESS_SECONDS - 0.1
    assert follow() == []
    clock.now += 0.1
    step = int(ecs_logs.ACCESS_SECONDS * 1000)
    assert follow() == [(started + step, access(started + step))]
    clock.now += 3 * ecs_logs.ACCESS_SECONDS + 1
    assert follow() == [(started + k * step, access(started + k * step)) for k in (2, 3, 4)]
    assert follow() == []

    clock.now += 1000 * ecs_logs.ACCESS_SECONDS  # left alone for long: only the latest lines
    caught = follow()
    assert len(caught) == ecs_logs.CATCH_UP_LINES
    assert caught[-1][0] == started + 1004 * step


def test_a_stopped_container_s_stream_ends_with_nginx_s_graceful_stop(lab, clock):
    ecs, logs = lab
    register(ecs)
    register(ecs, image="nginx:1.28")
    create(ecs, desired=2)
    clock.steps(1)
    old = running_task_ids(ecs)  # started now
    clock.steps(5)
    ecs.update_service(cluster="lab", service="web", taskDefinition="web:2")
    clock.steps(2)
    # No ECS call since: the logs read itself moves the service on, which stops the old tasks.
    step = int(ecs_logs.ACCESS_SECONDS * 1000)
    for task_id in old:
        written = events(logs, f"ecs/web/{task_id}")
        started, stopped = written[0]["timestamp"], written[-1]["timestamp"]
        assert stopped == started + 7000 and step < 7000
        assert [e["message"] for e in written] == (
            started_lines(started) + [access(started + step)] + [f"{nginx_time(stopped)} {line}" for line in STOPPED]
        )
    stopped_tasks = [t for t in tasks(ecs, "STOPPED") if t["taskArn"].split("/")[-1] in old]
    assert [c["exitCode"] for t in stopped_tasks for c in t["containers"]] == [0, 0]

    ecs.update_service(cluster="lab", service="web", desiredCount=1)  # scale-in stops one
    clock.steps(1)
    (gone,) = [t["taskArn"].split("/")[-1] for t in tasks(ecs, "STOPPED") if t["taskArn"].split("/")[-1] not in old]
    assert messages(logs, f"ecs/web/{gone}")[-1].endswith("[notice] 1#1: exit")


def test_an_image_that_crashes_on_start_writes_its_emerg_and_exits_1(client, account, clock):
    ecs, ecr, logs = client("ecs"), client("ecr"), client("logs")
    ecr.create_repository(repositoryName="nginxweb")
    ecr.put_image(repositoryName="nginxweb", imageManifest=MANIFEST, imageTag="v3-cannot-start")
    lab_cluster(ecs)
    register(ecs, image=f"{account}.dkr.ecr.us-east-1.amazonaws.com/nginxweb:v3-cannot-start")
    create(ecs, desired=1)
    clock.steps(1)
    (task,) = tasks(ecs, "STOPPED")
    assert task["stopCode"] == "EssentialContainerExited"
    (container,) = task["containers"]
    assert container["exitCode"] == 1
    written = events(logs, f"ecs/web/{task['taskArn'].split('/')[-1]}")
    crashed = written[-1]["timestamp"]
    assert [e["message"] for e in written] == ENTRYPOINT + [f"{nginx_time(crashed)} [emerg] 1#1: {EMERG}", f"nginx: [emerg] {EMERG}"]
    assert len(container["runtimeId"]) == 64


def test_a_task_whose_image_can_t_be_pulled_writes_nothing(lab, clock):
    ecs, logs = lab
    logs.create_log_group(logGroupName=GROUP)
    register(ecs, image="nginxweb:v3-cannot-start")  # no registry holds it
    create(ecs, desired=2)
    clock.steps(1)
    stopped = tasks(ecs, "STOPPED")
    assert [t["stopCode"] for t in stopped] == ["TaskFailedToStart"] * 2
    assert all("runtimeId" not in c for t in stopped for c in t["containers"])
    assert logs.describe_log_streams(logGroupName=GROUP)["logStreams"] == []


def test_an_image_that_can_t_be_pulled_fails_before_the_logging_driver_starts(lab, clock):
    ecs, _ = lab
    register(ecs, image="nginxweb:v3-cannot-start", **{"awslogs-create-group": None})  # and no group
    create(ecs, desired=1)
    clock.steps(1)
    (task,) = [t for t in tasks(ecs, "STOPPED")]
    assert task["stoppedReason"].startswith("CannotPullContainerError: ")


def test_a_missing_log_group_fails_the_task_and_trips_the_breaker(lab, clock):
    ecs, logs = lab
    register(ecs)
    register(ecs, **{"awslogs-group": "/ecs/missing", "awslogs-create-group": None})
    create(ecs, deploymentConfiguration=BREAKER_ROLLBACK)
    clock.steps(3)
    ecs.update_service(cluster="lab", service="web", taskDefinition="web:2")
    failing = service(ecs)["deployments"][0]["id"]
    clock.steps(1)
    assert [d[:3] for d in deployments(ecs)] == [
        ("PRIMARY", "web:1", "IN_PROGRESS"),
        ("ACTIVE", "web:2", "FAILED"),
        ("ACTIVE", "web:1", "COMPLETED"),
    ]
    verdict = service(ecs)["deployments"][1]
    assert (verdict["failedTasks"], verdict["rolloutStateReason"]) == (4, "ECS deployment circuit breaker: tasks failed to start.")
    failed = [t for t in tasks(ecs, "STOPPED") if t["startedBy"] == failing and t["stopCode"] == "TaskFailedToStart"]
    assert len(failed) == 4
    for task in failed:
        assert (task["stopCode"], task["stoppedReason"]) == ("TaskFailedToStart", MISSING_GROUP)
        assert [(c["reason"], c.get("exitCode")) for c in task["containers"]] == [(MISSING_GROUP, None)]
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        logs.describe_log_streams(logGroupName="/ecs/missing")


def test_once_the_missing_group_exists_the_next_attempt_starts(lab, clock):
    ecs, logs = lab
    register(ecs, **{"awslogs-create-group": None})
    create(ecs, desired=2)  # no circuit breaker: ECS keeps trying
    clock.steps(2)
    assert service(ecs)["deployments"][0]["failedTasks"] == 4
    logs.create_log_group(logGroupName=GROUP)
    clock.steps(1)
    assert deployments(ecs) == [("PRIMARY", "web:1", "IN_PROGRESS", 2, 0)]
    ids = running_task_ids(ecs)
    assert sorted(s["logStreamName"] for s in logs.describe_log_streams(logGroupName=GROUP)["logStreams"]) == [
        f"ecs/web/{i}" for i in ids
    ]
    clock.steps(2)
    assert deployments(ecs)[0][2] == "COMPLETED"


def test_without_a_prefix_the_stream_is_the_container_s_docker_id_in_the_option_s_region(lab, endpoint, account, clock):
    ecs, logs = lab
    register(ecs, **{"awslogs-stream-prefix": None, "awslogs-region": "us-west-2"})
    create(ecs, desired=1)
    clock.steps(1)
    (task,) = tasks(ecs)
    runtime_id = task["containers"][0]["runtimeId"]
    assert len(runtime_id) == 64 and int(runtime_id, 16) >= 0
    west = boto3.client(
        "logs", endpoint_url=endpoint, region_name="us-west-2",
        aws_access_key_id=f"LOCALAWS{account}", aws_secret_access_key="local",
    )
    assert [s["logStreamName"] for s in west.describe_log_streams(logGroupName=GROUP)["logStreams"]] == [runtime_id]
    assert messages(west, runtime_id) == started_lines(events(west, runtime_id)[0]["timestamp"])
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        logs.describe_log_streams(logGroupName=GROUP)  # not in the task's region


def test_filter_log_events_by_stream_prefix_and_names_not_both(lab, clock):
    ecs, logs = lab
    register(ecs)
    create(ecs, desired=2)
    clock.steps(1)
    one, other = running_task_ids(ecs)
    found = logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix=f"ecs/web/{one}")
    assert {e["logStreamName"] for e in found["events"]} == {f"ecs/web/{one}"}
    assert [s["logStreamName"] for s in found["searchedLogStreams"]] == [f"ecs/web/{one}"]
    assert logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="nothing/")["events"] == []
    everything = logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="ecs/web/")["events"]
    assert {e["logStreamName"] for e in everything} == {f"ecs/web/{one}", f"ecs/web/{other}"}
    clock.now += 2 * ecs_logs.ACCESS_SECONDS
    timed = logs.filter_log_events(logGroupName=GROUP)["events"]
    assert [e["timestamp"] for e in timed] == sorted(e["timestamp"] for e in timed)
    assert [e["message"] for e in timed[-4:]] == [access(e["timestamp"]) for e in timed[-4:]]
    arn = logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"][0]["logGroupArn"]
    by_arn = logs.filter_log_events(logGroupIdentifier=arn, logStreamNamePrefix=f"ecs/web/{other}")["events"]
    assert {e["logStreamName"] for e in by_arn} == {f"ecs/web/{other}"}

    with pytest.raises(ClientError) as both:
        logs.filter_log_events(logGroupName=GROUP, logStreamNames=[f"ecs/web/{one}"], logStreamNamePrefix="ecs/")
    assert both.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as many:
        logs.filter_log_events(logGroupName=GROUP, logStreamNames=[f"s{i}" for i in range(101)])
    assert many.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "Member must have length less than or equal to 100" in many.value.response["Error"]["Message"]
    named = logs.filter_log_events(logGroupName=GROUP, logStreamNames=[f"ecs/web/{other}"])["events"]
    assert {e["logStreamName"] for e in named} == {f"ecs/web/{other}"}


def test_filter_log_events_interleaves_streams_by_time_then_ingestion(client):
    logs = client("logs")
    logs.create_log_group(logGroupName="g")
    for name in ("a", "b"):
        logs.create_log_stream(logGroupName="g", logStreamName=name)
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName="g", logStreamName="a", logEvents=[{"timestamp": now + t, "message": f"a{t}"} for t in (0, 2, 4)])
    logs.put_log_events(logGroupName="g", logStreamName="b", logEvents=[{"timestamp": now + t, "message": f"b{t}"} for t in (1, 2, 3)])
    found = logs.filter_log_events(logGroupName="g")["events"]
    assert [e["message"] for e in found] == ["a0", "b1", "a2", "b2", "b3", "a4"]
    paged, token = [], None
    while True:
        page = logs.filter_log_events(logGroupName="g", limit=4, **({"nextToken": token} if token else {}))
        paged += [e["message"] for e in page["events"]]
        token = page.get("nextToken")
        if not token:
            break
    assert paged == ["a0", "b1", "a2", "b2", "b3", "a4"]


def test_get_log_events_reads_a_stream_s_tail_and_follows_it(client):
    logs = client("logs")
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    empty = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=False, limit=50)
    assert empty["events"] == []
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[{"timestamp": now + i, "message": f"m{i}"} for i in range(120)])
    # Following from a stream that was empty misses nothing.
    followed = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=empty["nextForwardToken"], limit=50)
    assert [e["message"] for e in followed["events"]] == [f"m{i}" for i in range(50)]

    tail = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=False, limit=50)
    assert [e["message"] for e in tail["events"]] == [f"m{i}" for i in range(70, 120)]
    before = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=tail["nextBackwardToken"], limit=50)
    assert [e["message"] for e in before["events"]] == [f"m{i}" for i in range(20, 70)]
    at_end = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=tail["nextForwardToken"])
    assert at_end["events"] == [] and at_end["nextForwardToken"] == tail["nextForwardToken"]
    logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[{"timestamp": now + 200, "message": "new"}])
    more = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=at_end["nextForwardToken"])
    assert [e["message"] for e in more["events"]] == ["new"]

    window = logs.get_log_events(logGroupName="g", logStreamName="s", startTime=now + 10, endTime=now + 13, startFromHead=True)
    assert [e["message"] for e in window["events"]] == ["m10", "m11", "m12"]  # endTime is exclusive
