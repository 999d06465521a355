"""ECS-native BLUE_GREEN, LINEAR and CANARY deployments (deploymentController ECS,
deploymentConfiguration.strategy), their lifecycle stages, lifecycle hooks and traffic shifts.

A deployment of such a service brings up the new ("green") revision beside the serving ("blue")
one and moves traffic between the two target groups of each load balancer that has an
`advancedConfiguration` (targetGroupArn and alternateTargetGroupArn): green registers in the group
blue is not in, and the weights of the forward actions of `productionListenerRule` and
`testListenerRule` (a rule, or an NLB listener) change in moto's ELBv2 (`elb_traffic`), so
DescribeRules shows them move. The stages, in order, with their local durations:

    RECONCILE_SERVICE              0     (only when more than one revision is ACTIVE at the start)
    PRE_SCALE_UP                   0
    SCALE_UP                       STEP  green's tasks are placed (PENDING) and run at its end;
                                   it lasts until all of green's desired tasks run: while some
                                   find no room, STEP after STEP (see "Placement" below)
    POST_SCALE_UP                  0
    TEST_TRAFFIC_SHIFT             STEP  the test rule sends 100% to green
    POST_TEST_TRAFFIC_SHIFT        0
    PRODUCTION_TRAFFIC_SHIFT       per shift: its PRE_PRODUCTION_TRAFFIC_SHIFT hooks, then STEP
                                   with the production weights moved: BLUE_GREEN 100 at once;
                                   LINEAR stepPercent more each shift (default 10) with
                                   stepBakeTimeInMinutes (default 6) between shifts, none after
                                   100; CANARY canaryPercent (default 5), canaryBakeTimeInMinutes
                                   (default 10), then 100
    POST_PRODUCTION_TRAFFIC_SHIFT  0
    BAKE_TIME                      bakeTimeInMinutes (default 0) — both revisions keep running
    CLEAN_UP                       STEP  blue's tasks stop (deregistered: draining); at its end the
                                   deployment is SUCCESSFUL and green's rollout COMPLETED

Time: one minute of ECS time (bake times, hook timeouts) is `MINUTE` = STEP seconds locally, so a
default 6-minute linear step bake lasts 6 STEPs. Everything is computed lazily from
`ecs_scheduler.clock()` on each call, catching up stage by stage (no background thread).

Lifecycle hooks (`deploymentConfiguration.lifecycleHooks`): at each hook stage (RECONCILE_SERVICE,
PRE_SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT,
PRE_PRODUCTION_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT) its hooks
run before the stage does. A PAUSE hook (allowed at the stages AWS's "Pause hooks" guide lists)
stops the deployment there: DescribeServiceDeployments shows the stage (PRE_PRODUCTION_TRAFFIC_SHIFT,
not a lifecycle stage of its own, shows as PRODUCTION_TRAFFIC_SHIFT) and `lifecycleHookDetails`
{hookId `ecs-pause-…`, targetType PAUSE, status AWAITING_ACTION, expiresAt, timeoutAction} until
ContinueServiceDeployment {serviceDeploymentArn, hookId, action CONTINUE (default) | ROLLBACK}, or
until `timeoutConfiguration.timeoutInMinutes` (default 1440) passes: the hook is TIMED_OUT and its
`action` (default ROLLBACK, as the API documents) is taken. An AWS_LAMBDA hook is not invoked
locally: it SUCCEEDED at once. ContinueServiceDeployment on a deployment or hook not awaiting
action is an InvalidParameterException saying why. `lifecycleHookDetails` lists every hook the
deployment has run ("the lifecycle hooks for the current service deployment"), with its outcome:
SUCCEEDED, FAILED (rolled back by ContinueServiceDeployment) or TIMED_OUT. Hooks run on a service's
first deployment too.

Placement: green's tasks are placed like any service task (`ecs_scheduler._place`,
`ecs_placement`): beside blue's on EC2 they need room of their own (dynamic host ports share
instances; static ones can't); Fargate tasks need no instance. SCALE_UP is the stage in which ECS
brings green to its whole desired count, and traffic moves only after it. The ECS API reference
(ServiceDeployment.lifecycleStage,
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html; the same text
is in botocore's ECS model): SCALE_UP "The stage when the green service revision scales up to 100%
and launches new tasks. The green service revision is not serving any traffic at this point.";
POST_SCALE_UP "The green service revision has started. The blue service revision is handling 100%
of the production traffic."; TEST_TRAFFIC_SHIFT "The blue and green service revisions are
running." The blue/green guide's best practices say to "Plan for sufficient cluster capacity to
handle both service revisions during deployment"
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-implementation.html).
So a green task that finds no instance is not started and the deployment does not move on: it
stays IN_PROGRESS in SCALE_UP, blue keeps 100% of the production traffic (the test rule stays on
blue too), the service gets ECS's "was unable to place a task" event
(`ecs_scheduler._report_unplaced`: at once, then every UNPLACED_EVENT_STEPS STEPs while the cause
is the same), and the missing tasks are placed again at every STEP, as the scheduler does for a
rolling deployment. Green's tasks that do run wait in green's target group, which no rule sends
traffic to yet. Once there is room (an instance registers, another service's tasks stop) the
missing tasks are placed, run one STEP later, and the stages go on. A first deployment (no blue)
waits the same way. Locally SCALE_UP ends once green's tasks are RUNNING; their targets turn
healthy one STEP later, in TEST_TRAFFIC_SHIFT (a wait for target health in SCALE_UP, which the
pages quoted here don't describe, is not modelled).

Circuit breaker and placement: a task that found no instance did not fail. It is not counted
(failureCount stays; waiting for room never trips the breaker), as `ecs_scheduler` does for rolling
deployments; only green's placed tasks that fail to start or exit count. This is a reading of the
docs, not something they state: the circuit breaker guide
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html) tracks
"the tasks that failed to launch", watching whether they "transition into the RUNNING state", and
the API reference's Deployment.failedTasks counts a task as failed "if the service scheduler can't
launch the task, the task doesn't transition to a RUNNING state, or if it fails any of its defined
health checks and is stopped". Neither says whether a task no instance can take is one the
scheduler "can't launch"; here it is not (no task exists). Users' reports differ (e.g.
https://github.com/aws/containers-roadmap/issues/1273 describes breaker rollbacks for lack of
cluster resources).

Failure: green's tasks start one STEP after they were placed (at the end of SCALE_UP). If they
can't (an image that can't be pulled, a missing log group: TaskFailedToStart) they are retried
every STEP in SCALE_UP; an image this account's ECR holds whose name has `cannot-start` runs and
its container exits 1 one STEP after it started — by then traffic is shifting, once all of green
runs — and is restarted every STEP. Each task that failed counts for the circuit breaker; with it,
once failures reach its threshold the deployment is failed mid-way: with rollback it is
ROLLBACK_IN_PROGRESS (traffic back to blue on every rule, green's tasks stopped, blue PRIMARY again)
and ROLLBACK_SUCCESSFUL one STEP later; without, the same happens but it ends STOPPED. A rollback
by ContinueServiceDeployment, a hook's timeout or StopServiceDeployment ROLLBACK does the same. A
first deployment (no blue) that fails ends STOPPED. StopServiceDeployment ABORT freezes it where
it is (weights, both revisions' tasks). Changing the desired count mid-deployment is not modelled.
"""

