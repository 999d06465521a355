"""Loopback listeners: "open the page" in local mode. On AWS the lab ends by opening an EC2
instance's public IP (and the task's host port) in a browser and seeing nginx's page. Here no
container runs, so the local AWS answers in its place: each TCP port of a RUNNING task's container
gets an HTTP listener on 127.0.0.1, on a port the OS picks, and Berth links to it.

What answers (`_Handler`): any GET or HEAD is `200 text/html`, one small page titled "Berth local
AWS — stand-in for container NAME" that says plainly it is the emulator's stand-in, naming the task
id, cluster, task definition `family:revision`, container, image, container port and the host port
ECS reported (none for awsvpc: the task's ENI has the port); `/favicon.ico` is a 404 and other
methods a 405, as nginx's default site answers. The emulator can't know which ports the image
really listens on: every TCP port mapping answers (the lab's 443 too, with plain HTTP).

Each request writes one access line in nginx's format (`ecs_logs.access_line`: the real client
address, method, path, status, size, referer and user agent) to the container's awslogs stream
when it has one (`ecs_logs.stream_of`; its health-check lines are caught up first), stamped with
the scheduler's clock (`_Stream.at`, the wall clock when that clock is the real one). The line is
written before the answer is sent, holding `ecs_state.LOCK`.

Which ports: a container's `networkBindings` as DescribeTasks reports them (bridge and host modes:
one listener per TCP binding, `hostPort` the port ECS chose); for awsvpc (Fargate too) one per TCP
`portMappings` container port, `hostPort` None. UDP ports get none.

When they open and close. The scheduler is lazy (tasks start and stop when a call moves a service
to now), so listeners follow its events and are reconciled on reads:
- a task's listeners open when it starts RUNNING and close when it stops (a deployment replaced it,
  scale-in, the circuit breaker, the service deleted): `_Hook`, one of `ecs_state.LISTENERS`, called
  with LOCK held wherever the scheduler runs or stops a task;
- `reconcile(account, region)` (which `GET /_berth/listeners` calls) moves that backend's services
  to now (`ecs_scheduler.tick_all`), closes every listener anywhere whose task is no longer RUNNING
  in its backend's current state (moto's reset rebuilds the backends: theirs are gone), and opens
  any missing for the backend's RUNNING tasks (one that failed to bind before, or after
  BERTH_LOCAL_LISTENERS was turned back on);
- `sweep()` (the same closing, no ticking) runs after every `/moto-api/` request (`server.make`);
- a request to a listener first moves the services of its task's account and region to now: a
  task that has stopped by then answers nothing (its listener closes, the connection is dropped).
Closing is synchronous (the listening socket is closed before the call returns, so a connect is
refused), and each listener's thread ends with it. Only the scheduler's tasks (services' tasks)
get listeners; moto's own RunTask/StartTask tasks report no bindings and get none.

`BERTH_LOCAL_LISTENERS=0` turns it off (read on each call): nothing opens, open ones close at the
next reconcile or sweep, and the endpoint lists none (`"enabled": false`).

The endpoint (`endpoint`, routed by `server.make` before moto sees the request):
`GET /_berth/listeners?account=<12 digits>&region=<region>` answers
`{"enabled": true, "listeners": [{"taskArn", "cluster" (its name), "container", "containerPort",
"hostPort" (null for awsvpc), "protocol": "tcp", "networkMode", "url": "http://127.0.0.1:PORT/"}]}`
for that account's RUNNING tasks in that region, sorted by task ARN, container, container port;
400 with `{"message"}` when a parameter is missing or malformed.
"""

import html
import http.server
import json
import logging
import os
import socket
import threading
from urllib.parse import parse_qs

from moto.ecs.models import ecs_backends

from . import ecs_logs, ecs_scheduler, ecs_state
from .ecs_state import LOCK

HOST = "127.0.0.1"
PATH = "/_berth/listeners"
_log = logging.getLogger(__name__)
_OPEN = {}  # (task ARN, container ARN, container port, host port) -> _Listener; changed with LOCK held


