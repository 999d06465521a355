"""The awslogs log driver of the local ECS: the containers of a service's tasks whose container
definition has `logConfiguration.logDriver: awslogs` write their lines to (moto's) CloudWatch Logs,
as the ECS agent's Docker driver does. No image runs here, so every such container writes what the
official nginx image (the lab's) writes.

Where:
- log group: the `awslogs-group` option; region: the `awslogs-region` option, else the task's;
  account: the task's.
- log stream: `{awslogs-stream-prefix}/{container name}/{task id}` (ECS's convention; the task id is
  the last part of its ARN). Without a prefix (allowed on EC2) ECS names the stream after the Docker
  container's id: here a 64-hex id made for each container, which DescribeTasks reports as the
  container's `runtimeId`.
- a log group that does not exist is created when `awslogs-create-group` is "true". Otherwise the
  container can't start: the task stops with stopCode `TaskFailedToStart` and `MISSING_GROUP_REASON`
  as its and its containers' reason, and it counts as a failed task for the deployment circuit
  breaker (`ecs_scheduler.start_failure`, `missing_group`). When this is decided: at the moment a
  deployment's first tasks would start, and again before each later attempt of a deployment whose
  tasks fail — so a group created meanwhile lets the next attempt start, as on ECS. Tasks a
  deployment starts after its first ones (scale-out) are not checked again: if the group was
  deleted since, their lines are lost, as ECS loses a running container's lines when its group is
  deleted.

What (timestamps in ms since the epoch; nginx's own times are UTC):
- when a container starts RUNNING: `startup_lines` (the image's entrypoint, then nginx's notices),
  stamped with the wall clock;
- while it runs: one `access_line` every ACCESS_SECONDS (`BERTH_LOCAL_LOGS_ACCESS_SECONDS`, default
  5; 0 for none) of the scheduler's clock (`ecs_scheduler.clock()`), a load balancer's health check,
  stamped with the moment of that step: the start's wall-clock time plus the scheduler-clock time
  elapsed since the start (the same as the wall clock when the scheduler's clock is the real one;
  tests move it);
- each request to one of its loopback listeners (`loopback`, local mode's "open the page"): one
  `access_line` with that request's client, request line, status, size, referer and user agent;
- when the scheduler stops it (a deployment replaced it, scale-in, the service deleted):
  `stop_lines`, nginx's graceful stop (the image's STOPSIGNAL is SIGQUIT);
- a container of an image that crashes on start (`cannot-start`, an ECR image of the account's
  registry): `entrypoint_lines`, then `crash_lines` (nginx's [emerg], exit code 1); the other
  containers of such a task start and are stopped;
- a container that never started (its image can't be pulled, its log group does not exist): nothing,
  and no stream is created, as on ECS.

There is no background thread: the access lines are written lazily. Before each CloudWatch Logs
read (`READS`), every ECS service of the account is moved to now (`ecs_scheduler.tick_all`: tasks
due to start or stop do it then, writing their lines) and every running container's access lines
are caught up to now: one per full step since its last one, at most CATCH_UP_LINES at a time (the
latest: a container left running for long does not flood its stream). A stopping container catches
up before its stop lines. All of it holds `ecs_state.LOCK`, and so does the read.
"""

import os
import time
from datetime import datetime, timezone

from moto.ecs.models import ecs_backends
from moto.logs.models import LogGroup, LogStream, LogsBackend, logs_backends
from moto.logs.responses import LogsResponse

from . import ecs_state
from .patching import patch, require

ACCESS_SECONDS = float(os.environ.get("BERTH_LOCAL_LOGS_ACCESS_SECONDS", "5"))
CATCH_UP_LINES = 200
READS = {"DescribeLogGroups", "DescribeLogStreams", "FilterLogEvents", "GetLogEvents", "StartLiveTail"}
MISSING_GROUP_REASON = (
    "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: "
    "failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist."
)

