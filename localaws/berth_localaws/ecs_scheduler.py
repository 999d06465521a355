"""ECS services that roll out as ECS does. moto's services are frozen: create_service drops the
deployment configuration, update_service edits deployments[0] in place, counts never move and no
event is ever written. Here:

- create and update (new task definition, or forceNewDeployment) start a new PRIMARY deployment
  and demote the previous one to ACTIVE; pending and running counts move over a few seconds
  (`STEP`); the old deployment drains and leaves; the rollout ends COMPLETED, with the events ECS
  writes ("has started 2 tasks", "has stopped 2 running tasks", "deployment completed", "has
  reached a steady state");
- an image that cannot start — local mode's convention: any image whose reference contains
  `cannot-start`, or that names by digest an ECR image tagged so — makes its tasks fail, the two
  ways ECS tasks fail at start: an ECR image this account's registry holds (the demo's `nginxweb:v3-cannot-start`) is pulled and its container
  exits 1 (`EssentialContainerExited`, "Essential container in task exited"); any other (a tag
  never pushed, another registry) can't be pulled (`TaskFailedToStart`,
  `CannotPullContainerError: … not found`);
- a container whose awslogs log group does not exist (and whose `awslogs-create-group` is not
  "true") can't start either: `TaskFailedToStart`, `CannotStartContainerError: … failed to
  initialize logging driver: … The specified log group does not exist.` (see `ecs_logs`);
- whether a deployment's tasks can start is decided (`start_failure`, in the order ECS meets the
  causes: pull, logging driver, the container's own exit) at the moment its first tasks would start,
  and again at each later attempt of a failing deployment: a log group created meanwhile lets the
  next attempt start, as on ECS. With the deployment circuit breaker on, the rollout ends FAILED
  once the failure threshold is reached (half the desired count, at least 3, at most 200, as ECS
  computes it) and, with rollback, a new deployment of the last COMPLETED task definition takes
  over; without it, the failing deployment keeps trying every STEP;
- tasks are placed as ECS places them (`ecs_placement`: CPU, memory and static host ports left on
  each ACTIVE container instance, the service's placement constraints and strategies); a task
  that fits nowhere is not started, the counts show only the placed ones and the service gets
  ECS's "was unable to place a task" event (`_report_unplaced`: at once, then every
  UNPLACED_EVENT_STEPS STEPs while the cause is the same); placement is retried every STEP;
- a rolling deployment moves in rounds, one per STEP (`_round`): tasks placed a round ago run;
  older deployments' tasks stop as healthy new ones replace them; the new deployment starts what
  it lacks within maximumPercent and, short of room, stops older tasks down to
  minimumHealthyPercent to make some; it is COMPLETED a round after all its desired tasks run and
  no older task is left (no sooner than 3 STEPs after it began), so a service that can't place all
  its tasks never reaches a steady state, as on ECS. Placement failures are not task failures for
  the circuit breaker;
- scaling moves the counts without a new deployment; DAEMON services want one task per ACTIVE
  container instance their memberOf constraints allow, and place it there if it fits;
- deploymentConfiguration, enableECSManagedTags, propagateTags, enableExecuteCommand, placement,
  capacity provider strategy and health check grace period are kept and returned;
- the service's tasks exist: ListTasks (by serviceName, desiredStatus RUNNING by default, as ECS)
  and DescribeTasks show them PENDING, then RUNNING on the container instance placement chose, and
  STOPPED with ECS's stop codes and reasons when a deployment replaces them, scaling removes them or
  their image cannot start; a stopped task is forgotten after an hour, as ECS does
  (`BERTH_LOCAL_ECS_STOPPED_TASK_SECONDS`); their containers' awslogs lines go to CloudWatch Logs
  (`ecs_logs`, which listens to the tasks starting and stopping).

Time is read on each call (no background thread), from `clock()`: a describe after STEP seconds
sees the next phase.
Every ECS request holds `ecs_state.LOCK` (see there); the scheduler's records live in
`ecs_state.state_of(backend)`, so a reset clears them.
"""

import math
import os
import time
import uuid
from typing import NamedTuple

from moto.core.utils import utcnow
from moto.ecs.models import EC2ContainerServiceBackend, Service
from moto.ecs.responses import EC2ContainerServiceResponse