import base64
import datetime
import hashlib
import uuid

from moto.core.utils import utcnow
from moto.ecs.exceptions import InvalidParameterException
from moto.core.responses import ActionResult
from moto.ecs.responses import EC2ContainerServiceResponse

from . import ecs_deployments, ecs_scheduler, elb_traffic
from .ecs_state import state_of
from .patching import add

STRATEGIES = ("BLUE_GREEN", "LINEAR", "CANARY")
PAUSABLE = (
    "RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "POST_TEST_TRAFFIC_SHIFT",
    "PRE_PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT",
)


def minute():
    """Seconds of local time per minute of ECS time (bake times, hook timeouts)."""
    return ecs_scheduler.STEP


class Phase:
    def __init__(self, stage, hook=None, steps=0.0, minutes=0.0, enter=None, percent=None):
        self.stage, self.hook, self.enter, self.percent = stage, hook, enter, percent
        self.steps, self.minutes = steps, minutes

    def duration(self):
        return self.steps * ecs_scheduler.STEP + self.minutes * minute()


class Plan:
    def __init__(self, phases, since, blue, green, balancers):
        self.phases = phases
        self.index = 0
        self.since = since  # when the current phase (its hooks included) began, on the scheduler's clock
        self.entered = False  # its hooks are done and its `enter` ran
        self.blue, self.green = blue, green
        self.balancers = balancers  # [(advancedConfiguration, blue group, green group)]
        self.crash_at = None  # when green's running tasks next exit 1 (a crashing image)
        self.rollback_ends = None  # when a rollback (or a failed first deployment) is over
        self.rollback_reason = None
        self.stop_at_end = False  # failed without rollback (or with no blue): it ends STOPPED
        self.hooks_for = None  # (phase index, hook stage) whose hooks ran