HEALTH_CHECKER = "10.0.0.12"  # a load balancer node's address in the VPC
MASTER, WORKER = 1, 29  # nginx's process ids in the container
ENTRYPOINT = (
    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
    "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
    "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
    "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
    "/docker-entrypoint.sh: Configuration complete; ready for start up",
)
STARTED = (
    (MASTER, 'using the "epoll" event method'),
    (MASTER, "nginx/1.27.3"),
    (MASTER, "built by gcc 12.2.0 (Debian 12.2.0-14)"),
    (MASTER, "OS: Linux 6.1.119-129.201.amzn2023.x86_64"),
    (MASTER, "getrlimit(RLIMIT_NOFILE): 32768:65536"),
    (MASTER, "start worker processes"),
    (MASTER, f"start worker process {WORKER}"),
)
STOPPED = (
    (MASTER, "signal 3 (SIGQUIT) received, shutting down"),
    (WORKER, "gracefully shutting down"),
    (WORKER, "exiting"),
    (WORKER, "exit"),
    (MASTER, f"signal 17 (SIGCHLD) received from {WORKER}"),
    (MASTER, f"worker process {WORKER} exited with code 0"),
    (MASTER, "exit"),
)
EMERG = 'host not found in upstream "backend:8080" in /etc/nginx/conf.d/itflex.conf:14'
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_STREAMS = "berth_awslogs_streams"  # a ServiceTask's attribute: container ARN -> its open _Stream


def _clock():
    from . import ecs_scheduler  # imported here: it imports this module

    return ecs_scheduler.clock()


def _utc(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc)


def _nginx(ms, level, pid, text):
    return f"{_utc(ms):%Y/%m/%d %H:%M:%S} [{level}] {pid}#{pid}: {text}"


def entrypoint_lines():
    return list(ENTRYPOINT)


def startup_lines(ms):
    return entrypoint_lines() + [_nginx(ms, "notice", pid, text) for pid, text in STARTED]


def stop_lines(ms):
    return [_nginx(ms, "notice", pid, text) for pid, text in STOPPED]


def crash_lines(ms):
    return [_nginx(ms, "emerg", MASTER, EMERG), f"nginx: [emerg] {EMERG}"]


def _quoted(text):
    """A request value as nginx writes it in a log line: `"`, `\\` and bytes outside printable
    ASCII escaped as \\xHH. Header values arrive decoded as Latin-1 (http.server's way), so a
    character below 256 is that byte."""

    def escaped(c):
        raw = c.encode("latin-1") if ord(c) < 256 else c.encode()
        return "".join(f"\\x{b:02X}" for b in raw)

    return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else escaped(c) for c in text)


def access_line(ms, client=HEALTH_CHECKER, request="GET / HTTP/1.1", status=200, size=615, referer="-", agent="ELB-HealthChecker/2.0", forwarded="-"):
    """An access line in the official nginx image's `main` log format (combined, then
    $http_x_forwarded_for); by default a load balancer's health check of nginx's welcome page."""
    t = _utc(ms)
    when = f"{t.day:02d}/{_MONTHS[t.month - 1]}/{t.year}:{t:%H:%M:%S} +0000"
    return f'{client} - - [{when}] "{_quoted(request)}" {status} {size} "{_quoted(referer)}" "{_quoted(agent)}" "{_quoted(forwarded)}"'


def _options(log_configuration):
    """The awslogs options of a container's log configuration, or None when it logs elsewhere (or
    names no group, which ECS refuses at registration)."""
    config = log_configuration or {}
    options = config.get("options") or {}
    if config.get("logDriver") != "awslogs" or not options.get("awslogs-group"):
        return None
    return options


def _creates_group(options):
    return str(options.get("awslogs-create-group", "")).lower() == "true"


def _logs_backend(account_id, region):
    try:
        return logs_backends[account_id][region]
    except KeyError:  # a region moto does not know: the driver writes nowhere
        return None


def missing_group(ecs_backend, container_definitions):
    """The first awslogs log group these containers (of a task of this ECS backend) would write to
    that does not exist and that they would not create, or None."""
    for definition in container_definitions:
        options = _options(definition.get("logConfiguration"))
        if options is None or _creates_group(options):
            continue
        logs = _logs_backend(ecs_backend.account_id, options.get("awslogs-region") or ecs_backend.region_name)
        if logs is not None and options["awslogs-group"] not in logs.groups:
            return options["awslogs-group"]
    return None