from . import ecs_deployments, ecs_hosts, ecs_logs, ecs_placement, ecs_strategies
from .ecs_state import LOCK, Rollout, ServiceTask, state_of
from .patching import patch, require

STEP = float(os.environ.get("BERTH_LOCAL_ECS_STEP_SECONDS", "1.0"))
# ECS keeps a stopped task visible (ListTasks, DescribeTasks) for about an hour, then forgets it.
STOPPED_TASK_SECONDS = float(os.environ.get("BERTH_LOCAL_ECS_STOPPED_TASK_SECONDS", "3600"))
# A task no container instance can take is reported ("was unable to place a task") at once, then
# again every this many STEPs while the cause is the same (see `_report_unplaced`).
UNPLACED_EVENT_STEPS = 5
FAILING_MARK = "cannot-start"
KEPT = {
    "deploymentConfiguration": "deployment_configuration",
    "enableECSManagedTags": "enable_ecs_managed_tags",
    "enableExecuteCommand": "enable_execute_command",
    "placementStrategy": "placement_strategy",
    "placementConstraints": "placement_constraints",
    "capacityProviderStrategy": "capacity_provider_strategy",
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
}


def clock():
    """Seconds on a monotonic clock; the phases of a rollout are measured on it (tests replace it)."""
    return time.monotonic()


def _fargate(service):
    """Fargate tasks run on no container instance: nothing to place."""
    if service.launch_type == "FARGATE":
        return True
    strategy = getattr(service, "capacity_provider_strategy", None) or []
    return bool(strategy) and strategy[0].get("capacityProvider") in ("FARGATE", "FARGATE_SPOT")


def _definition(backend, arn):
    try:
        return backend.describe_task_definition(arn)
    except Exception:
        return None


def _constraints(backend, service, task_definition):
    """The service's placement constraints and its task definition's memberOf ones."""
    found = list(getattr(service, "placement_constraints", None) or [])
    definition = _definition(backend, task_definition)
    found += [c for c in (getattr(definition, "placement_constraints", None) or []) if c.get("type") == "memberOf"]
    return found


def _live(rollout):
    return [t for t in rollout.tasks if t.desired_status == "RUNNING"]


def _recount(rollout):
    live = _live(rollout)
    rollout.running = sum(1 for t in live if t.last_status == "RUNNING")
    rollout.pending = len(live) - rollout.running


def _place(backend, service, rollout, count, at=None):
    """Up to `count` new PENDING tasks of the rollout, each on the container instance placement
    chooses (`ecs_placement`); returns them. What could not be placed, and why, is left on the
    rollout (`unplaced`, `unplaced_why`). A DAEMON deployment puts one task per instance."""
    at = clock() if at is None else at
    state = state_of(backend)
    placed = []
    rollout.unplaced, rollout.unplaced_why = 0, None
    if count <= 0:
        return placed
    hosts = demand = None
    if not _fargate(service):
        demands = ecs_hosts.Demands(backend)
        hosts = ecs_hosts.hosts(backend, backend.clusters[service.cluster_name], demands)
        demand = demands(rollout.task_definition)
        constraints = _constraints(backend, service, rollout.task_definition)
        strategies = getattr(service, "placement_strategy", None) or []
    group = f"service:{service.name}"
    daemon = service.scheduling_strategy == "DAEMON"
    for _ in range(count):
        host = None
        if hosts is not None:
            candidates = hosts
            if daemon:
                taken = {t.container_instance_arn for t in _live(rollout)}
                candidates = [h for h in hosts if h.arn not in taken]
            host, why = ecs_placement.choose(demand, candidates, constraints, strategies, group)
            if host is None:
                rollout.unplaced, rollout.unplaced_why = count - len(placed), why
                break
            host.hold(demand, group)
        task = ServiceTask(backend, service, rollout, host.arn if host is not None else None)
        task.placed_at = at
        rollout.tasks.append(task)
        state.tasks[task.task_arn] = task
        placed.append(task)
    return placed


