"""Elastic Load Balancing as an ECS service with load balancers sees it: its tasks are targets of
its target groups, and a blue/green deployment moves traffic by the weights of listener rules.

- A task that starts RUNNING is registered in each of its deployment's target groups (moto's
  RegisterTargets: its ENI address for awsvpc tasks — `ecs_state.ServiceTask.private_ip` — else its
  container instance's EC2 instance and the container's host port), as ECS does; a task that stops
  is deregistered.
- DescribeTargetHealth reports those targets as ELB does: `initial` (Elb.InitialHealthChecking,
  "Initial health checks in progress") for one STEP after registration (the health checks'
  healthy threshold), then `healthy`; a deregistered one `draining`
  (Target.DeregistrationInProgress, "Target deregistration is in progress") for one STEP (the
  deregistration delay, scaled) before it leaves the group. moto keys targets by id only, so the
  tasks sharing an instance (bridge mode) are told apart here by (id, port).
- `set_weights` rewrites the forward action of a listener rule (an Application Load Balancer's
  productionListenerRule / testListenerRule) or of a listener's default action (a Network Load
  Balancer's listener) to weigh its target groups: DescribeRules / DescribeListeners show the
  weights move.
- ELB reads (DescribeTargetHealth, DescribeRules, DescribeListeners) first move the ECS services of
  the account and region to where they are by now (as ECS reads do), so a rule read after STEP
  seconds sees the traffic shifted without an ECS call in between.

The records live on moto's ELBv2 backend of the account and region (an attribute), so a reset
clears them; they are changed with `ecs_state.LOCK` held.
"""

import copy

from moto.elbv2.models import ELBv2Backend, FakeAction, FakeHealthStatus, elbv2_backends

from . import ecs_scheduler
from .ecs_state import LISTENERS, LOCK
from .patching import patch, require

_ATTRIBUTE = "berth_elb_traffic"
INITIAL = ("initial", "Elb.InitialHealthChecking", "Initial health checks in progress")
DRAINING = ("draining", "Target.DeregistrationInProgress", "Target deregistration is in progress")


def _records(elb):
    """(target group ARN, id, port) -> [registered at, deregistered at or None] on the ECS clock."""
    records = getattr(elb, _ATTRIBUTE, None)
    if records is None:
        records = {}
        setattr(elb, _ATTRIBUTE, records)
    return records


def _target(task, container, port):
    """(id, port) the task answers on for a load balancer's container and port, or None."""
    if task.network_mode == "awsvpc":
        return task.private_ip, port
    from moto.ecs.models import ecs_backends

    instance_id = None
    for instance in ecs_backends[task.account_id][task.region].container_instances.get(task.cluster_arn.split("/")[-1], {}).values():
        if instance.container_instance_arn == task.container_instance_arn:
            instance_id = instance.ec2_instance_id
    if instance_id is None:
        return None
    for c in task.containers:
        if c.name == container:
            for binding in c.network_bindings:
                if binding["containerPort"] == port:
                    return instance_id, binding["hostPort"]
    return None


class _Registrar:
    """Hears the scheduler's tasks start and stop (ecs_state.LISTENERS)."""

    def started(self, task):
        if not task.targets:
            return
        elb = elbv2_backends[task.account_id][task.region]
        task.registered = []
        for group, container, port in task.targets:
            found = _target(task, container, port)
            if found is None or group not in elb.target_groups:
                continue
            target_id, target_port = found
            try:
                elb.register_targets(group, [{"Id": target_id, "Port": target_port}])
            except Exception:
                continue  # e.g. an instance moto no longer runs; ECS would fail the registration too
            _records(elb)[(group, target_id, target_port)] = [ecs_scheduler.clock(), None]
            task.registered.append((group, target_id, target_port))

    def stopped(self, task):
        registered = getattr(task, "registered", None)
        if not registered:
            return
        elb = elbv2_backends[task.account_id][task.region]
        for group, target_id, target_port in registered:
            record = _records(elb).get((group, target_id, target_port))
            if record is not None and record[1] is None:
                record[1] = ecs_scheduler.clock()
            try:
                elb.deregister_targets(group, [{"Id": target_id, "Port": target_port}])
            except Exception:
                pass  # moto keys by id: another task on the instance deregistered it already
        task.registered = []