class _Stream:
    """A running container's awslogs stream: where its lines go and how far its access lines are."""

    def __init__(self, logs, group, name):
        self.logs, self.group, self.name = logs, group, name
        self.started_ms = int(time.time() * 1000)
        self.started_clock = _clock()
        self.steps = 0  # access lines are due at each step of ACCESS_SECONDS; the last one written

    def at(self, moment):
        """The wall-clock ms of a moment of the scheduler's clock."""
        return self.started_ms + round((moment - self.started_clock) * 1000)

    def write(self, events):
        """(ms, message) pairs, in order; lost when the group or stream was deleted meanwhile."""
        group = self.logs.groups.get(self.group)
        stream = group.streams.get(self.name) if group is not None else None
        if stream is not None and events:
            stream.put_log_events([{"timestamp": ms, "message": message} for ms, message in events])

    def catch_up(self, now):
        if ACCESS_SECONDS <= 0:
            return
        due = int((now - self.started_clock) // ACCESS_SECONDS)
        if due <= self.steps:
            return
        first = max(self.steps + 1, due - CATCH_UP_LINES + 1)
        self.steps = due
        moments = [self.at(self.started_clock + step * ACCESS_SECONDS) for step in range(first, due + 1)]
        self.write([(ms, access_line(ms)) for ms in moments])


def stream_of(task, container):
    """The awslogs stream a RUNNING task's container writes to (`_Stream`: `catch_up(now)`,
    `at(moment)`, `write(events)`), or None when it does not log to CloudWatch Logs. Call with LOCK
    held."""
    return (getattr(task, _STREAMS, None) or {}).get(container.container_arn)


def _open(task, container):
    """The container's stream, created (and its group, when the options say so) as the driver does
    when the container starts; None when it does not log to CloudWatch Logs."""
    options = _options(container.log_configuration)
    if options is None:
        return None
    logs = _logs_backend(task.account_id, options.get("awslogs-region") or task.region)
    if logs is None:
        return None
    group = options["awslogs-group"]
    if group not in logs.groups:
        if not _creates_group(options):
            return None  # deleted after the task's start was decided: its lines are lost
        logs.create_log_group(group, {})
    prefix = options.get("awslogs-stream-prefix")
    name = f"{prefix}/{container.name}/{task.id}" if prefix else container.runtime_id
    if name not in logs.groups[group].streams:
        logs.groups[group].create_log_stream(name)
    return _Stream(logs, group, name)


class _Driver:
    """Listens to the scheduler's tasks (`ecs_state.LISTENERS`); called with LOCK held."""

    def started(self, task):
        streams = {}
        for container in task.containers:
            stream = _open(task, container)
            if stream is not None:
                stream.write([(stream.started_ms, line) for line in startup_lines(stream.started_ms)])
                streams[container.container_arn] = stream
        setattr(task, _STREAMS, streams)

    def stopped(self, task):
        streams = getattr(task, _STREAMS, None)
        now = _clock()
        for container in task.containers:
            if container.exit_code is None:
                continue  # it never started
            stream = streams.get(container.container_arn) if streams is not None else None
            if streams is None:
                # It started only as the task stopped: a crash on start (and its task's others).
                stream = _open(task, container)
                if stream is None:
                    continue
                ms = stream.started_ms
                lines = entrypoint_lines() if container.exit_code else startup_lines(ms)
                stream.write([(ms, line) for line in lines])
            if stream is None:
                continue
            stream.catch_up(now)
            # (A stream opened just now, for a crash on start, began after `now` was read: its
            # last lines never come before its first.)
            ms = max(stream.at(now), stream.started_ms)
            lines = crash_lines(ms) if container.exit_code else stop_lines(ms)
            stream.write([(ms, line) for line in lines])
        setattr(task, _STREAMS, {})


def catch_up(account_id):
    """Moves the account's ECS services to now and writes every running container's access lines
    due by now. Call with LOCK held."""
    from . import ecs_scheduler

    for ecs in list(ecs_backends[account_id].values()):
        ecs_scheduler.tick_all(ecs)
        now = _clock()
        for task in ecs_state.state_of(ecs).tasks.values():
            if task.last_status == "RUNNING":
                for stream in getattr(task, _STREAMS, {}).values():
                    stream.catch_up(now)


def _caught_up(original):
    def call_action(self):
        if self._get_action() not in READS:
            return original(self)
        with ecs_state.LOCK:
            catch_up(self.current_account)
            return original(self)

    return call_action


def install():
    require(LogsBackend, "create_log_group", "(self, log_group_name, tags, **kwargs)")
    require(LogGroup, "create_log_stream", "(self, log_stream_name)")
    require(LogStream, "put_log_events", "(self, log_events)")
    patch(LogsResponse, "call_action", "(self)", _caught_up)
    ecs_state.LISTENERS.append(_Driver())