def _reconcile(backend, service, rollout, code="ServiceSchedulerInitiated", reason=None, at=None):
    """Makes the rollout's live tasks match its counts as far as placement allows: `running`
    RUNNING, `pending` PENDING; then its counts are what its tasks are."""
    at = clock() if at is None else at
    live = _live(rollout)
    wanted = rollout.running + rollout.pending
    for task in live[wanted:]:
        task.stop(code, reason or f"Scaling activity initiated by (service {service.name})")
    live = live[:wanted] + _place(backend, service, rollout, wanted - len(live[:wanted]), at)
    for i, task in enumerate(live):
        if i < rollout.running and task.last_status == "PENDING":
            task.run()
            task.ran_at = at
    _recount(rollout)


def _event(service, message):
    service.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": utcnow(), "message": f"(service {service.name}) {message}"})
    del service.events[100:]  # ECS keeps the latest 100


def _task_ids(tasks):
    return " ".join(f"(task {t.id})" for t in tasks[:10])


class StartFailure(NamedTuple):
    """Why the tasks of a task definition can't start. `kind`: "pull" (`image` can't be pulled),
    "logs" (the awslogs log group `group` does not exist) — both TaskFailedToStart, the container
    never ran — or "crash" (`image` is pulled, runs and exits 1: EssentialContainerExited)."""

    kind: str
    image: str = None
    group: str = None


def start_failure(backend, task_definition_arn):
    """Why a task of this task definition can't start now, or None when it can. ECS meets the
    causes in this order: the images are pulled, then the containers are created (the logging
    driver starts then), then they run."""
    try:
        containers = backend.describe_task_definition(task_definition_arn).container_definitions
    except Exception:
        return None
    failing = [c.get("image") or "" for c in containers if _marked_failing(backend, c.get("image") or "")]
    for image in failing:
        if not _in_local_ecr(backend, image):
            return StartFailure("pull", image=image)
    group = ecs_logs.missing_group(backend, containers)
    if group is not None:
        return StartFailure("logs", group=group)
    if failing:
        return StartFailure("crash", image=failing[0])
    return None


def _marked_failing(backend, image):
    """Whether `image` is one that can't start: its reference has the mark, or it names by digest
    (`repo@sha256:…`, as Berth pins a tag) an image of this account's ECR with a tag that has it."""
    if FAILING_MARK in image:
        return True
    if "@" not in image:
        return False
    found = local_ecr_image(backend, image)
    return found is not None and any(FAILING_MARK in tag for tag in (found.image_tags or []))


def _in_local_ecr(backend, image):
    """Whether `image` is an ECR reference (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`
    or `@<digest>`) of this account that its registry holds."""
    return local_ecr_image(backend, image) is not None


def local_ecr_image(backend, image):
    """The image of this account's ECR registry `image` refers to (by tag or digest), or None."""
    from moto.ecr.models import ecr_backends

    host, _, rest = image.partition("/")
    parts = host.split(".")
    if len(parts) < 6 or parts[1:3] != ["dkr", "ecr"] or parts[0] != backend.account_id:
        return None
    if "@" in rest:
        name, digest = rest.split("@", 1)
        wanted = lambda i: i.get_image_digest() == digest  # noqa: E731
    else:
        name, _, tag = rest.rpartition(":") if ":" in rest else (rest, "", "latest")
        wanted = lambda i: tag in i.image_tags  # noqa: E731
    try:
        repository = ecr_backends[backend.account_id][parts[3]].repositories.get(name)
    except KeyError:
        return None
    if repository is None:
        return None
    return next((i for i in repository.images if wanted(i)), None)


def _stop_failing(task, failure):
    """Stops a task that can't start as ECS does: its container crashes on start, or it never
    starts (the image can't be pulled, the logging driver can't start)."""
    if failure.kind == "crash":
        task.stop("EssentialContainerExited", "Essential container in task exited", crashed=lambda c: c.image == failure.image)
        return
    if failure.kind == "pull":
        reason = f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {failure.image}: not found"
    else:
        reason = ecs_logs.MISSING_GROUP_REASON
    task.stop("TaskFailedToStart", reason, reason)


def _config(service):
    config = getattr(service, "deployment_configuration", None) or {}
    breaker = config.get("deploymentCircuitBreaker") or {}
    return bool(breaker.get("enable")), bool(breaker.get("rollback"))


