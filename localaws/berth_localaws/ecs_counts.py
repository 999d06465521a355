"""Cluster and container instance figures from the tasks that really exist. moto keeps counters of
its own (create_service adds the desired count as pending, update_service as running, nothing
follows a rollout), so DescribeClusters and DescribeContainerInstances are answered from the
scheduler's tasks (and moto's own RunTask tasks) instead:

- a cluster's runningTasksCount / pendingTasksCount count its RUNNING / PENDING tasks, and
  activeServicesCount its ACTIVE services;
- a container instance's runningTasksCount / pendingTasksCount count the tasks placed on it, and its
  remaining CPU and memory are what it registered minus what those tasks reserve (the task-level
  cpu / memory when set, else the sum of the containers' cpu and memory or memoryReservation, as ECS
  reserves them).

The local scheduler spreads a service's tasks over the instances without checking that they fit
(real ECS would refuse to place a task that needs more CPU, memory or host ports than an instance
has left; the lab's 4 nginx tasks on 2 t2.micro are such a case). Remaining figures therefore stop
at zero rather than going negative.
"""

from moto.ecs.models import EC2ContainerServiceBackend

from . import ecs_scheduler
from .patching import patch, require


def _number(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


def _reserved(backend, task_definition_arn, cache):
    """(cpu units, MiB) a task of this definition reserves on its instance."""
    if task_definition_arn not in cache:
        try:
            definition = backend.describe_task_definition(task_definition_arn)
        except Exception:
            cache[task_definition_arn] = (0, 0)
        else:
            containers = definition.container_definitions
            cpu = _number(definition.cpu) if definition.cpu else sum(_number(c.get("cpu", 0)) for c in containers)
            memory = (
                _number(definition.memory)
                if definition.memory
                else sum(_number(c.get("memory") or c.get("memoryReservation") or 0) for c in containers)
            )
            cache[task_definition_arn] = (cpu, memory)
    return cache[task_definition_arn]


def _live_tasks(backend, cluster):
    """Every task of the cluster that is PENDING or RUNNING: the scheduler's, then moto's own."""
    ours = ecs_scheduler.live_tasks(backend, cluster)
    theirs = [t for t in backend.tasks.get(cluster.name, {}).values() if t.last_status in ("PENDING", "RUNNING")]
    return ours + theirs


def _count_cluster(backend, cluster):
    live = _live_tasks(backend, cluster)
    cluster.running_tasks_count = sum(1 for t in live if t.last_status == "RUNNING")
    cluster.pending_tasks_count = sum(1 for t in live if t.last_status == "PENDING")
    cluster.active_services_count = sum(
        1 for s in backend.services.values() if s.cluster_name == cluster.name and s.status == "ACTIVE"
    )


def _count_instances(backend, cluster, instances):
    live = _live_tasks(backend, cluster)
    cache = {}
    for instance in instances:
        placed = [t for t in live if t.container_instance_arn == instance.container_instance_arn]
        instance.running_tasks_count = sum(1 for t in placed if t.last_status == "RUNNING")
        instance.pending_tasks_count = sum(1 for t in placed if t.last_status == "PENDING")
        reserved = [_reserved(backend, t.task_definition_arn, cache) for t in placed]
        used_by = {"CPU": sum(cpu for cpu, _ in reserved), "MEMORY": sum(memory for _, memory in reserved)}
        registered = {r["name"]: r for r in instance.registered_resources}
        for resource in instance.remaining_resources:
            used = used_by.get(resource["name"])
            if used is not None and resource["name"] in registered:
                resource["integerValue"] = max(0, registered[resource["name"]]["integerValue"] - used)


def _counted_clusters(original):
    def describe_clusters(self, cluster_names):
        clusters, failures = original(self, cluster_names)
        for cluster in clusters:
            _count_cluster(self, cluster)
        return clusters, failures

    return describe_clusters


def _counted_instances(original):
    def describe_container_instances(self, cluster_str, list_container_instance_ids):
        instances, failures = original(self, cluster_str, list_container_instance_ids)
        _count_instances(self, self._get_cluster(cluster_str), instances)
        return instances, failures

    return describe_container_instances


def install():
    backend = EC2ContainerServiceBackend
    require(backend, "_get_cluster", "(self, name)")
    patch(backend, "describe_clusters", "(self, cluster_names)", _counted_clusters)
    patch(
        backend,
        "describe_container_instances",
        "(self, cluster_str, list_container_instance_ids)",
        _counted_instances,
    )