def enabled():
    return os.environ.get("BERTH_LOCAL_LISTENERS", "1").strip() != "0"


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # server_close must not wait for request threads: one may be waiting for LOCK, held by the closer.
    block_on_close = False

    def server_bind(self):
        # HTTPServer's would resolve the host's FQDN (a DNS lookup, with LOCK held).
        http.server.socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class _Listener:
    """One loopback HTTP server standing in for one port of a RUNNING task's container."""

    def __init__(self, backend, task, container, container_port, host_port):
        self.backend, self.state = backend, ecs_state.state_of(backend)
        self.task, self.container = task, container
        self.container_port, self.host_port = container_port, host_port
        self.closing = False
        self.server = _Server((HOST, 0), _Handler)
        self.server.listener = self
        self.port = self.server.server_address[1]
        self.url = f"http://{HOST}:{self.port}/"
        self.page = _page(self).encode()
        self.thread = threading.Thread(target=self._serve, name=f"berth-loopback-{self.port}", daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.closing:
            try:
                self.server.handle_request()  # blocks until a connection comes (or close's wake-up)
            except Exception:  # noqa: BLE001 - a bad connection must not end the listener
                _log.exception("loopback listener %s", self.url)

    def live(self):
        """Whether its task is still RUNNING in its backend's current state (LOCK held)."""
        state = ecs_state.current_state(self.backend)
        return (
            state is not None
            and state is self.state
            and state.tasks.get(self.task.task_arn) is self.task
            and self.task.last_status == "RUNNING"
            and self.container.last_status == "RUNNING"
        )

    def close(self):
        """Closes the listening socket and ends the thread before returning."""
        if self.closing:
            return
        self.closing = True
        try:  # wakes the accept loop, which sees `closing`
            socket.create_connection((HOST, self.port), timeout=1).close()
        except OSError:
            pass
        self.thread.join(2)
        self.server.server_close()

    def describe(self):
        return {
            "taskArn": self.task.task_arn,
            "cluster": self.task.cluster_arn.split("/")[-1],
            "container": self.container.name,
            "containerPort": self.container_port,
            "hostPort": self.host_port,
            "protocol": "tcp",
            "networkMode": self.task.network_mode,
            "url": self.url,
        }


def _ports(task):
    """(container, container port, host port or None) of each TCP port the task answers on."""
    for container in task.containers:
        if container.last_status != "RUNNING":
            continue
        if task.network_mode == "awsvpc":
            for mapping in container.port_mappings:
                if mapping.get("containerPort") is not None and (mapping.get("protocol") or "tcp") == "tcp":
                    yield container, mapping["containerPort"], None
        else:
            for binding in container.network_bindings:
                if binding.get("protocol", "tcp") == "tcp":
                    yield container, binding["containerPort"], binding["hostPort"]


def _open_task(backend, task):
    """Opens the listeners a RUNNING task lacks (LOCK held)."""
    if not enabled() or task.last_status != "RUNNING":
        return
    for container, container_port, host_port in _ports(task):
        key = (task.task_arn, container.container_arn, container_port, host_port)
        if key in _OPEN:
            continue
        try:
            _OPEN[key] = _Listener(backend, task, container, container_port, host_port)
        except OSError:
            _log.exception("no loopback listener for %s %s:%s", task.task_arn, container.name, container_port)


def _close(keys):
    for key in keys:
        _OPEN.pop(key).close()


def sweep():
    """Closes every listener whose task is no longer RUNNING in its backend's current state (all of
    them when BERTH_LOCAL_LISTENERS=0)."""
    with LOCK:
        on = enabled()
        _close([key for key, listener in _OPEN.items() if not on or not listener.live()])


def reconcile(account_id, region):
    """Moves the backend's services to now, closes what no longer runs, opens what is missing; returns
    the backend's open listeners, described, in order."""
    with LOCK:
        backend = ecs_backends[account_id][region]
        ecs_scheduler.tick_all(backend)
        sweep()
        state = ecs_state.state_of(backend)
        for task in list(state.tasks.values()):
            _open_task(backend, task)
        mine = [listener.describe() for listener in _OPEN.values() if listener.state is state]
    return sorted(mine, key=lambda d: (d["taskArn"], d["container"], d["containerPort"]))


class _Hook:
    """Hears the scheduler's tasks start and stop (`ecs_state.LISTENERS`); LOCK is held."""

    def started(self, task):
        _open_task(ecs_backends[task.account_id][task.region], task)

    def stopped(self, task):
        _close([key for key in _OPEN if key[0] == task.task_arn])


def _tags_by_digest(task, image):
    """The tags of the ECR image `image` names by digest (`repo@sha256:…`, as Berth deploys a tag)."""
    if "@" not in image:
        return []
    found = ecs_scheduler.local_ecr_image(ecs_backends[task.account_id][task.region], image)
    return sorted(found.image_tags or []) if found is not None else []


def _page(listener):
    task, container = listener.task, listener.container
    e = lambda value: html.escape(str(value))  # noqa: E731
    name = container.name or "?"
    title = f"Berth local AWS — stand-in for container {name}"
    if listener.host_port is None:
        host = f"none: the task's network mode is {task.network_mode}, its ENI ({task.private_ip}) answers on the container port"
    else:
        host = f"{listener.host_port} (network mode {task.network_mode})"
    rows = [
        ("Task", task.id),
        ("Cluster", task.cluster_arn.split("/")[-1]),
        ("Task definition", task.task_definition_arn.split("/")[-1]),
        ("Container", name),
        ("Image", container.image),
        *([("Its tags in ECR now", ", ".join(tags))] if (tags := _tags_by_digest(task, container.image)) else []),
        ("Container port", f"{listener.container_port}/tcp"),
        ("Host port ECS reported", host),
        ("Served here at", listener.url),
    ]
    table = "\n".join(f"<tr><th>{e(k)}</th><td><code>{e(v)}</code></td></tr>" for k, v in rows)
    logs = (
        "Each request to this address is written to the container's CloudWatch Logs stream as an "
        "nginx access line."
        if ecs_logs.stream_of(task, container) is not None
        else "The container does not log to CloudWatch Logs (no awslogs driver), so requests here are not logged."
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{e(title)}</title>
<style>
body {{ font-family: sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em; color: #222; }}
th {{ text-align: left; padding-right: 1.5em; font-weight: normal; color: #555; }}
td, th {{ padding-top: .25em; vertical-align: top; }}
.note {{ background: #fff6d6; border: 1px solid #e6d38a; padding: .75em 1em; }}
</style>
</head>
<body>
<h1>{e(title)}</h1>
<p class="note">Berth is in local mode: no container runs. The local AWS emulator (berth_localaws)
answers on this loopback address in place of container <code>{e(name)}</code>'s port, so that the
lab's last step, opening the page, has something to open. On AWS you would open the EC2
instance's public IP and host port, and the image itself would answer (for the official nginx
image, its "Welcome to nginx!" page).</p>
<table>
{table}
</table>
<p>{e(logs)}</p>
</body>
</html>
"""


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "berth-localaws"
    sys_version = ""
    timeout = 10  # a client that sends nothing does not keep a thread forever

    def do_GET(self):
        self._answer(body=True)

    def do_HEAD(self):
        self._answer(body=False)

    def _not_allowed(self):
        self._answer(body=True, status=405)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    def _answer(self, body, status=None):
        listener = self.server.listener
        path = self.path.split("?", 1)[0]
        if status is None:
            status = 404 if path == "/favicon.ico" else 200
        if status == 200:
            content = listener.page
        else:
            reason = self.responses[status][0]
            content = f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>berth-localaws</center>\r\n</body>\r\n</html>\r\n".encode()
        sent = content if body else b""
        with LOCK:
            if listener.live():
                ecs_scheduler.tick_all(listener.backend)  # the task may have stopped by now
            if not listener.live():
                sweep()
                self.close_connection = True
                return  # a stopped container's port: no answer
            stream = ecs_logs.stream_of(listener.task, listener.container)
            if stream is not None:
                now = ecs_scheduler.clock()
                stream.catch_up(now)
                ms = stream.at(now)
                line = ecs_logs.access_line(
                    ms,
                    client=self.client_address[0],
                    request=self.requestline,
                    status=status,
                    size=len(sent),
                    referer=self.headers.get("Referer", "-"),
                    agent=self.headers.get("User-Agent", "-"),
                    forwarded=self.headers.get("X-Forwarded-For", "-"),
                )
                stream.write([(ms, line)])
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Connection", "close")
        self.end_headers()
        if body:
            self.wfile.write(content)

    def log_message(self, format, *args):  # noqa: A002 - the access line goes to CloudWatch Logs
        pass


def _json(start_response, status, document):
    data = json.dumps(document).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def endpoint(environ, start_response):
    """WSGI: `GET /_berth/listeners?account=…&region=…` (see the module's docstring)."""
    if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
        return _json(start_response, "405 Method Not Allowed", {"message": f"{PATH} answers GET only."})
    query = parse_qs(environ.get("QUERY_STRING", ""))
    account = (query.get("account") or [""])[0]
    region = (query.get("region") or [""])[0]
    if not (len(account) == 12 and account.isdigit()):
        return _json(start_response, "400 Bad Request", {"message": "account must be a 12-digit AWS account id."})
    if region not in ecs_backends[account]:
        return _json(start_response, "400 Bad Request", {"message": f"region {region!r} is not a region the local AWS knows."})
    if not enabled():
        sweep()
        return _json(start_response, "200 OK", {"enabled": False, "listeners": []})
    return _json(start_response, "200 OK", {"enabled": True, "listeners": reconcile(account, region)})


def install():
    ecs_state.LISTENERS.append(_Hook())