def _daemon_desired(backend, service):
    """A DAEMON service wants a task on each ACTIVE instance its memberOf constraints allow."""
    cluster = backend.clusters.get(service.cluster_name)
    if cluster is None:
        return 0
    member_of = [c for c in _constraints(backend, service, service.task_definition) if c.get("type") == "memberOf"]
    return sum(
        1 for h in ecs_hosts.hosts(backend, cluster, tasks=[])
        if h.status == "ACTIVE" and all(ecs_placement.matches(c.get("expression") or "", h) for c in member_of)
    )


def _start(backend, service, network=None, rollback=None, at=None):
    """A new PRIMARY deployment of the service's task definition; the previous ones become ACTIVE.
    It is a new service deployment (`ecs_deployments`), or with `rollback` = (service deployment,
    revision ARN, reason) that deployment's rollback."""
    desired = _daemon_desired(backend, service) if service.scheduling_strategy == "DAEMON" else service.desired_count
    now = clock() if at is None else at  # `at`: when it is due, however much later a call first sees it
    rollout = Rollout(service, service.task_definition, desired, network, now)
    rollout.targets = _targets(service)
    previous = state_of(backend).rollouts.setdefault(service.arn, [])
    for old in previous:
        old.status = "ACTIVE"
        old.drain_at = None
    previous.insert(0, rollout)
    deployment = ecs_deployments.started(backend, service, rollout, rollback)
    if rollback is None and ecs_strategies.applies(service, deployment):
        ecs_strategies.begin(backend, service, deployment, rollout, previous[1:])
        _publish(backend, service)
        return rollout
    rollout.pending = 0
    _fill(backend, service, previous, now)
    _report_unplaced(backend, service, now)
    _publish(backend, service)
    return rollout


start = _start


def _targets(service):
    """(target group, container name, container port) of the service's load balancers."""
    return [
        (lb["targetGroupArn"], lb.get("containerName"), lb.get("containerPort"))
        for lb in (service.load_balancers or [])
        if lb.get("targetGroupArn")
    ]


def failure_threshold(desired):
    return min(200, max(3, math.ceil(desired * 0.5)))


def tick(backend, service):
    """Moves the service's deployments to where they are by now: counts, tasks, events, rollout state."""
    state = state_of(backend)
    rollouts = state.rollouts.get(service.arn)
    if not rollouts or service.status != "ACTIVE":
        return
    ecs_deployments.advance(backend, service)
    rollouts = state.rollouts.get(service.arn)
    now = clock()
    primary = rollouts[0]
    if primary.frozen:  # stopped with ABORT (or about to roll back): nothing moves
        _publish(backend, service)
        return
    if ecs_strategies.tick(backend, service, now):  # BLUE_GREEN, LINEAR, CANARY: their stages
        _report_unplaced(backend, service, now)
        _publish(backend, service)
        return
    if service.scheduling_strategy == "DAEMON":
        primary.desired = _daemon_desired(backend, service)
        service.desired_count = primary.desired
    else:
        primary.desired = service.desired_count
    if primary.failure and _fail(backend, service, rollouts, now):
        return tick(backend, service)  # rolled back: the new PRIMARY moves on from here
    if not primary.failure:
        _rounds(backend, service, rollouts, now)
        if primary.failure and _fail(backend, service, rollouts, now):
            return tick(backend, service)
    _report_unplaced(backend, service, now)
    _publish(backend, service)


def _percent(service, name, default):
    config = getattr(service, "deployment_configuration", None) or {}
    value = config.get(name)
    return default if value is None else value


def _stop_all(service, tasks, reason):
    for task in tasks:
        task.stop("ServiceSchedulerInitiated", reason)
    if tasks:
        _event(service, f"has stopped {len(tasks)} running tasks: {_task_ids(tasks)}.")