def applies(service, deployment):
    controller = (getattr(service, "deployment_controller", None) or {}).get("type", "ECS")
    return deployment.strategy in STRATEGIES and controller == "ECS"


def _production_shifts(config):
    """[(percent green, bake minutes after it)] of the production traffic shift."""
    strategy = config.get("strategy")
    if strategy == "LINEAR":
        linear = config.get("linearConfiguration") or {}
        step = float(linear.get("stepPercent") or 10.0)
        bake = linear.get("stepBakeTimeInMinutes")
        bake = 6 if bake is None else bake
        shifts, percent = [], 0.0
        while percent < 100.0:
            percent = min(100.0, round(percent + step, 1))
            shifts.append((percent, bake if percent < 100.0 else 0))
        return shifts
    if strategy == "CANARY":
        canary = config.get("canaryConfiguration") or {}
        percent = float(canary.get("canaryPercent") or 5.0)
        bake = canary.get("canaryBakeTimeInMinutes")
        bake = 10 if bake is None else bake
        return [(percent, bake), (100.0, 0)] if percent < 100.0 else [(100.0, 0)]
    return [(100.0, 0)]


def _phases(config, reconcile):
    phases = []
    if reconcile:
        phases.append(Phase("RECONCILE_SERVICE", "RECONCILE_SERVICE"))
    phases += [
        Phase("PRE_SCALE_UP", "PRE_SCALE_UP"),
        Phase("SCALE_UP", steps=1, enter=_scale_up),
        Phase("POST_SCALE_UP", "POST_SCALE_UP"),
        Phase("TEST_TRAFFIC_SHIFT", "TEST_TRAFFIC_SHIFT", steps=1, enter=_test_traffic),
        Phase("POST_TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT"),
    ]
    for percent, bake in _production_shifts(config):
        phases.append(Phase("PRODUCTION_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT"))
        phases.append(Phase("PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", steps=1, enter=_production_traffic, percent=percent))
        if bake:
            phases.append(Phase("PRODUCTION_TRAFFIC_SHIFT", minutes=bake))
    phases += [
        Phase("POST_PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"),
        Phase("BAKE_TIME", minutes=config.get("bakeTimeInMinutes") or 0),
        Phase("CLEAN_UP", steps=1, enter=_clean_up),
    ]
    return phases


def begin(backend, service, deployment, green, older):
    """Called by the scheduler instead of starting a rolling deployment's tasks."""
    serving = [r for r in older if r.running or r.pending]
    blue = next((r for r in serving if r.state == "COMPLETED"), serving[0] if serving else None)
    for other in older:
        if other is not blue and (other.running or other.pending):
            other.running = other.pending = 0
            ecs_scheduler._reconcile(backend, service, other, reason=f"Scaling activity initiated by (deployment {green.id})")
            other.kept = False
    if blue is not None:
        blue.kept = True
    green.pending = 0
    balancers = []
    targets = []
    for lb in service.load_balancers or []:
        group, advanced = lb.get("targetGroupArn"), lb.get("advancedConfiguration")
        if not group:
            continue
        if not advanced or not advanced.get("alternateTargetGroupArn"):
            targets.append((group, lb.get("containerName"), lb.get("containerPort")))
            continue
        alternate = advanced["alternateTargetGroupArn"]
        blue_group = None
        if blue is not None:
            blue_group = next((t[0] for t in blue.targets if t[0] in (group, alternate)), group)
        green_group = alternate if blue_group == group else group
        balancers.append((advanced, blue_group, green_group))
        targets.append((green_group, lb.get("containerName"), lb.get("containerPort")))
    green.targets = targets
    reconcile = len(deployment.sources) > 1
    deployment.plan = Plan(_phases(deployment.configuration, reconcile), ecs_scheduler.clock(), blue, green, balancers)
    green.plan = deployment.plan
    _weigh(backend, deployment, test=0, production=0)


