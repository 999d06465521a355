"""Cluster and container instance figures from the tasks that really exist. moto keeps counters of
its own (create_service adds the desired count as pending, update_service as running, RunTask
subtracts from remainingResources and nothing gives it back when the scheduler's tasks stop), so
DescribeClusters and DescribeContainerInstances are answered from the scheduler's tasks (and moto's
own RunTask / StartTask tasks) instead:

- a cluster's runningTasksCount / pendingTasksCount count its RUNNING / PENDING tasks, and
  activeServicesCount its ACTIVE services;
- a container instance's runningTasksCount / pendingTasksCount count the tasks placed on it, and its
  remainingResources are what it registered minus what those tasks hold, as placement reckons it
  (`ecs_hosts`, `ecs_placement`: the one mechanism): CPU and MEMORY (the task-level cpu / memory
  when set, else the sum of the containers' cpu and memory or memoryReservation), PORTS (the
  agent's reserved 22, 2375, 2376, 51678, 51679 and the static TCP host ports in use) and PORTS_UDP.
  Placement (services, RunTask, StartTask) never overcommits an instance; the figures would stop
  at zero if it did.
"""

from moto.ecs.models import EC2ContainerServiceBackend

from . import ecs_hosts, ecs_scheduler
from .patching import patch, require


def _count_cluster(backend, cluster):
    live = ecs_scheduler.live_tasks(backend, cluster)
    cluster.running_tasks_count = sum(1 for t in live if t.last_status == "RUNNING")
    cluster.pending_tasks_count = sum(1 for t in live if t.last_status == "PENDING")
    cluster.active_services_count = sum(
        1 for s in backend.services.values() if s.cluster_name == cluster.name and s.status == "ACTIVE"
    )


def _port_order(port):
    return (0, int(port)) if port.isdigit() else (1, port)


def _count_instances(backend, cluster, instances):
    live = ecs_scheduler.live_tasks(backend, cluster)
    by_arn = {h.arn: h for h in ecs_hosts.hosts(backend, cluster, tasks=live)}
    for instance in instances:
        placed = [t for t in live if t.container_instance_arn == instance.container_instance_arn]
        instance.running_tasks_count = sum(1 for t in placed if t.last_status == "RUNNING")
        instance.pending_tasks_count = sum(1 for t in placed if t.last_status == "PENDING")
        host = by_arn.get(instance.container_instance_arn)
        if host is None:
            continue
        left = {
            "CPU": host.cpu_left,
            "MEMORY": host.memory_left,
            "PORTS": sorted(host.ports, key=_port_order),
            "PORTS_UDP": sorted(host.udp, key=_port_order),
        }
        for resource in instance.remaining_resources:
            value = left.get(resource["name"])
            if value is None:
                continue
            if resource.get("type") == "STRINGSET":
                resource["stringSetValue"] = value
            else:
                resource["integerValue"] = value


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