def _health(record, group, target_id, port, health_port):
    now, step = ecs_scheduler.clock(), ecs_scheduler.STEP
    registered, deregistered = record
    if deregistered is not None:
        if now - deregistered >= step:
            return None
        return FakeHealthStatus(target_id, port, health_port, *DRAINING)
    if now - registered < step:
        return FakeHealthStatus(target_id, port, health_port, *INITIAL)
    return FakeHealthStatus(target_id, port, health_port, "healthy")


def _tick_ecs(elb):
    from moto.ecs.models import ecs_backends

    ecs_scheduler.tick_all(ecs_backends[elb.account_id][elb.region_name])


def _described_health(original):
    def describe_target_health(self, target_group_arn, targets):
        with LOCK:
            _tick_ecs(self)
            group = self.target_groups.get(target_group_arn)
            if group is None:
                return original(self, target_group_arn, targets)
            records = {k: v for k, v in _records(self).items() if k[0] == target_group_arn}
            health_port = group.health_check_port
            if targets:
                answers = []
                for target in targets:
                    key = (target_group_arn, target["Id"], target.get("Port", group.port))
                    found = _health(records[key], *key, health_port) if key in records else None
                    answers.append(found or original(self, target_group_arn, [target])[0])
                return answers
            ours = [h for k, v in records.items() if (h := _health(v, *k, health_port)) is not None]
            mine = {k[1] for k in records}
            theirs = [t for t in group.targets.values() if t["Id"] not in mine]
            return ours + (original(self, target_group_arn, theirs) if theirs else [])

    return describe_target_health


def _ticked(original):
    def read(self, *args, **kwargs):
        with LOCK:
            _tick_ecs(self)
            return original(self, *args, **kwargs)

    return read


def _forward_actions(elb, arn):
    """The action list of a listener rule (by rule ARN) or of a listener's default rule."""
    for balancer in elb.load_balancers.values():
        for listener in balancer.listeners.values():
            if listener.arn == arn:
                return listener.default_actions
            rule = listener.rules.get(arn)
            if rule is not None:
                return rule.actions
    return None


def set_weights(account_id, region, arn, weights):
    """Makes the forward action of rule (or listener) `arn` weigh `weights` {target group: 0-100}.
    Returns False when there is no such rule or forward action."""
    elb = elbv2_backends[account_id][region]
    actions = _forward_actions(elb, arn)
    if actions is None:
        return False
    for i, action in enumerate(actions):
        if action.type != "forward":
            continue
        data = copy.deepcopy(action.data)
        data.pop("TargetGroupArn", None)
        forward = data.setdefault("ForwardConfig", {})
        forward["TargetGroups"] = [{"TargetGroupArn": group, "Weight": int(round(weight))} for group, weight in weights.items()]
        actions[i] = FakeAction(data)  # in place: a listener's default rule shares this list
        return True
    return False


def weights(account_id, region, arn):
    """{target group: weight} of the forward action of rule (or listener) `arn`."""
    actions = _forward_actions(elbv2_backends[account_id][region], arn) or []
    for action in actions:
        if action.type == "forward":
            groups = (action.data.get("ForwardConfig") or {}).get("TargetGroups")
            if groups:
                return {g["TargetGroupArn"]: g.get("Weight", 1) for g in groups}
            if action.data.get("TargetGroupArn"):
                return {action.data["TargetGroupArn"]: 100}
    return {}


def install():
    require(ELBv2Backend, "register_targets", "(self, target_group_arn, instances)")
    require(ELBv2Backend, "deregister_targets", "(self, target_group_arn, instances)")
    patch(ELBv2Backend, "describe_target_health", "(self, target_group_arn, targets)", _described_health)
    patch(ELBv2Backend, "describe_rules", "(self, listener_arn, rule_arns)", _ticked)
    patch(ELBv2Backend, "describe_listeners", "(self, load_balancer_arn, listener_arns)", _ticked)
    LISTENERS.append(_Registrar())