def _weigh(backend, deployment, test=None, production=None):
    """Sets green's share of test and/or production traffic on every rule, and the revisions'
    requested weights the deployment reports."""
    plan = deployment.plan
    old = deployment.weights.get(deployment.target, [0.0, 0.0])
    test = old[0] if test is None else test
    production = old[1] if production is None else production
    deployment.weights = {deployment.target: [test, production]}
    if plan.blue is not None:
        deployment.weights[plan.blue.revision_arn] = [100.0 - test, 100.0 - production]
    if plan.blue is None:  # a first deployment: nothing else serves, green has it all
        deployment.weights = {deployment.target: [100.0, 100.0]}
    for advanced, blue_group, green_group in plan.balancers:
        other = advanced["alternateTargetGroupArn"] if green_group != advanced["alternateTargetGroupArn"] else blue_group
        for rule, share in ((advanced.get("productionListenerRule"), production), (advanced.get("testListenerRule"), test)):
            if not rule:
                continue
            if blue_group is None:
                share = 100
            elb_traffic.set_weights(backend.account_id, backend.region_name, rule, {other: 100 - share, green_group: share})


def _scale_up(backend, service, deployment):
    """Green's tasks are placed (PENDING) where there is room; those that find none wait
    (`_green_started` places them again each STEP)."""
    plan = deployment.plan
    green = plan.green
    green.pending = green.desired
    ecs_scheduler._reconcile(backend, service, green, at=plan.since)
    started = ecs_scheduler._live(green)
    if started:
        ecs_scheduler._event(service, f"has started {len(started)} tasks: {ecs_scheduler._task_ids(started)}.")


def _test_traffic(backend, service, deployment):
    _weigh(backend, deployment, test=100)


def _production_traffic(backend, service, deployment):
    _weigh(backend, deployment, production=deployment.plan.phases[deployment.plan.index].percent)


def _clean_up(backend, service, deployment):
    blue = deployment.plan.blue
    if blue is None:
        return
    live = [t for t in blue.tasks if t.desired_status == "RUNNING"]
    if live:
        ecs_scheduler._event(service, f"has stopped {len(live)} running tasks: {ecs_scheduler._task_ids(live)}.")
    blue.running = blue.pending = 0
    blue.kept = False
    ecs_scheduler._reconcile(backend, service, blue, reason=f"Scaling activity initiated by (deployment {deployment.plan.green.id})")


def _hook_id(kind):
    return f"ecs-{kind}-" + base64.urlsafe_b64encode(hashlib.sha256(uuid.uuid4().bytes).digest()).decode().rstrip("=")


def _run_hooks(deployment, stage, since):
    """The hooks of `stage`, started at `since`: AWS_LAMBDA ones succeed, PAUSE ones await."""
    for hook in deployment.configuration.get("lifecycleHooks") or []:
        if stage not in (hook.get("lifecycleStages") or []):
            continue
        kind = hook.get("targetType") or "AWS_LAMBDA"
        if kind == "PAUSE":
            timeout = hook.get("timeoutConfiguration") or {}
            minutes = timeout.get("timeoutInMinutes") or 1440
            deadline = since + minutes * minute()
            deployment.hooks.append({
                "hookId": _hook_id("pause"),
                "targetType": "PAUSE",
                "status": "AWAITING_ACTION",
                "expiresAt": utcnow() + datetime.timedelta(seconds=deadline - ecs_scheduler.clock()),
                "timeoutAction": timeout.get("action") or "ROLLBACK",
                "_deadline": deadline,
            })
        else:
            deployment.hooks.append({"hookId": _hook_id("lambda"), "targetType": "AWS_LAMBDA", "targetArn": hook.get("hookTargetArn"), "status": "SUCCEEDED"})


