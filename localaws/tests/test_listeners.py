""""Open the page" in local mode: each RUNNING task's container port gets a loopback HTTP listener
standing in for the container, listed by `GET /_berth/listeners`; a request to it answers the
stand-in page and writes an nginx access line to the container's log stream; the listener closes
when the task stops (scale-in, a deployment replacing it, a reset); BERTH_LOCAL_LISTENERS=0 turns
it all off."""

import http.client
import json
import re
import threading
import urllib.error
import urllib.request

import pytest

from berth_localaws import loopback
from conftest import REGION
from lab import create, ec2_of, lab_cluster, tasks

GROUP = "/ecs/nginx-web"
# Loopback only: a proxy in the environment must not carry these requests.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def register(ecs, mappings, image="nginx:1.27", network_mode="bridge", logs=True):
    """The lab's nginx-web (256 CPU here, so tasks fit beside each other) with `mappings`."""
    container = {"name": "web", "image": image, "cpu": 256, "memory": 128, "portMappings": mappings}
    if logs:
        container["logConfiguration"] = {
            "logDriver": "awslogs",
            "options": {"awslogs-group": GROUP, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs", "awslogs-create-group": "true"},
        }
    return ecs.register_task_definition(family="nginx-web", networkMode=network_mode, containerDefinitions=[container])["taskDefinition"]["taskDefinitionArn"]


STATIC = [{"containerPort": 80, "hostPort": 80}, {"containerPort": 443, "hostPort": 443}]
DYNAMIC = [{"containerPort": 80, "hostPort": 0}]


def listed(endpoint, account, region=REGION):
    with DIRECT.open(f"{endpoint}/_berth/listeners?account={account}&region={region}") as answer:
        assert answer.status == 200 and answer.headers["Content-Type"] == "application/json"
        return json.load(answer)


def listeners(endpoint, account):
    document = listed(endpoint, account)
    assert document["enabled"] is True
    return document["listeners"]


def get(url, path="/", **headers):
    """(status, headers, body) of a GET to a listener."""
    request = urllib.request.Request(url.rstrip("/") + path, headers=headers)
    try:
        with DIRECT.open(request, timeout=5) as answer:
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def refused(url):
    """Whether connecting to the listener's port is refused (nothing listens there)."""
    port = int(url.rsplit(":", 1)[1].strip("/"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.connect()
    except ConnectionRefusedError:
        return True
    finally:
        connection.close()
    return False


def loopback_threads():
    return {t.name for t in threading.enumerate() if t.name.startswith("berth-loopback-")}


def stream_messages(logs, task_arn):
    stream = f"ecs/web/{task_arn.split('/')[-1]}"
    return [e["message"] for e in logs.get_log_events(logGroupName=GROUP, logStreamName=stream, startFromHead=True)["events"]]


@pytest.fixture
def lab(client, clock):
    ecs = client("ecs")
    lab_cluster(ecs)
    return ecs, client("logs")


def test_each_running_task_s_host_port_gets_a_listener_listed_by_the_endpoint(lab, endpoint, account, clock):
    ecs, _ = lab
    register(ecs, STATIC)
    create(ecs, revision="nginx-web:1", desired=2)
    assert listeners(endpoint, account) == []  # PENDING: nothing answers yet
    clock.steps(1)  # no ECS call in between: the endpoint moves the service on itself
    found = listeners(endpoint, account)
    running = tasks(ecs)
    assert len(running) == 2 and all(t["lastStatus"] == "RUNNING" for t in running)
    expected = sorted(
        (t["taskArn"], "lab", c["name"], b["containerPort"], b["hostPort"], "tcp", "bridge")
        for t in running for c in t["containers"] for b in c["networkBindings"]
    )
    assert len(expected) == 4  # 80 and 443 of each task
    assert sorted(
        (item["taskArn"], item["cluster"], item["container"], item["containerPort"], item["hostPort"], item["protocol"], item["networkMode"])
        for item in found
    ) == expected
    urls = [item["url"] for item in found]
    assert len(set(urls)) == 4 and all(re.fullmatch(r"http://127\.0\.0\.1:\d+/", u) for u in urls)
    assert all(not refused(u) for u in urls)
    # Another account, the same region: none of these.
    assert listeners(endpoint, "000000000077") == []


def test_a_listener_answers_the_stand_in_page_naming_the_task_and_the_image(lab, endpoint, account, clock):
    ecs, _ = lab
    register(ecs, STATIC)
    create(ecs, revision="nginx-web:1", desired=1)
    clock.steps(1)
    (http80,) = [item for item in listeners(endpoint, account) if item["containerPort"] == 80]
    task_id = http80["taskArn"].split("/")[-1]

    status, headers, body = get(http80["url"])
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "<title>Berth local AWS — stand-in for container web</title>" in body
    assert "no container runs" in body
    for shown in (task_id, "lab", "nginx-web:1", "nginx:1.27", "80/tcp", http80["url"]):
        assert f"<code>{shown}" in body, shown
    assert "Host port ECS reported</th><td><code>80 (network mode bridge)" in body

    assert get(http80["url"], "/any/path?x=1")[2] == body  # nginx's default site: the same page
    assert get(http80["url"], "/favicon.ico")[0] == 404
    _, _, other = get(next(i["url"] for i in listeners(endpoint, account) if i["containerPort"] == 443))
    assert "443/tcp" in other and task_id in other


def test_an_image_named_by_digest_is_shown_with_its_tags(lab, client, endpoint, account, clock):
    """Berth deploys a tag pinned to its digest: the page says which tags that image has."""
    ecs, _ = lab
    ecr = client("ecr")
    ecr.create_repository(repositoryName="nginxweb")
    manifest = '{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "layers": []}'
    pushed = ecr.put_image(repositoryName="nginxweb", imageManifest=manifest, imageTag="v9")
    ecr.put_image(repositoryName="nginxweb", imageManifest=manifest, imageTag="latest")
    image = f"{account}.dkr.ecr.{REGION}.amazonaws.com/nginxweb@{pushed['image']['imageId']['imageDigest']}"
    register(ecs, STATIC, image=image)
    create(ecs, revision="nginx-web:1", desired=1)
    clock.steps(1)
    (http80,) = [item for item in listeners(endpoint, account) if item["containerPort"] == 80]
    _, _, body = get(http80["url"])
    assert f"<code>{image}</code>" in body
    assert "Its tags in ECR now</th><td><code>latest, v9</code>" in body


def test_each_request_writes_an_nginx_access_line_to_that_task_s_stream(lab, endpoint, account, clock):
    ecs, logs = lab
    register(ecs, STATIC)
    create(ecs, revision="nginx-web:1", desired=2)
    clock.steps(1)
    found = [item for item in listeners(endpoint, account) if item["containerPort"] == 80]
    mine, other = found[0], found[1]
    _, _, body = get(mine["url"], "/hello?x=1", **{"User-Agent": 'Mozilla/5.0 "test"', "Referer": "http://example.test/"})
    assert get(mine["url"], "/favicon.ico", **{"User-Agent": "curl/8.5.0"})[0] == 404

    written = stream_messages(logs, mine["taskArn"])
    access = [m for m in written if m.startswith("127.0.0.1 ")]
    when = r"\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\]"
    size = len(body.encode())
    assert len(access) == 2, written
    assert re.fullmatch(
        rf'127\.0\.0\.1 - - {when} "GET /hello\?x=1 HTTP/1\.1" 200 {size} "http://example\.test/" "Mozilla/5\.0 \\x22test\\x22" "-"',
        access[0],
    ), access[0]
    assert re.fullmatch(rf'127\.0\.0\.1 - - {when} "GET /favicon\.ico HTTP/1\.1" 404 \d+ "-" "curl/8\.5\.0" "-"', access[1]), access[1]
    assert not any(m.startswith("127.0.0.1 ") for m in stream_messages(logs, other["taskArn"]))


def test_scaling_to_zero_closes_the_listeners_at_the_next_ecs_read(lab, endpoint, account, clock):
    ecs, _ = lab
    register(ecs, STATIC)
    create(ecs, revision="nginx-web:1", desired=2)
    clock.steps(1)
    urls = [item["url"] for item in listeners(endpoint, account)]
    ports = {f"berth-loopback-{u.rsplit(':', 1)[1].strip('/')}" for u in urls}
    assert len(urls) == 4 and ports <= loopback_threads()

    ecs.update_service(cluster="lab", service="web", desiredCount=0)
    clock.steps(2)
    ecs.describe_services(cluster="lab", services=["web"])  # any ECS read stops them: the listeners close
    assert tasks(ecs) == []
    assert all(refused(u) for u in urls)
    assert not ports & loopback_threads()  # their threads ended
    assert listeners(endpoint, account) == []


def test_a_request_after_the_task_stopped_by_the_clock_gets_no_answer_and_closes_it(lab, endpoint, account, clock):
    ecs, _ = lab
    register(ecs, STATIC)
    create(ecs, revision="nginx-web:1", desired=1)
    clock.steps(1)
    (url,) = [item["url"] for item in listeners(endpoint, account) if item["containerPort"] == 80]
    ecs.update_service(cluster="lab", service="web", desiredCount=0)
    clock.steps(2)  # stopped by now, but nothing has moved the service on yet
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, urllib.error.URLError)):
        get(url)
    assert refused(url)
    assert listeners(endpoint, account) == []


def test_a_deployment_replacing_the_tasks_moves_the_listeners_to_the_new_ones(lab, endpoint, account, clock):
    ecs, _ = lab
    register(ecs, DYNAMIC)
    create(ecs, revision="nginx-web:1", desired=2)
    clock.steps(1)
    old = listeners(endpoint, account)
    assert len(old) == 2 and all(32768 <= item["hostPort"] <= 61000 for item in old)

    register(ecs, DYNAMIC, image="nginx:1.28")
    ecs.update_service(cluster="lab", service="web", taskDefinition="nginx-web:2")
    clock.steps(6)
    assert [d["rolloutState"] for d in ecs.describe_services(cluster="lab", services=["web"])["services"][0]["deployments"]] == ["COMPLETED"]
    new = listeners(endpoint, account)
    assert sorted(item["taskArn"] for item in new) == sorted(t["taskArn"] for t in tasks(ecs))
    assert not {item["taskArn"] for item in new} & {item["taskArn"] for item in old}
    assert all(refused(item["url"]) for item in old)
    for item in new:
        _, _, body = get(item["url"])
        assert "nginx:1.28" in body and "nginx-web:2" in body


def test_awsvpc_tasks_answer_on_the_container_port_with_no_host_port(lab, endpoint, account, clock):
    ecs, _ = lab
    register(ecs, [{"containerPort": 8080}], network_mode="awsvpc", logs=False)
    subnets = [s["SubnetId"] for s in ec2_of(ecs).describe_subnets()["Subnets"]][:1]
    create(ecs, revision="nginx-web:1", desired=1, networkConfiguration={"awsvpcConfiguration": {"subnets": subnets}})
    clock.steps(1)
    (item,) = listeners(endpoint, account)
    assert (item["containerPort"], item["hostPort"], item["networkMode"]) == (8080, None, "awsvpc")
    status, _, body = get(item["url"])
    assert status == 200 and "8080/tcp" in body and "its ENI (10.0." in body
    assert "does not log to CloudWatch Logs" in body


def test_a_reset_closes_every_listener(lab, endpoint, account, clock):
    ecs, _ = lab
    register(ecs, STATIC)
    create(ecs, revision="nginx-web:1", desired=1)
    clock.steps(1)
    urls = [item["url"] for item in listeners(endpoint, account)]
    assert urls and not any(refused(u) for u in urls)
    with DIRECT.open(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")) as answer:
        assert answer.status == 200
    assert all(refused(u) for u in urls)
    assert listeners(endpoint, account) == []


def test_berth_local_listeners_0_opens_none_and_closes_open_ones(lab, endpoint, account, clock, monkeypatch):
    ecs, _ = lab
    register(ecs, STATIC)
    create(ecs, revision="nginx-web:1", desired=1)
    clock.steps(1)
    urls = [item["url"] for item in listeners(endpoint, account)]
    assert len(urls) == 2

    monkeypatch.setenv("BERTH_LOCAL_LISTENERS", "0")
    assert listed(endpoint, account) == {"enabled": False, "listeners": []}
    assert all(refused(u) for u in urls)
    ecs.update_service(cluster="lab", service="web", desiredCount=2)  # a task starting now opens nothing
    clock.steps(1)
    assert len(tasks(ecs)) == 2
    assert listed(endpoint, account) == {"enabled": False, "listeners": []}
    assert not [key for key in loopback._OPEN if f":{account}:" in key[0]]

    monkeypatch.setenv("BERTH_LOCAL_LISTENERS", "1")
    assert len(listeners(endpoint, account)) == 4  # turned back on: the running tasks get theirs


def test_the_endpoint_refuses_a_malformed_query_and_other_berth_paths_are_404(endpoint):
    for query in ("", "account=12&region=us-east-1", "account=123456789012", "account=123456789012&region=mars-1"):
        with pytest.raises(urllib.error.HTTPError) as error:
            DIRECT.open(f"{endpoint}/_berth/listeners?{query}")
        assert error.value.code == 400 and "message" in json.load(error.value)
    with pytest.raises(urllib.error.HTTPError) as error:
        DIRECT.open(f"{endpoint}/_berth/nothing")
    assert error.value.code == 404
