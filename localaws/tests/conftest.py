"""The local AWS in this process: the same server `python -m berth_localaws` runs, on a free port
in a thread, driven over HTTP with boto3 (so the patched request handlers run as in Berth's tests).
Each test gets its own account (access key LOCALAWS<account>), as Berth's integration tests do.
Time is the scheduler's clock, replaced by one the test advances: phases are checked exactly, with
no sleeping."""

import logging
import random
import threading

import boto3
import pytest

from berth_localaws import ecs_scheduler, server

REGION = "us-east-1"

# One line per request would bury a failure's report.
logging.getLogger("werkzeug").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def endpoint():
    httpd = server.make("127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    yield f"http://{host}:{port}"
    httpd.shutdown()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def steps(self, count):
        """Moves time on by `count` scheduler STEPs (a fraction is allowed)."""
        self.now += count * ecs_scheduler.STEP


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(ecs_scheduler, "clock", fake)
    return fake


@pytest.fixture
def account():
    return f"{random.randrange(10**11, 10**12):012d}"


@pytest.fixture
def client(endpoint, account):
    def make(service):
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=f"LOCALAWS{account}",
            aws_secret_access_key="local",
        )

    return make


@pytest.fixture
def ecs(client):
    return client("ecs")