def _fill(backend, service, rollouts, at):
    """The PRIMARY deployment starts the tasks it lacks, within maximumPercent of the desired count
    (PENDING and RUNNING tasks of every deployment count), where placement finds room. When the
    room is short (the maximum, or no instance fits), older deployments' tasks are stopped to make
    some, down to minimumHealthyPercent of the desired count (RUNNING tasks count; an older
    deployment's PENDING ones go first), and only those on an instance the task could use once
    they are gone. Returns the tasks started."""
    primary, older = rollouts[0], rollouts[1:]
    missing = primary.desired - len(_live(primary))
    if missing <= 0 or primary.failure or primary.frozen:
        primary.unplaced, primary.unplaced_why = 0, None
        return []
    daemon = service.scheduling_strategy == "DAEMON"
    cap = math.floor(primary.desired * _percent(service, "maximumPercent", 100 if daemon else 200) / 100)
    total = lambda: sum(len(_live(r)) for r in rollouts)  # noqa: E731
    placed = _place(backend, service, primary, min(missing, max(0, cap - total())), at)
    short = missing - len(placed)
    if short > 0:
        floor = math.ceil(primary.desired * _percent(service, "minimumHealthyPercent", 0 if daemon else 100) / 100)
        running = sum(1 for r in rollouts for t in _live(r) if t.last_status == "RUNNING")
        candidates = [t for r in older if not r.kept for t in _live(r) if _room_behind(backend, service, primary, t)]
        candidates.sort(key=lambda t: t.last_status == "RUNNING")  # PENDING ones first
        victims = []
        for task in candidates:
            if len(victims) == short:
                break
            if task.last_status == "RUNNING":
                if running - 1 < floor:
                    continue
                running -= 1
            victims.append(task)
        if victims:
            _stop_all(service, victims, f"Scaling activity initiated by (deployment {primary.id})")
            for r in older:
                _recount(r)
            placed += _place(backend, service, primary, min(short, max(0, cap - total())), at)
    primary.unplaced = missing - len(placed) if primary.unplaced_why is not None else 0
    if placed:
        _event(service, f"has started {len(placed)} tasks: {_task_ids(placed)}.")
    _recount(primary)
    return placed


def _room_behind(backend, service, primary, task):
    """Whether stopping `task` can make room for one of the PRIMARY's: its instance could hold
    that task once emptied (or there is no instance to place on)."""
    if task.container_instance_arn is None or _fargate(service):
        return True
    instance = backend.container_instances.get(service.cluster_name, {}).get(task.container_instance_arn.split("/")[-1])
    if instance is None or instance.status != "ACTIVE":
        return False
    demand = ecs_hosts.Demands(backend)(primary.task_definition)
    empty = ecs_hosts.hosts(backend, backend.clusters[service.cluster_name], tasks=[])
    host = next((h for h in empty if h.arn == task.container_instance_arn), None)
    member_of = [c for c in _constraints(backend, service, primary.task_definition) if c.get("type") == "memberOf"]
    return host is not None and host.first_failure(demand, member_of, "")[1] is None


def _rounds(backend, service, rollouts, now):
    """The scheduler's rounds due by `now`, one per STEP since the PRIMARY deployment started."""
    primary = rollouts[0]
    last = int((now - primary.started) / STEP + 1e-9)
    while primary.round < last:
        primary.round += 1
        changed = _round(backend, service, rollouts, primary.round, primary.started + primary.round * STEP)
        if primary.failure:
            return
        quiet = not changed and not any(t.last_status == "PENDING" for r in rollouts for t in _live(r))
        if quiet and (primary.state != "IN_PROGRESS" or primary.settled is None):
            primary.round = last  # the rounds to come would find the same: skip to now