def _awaiting(deployment):
    return [h for h in deployment.hooks if h["status"] == "AWAITING_ACTION"]


def tick(backend, service, now):
    """Moves the service's running BLUE_GREEN / LINEAR / CANARY deployment through its stages up
    to `now`. Returns False when it has none (the scheduler's rolling logic applies)."""
    state = state_of(backend)
    deployment = next((d for d in reversed(ecs_deployments.of_service(state, service.arn)) if d.plan is not None and not d.ended), None)
    if deployment is None:
        return False
    plan = deployment.plan
    while True:
        if plan.rollback_ends is not None:
            if now >= plan.rollback_ends:
                _finish_failed(backend, service, deployment)
            return True
        if deployment.ended or deployment.status == "STOP_REQUESTED":
            return True
        if deployment.status == "ROLLBACK_REQUESTED":
            due = deployment.requested_at + ecs_scheduler.STEP
            if now < due:
                return True
            _roll_back(backend, service, deployment, deployment.status_reason, due)
            continue
        phase = plan.phases[plan.index]
        ends = plan.since + phase.duration() if plan.entered else None
        if plan.crash_at is not None and plan.crash_at <= now and (ends is None or plan.crash_at <= ends):
            if _crash(backend, service, deployment, plan.crash_at):
                continue
        if not plan.entered:
            if phase.hook and plan.hooks_for != (plan.index, phase.hook):
                _run_hooks(deployment, phase.hook, plan.since)
                plan.hooks_for = (plan.index, phase.hook)
            deployment.stage = phase.stage
            waiting = _awaiting(deployment)
            if waiting:
                hook = min(waiting, key=lambda h: h["_deadline"])
                if now < hook["_deadline"]:
                    return True
                hook["status"] = "TIMED_OUT"
                if hook["timeoutAction"] == "ROLLBACK":
                    _roll_back(backend, service, deployment, f"Lifecycle hook {hook['hookId']} timed out (timeout action ROLLBACK).", hook["_deadline"])
                    continue
                plan.since = hook["_deadline"]
                continue
            plan.entered = True
            if phase.enter is not None:
                phase.enter(backend, service, deployment)
            deployment.updated_at = utcnow()
            continue
        if now < ends:
            return True
        if phase.stage == "SCALE_UP" and not _green_started(backend, service, deployment, ends, now):
            continue
        plan.since, plan.index, plan.entered = ends, plan.index + 1, False
        if plan.index == len(plan.phases):
            _succeed(backend, service, deployment)
            return True


def _green_started(backend, service, deployment, at, now):
    """The end of a SCALE_UP STEP, at `at`: green's placed tasks start, or fail to (then they are
    retried unless the breaker trips); the tasks that found no instance are placed again. Returns
    True once all of green's desired tasks run: until then SCALE_UP goes on, one STEP at a time,
    as ECS's scheduler keeps trying to place them ("was unable to place a task")."""
    plan, green = deployment.plan, deployment.plan.green
    failure = ecs_scheduler.start_failure(backend, green.task_definition)
    if failure is not None and failure.kind != "crash":
        green.failure = failure
        _failed_attempt(backend, service, deployment, failure, at)
        if plan.rollback_ends is None and not deployment.ended:
            plan.since = at  # SCALE_UP again
        return False
    before = ecs_scheduler._live(green)
    pending = [t for t in before if t.last_status == "PENDING"]
    # The tasks placed at the STEP before run; those missing are placed (PENDING) where they fit.
    green.running, green.pending = len(before), green.desired - len(before)
    ecs_scheduler._reconcile(backend, service, green, at=at)
    fresh = [t for t in ecs_scheduler._live(green) if t not in before]
    if fresh:
        ecs_scheduler._event(service, f"has started {len(fresh)} tasks: {ecs_scheduler._task_ids(fresh)}.")
    if pending or fresh:
        green.updated_at = utcnow()
    if failure is not None:  # a crashing image: what runs exits one STEP later
        green.failure = failure
        if plan.crash_at is None and green.running:
            plan.crash_at = at + ecs_scheduler.STEP
    if green.running == green.desired:
        return True
    plan.since = at  # SCALE_UP again
    if not pending and not fresh and plan.crash_at is None:
        # Nothing moved: the attempts to come until `now` would find the same.
        plan.since = at + int((now - at) / ecs_scheduler.STEP + 1e-9) * ecs_scheduler.STEP
    return False


