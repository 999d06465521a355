"""What the local ECS scheduler adds to moto's ECS, kept with moto's ECS backend of the account and
region (an attribute of the backend instance), so `POST /moto-api/reset`, which rebuilds every
backend, clears it with the rest, and accounts never see each other's tasks.

`LOCK` serializes every change to ECS state in the process: each ECS request holds it (its state
changes and the serialization of its answer, so a describe never sees a deployment COMPLETED without
the events written with it), and so does the instance agent when it registers or deregisters
container instances from an Auto Scaling request's thread, and the awslogs driver (`ecs_logs`) when
it writes a running task's lines before a CloudWatch Logs read.

`LISTENERS` hear a task's containers start and the task stop (`ecs_logs` writes their log lines
then, `elb_traffic` registers and deregisters targets, `loopback` opens and closes the task's
loopback HTTP listeners), with LOCK held, after the change: each has `started(task)` and
`stopped(task)`.
"""

import threading
import uuid

from moto.core.utils import utcnow

LOCK = threading.RLock()
LISTENERS = []

_ATTRIBUTE = "berth_ecs_scheduler"


class SchedulerState:
    """The scheduler's records for one ECS backend (account and region)."""

    def __init__(self):
        self.rollouts = {}  # service ARN -> [Rollout], PRIMARY first
        self.tasks = {}  # task ARN -> ServiceTask
        self.next_port = {}  # container instance ARN -> the next ephemeral host port to hand out
        self.retired = {}  # service ARN -> rollouts no longer deployed (their STOPPED tasks stay listed)
        self.deployments = {}  # service deployment ARN -> ecs_deployments.ServiceDeployment
        self.revisions = {}  # service revision ARN -> ecs_deployments.ServiceRevision
        self.unplaced = {}  # service ARN -> (the last "unable to place" event's message, when, on the clock)


def state_of(backend):
    """The scheduler's state of this ECS backend, created on first use; call with LOCK held."""
    state = getattr(backend, _ATTRIBUTE, None)
    if state is None:
        state = SchedulerState()
        setattr(backend, _ATTRIBUTE, state)
    return state


def current_state(backend):
    """The scheduler's state of this ECS backend, or None when it has none (yet, or since a reset
    rebuilt it); call with LOCK held."""
    return getattr(backend, _ATTRIBUTE, None)


class Rollout:
    def __init__(self, service, task_definition, desired, network, started):
        self.id = f"ecs-svc/{uuid.uuid4().int % 10**19:019d}"
        self.task_definition = task_definition
        self.desired = desired
        # Why its tasks can't start (ecs_scheduler.StartFailure), decided when its first tasks would
        # start and again at each failed attempt; None while they can (or before it is known).
        self.failure = None
        self.network = network
        self.started = started
        self.created_at = utcnow()
        self.updated_at = self.created_at
        self.status = "PRIMARY"
        self.state = "IN_PROGRESS"
        self.reason = f"ECS deployment {self.id} in progress."
        self.running = 0
        self.pending = desired
        self.failed = 0
        self.cycles = 0
        # The scheduler's rounds (one per STEP from `started`): the last one done, and the one since
        # which the deployment has been whole (all its tasks RUNNING, no older deployment left).
        self.round = 0
        self.settled = None
        self.startable = False  # its task definition's tasks were found able to start
        # Tasks it wants that no container instance could take at its last attempt, and why
        # (ecs_placement.Unplaced).
        self.unplaced = 0
        self.unplaced_why = None
        self.drain_at = None
        self.launch_type = service.launch_type
        self.tasks = []
        # The service deployment and service revision it belongs to (ecs_deployments); a rollback's
        # rollout has the revision it re-deploys and the deployment that rolls back.
        self.deployment_arn = None
        self.revision_arn = None
        # Stopped with stopType ABORT: its counts and tasks stay as they are.
        self.frozen = False
        # A blue/green strategy keeps the blue revision's tasks requested until CLEAN_UP.
        self.kept = False
        # The stages of a BLUE_GREEN / LINEAR / CANARY deployment this rollout is the green of.
        self.plan = None
        # (target group ARN, container name, container port) its tasks register in (elb_traffic).
        self.targets = []

    def as_dict(self):
        return {
            "id": self.id,
            "status": self.status,
            "taskDefinition": self.task_definition,
            "desiredCount": self.desired,
            "pendingCount": self.pending,
            "runningCount": self.running,
            "failedTasks": self.failed,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "launchType": self.launch_type,
            "rolloutState": self.state,
            "rolloutStateReason": self.reason,
            "networkConfiguration": self.network,
        }


# The ephemeral host ports ECS hands out for `hostPort: 0` in bridge mode (the agent's default
# range, ECS_DYNAMIC_HOST_PORT_RANGE) — what "Open" and a task's page show.
EPHEMERAL_PORTS = (32768, 61000)