def _round(backend, service, rollouts, k, at):
    """One round at `at`: tasks placed a round ago run; the PRIMARY's tasks beyond its desired
    count stop; older deployments' tasks stop as healthy new ones replace them; the PRIMARY starts
    what it lacks (`_fill`); older deployments left with no task leave; the deployment is COMPLETED
    a round after it is whole (and no sooner than 3 STEPs after it began). Returns whether
    anything changed."""
    primary, changed = rollouts[0], False
    for rollout in rollouts:
        if rollout.frozen or (rollout.failure and rollout is not primary):
            continue
        ready = [t for t in _live(rollout) if t.last_status == "PENDING" and t.placed_at is not None and t.placed_at <= at - STEP / 2]
        if ready and rollout is primary and not primary.startable:
            primary.failure = start_failure(backend, primary.task_definition)
            if primary.failure:
                primary.cycles = k - 1  # `_fail` makes this round its first failed attempt
                return True
            primary.startable = True
        for task in ready:
            task.run()
            task.ran_at = at
            changed = True
        _recount(rollout)
    live = _live(primary)
    if len(live) > primary.desired:
        surplus = sorted(live, key=lambda t: (t.last_status == "RUNNING", -(t.placed_at or 0)))[: len(live) - primary.desired]
        _stop_all(service, surplus, f"Scaling activity initiated by (service {service.name})")
        _recount(primary)
        changed = True
    older = rollouts[1:]
    old_live = [t for r in older if not r.kept for t in _live(r)]
    healthy = sum(1 for t in _live(primary) if t.last_status == "RUNNING" and t.ran_at is not None and t.ran_at <= at - STEP / 2)
    excess = min(len(old_live), healthy + len(old_live) - primary.desired)
    if excess > 0:
        old_live.sort(key=lambda t: t.last_status == "RUNNING")
        _stop_all(service, old_live[:excess], f"Scaling activity initiated by (deployment {primary.id})")
        changed = True
    for r in older:
        _recount(r)
    if _fill(backend, service, rollouts, at):
        changed = True
    gone = [r for r in older if not _live(r) and not r.kept]
    if gone:
        state = state_of(backend)
        state.retired.setdefault(service.arn, []).extend(gone)
        rollouts[:] = [r for r in rollouts if r not in gone]
        changed = True
    whole = primary.running == primary.desired and primary.pending == 0 and len(rollouts) == 1
    if not whole:
        primary.settled = None
    elif primary.settled is None:
        primary.settled = k
    if whole and primary.state == "IN_PROGRESS" and k >= 3 and primary.settled < k:
        primary.state = "COMPLETED"
        primary.reason = f"ECS deployment {primary.id} completed."
        primary.updated_at = utcnow()
        _event(service, f"(deployment {primary.id}) deployment completed.")
        _event(service, "has reached a steady state.")
        changed = True
    if changed:
        primary.updated_at = utcnow()
    return changed


def _report_unplaced(backend, service, now):
    """ECS's "unable to place a task" event while the PRIMARY deployment has tasks no instance can
    take: at once, then again every UNPLACED_EVENT_STEPS STEPs while the cause stays the same (ECS
    omits repeats of an identical service event; its guide says until the cause is resolved or six
    hours pass — shortened here so a learner sees the scheduler keep trying). A different cause is
    written at once; a cause resolved forgets the last one."""
    state = state_of(backend)
    rollouts = state.rollouts.get(service.arn) or []
    primary = rollouts[0] if rollouts else None
    if primary is None or not primary.unplaced or primary.unplaced_why is None:
        state.unplaced.pop(service.arn, None)
        return
    message = primary.unplaced_why.event(service.name)
    last = state.unplaced.get(service.arn)
    if last is None or last[0] != message or now - last[1] >= UNPLACED_EVENT_STEPS * STEP - 1e-9:
        service.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": utcnow(), "message": message})
        del service.events[100:]
        state.unplaced[service.arn] = (message, now)


