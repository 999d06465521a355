"""Task placement as ECS does it on EC2 container instances: what a task reserves, which instances
it fits on, which of those the constraints allow, which one the strategies choose — and, when none
will do, why, in ECS's words. Pure functions over `Host`s (`ecs_hosts` builds them from the tasks
that exist); the scheduler, RunTask and the figures of DescribeContainerInstances all use them.

What a task needs (`demand_of`): the task-level `cpu` / `memory` when set, else the sum over its
containers of `cpu` and of `memoryReservation` (or `memory` when there is none: ECS reserves the
soft limit); its static
host ports — in bridge mode each mapping's `hostPort` unless it is 0 or absent (a dynamic port from
the ephemeral range, always free), in host mode the `containerPort` (or `hostPort`) itself, by
protocol (PORTS / PORTS_UDP). awsvpc tasks hold no host port (each has its own ENI; ENI limits per
instance are not modelled) but do reserve CPU and memory.

The checks, in this order, give an instance's first failure: memberOf constraints, distinctInstance,
host ports, CPU, memory. The "closest matching" instance of ECS's event is the one that passed the
most checks (the first of them in registration order on a tie).

Strategies are applied in order as sort keys over the instances that fit: `spread` (by
`instanceId`/`host`: the instance with the fewest tasks of the same group; by an attribute such as
`attribute:ecs.availability-zone`: the value whose instances hold the fewest tasks of the group),
`binpack` (`cpu` / `memory`: the least of it left), `random`. With no strategy, ECS's default for
services is used for every placement: spread over availability zones, then over instances.

The memberOf expression is ECS's cluster query language: subjects `attribute:<name>` (ECS's
`ecs.availability-zone`, `ecs.instance-type`, `ecs.os-type`, `ecs.cpu-architecture`, `ecs.ami-id`
and custom attributes), `ec2InstanceId`, `agentConnected`, `runningTasksCount`, `task:group`;
operators `==`, `!=`, `>`, `>=`, `<`, `<=`, `=~` (a pattern: `t2.*`), `in [a, b]`, `not in [...]`,
`exists`, `!exists`; `and` / `&&`, `or` / `||`, parentheses.
"""

import fnmatch
import random
import re
from typing import NamedTuple

# Ports the ECS agent reserves on every instance (SSH, Docker, the agent's own), as
# DescribeContainerInstances lists them in PORTS.
RESERVED_PORTS = ("22", "2375", "2376", "51678", "51679")

# ECS's reasons, in RunTask's `failures` (the "API failure reasons" page of the ECS Developer
# Guide: RESOURCE:CPU, RESOURCE:MEMORY, RESOURCE:PORTS, "MemberOf placement constraint
# unsatisfied.", "DistinctInstance placement constraint unsatisfied.").
API_REASONS = {
    "MEMBER_OF": "MemberOf placement constraint unsatisfied.",
    "DISTINCT_INSTANCE": "DistinctInstance placement constraint unsatisfied.",
    "PORTS": "RESOURCE:PORTS",
    "CPU": "RESOURCE:CPU",
    "MEMORY": "RESOURCE:MEMORY",
}

# How the closest matching instance fell short, in the service event. ECS's texts ("Service event
# messages" of the ECS Developer Guide; e.g. "The closest matching (container-instance …) is already
# using a port required by your task." as quoted in openillumi.com's "AWS ECS deploy port conflict",
# "… has insufficient CPU units available."). For a placement constraint ECS's wording is not
# documented; the documented pattern for the agent's error ('encountered error "AGENT"') is used
# with the API's reason.
_CLOSEST = {
    "PORTS": "is already using a port required by your task",
    "CPU": "has insufficient CPU units available",
    "MEMORY": "has insufficient memory available",
    "MEMBER_OF": 'encountered error "MemberOf placement constraint unsatisfied."',
    "DISTINCT_INSTANCE": 'encountered error "DistinctInstance placement constraint unsatisfied."',
}
_TROUBLESHOOTING = "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."


