"""The ECS agent, as far as Berth can see it, and Auto Scaling's balance over zones.

- Running EC2 instances (those an Auto Scaling group launches, or any other) whose user data names
  a cluster (`ECS_CLUSTER=name` in /etc/ecs/ecs.config, as the ECS-optimized AMI reads it) register
  as that cluster's container instances, with their type's CPU and memory (moto would report 4096
  CPU units and 7482 MiB for any instance); when they terminate, they leave. Plain moto launches
  the instances but nothing joins a cluster.
- moto launches all of a group's instances in its first subnet; AWS balances them over the group's
  subnets (so over availability zones). Here each new instance goes to the subnet with the fewest
  of the group's running instances.

Registration changes ECS state from an Auto Scaling request's thread, so it holds the scheduler's
lock (`ecs_state.LOCK`), as every ECS request does.
"""

import base64
import re

from moto.autoscaling.models import FakeAutoScalingGroup, AutoScalingBackend
from moto.ec2.models import EC2Backend, ec2_backends
from moto.ecs.models import EC2ContainerServiceBackend, ecs_backends

from .ecs_state import LOCK
from .patching import patch, require

_CLUSTER = re.compile(r"ECS_CLUSTER=([A-Za-z0-9_-]+)")

# vCPUs and the memory (MiB) the ECS agent registers on the ECS-optimized AMI.
_SIZES = {
    "t2.micro": (1, 982), "t2.small": (1, 1993), "t2.medium": (2, 3943), "t2.large": (2, 7966),
    "t3.micro": (2, 943), "t3.small": (2, 1939), "t3.medium": (2, 3920), "t3.large": (2, 7860),
    "t3a.micro": (2, 943), "t3a.small": (2, 1939), "t3a.medium": (2, 3920),
    "m5.large": (2, 7680), "m5.xlarge": (4, 15576), "c5.large": (2, 3711), "r5.large": (2, 15716),
}


def _cluster_of(instance):
    data = instance.user_data
    if isinstance(data, list):
        data = data[0] if data else None
    if data is None:
        return None
    try:
        text = data.decode() if hasattr(data, "decode") and not isinstance(data, bytes) else base64.b64decode(data).decode()
    except Exception:
        return None
    found = _CLUSTER.search(text)
    return found.group(1) if found else None


def _resources(instance_type):
    vcpus, memory = _SIZES.get(instance_type, (2, 3920))
    return {"CPU": vcpus * 1024, "MEMORY": memory}


def sync(account_id, region):
    """Registers running ASG instances that name a cluster; deregisters instances that are gone."""
    with LOCK:
        _sync(ecs_backends[account_id][region], ec2_backends[account_id][region])


def _sync(ecs, ec2):
    registered = {
        ci.ec2_instance_id: (cluster, ci_id)
        for cluster, instances in ecs.container_instances.items()
        for ci_id, ci in instances.items()
    }
    for instance in ec2.all_instances():
        if instance.state != "running":
            continue
        cluster = _cluster_of(instance)
        if cluster is None or cluster not in ecs.clusters or instance.id in registered:
            continue
        ci = ecs.register_container_instance(cluster, instance.id)
        for resource in ci.registered_resources + ci.remaining_resources:
            if resource["name"] in ("CPU", "MEMORY"):
                resource["integerValue"] = _resources(instance.instance_type)[resource["name"]]
    for instance_id, (cluster, ci_id) in registered.items():
        try:
            instance = ec2.get_instance(instance_id)
            gone = instance.state in ("terminated", "shutting-down", "stopped")
        except Exception:
            gone = True
        if gone and cluster in ecs.clusters:
            ecs.deregister_container_instance(cluster, ci_id, force=True)


# Graviton families (the ECS agent registers ecs.cpu-architecture arm64 on them, else x86_64).
_ARM = __import__("re").compile(r"^[a-z]+[0-9]+[a-z]*g[a-z]*\.")


def _with_architecture(original):
    """moto registers ecs.ami-id, ecs.availability-zone, ecs.instance-type and ecs.os-type; the
    agent also registers ecs.cpu-architecture, which memberOf expressions use."""

    def register_container_instance(self, cluster_str, ec2_instance_id):
        instance = original(self, cluster_str, ec2_instance_id)
        kind = instance.attributes.get("ecs.instance-type") or ""
        instance.attributes.setdefault("ecs.cpu-architecture", "arm64" if _ARM.match(kind) else "x86_64")
        return instance

    return register_container_instance


def _then_sync(account_of, region_of):
    def replacement(method):
        def wrapper(self, *args, **kwargs):
            result = method(self, *args, **kwargs)
            sync(account_of(self), region_of(self))
            return result

        return wrapper

    return replacement


def _balanced(method):
    def wrapper(self, count_needed, propagated_tags):
        subnets = [s for s in (self.vpc_zone_identifier or "").split(",") if s]
        if len(subnets) < 2:
            return method(self, count_needed, propagated_tags)
        original = self.vpc_zone_identifier
        try:
            for _ in range(count_needed):
                load = {s: 0 for s in subnets}
                for state in self.instance_states:
                    if state.instance.state == "running" and state.instance.subnet_id in load:
                        load[state.instance.subnet_id] += 1
                emptiest = min(subnets, key=lambda s: load[s])
                self.vpc_zone_identifier = ",".join([emptiest] + [s for s in subnets if s != emptiest])
                method(self, 1, dict(propagated_tags))
        finally:
            self.vpc_zone_identifier = original

    return wrapper


_CREATE_GROUP = (
    "(self, name, availability_zones, desired_capacity, max_size, min_size, launch_config_name, "
    "launch_template, vpc_zone_identifier, default_cooldown, health_check_period, health_check_type, "
    "load_balancers, target_group_arns, placement_group, termination_policies, tags, "
    "capacity_rebalance=False, new_instances_protected_from_scale_in=False, instance_id=None, "
    "mixed_instances_policy=None)"
)


def install():
    patch(EC2ContainerServiceBackend, "register_container_instance", "(self, cluster_str, ec2_instance_id)", _with_architecture)
    require(EC2ContainerServiceBackend, "deregister_container_instance", "(self, cluster_str, container_instance_str, force)")
    require(EC2Backend, "all_instances", "(self, filters=None)")
    require(EC2Backend, "get_instance", "(self, instance_id)")
    group_synced = _then_sync(lambda g: g.autoscaling_backend.account_id, lambda g: g.autoscaling_backend.region_name)
    backend_synced = _then_sync(lambda b: b.account_id, lambda b: b.region_name)
    patch(
        FakeAutoScalingGroup,
        "replace_autoscaling_group_instances",
        "(self, count_needed, propagated_tags)",
        lambda original: group_synced(_balanced(original)),
    )
    patch(FakeAutoScalingGroup, "set_desired_capacity", "(self, new_capacity)", group_synced)
    patch(AutoScalingBackend, "create_auto_scaling_group", _CREATE_GROUP, backend_synced)
    patch(AutoScalingBackend, "delete_auto_scaling_group", "(self, group_name)", backend_synced)