def _failed_attempt(backend, service, deployment, failure, at):
    """Green's live tasks fail (as `failure` says); the breaker may trip; else they are restarted."""
    green = deployment.plan.green
    failing = ecs_scheduler._live(green)
    for task in failing:
        ecs_scheduler._stop_failing(task, failure)
    green.failed += len(failing)  # a task that found no instance did not fail
    green.updated_at = utcnow()
    breaker, rollback = ecs_scheduler._config(service)
    if breaker and green.failed >= ecs_scheduler.failure_threshold(green.desired):
        deployment.breaker_tripped = True
        green.state = "FAILED"
        green.reason = "ECS deployment circuit breaker: tasks failed to start."
        ecs_scheduler._event(service, f"(deployment {green.id}) deployment failed: tasks failed to start.")
        reason = "Circuit breaker initiated the rollback: tasks failed to start."
        _roll_back(backend, service, deployment, reason, at, stop=not rollback)
        return
    green.running, green.pending = 0, green.desired
    ecs_scheduler._reconcile(backend, service, green, at=at)
    fresh = ecs_scheduler._live(green)
    if fresh:
        ecs_scheduler._event(service, f"has started {len(fresh)} tasks: {ecs_scheduler._task_ids(fresh)}.")


def _crash(backend, service, deployment, at):
    """Green's running tasks of a crashing image exit 1 at `at`; restarted, they run again at once
    and exit one STEP later. Returns True when the breaker took over."""
    plan, green = deployment.plan, deployment.plan.green
    _failed_attempt(backend, service, deployment, green.failure, at)
    if plan.rollback_ends is not None or deployment.ended:
        plan.crash_at = None
        return True
    green.running, green.pending = green.desired, 0
    ecs_scheduler._reconcile(backend, service, green, at=at)
    plan.crash_at = at + ecs_scheduler.STEP
    return False


def _roll_back(backend, service, deployment, reason, at, stop=False):
    """Traffic back to blue, green's tasks stopped, blue PRIMARY again; ends one STEP after `at`.
    `stop`: the breaker failed it without rollback (it ends STOPPED, not ROLLBACK_SUCCESSFUL)."""
    plan = deployment.plan
    green, blue = plan.green, plan.blue
    state = state_of(backend)
    plan.crash_at = None
    if green.state == "IN_PROGRESS":
        green.state = "FAILED"
        green.reason = f"ECS deployment {green.id} rolled back."
    live = [t for t in green.tasks if t.desired_status == "RUNNING"]
    if live:
        ecs_scheduler._event(service, f"has stopped {len(live)} running tasks: {ecs_scheduler._task_ids(live)}.")
    green.running = green.pending = 0
    ecs_scheduler._reconcile(backend, service, green, reason=f"Scaling activity initiated by (deployment {green.id})")
    green.updated_at = utcnow()
    plan.stop_at_end = stop or blue is None
    if deployment.status_reason is None:
        deployment.status_reason = reason
    if blue is not None:
        _weigh(backend, deployment, test=0, production=0)
        rollouts = state.rollouts[service.arn]
        rollouts.remove(blue)
        rollouts.insert(0, blue)
        blue.status, blue.kept = "PRIMARY", False
        green.status = "ACTIVE"
        service.task_definition = blue.task_definition
        if not stop:
            deployment.status = "ROLLBACK_IN_PROGRESS"
            deployment.rollback = {"reason": reason, "startedAt": utcnow(), "serviceRevisionArn": blue.revision_arn}
            ecs_scheduler._event(service, f"(deployment {green.id}) rolling back to task definition {blue.task_definition.split('/')[-1]}.")
    deployment.stage = "PRODUCTION_TRAFFIC_SHIFT"
    deployment.updated_at = utcnow()
    plan.rollback_reason = reason
    plan.rollback_ends = at + ecs_scheduler.STEP