def _number(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


class Demand(NamedTuple):
    cpu: int
    memory: int
    ports: frozenset  # static TCP host ports, as strings
    udp: frozenset  # static UDP host ports, as strings


NOTHING = Demand(0, 0, frozenset(), frozenset())


def demand_of(definition):
    """What a task of this task definition (moto's TaskDefinition) reserves on its instance."""
    if definition is None:
        return NOTHING
    containers = definition.container_definitions or []
    cpu = _number(definition.cpu) if definition.cpu else sum(_number(c.get("cpu", 0)) for c in containers)
    memory = (
        _number(definition.memory)
        if definition.memory
        else sum(_number(c.get("memoryReservation") or c.get("memory") or 0) for c in containers)
    )
    mode = definition.network_mode or "bridge"
    tcp, udp = set(), set()
    if mode in ("bridge", "host"):
        for container in containers:
            for mapping in container.get("portMappings") or []:
                port = mapping.get("containerPort") if mode == "host" else mapping.get("hostPort")
                if mode == "host" and mapping.get("hostPort"):
                    port = mapping.get("hostPort")
                if not port:
                    continue  # bridge with hostPort 0 or absent: a dynamic port, always free
                (udp if (mapping.get("protocol") or "tcp") == "udp" else tcp).add(str(port))
    return Demand(cpu, memory, frozenset(tcp), frozenset(udp))


class Host:
    """A container instance as placement sees it: what it registered and what its PENDING and
    RUNNING tasks hold."""

    def __init__(self, arn, ec2_instance_id, attributes, cpu, memory, status="ACTIVE", agent_connected=True):
        self.arn = arn
        self.id = arn.split("/")[-1]
        self.ec2_instance_id = ec2_instance_id
        self.attributes = dict(attributes or {})
        self.status = status
        self.agent_connected = agent_connected
        self.cpu, self.memory = cpu, memory  # registered
        self.cpu_used = self.memory_used = 0
        self.ports = set(RESERVED_PORTS)
        self.udp = set()
        self.groups = {}  # task group -> live tasks of it here
        self.tasks = 0

    def hold(self, demand, group):
        """A task of `demand` in `group` now lives here."""
        self.cpu_used += demand.cpu
        self.memory_used += demand.memory
        self.ports |= demand.ports
        self.udp |= demand.udp
        self.groups[group] = self.groups.get(group, 0) + 1
        self.tasks += 1

    @property
    def cpu_left(self):
        return max(0, self.cpu - self.cpu_used)

    @property
    def memory_left(self):
        return max(0, self.memory - self.memory_used)

    def first_failure(self, demand, constraints, group):
        """(checks passed, the failing check or None)."""
        passed = 0
        for constraint in constraints:
            kind = constraint.get("type")
            if kind == "memberOf":
                if not matches(constraint.get("expression") or "", self):
                    return passed, "MEMBER_OF"
            elif kind == "distinctInstance":
                if self.groups.get(group):
                    return passed, "DISTINCT_INSTANCE"
            passed += 1
        if demand.ports & self.ports or demand.udp & self.udp:
            return passed, "PORTS"
        passed += 1
        if demand.cpu > self.cpu_left:
            return passed, "CPU"
        passed += 1
        if demand.memory > self.memory_left:
            return passed, "MEMORY"
        return passed + 1, None


class Unplaced(NamedTuple):
    """Why a task found no instance: `code` (a key of API_REASONS) on the closest matching `host`,
    or no ACTIVE instance at all (`host` None)."""

    host: object
    code: str
    reasons: tuple = ()  # (host, code) of every ACTIVE instance, for RunTask's failures

    def event(self, service_name):
        head = f"(service {service_name}) was unable to place a task because no container instance met all of its requirements."
        if self.host is None:
            # As ECS writes it (e.g. github.com/aws-samples/amazon-scalable-infra-discord-diffusion issue 3).
            return f"{head} Reason: No Container Instances were found in your cluster. {_TROUBLESHOOTING}"
        return f"{head} The closest matching (container-instance {self.host.id}) {_CLOSEST[self.code]}. {_TROUBLESHOOTING}"


def choose(demand, hosts, constraints=(), strategies=(), group="", rng=random):
    """The instance a task of `demand` (in `group`) goes to, or an Unplaced saying why none."""
    active = [h for h in hosts if h.status == "ACTIVE"]
    if not active:
        return None, Unplaced(None, None)
    constraints = [c for c in constraints or [] if c.get("type") in ("memberOf", "distinctInstance")]
    checked = [(h,) + h.first_failure(demand, constraints, group) for h in active]
    fitting = [h for h, _, failure in checked if failure is None]
    if not fitting:
        closest = max(checked, key=lambda c: c[1])  # max keeps the first of equals
        return None, Unplaced(closest[0], closest[2], tuple((h, f) for h, _, f in checked))
    strategies = list(strategies or []) or [{"type": "spread", "field": "attribute:ecs.availability-zone"}, {"type": "spread", "field": "instanceId"}]
    order = {id(h): i for i, h in enumerate(active)}
    keys = {id(h): tuple(_key(s, h, active, demand, group, rng) for s in strategies) + (order[id(h)],) for h in fitting}
    return min(fitting, key=lambda h: keys[id(h)]), None


def _key(strategy, host, hosts, demand, group, rng):
    kind = (strategy.get("type") or "").lower()
    field = (strategy.get("field") or "").strip()
    if kind == "random":
        return rng.random()
    if kind == "binpack":
        if field.lower() == "memory":
            return host.memory_left - demand.memory
        return host.cpu_left - demand.cpu
    if kind == "spread":
        if field.lower() in ("instanceid", "host", ""):
            return host.groups.get(group, 0)
        value = _subject(field, host)
        return sum(h.groups.get(group, 0) for h in hosts if _subject(field, h) == value)
    return 0


# The cluster query language -------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(==|!=|=~|>=|<=|>|<|&&|\|\||\(|\)|\[|\]|,|!exists\b|[^\s()\[\],=!<>&|~]+)")


def _tokens(expression):
    found, position = [], 0
    expression = expression.strip()
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if not match or match.end() == position:
            raise ValueError(f"can't read the expression at {expression[position:]!r}")
        found.append(match.group(1))
        position = match.end()
    return found


def _subject(name, host):
    if name.startswith("attribute:"):
        return host.attributes.get(name[len("attribute:"):])
    if name == "ec2InstanceId":
        return host.ec2_instance_id
    if name == "agentConnected":
        return "true" if host.agent_connected else "false"
    if name == "runningTasksCount":
        return str(host.tasks)
    if name == "instanceId":
        return host.id
    return None


class _Parser:
    def __init__(self, tokens, host):
        self.tokens, self.at, self.host = tokens, 0, host

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self):
        token = self.peek()
        if token is None:
            raise ValueError("the expression ends too early")
        self.at += 1
        return token

    def expression(self):
        value = self.term()
        while (self.peek() or "").lower() in ("or", "||"):
            self.take()
            right = self.term()
            value = value or right
        return value

    def term(self):
        value = self.factor()
        while (self.peek() or "").lower() in ("and", "&&"):
            self.take()
            right = self.factor()
            value = value and right
        return value

    def factor(self):
        if self.peek() == "(":
            self.take()
            value = self.expression()
            if self.take() != ")":
                raise ValueError("a parenthesis is not closed")
            return value
        subject = self.take()
        operator = self.take()
        if subject == "task:group":
            groups = set(self.host.groups)
            if operator.lower() in ("==", "!="):
                wanted = self.take()
                return (wanted in groups) == (operator == "==")
            raise ValueError(f"task:group takes == or !=, not {operator}")
        actual = _subject(subject, self.host)
        lowered = operator.lower()
        if lowered == "exists":
            return actual is not None
        if lowered == "!exists":
            return actual is None
        if lowered in ("in", "not"):
            if lowered == "not" and self.take().lower() != "in":
                raise ValueError("'not' must be followed by 'in'")
            values = self.values()
            return (actual in values) == (lowered == "in")
        wanted = self.take()
        if operator == "==":
            return actual == wanted
        if operator == "!=":
            return actual != wanted
        if operator == "=~":
            if actual is None:
                return False
            try:
                return re.fullmatch(wanted, actual) is not None
            except re.error:
                return fnmatch.fnmatchcase(actual, wanted)
        if operator in (">", ">=", "<", "<="):
            try:
                left, right = float(actual), float(wanted)
            except (TypeError, ValueError):
                return False
            return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[operator]
        raise ValueError(f"unknown operator {operator}")

    def values(self):
        if self.take() != "[":
            raise ValueError("'in' takes a list: [a, b]")
        values = []
        while True:
            token = self.take()
            if token == "]":
                return values
            if token != ",":
                values.append(token)


def matches(expression, host):
    """Whether `host` satisfies a memberOf expression; an expression that can't be read matches
    nothing (ECS refuses it when the service or task is created)."""
    if not expression.strip():
        return True
    try:
        parser = _Parser(_tokens(expression), host)
        value = parser.expression()
        return bool(value) and parser.peek() is None
    except ValueError:
        return False


def valid(expression):
    """None when the expression reads, else why not."""
    try:
        parser = _Parser(_tokens(expression), Host("x/x", None, {}, 0, 0))
        parser.expression()
        if parser.peek() is not None:
            return f"unexpected {parser.peek()!r}"
    except ValueError as error:
        return str(error)
    return None