class TaskContainer:
    """A container of a service's task, as DescribeTasks reports it: why a task stopped is often
    only here (a pull error's reason, an exit code), and where it answers (its network bindings,
    container port -> host port, in bridge and host network modes)."""

    def __init__(self, task_arn, definition):
        self.container_arn = f"{task_arn}/{uuid.uuid4()}"
        self.task_arn = task_arn
        self.name = definition.get("name")
        self.image = definition.get("image")
        self.log_configuration = definition.get("logConfiguration") or {}
        self.runtime_id = None  # the Docker container's id, once created
        self.last_status = "PENDING"
        self.exit_code = None
        self.reason = None
        self.health_status = "UNKNOWN"
        self.network_interfaces = []
        self.network_bindings = []
        self.port_mappings = definition.get("portMappings") or []

    def create(self):
        """Docker creates the container: it gets its id (DescribeTasks' runtimeId; the awslogs
        stream's name when there is no stream prefix)."""
        if self.runtime_id is None:
            self.runtime_id = uuid.uuid4().hex + uuid.uuid4().hex

    def bind(self, network_mode, next_port):
        """The bindings a RUNNING container has: host mode maps each port to itself; bridge mode
        to the mapping's hostPort, or one from the ephemeral range when it is 0 or absent; awsvpc
        has none (the task's ENI has the ports)."""
        if network_mode not in ("bridge", "host"):
            return
        for mapping in self.port_mappings:
            container_port = mapping.get("containerPort")
            if container_port is None:
                continue
            host_port = container_port if network_mode == "host" else (mapping.get("hostPort") or next_port())
            self.network_bindings.append({
                "bindIP": "0.0.0.0",
                "containerPort": container_port,
                "hostPort": host_port,
                "protocol": mapping.get("protocol") or "tcp",
            })


class ServiceTask:
    """A task of a service, with the attributes moto's serializer reads for DescribeTasks."""

    def __init__(self, backend, service, rollout, instance_arn):
        self.id = uuid.uuid4().hex
        self.account_id, self.region = backend.account_id, backend.region_name
        self.cluster_arn = service.cluster_arn
        self.task_arn = f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:task/{service.cluster_name}/{self.id}"
        self.task_definition_arn = rollout.task_definition
        self.container_instance_arn = instance_arn
        self.service_arn = service.arn
        self.group = f"service:{service.name}"
        self.started_by = rollout.id
        self.targets = list(rollout.targets)  # (target group ARN, container, port): elb_traffic
        # awsvpc: the task's ENI address, what an `ip` target group registers (one per task).
        self.private_ip = f"10.0.{int(self.id[:4], 16) % 250 + 1}.{int(self.id[4:8], 16) % 250 + 2}"
        self.launch_type = service.launch_type
        self.last_status = "PENDING"
        self.desired_status = "RUNNING"
        self.health_status = "UNKNOWN"
        try:
            definition = backend.describe_task_definition(rollout.task_definition)
            self.checks_health = any(c.get("healthCheck") for c in definition.container_definitions)
            containers = definition.container_definitions
            # ECS's default on EC2 is bridge.
            self.network_mode = definition.network_mode or "bridge"
        except Exception:
            self.checks_health = False
            containers = []
            self.network_mode = "bridge"
        self.availability_zone = _zone_of(backend, service.cluster_name, instance_arn)
        self._ports = state_of(backend).next_port
        self.created_at = utcnow()
        self.started_at = None
        self.stopped_at = None
        self.stopped_clock = None  # on the scheduler's clock: ECS forgets a stopped task after an hour
        self.placed_at = None  # on the scheduler's clock: when it was placed (PENDING), and when it ran
        self.ran_at = None
        self.stopped_reason = None
        self.stop_code = None
        self.tags = []
        self.containers = [TaskContainer(self.task_arn, c) for c in containers]
        self.overrides = {}
        self.attachments = []
        self.version = 1

    def run(self):
        if self.last_status == "PENDING":
            self.last_status, self.started_at = "RUNNING", utcnow()
            self.health_status = "HEALTHY" if self.checks_health else "UNKNOWN"
            for container in self.containers:
                container.create()
                container.last_status = "RUNNING"
                container.bind(self.network_mode, self._next_port)
            for listener in LISTENERS:
                listener.started(self)

    def _next_port(self):
        port = self._ports.get(self.container_instance_arn, EPHEMERAL_PORTS[0])
        self._ports[self.container_instance_arn] = EPHEMERAL_PORTS[0] if port >= EPHEMERAL_PORTS[1] else port + 1
        return port

    def stop(self, code, reason, container_reason=None, crashed=None):
        """`container_reason`: the error ECS puts on each container of a task that failed to start
        (the image's pull, the logging driver's start); such a container was never created (no
        runtimeId, no exit code). A container that ran and was stopped exits 0 (ECS's stop signal,
        handled). `crashed`: for a task whose essential container exited on its own, which
        containers exited 1 (the task ran, so the others were stopped and exit 0)."""
        if self.desired_status != "STOPPED":
            ran = self.last_status == "RUNNING" or crashed is not None
            self.desired_status = self.last_status = "STOPPED"
            self.stopped_at, self.stop_code, self.stopped_reason = utcnow(), code, reason
            if crashed and self.started_at is None:
                self.started_at = utcnow()
            from . import ecs_scheduler  # the clock tests replace; imported here (it imports this module)

            self.stopped_clock = ecs_scheduler.clock()
            self.health_status = "UNKNOWN"
            for container in self.containers:
                if ran:
                    container.create()
                container.last_status = "STOPPED"
                container.reason = container_reason
                container.exit_code = (1 if crashed(container) else 0) if crashed else (0 if ran else None)
                container.network_bindings = []
            for listener in LISTENERS:
                listener.stopped(self)


def _zone_of(backend, cluster, instance_arn):
    """The availability zone of the container instance a task runs on, as ECS reports it."""
    for instance in backend.container_instances.get(cluster, {}).values():
        if instance.container_instance_arn == instance_arn:
            return instance.attributes.get("ecs.availability-zone")
    return None