def _finish_failed(backend, service, deployment):
    plan = deployment.plan
    state = state_of(backend)
    rollouts = state.rollouts.get(service.arn, [])
    if plan.green in rollouts and plan.blue is not None:
        rollouts.remove(plan.green)
        state.retired.setdefault(service.arn, []).append(plan.green)
    deployment.stage = "CLEAN_UP"
    deployment.freeze(state)
    plan.rollback_ends = None
    if plan.stop_at_end:
        reason = "Service deployment stopped: the deployment circuit breaker detected that tasks failed to start (rollback is off)."
        if plan.blue is None:
            reason = f"Service deployment stopped: {plan.rollback_reason} (there is no earlier revision to roll back to)."
        deployment.end("STOPPED", reason, stopped=True)
    else:
        deployment.end("ROLLBACK_SUCCESSFUL", deployment.status_reason or f"Service deployment rolled back: {plan.rollback_reason}")


def _succeed(backend, service, deployment):
    plan = deployment.plan
    state = state_of(backend)
    green = plan.green
    rollouts = state.rollouts.get(service.arn, [])
    if plan.blue is not None and plan.blue in rollouts:
        rollouts.remove(plan.blue)
        state.retired.setdefault(service.arn, []).append(plan.blue)
    green.state = "COMPLETED"
    green.reason = f"ECS deployment {green.id} completed."
    green.updated_at = utcnow()
    ecs_scheduler._event(service, f"(deployment {green.id}) deployment completed.")
    ecs_scheduler._event(service, "has reached a steady state.")
    deployment.freeze(state)
    deployment.end("SUCCESSFUL", "Service deployment completed successfully.")


def validate(config):
    """Refuses a PAUSE hook at a stage AWS does not pause at (its "Pause hooks" guide)."""
    for hook in (config or {}).get("lifecycleHooks") or []:
        if hook.get("targetType") == "PAUSE":
            wrong = [s for s in hook.get("lifecycleStages") or [] if s not in PAUSABLE]
            if wrong:
                raise InvalidParameterException(f"A PAUSE lifecycle hook can't be set at {', '.join(wrong)}; PAUSE hooks are allowed at {', '.join(PAUSABLE)}.")


def continue_service_deployment(self):
    backend = self.ecs_backend
    arn = self._get_param("serviceDeploymentArn")
    hook_id = self._get_param("hookId")
    action = self._get_param("action") or "CONTINUE"
    deployment = ecs_deployments._deployment(self, arn)
    if deployment is None:
        raise ecs_deployments.ServiceDeploymentNotFoundException(f"The service deployment {arn} does not exist.")
    waiting = _awaiting(deployment)
    if deployment.status != "IN_PROGRESS" or not waiting:
        raise InvalidParameterException(
            f"The service deployment {arn} is not paused at a lifecycle hook awaiting action (status {deployment.status}, lifecycle stage {deployment.stage})."
        )
    hook = next((h for h in deployment.hooks if h["hookId"] == hook_id), None)
    if hook is None or hook["status"] != "AWAITING_ACTION":
        raise InvalidParameterException(
            f"The lifecycle hook {hook_id} is not awaiting action in service deployment {arn}; awaiting: {', '.join(h['hookId'] for h in waiting)}."
        )
    service = next(s for s in backend.services.values() if s.arn == deployment.service_arn)
    now = ecs_scheduler.clock()
    if action == "ROLLBACK":
        hook["status"] = "FAILED"
        _roll_back(backend, service, deployment, f"A user rolled the deployment back at lifecycle hook {hook_id} (ContinueServiceDeployment).", now)
    else:
        hook["status"] = "SUCCEEDED"
        if not _awaiting(deployment):
            deployment.plan.since = now
    deployment.updated_at = utcnow()
    ecs_scheduler.tick(backend, service)
    return ActionResult({"serviceDeploymentArn": arn})


def install():
    add(EC2ContainerServiceResponse, "continue_service_deployment", continue_service_deployment)
