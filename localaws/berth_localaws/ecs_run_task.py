"""RunTask and StartTask placing as ECS does. moto's RunTask fills the instances in order with its
own arithmetic (its remainingResources, which the scheduler's tasks never touch) and ignores
placement constraints and strategies; its StartTask starts wherever it is told, room or not. Here:

- RunTask places each of its `count` tasks like a service's (`ecs_placement`): the request's
  `placementConstraints` with the task definition's memberOf ones, its `placementStrategy` (ECS's
  default spread over zones then instances when none), on the cluster's ACTIVE instances with the
  room its PENDING and RUNNING tasks — the services' too — leave. The tasks that can't be placed
  are not started; `failures` then lists each ACTIVE instance with ECS's reason for it
  (RESOURCE:CPU, RESOURCE:MEMORY, RESOURCE:PORTS, "MemberOf placement constraint unsatisfied.",
  "DistinctInstance placement constraint unsatisfied."). With no ACTIVE instance at all it is
  ECS's InvalidParameterException "No Container Instances were found in your cluster.".
  Fargate (and EXTERNAL) tasks are moto's as before.
- StartTask starts one task on each instance named when it fits there (the task definition's
  memberOf constraints and the room left), else lists that instance in `failures` with its reason.
"""

from moto.core.responses import ActionResult
from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import Task
from moto.ecs.responses import EC2ContainerServiceResponse

from . import ecs_hosts, ecs_placement, ecs_scheduler
from .patching import patch, require

_FARGATE = ("FARGATE", "FARGATE_SPOT")


def _member_of(definition):
    return [c for c in (definition.placement_constraints or []) if c.get("type") == "memberOf"]


def _task(response, backend, cluster, definition, host, group, launch_type, capacity_provider):
    task = Task(
        cluster, definition, host.arn, backend._calculate_task_resource_requirements(definition),
        backend=backend, group=group, overrides=response._get_param("overrides") or {},
        started_by=response._get_param("startedBy") or "", tags=response._get_param("tags") or [],
        launch_type=launch_type or "", networking_configuration=response._get_param("networkConfiguration"),
        capacity_provider_name=capacity_provider,
    )
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
    return task


def _failures(why):
    return [{"arn": host.arn, "reason": ecs_placement.API_REASONS[code]} for host, code in why.reasons]


def _run_task(original):
    def run_task(self):
        backend = self.ecs_backend
        launch_type = self._get_param("launchType")
        strategy = self._get_param("capacityProviderStrategy")
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        if not launch_type and not strategy:
            strategy = cluster.default_capacity_provider_strategy
        provider = strategy[0]["capacityProvider"] if strategy else None
        if launch_type in ("FARGATE", "EXTERNAL") or provider in _FARGATE or launch_type not in (None, "EC2"):
            return original(self)  # moto's checks and Fargate tasks
        if self._get_param("launchType") and self._get_param("capacityProviderStrategy"):
            return original(self)  # moto refuses it as ECS does
        definition = backend.describe_task_definition(self._get_param("taskDefinition"))
        live = ecs_scheduler.live_tasks(backend, cluster)  # the services moved on to now first
        demands = ecs_hosts.Demands(backend)
        hosts = ecs_hosts.hosts(backend, cluster, demands, tasks=live)
        if not any(h.status == "ACTIVE" for h in hosts):
            raise InvalidParameterException("No Container Instances were found in your cluster.")
        demand = demands(definition.arn)
        group = self._get_param("group") or f"family:{definition.family}"
        constraints = list(self._get_param("placementConstraints") or []) + _member_of(definition)
        strategies = self._get_param("placementStrategy") or []
        tasks, why = [], None
        for _ in range(self._get_int_param("count", 1)):
            host, why = ecs_placement.choose(demand, hosts, constraints, strategies, group)
            if host is None:
                break
            host.hold(demand, group)
            tasks.append(_task(self, backend, cluster, definition, host, group, launch_type, provider))
        return ActionResult({"tasks": tasks, "failures": _failures(why) if why else []})

    return run_task


def _start_task(original):
    def start_task(self):
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        named = self._get_param("containerInstances") or []
        if not named:
            return original(self)  # moto's "Container Instances cannot be empty."
        definition = backend.describe_task_definition(self._get_param("taskDefinition"))
        live = ecs_scheduler.live_tasks(backend, cluster)
        demands = ecs_hosts.Demands(backend)
        by_id = {h.id: h for h in ecs_hosts.hosts(backend, cluster, demands, tasks=live)}
        demand = demands(definition.arn)
        group = self._get_param("group") or f"family:{definition.family}"
        tasks, failures = [], []
        for name in named:
            host = by_id.get(name.split("/")[-1])
            if host is None or host.status != "ACTIVE":
                failures.append({"arn": name, "reason": "MISSING" if host is None else "INACTIVE"})
                continue
            _, code = host.first_failure(demand, _member_of(definition), group)
            if code is not None:
                failures.append({"arn": host.arn, "reason": ecs_placement.API_REASONS[code]})
                continue
            host.hold(demand, group)
            tasks.append(_task(self, backend, cluster, definition, host, group, "EC2", None))
        return ActionResult({"tasks": tasks, "failures": failures})

    return start_task


def install():
    from moto.ecs.models import EC2ContainerServiceBackend

    require(EC2ContainerServiceBackend, "_calculate_task_resource_requirements", "(task_definition)")
    require(EC2ContainerServiceResponse, "_get_int_param", "(self, param_name, if_none=None)")
    patch(EC2ContainerServiceResponse, "run_task", "(self)", _run_task)
    patch(EC2ContainerServiceResponse, "start_task", "(self)", _start_task)