def _fail(backend, service, rollouts, now):
    """The failing PRIMARY's attempts up to now, one every STEP: its pending tasks fail to start and
    new ones are started, until the circuit breaker trips. Before each attempt the cause is looked
    at again; once it is gone (a log group created meanwhile), that attempt's tasks start as a new
    deployment's do one STEP after it began, and `failure` is None again. Returns True when the
    breaker rolled the service back (a new PRIMARY)."""
    primary = rollouts[0]
    cycles = int((now - primary.started) // STEP)
    while primary.cycles < cycles and primary.state == "IN_PROGRESS":
        primary.cycles += 1
        at = primary.started + primary.cycles * STEP
        primary.failure = start_failure(backend, primary.task_definition)
        if primary.failure is None:
            primary.started += (primary.cycles - 1) * STEP
            primary.round, primary.settled, primary.startable = 0, None, True
            return False
        failing = _live(primary)
        primary.failed += len(failing)  # a task that found no instance did not fail
        for task in failing:
            _stop_failing(task, primary.failure)
        primary.running, primary.pending = 0, primary.desired
        primary.updated_at = utcnow()
        _reconcile(backend, service, primary, at=at)
        fresh = _live(primary)
        if fresh:
            _event(service, f"has started {len(fresh)} tasks: {_task_ids(fresh)}.")
        breaker, rollback = _config(service)
        if breaker and primary.failed >= failure_threshold(primary.desired):
            primary.state = "FAILED"
            primary.reason = "ECS deployment circuit breaker: tasks failed to start."
            primary.pending = 0
            _reconcile(backend, service, primary, "ServiceSchedulerInitiated", f"Scaling activity initiated by (deployment {primary.id})")
            _event(service, f"(deployment {primary.id}) deployment failed: tasks failed to start.")
            good = next((r for r in rollouts[1:] if r.state == "COMPLETED"), None)
            deployment = state_of(backend).deployments.get(primary.deployment_arn)
            if deployment is not None and deployment.rollout is primary:
                deployment.breaker_tripped = True
            if rollback and good is not None:
                service.task_definition = good.task_definition
                undo = None
                if deployment is not None and deployment.rollout is primary:
                    undo = (deployment, good.revision_arn, "Circuit breaker initiated the rollback: tasks failed to start.")
                back = _start(backend, service, primary.network, rollback=undo, at=at)
                _event(service, f"(deployment {back.id}) rolling back to task definition {good.task_definition.split('/')[-1]}.")
                return True
    return False


def _scale(backend, service):
    """A new desired count: the PRIMARY deployment starts or stops tasks, no new deployment."""
    rollouts = state_of(backend).rollouts.get(service.arn)
    if not rollouts:
        return
    primary = rollouts[0]
    primary.desired = service.desired_count
    now = clock()
    _fill(backend, service, rollouts, now)  # more tasks start now; fewer stop one STEP from now
    primary.started, primary.round, primary.settled = now, 0, None
    primary.updated_at = utcnow()
    _report_unplaced(backend, service, now)


def _publish(backend, service):
    rollouts = state_of(backend).rollouts.get(service.arn, [])
    service.deployments = [r.as_dict() for r in rollouts]
    service.running_count = sum(r.running for r in rollouts)
    service.pending_count = sum(r.pending for r in rollouts)
    if rollouts:
        service.task_definition = rollouts[0].task_definition
    ecs_deployments.sync(backend, service)


def _keep(response, service):
    for param, attribute in KEPT.items():
        value = response._get_param(param)
        if value is not None:
            setattr(service, attribute, value)
    if not getattr(service, "deployment_configuration", None):
        daemon = service.scheduling_strategy == "DAEMON"
        service.deployment_configuration = {
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": 100 if daemon else 200,
            "minimumHealthyPercent": 0 if daemon else 100,
        }


def tick_all(backend):
    """Moves every service of this ECS backend (account and region) to where it is by now."""
    for service in list(backend.services.values()):
        tick(backend, service)


def live_tasks(backend, cluster):
    """The tasks of the cluster that are PENDING or RUNNING (the scheduler's and moto's own), its
    services ticked first."""
    for service in backend.services.values():
        if service.cluster_name == cluster.name:
            tick(backend, service)
    return ecs_hosts.live_tasks(backend, cluster)


def _security_groups_optional(original):
    """AWS takes an awsvpcConfiguration without securityGroups (the VPC's default group is used);
    moto's check crashes on it with a KeyError (an HTML 500)."""

    def validate_network(self, nc):
        config = (nc or {}).get("awsvpcConfiguration")
        if config is not None and "securityGroups" not in config:
            original(self, {**nc, "awsvpcConfiguration": {**config, "securityGroups": []}})
            return nc
        return original(self, nc)

    return validate_network


def _create_service(original):
    def create_service(self):
        ecs_strategies.validate(self._get_param("deploymentConfiguration"))
        result = original(self)
        service = self.ecs_backend._get_service(self._get_param("cluster", "default"), self._get_param("serviceName"))
        _keep(self, service)
        service.events = []
        _start(self.ecs_backend, service, self._get_param("networkConfiguration"))
        return result

    return create_service


def _update_service(original):
    def update_service(self):
        backend = self.ecs_backend
        cluster, name = self._get_param("cluster", "default"), self._get_param("service").split("/")[-1]
        ecs_strategies.validate(self._get_param("deploymentConfiguration"))
        before = backend._get_service(cluster, name)
        tick(backend, before)  # the deployments as they are by now decide, e.g. which one COMPLETED
        old_definition, old_desired = before.task_definition, before.desired_count
        result = original(self)
        service = backend._get_service(cluster, name)
        _keep(self, service)
        new_definition = self._get_param("taskDefinition")
        if new_definition:
            service.task_definition = backend.describe_task_definition(new_definition).arn
        if (new_definition and service.task_definition != old_definition) or self._get_param("forceNewDeployment"):
            network = self._get_param("networkConfiguration") or (service.deployments[0].get("networkConfiguration") if service.deployments else None)
            _start(backend, service, network)
        elif service.desired_count != old_desired:
            _scale(backend, service)
        _publish(backend, service)
        return result

    return update_service


def _describe_services(original):
    def describe_services(self, cluster_str, service_names_or_arns):
        services, failures = original(self, cluster_str, service_names_or_arns)
        for service in services:
            tick(self, service)
        return services, failures

    return describe_services


def _forgotten(task):
    """A task stopped longer ago than ECS keeps stopped tasks."""
    return task.last_status == "STOPPED" and task.stopped_clock is not None and clock() - task.stopped_clock > STOPPED_TASK_SECONDS


def _list_tasks(original):
    def list_tasks(self, cluster_str=None, container_instance=None, family=None, started_by=None, service_name=None, desiredStatus=None):
        found = [] if service_name else original(self, cluster_str, container_instance, family, started_by, service_name, desiredStatus)
        cluster = self._get_cluster(cluster_str or "default")
        state = state_of(self)
        for service in self.services.values():
            if service.cluster_name != cluster.name or (service_name and service.name != service_name.split("/")[-1]):
                continue
            tick(self, service)
            for rollout in state.rollouts.get(service.arn, []) + state.retired.get(service.arn, []):
                for task in rollout.tasks:
                    wanted = task.desired_status == (desiredStatus or "RUNNING") and (not started_by or task.started_by == started_by)
                    if wanted and not _forgotten(task):
                        found.append(task)
        return found

    return list_tasks


def _describe_tasks(original):
    def describe_tasks(self, cluster_str, tasks):
        known = state_of(self).tasks
        mine = [task for arn, task in known.items() if arn in tasks or task.id in tasks]
        ids = {t.task_arn for t in mine} | {t.id for t in mine}
        rest = [t for t in tasks if t not in ids]
        return (original(self, cluster_str, rest) if rest else []) + [t for t in mine if not _forgotten(t)]

    return describe_tasks


def _delete_service(original):
    def delete_service(self, cluster_name, service_name, force):
        service = self._get_service(cluster_name, service_name)
        result = original(self, cluster_name, service_name, force)
        state = state_of(self)
        for rollout in state.rollouts.pop(service.arn, []):
            rollout.running = rollout.pending = 0
            _reconcile(self, service, rollout, reason="Service deleted.")
            state.retired.setdefault(service.arn, []).append(rollout)
        ecs_deployments.service_deleted(self, service)
        return result

    return delete_service


def _locked(original):
    def call_action(self):
        with LOCK:
            return original(self)

    return call_action


def install():
    backend, response = EC2ContainerServiceBackend, EC2ContainerServiceResponse
    require(response, "_get_param", "(self, param_name, if_none=None)")
    require(backend, "_get_service", "(self, cluster_str, service_str)")
    require(backend, "_get_cluster", "(self, name)")
    require(backend, "describe_task_definition", "(self, task_definition_str)")
    patch(Service, "_validate_network", "(self, nc)", _security_groups_optional)
    patch(response, "call_action", "(self)", _locked)
    patch(response, "create_service", "(self)", _create_service)
    patch(response, "update_service", "(self)", _update_service)
    patch(backend, "describe_services", "(self, cluster_str, service_names_or_arns)", _describe_services)
    patch(
        backend,
        "list_tasks",
        "(self, cluster_str=None, container_instance=None, family=None, started_by=None, service_name=None, desiredStatus=None)",
        _list_tasks,
    )
    patch(backend, "describe_tasks", "(self, cluster_str, tasks)", _describe_tasks)
    patch(backend, "delete_service", "(self, cluster_name, service_name, force)", _delete_service)
