"""The container instances of a cluster as placement sees them (`ecs_placement.Host`), from the
tasks that really exist: the scheduler's service tasks and moto's own RunTask / StartTask tasks.
A task that is PENDING or RUNNING (its desired status not STOPPED) holds its CPU, memory and static
host ports on its instance; a stopped one holds nothing. Call with `ecs_state.LOCK` held."""

from . import ecs_placement
from .ecs_state import state_of


def live_tasks(backend, cluster):
    """Every task of the cluster that is PENDING or RUNNING: the scheduler's, then moto's own.
    (It does not move the scheduler on: see `ecs_scheduler.live_tasks` for that.)"""
    ours = [t for t in state_of(backend).tasks.values() if t.cluster_arn == cluster.arn and t.desired_status == "RUNNING"]
    theirs = [
        t for t in backend.tasks.get(cluster.name, {}).values()
        if t.last_status in ("PENDING", "RUNNING") and getattr(t, "desired_status", "RUNNING") != "STOPPED"
    ]
    return ours + theirs


class Demands:
    """Task definition ARN -> Demand, read once per use."""

    def __init__(self, backend):
        self.backend, self.known = backend, {}

    def __call__(self, arn):
        if arn not in self.known:
            try:
                definition = self.backend.describe_task_definition(arn)
            except Exception:
                definition = None
            self.known[arn] = ecs_placement.demand_of(definition)
        return self.known[arn]


def _registered(instance, name):
    return next((r.get("integerValue", 0) for r in instance.registered_resources if r["name"] == name), 0)


def hosts(backend, cluster, demands=None, tasks=None):
    """Every container instance of the cluster (ACTIVE or not) with what its live tasks hold."""
    demands = demands or Demands(backend)
    found = []
    by_arn = {}
    for instance in backend.container_instances.get(cluster.name, {}).values():
        host = ecs_placement.Host(
            instance.container_instance_arn, instance.ec2_instance_id, instance.attributes,
            _registered(instance, "CPU"), _registered(instance, "MEMORY"),
            status=instance.status, agent_connected=getattr(instance, "agent_connected", True),
        )
        found.append(host)
        by_arn[host.arn] = host
    for task in live_tasks(backend, cluster) if tasks is None else tasks:
        host = by_arn.get(getattr(task, "container_instance_arn", None))
        if host is not None:
            host.hold(demands(task.task_definition_arn), getattr(task, "group", "") or "")
    return found
