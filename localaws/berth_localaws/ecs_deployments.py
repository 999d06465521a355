"""ECS's native deployment history — service deployments and service revisions — for the
deployments the local scheduler (`ecs_scheduler`) runs. moto 5.2 has none of it. Here:

- every deployment the scheduler starts (CreateService; UpdateService with a new task definition or
  forceNewDeployment) is a *service deployment*
  `arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID` (ID: 21 letters and digits, as
  ECS's) deploying a new *service revision*
  `arn:aws:ecs:REGION:ACCOUNT:service-revision/CLUSTER/SERVICE/NUMBER` (NUMBER: 19 digits) — the
  task definition, launch type or capacity provider strategy, load balancers, network configuration
  and container images (with the image digest when the image is in this account's ECR registry) as
  they were when it started;
- a rollback belongs to the deployment that is rolled back, as on ECS: it is not a deployment of its
  own; its `rollback {reason, startedAt, serviceRevisionArn}` names the earlier revision (its ARN
  reused, not a new revision), and its status goes ROLLBACK_IN_PROGRESS, then ROLLBACK_SUCCESSFUL
  once the re-deployed revision's rollout COMPLETED;
- statuses (decided here, after AWS's "View service history using Amazon ECS service deployments",
  "Stopping Amazon ECS service deployments" and the API reference's ServiceDeployment.stoppedAt):
  IN_PROGRESS while rolling; SUCCESSFUL when the rollout COMPLETED; STOPPED when a newer deployment
  replaced it before it finished ("superseded", the tasks are taken over by the newer one), when the
  circuit breaker failed it and rollback is off (stoppedAt: "the rollback option is not in use for
  the failure detection mechanism and the service fails"), or when it was stopped with ABORT;
  ROLLBACK_IN_PROGRESS / ROLLBACK_SUCCESSFUL when the circuit breaker (with rollback), a
  StopServiceDeployment ROLLBACK, a ContinueServiceDeployment ROLLBACK or a hook's timeout rolls it
  back. The statusReason wording is this emulator's (ECS does not document its texts);
- lifecycle stages of a ROLLING deployment: SCALE_UP while the new revision's tasks start (and
  while failing ones are retried), CLEAN_UP once the old revisions' tasks are being stopped until
  the end (ECS reports no traffic stages for rolling deployments). BLUE_GREEN, LINEAR and CANARY
  go through their stages in `ecs_strategies`;
- `deploymentCircuitBreaker {status, failureCount, threshold}`: DISABLED when off, MONITORING while
  the deployment runs, TRIGGERED once it failed the deployment, MONITORING_COMPLETE once it ended
  otherwise; `alarms` likewise (DISABLED unless enabled; alarms are never evaluated locally, so
  `triggeredAlarmNames` is empty);
- the counts of a revision (`requestedTaskCount`, running, pending) are its tasks' while the
  deployment runs, and frozen when it ends;
- DescribeServices gains `currentServiceDeployment` and `currentServiceRevisions[]`;
- ListServiceDeployments (newest first; `status` and `createdAt {before, after}` filters;
  maxResults 1-100, default 20, with nextToken), DescribeServiceDeployments and
  DescribeServiceRevisions (at most 20 ARNs, else InvalidParameterException; an unknown ARN is a
  `failures[]` entry with reason MISSING), StopServiceDeployment: ROLLBACK (the default, and the
  only stop type AWS's reference lists) -> ROLLBACK_REQUESTED, one STEP later the rollback starts
  (ROLLBACK_IN_PROGRESS) re-deploying the revision of the last successful deployment; ABORT ->
  STOP_REQUESTED, one STEP later STOPPED, the tasks left as they are (the rollout stops moving). A
  deployment that ended can't be stopped (ConflictException, the error the API lists for a resource
  in the wrong state); STOP_REQUESTED and ROLLBACK_* deployments keep going (the call is accepted,
  as the ECS guide says); an unknown ARN is ServiceDeploymentNotFoundException.

Time is the scheduler's (`ecs_scheduler.clock`, STEP). Everything runs with `ecs_state.LOCK` held
(each ECS request holds it); the records live in `ecs_state.state_of(backend)`, so a reset clears
them. History is not pruned (ECS keeps 90 days).
"""

import base64
import copy
import random
import string

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.responses import EC2ContainerServiceResponse

from . import ecs_scheduler
from .ecs_state import state_of
from .patching import add, require

ENDED = ("SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")
ARNS_AT_MOST = 20
LIST_DEFAULT, LIST_AT_MOST = 20, 100


class ServiceDeploymentNotFoundException(ServiceException):
    code = "ServiceDeploymentNotFoundException"


class ConflictException(ServiceException):
    code = "ConflictException"


def _id21():
    return "".join(random.choices(string.ascii_letters + string.digits, k=21))


def _prune(record):
    return {k: v for k, v in record.items() if v is not None and v != []}


def container_images(backend, task_definition_arn):
    """`containerImages[]` of a revision: each container's image, and the digest ECS resolves it to
    when this account's ECR registry holds it (other registries are not reachable locally)."""
    try:
        containers = backend.describe_task_definition(task_definition_arn).container_definitions
    except Exception:
        return []
    images = []
    for container in containers:
        image = container.get("image") or ""
        found = ecs_scheduler.local_ecr_image(backend, image)
        images.append(_prune({"containerName": container.get("name"), "image": image, "imageDigest": found.get_image_digest() if found else None}))
    return images


class ServiceRevision:
    """What a deployment deploys, as it was when the deployment started."""

    def __init__(self, backend, service, rollout):
        number = f"{random.randrange(10**18, 10**19)}"
        self.arn = f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:service-revision/{service.cluster_name}/{service.name}/{number}"
        self.service_arn, self.cluster_arn = service.arn, service.cluster_arn
        self.task_definition = rollout.task_definition
        strategy = getattr(service, "capacity_provider_strategy", None)
        self.capacity_provider_strategy = copy.deepcopy(strategy) or None
        self.launch_type = None if strategy else service.launch_type
        fargate = service.launch_type == "FARGATE"
        self.platform_version = (service.platform_version or "LATEST") if fargate else None
        self.platform_family = "Linux" if fargate else None
        self.load_balancers = copy.deepcopy(service.load_balancers) or None
        self.service_registries = copy.deepcopy(service.service_registries) or None
        self.network_configuration = copy.deepcopy(rollout.network)
        self.container_images = container_images(backend, rollout.task_definition)
        self.created_at = utcnow()

    def as_dict(self):
        return _prune({
            "serviceRevisionArn": self.arn,
            "serviceArn": self.service_arn,
            "clusterArn": self.cluster_arn,
            "taskDefinition": self.task_definition,
            "capacityProviderStrategy": self.capacity_provider_strategy,
            "launchType": self.launch_type,
            "platformVersion": self.platform_version,
            "platformFamily": self.platform_family,
            "loadBalancers": self.load_balancers,
            "serviceRegistries": self.service_registries,
            "networkConfiguration": self.network_configuration,
            "containerImages": self.container_images,
            "createdAt": self.created_at,
        })


class ServiceDeployment:
    """One service deployment. `rollout` is the scheduler's deployment (ecs-svc/…) of the target
    revision; `rollback_rollout` the one re-deploying an earlier revision, if rolled back."""

    def __init__(self, backend, service, revision, sources):
        self.arn = f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:service-deployment/{service.cluster_name}/{service.name}/{_id21()}"
        self.service_arn, self.cluster_arn = service.arn, service.cluster_arn
        self.created_at = self.started_at = self.updated_at = utcnow()
        self.finished_at = self.stopped_at = None
        self.target = revision.arn
        self.sources = sources
        self.configuration = copy.deepcopy(getattr(service, "deployment_configuration", None) or {})
        self.strategy = self.configuration.get("strategy") or "ROLLING"
        self.status = "IN_PROGRESS"
        self.status_reason = None
        self.stage = "SCALE_UP"
        self.rollback = None
        self.rollout = None
        self.rollback_rollout = None
        self.requested_at = None  # on the scheduler's clock: when a stop was requested
        self.rollback_target = None  # the revision a requested rollback re-deploys
        self.breaker_tripped = False
        self.final = None  # (sources, target) summaries, frozen when it ends
        # Set by ecs_strategies: revision ARN -> [test, production] traffic weights, the hooks met
        # (DeploymentLifecycleHookDetail records) and the strategy's plan.
        self.weights = {}
        self.hooks = []
        self.plan = None

    @property
    def ended(self):
        return self.status in ENDED

    def end(self, status, reason=None, stopped=False):
        now = utcnow()
        self.status = status
        if reason is not None:
            self.status_reason = reason
        self.finished_at = self.updated_at = now
        if stopped:
            self.stopped_at = now

    def _summary(self, state, arn, target):
        rollouts = [r for r in state.rollouts.get(self.service_arn, []) if r.revision_arn == arn]
        summary = {
            "arn": arn,
            "requestedTaskCount": sum(r.desired for r in rollouts if r.status == "PRIMARY" or r.kept),
            "runningTaskCount": sum(r.running for r in rollouts),
            "pendingTaskCount": sum(r.pending for r in rollouts),
        }
        if arn in self.weights:
            test, production = self.weights[arn]
            summary["requestedTestTrafficWeight"] = float(test)
            summary["requestedProductionTrafficWeight"] = float(production)
        return summary

    def summaries(self, state):
        if self.final is not None:
            return self.final
        sources = [self._summary(state, arn, False) for arn in self.sources]
        return sources, self._summary(state, self.target, True)

    def freeze(self, state):
        self.final = None
        self.final = self.summaries(state)

    def _monitor(self, enabled, tripped):
        if not enabled:
            return "DISABLED"
        if tripped:
            return "TRIGGERED"
        return "MONITORING_COMPLETE" if self.ended else "MONITORING"

    def brief(self):
        return _prune({
            "serviceDeploymentArn": self.arn,
            "serviceArn": self.service_arn,
            "clusterArn": self.cluster_arn,
            "startedAt": self.started_at,
            "createdAt": self.created_at,
            "finishedAt": self.finished_at,
            "targetServiceRevisionArn": self.target,
            "status": self.status,
            "statusReason": self.status_reason,
        })

    def as_dict(self, state):
        sources, target = self.summaries(state)
        breaker = self.configuration.get("deploymentCircuitBreaker") or {}
        alarms = self.configuration.get("alarms") or {}
        desired = self.rollout.desired if self.rollout is not None else 0
        return _prune({
            **self.brief(),
            "stoppedAt": self.stopped_at,
            "updatedAt": self.updated_at,
            "sourceServiceRevisions": sources,
            "targetServiceRevision": target,
            "lifecycleStage": self.stage,
            "lifecycleHookDetails": [_prune({k: v for k, v in h.items() if not k.startswith("_")}) for h in self.hooks] or None,
            "deploymentConfiguration": self.configuration or None,
            "rollback": self.rollback,
            "deploymentCircuitBreaker": {
                "status": self._monitor(bool(breaker.get("enable")), self.breaker_tripped),
                "failureCount": self.rollout.failed if self.rollout is not None else 0,
                "threshold": ecs_scheduler.failure_threshold(desired),
            },
            "alarms": _prune({
                "status": self._monitor(bool(alarms.get("enable")), False),
                "alarmNames": alarms.get("alarmNames") or None,
                "triggeredAlarmNames": None,
            }),
        })


def of_service(state, service_arn):
    """The service's deployments, oldest first."""
    return [d for d in state.deployments.values() if d.service_arn == service_arn]


def _live_revisions(state, service_arn, exclude=None):
    """The revisions whose tasks are deployed (PRIMARY, or with tasks), in the rollouts' order."""
    arns = []
    for rollout in state.rollouts.get(service_arn, []):
        if rollout is exclude or rollout.revision_arn is None:
            continue
        if (rollout.status == "PRIMARY" or rollout.running or rollout.pending or rollout.kept) and rollout.revision_arn not in arns:
            arns.append(rollout.revision_arn)
    return arns


def started(backend, service, rollout, rollback=None):
    """The scheduler started `rollout`: a new service deployment of a new revision, or, with
    `rollback` = (deployment, revision ARN, reason), the rollback of that deployment. Deployments
    still running are STOPPED: the new one replaces them."""
    state = state_of(backend)
    if rollback is not None:
        deployment, revision_arn, reason = rollback
        rollout.deployment_arn, rollout.revision_arn = deployment.arn, revision_arn
        deployment.rollback_rollout = rollout
        deployment.status = "ROLLBACK_IN_PROGRESS"
        deployment.rollback = {"reason": reason, "startedAt": utcnow(), "serviceRevisionArn": revision_arn}
        deployment.updated_at = utcnow()
        _supersede(state, service, deployment)
        return deployment
    revision = ServiceRevision(backend, service, rollout)
    state.revisions[revision.arn] = revision
    deployment = ServiceDeployment(backend, service, revision, _live_revisions(state, service.arn, exclude=rollout))
    rollout.deployment_arn, rollout.revision_arn = deployment.arn, revision.arn
    deployment.rollout = rollout
    _supersede(state, service, deployment)
    state.deployments[deployment.arn] = deployment
    return deployment


def _supersede(state, service, newer):
    for deployment in of_service(state, service.arn):
        if deployment is not newer and not deployment.ended:
            deployment.freeze(state)
            deployment.end("STOPPED", f"Service deployment stopped: a newer service deployment ({newer.arn.rsplit('/', 1)[-1]}) replaced it before it finished.", stopped=True)


def service_deleted(backend, service):
    state = state_of(backend)
    for deployment in of_service(state, service.arn):
        if not deployment.ended:
            deployment.freeze(state)
            deployment.end("STOPPED", "Service deployment stopped: the service was deleted.", stopped=True)


def _revision_before(state, deployment):
    """The revision a rollback of `deployment` re-deploys: the one the service ran after its last
    successful deployment before this one (a rolled-back deployment's rollback revision)."""
    earlier = [d for d in of_service(state, deployment.service_arn) if d.created_at <= deployment.created_at and d is not deployment]
    for previous in reversed(earlier):
        if previous.status == "SUCCESSFUL":
            return previous.target
        if previous.status == "ROLLBACK_SUCCESSFUL":
            return previous.rollback["serviceRevisionArn"]
    return deployment.sources[0] if deployment.sources else None


def advance(backend, service):
    """Acts on what a stop asked one STEP ago (called by the scheduler's tick before it moves the
    rollouts): STOP_REQUESTED -> STOPPED; ROLLBACK_REQUESTED -> the rollback starts."""
    state = state_of(backend)
    now = ecs_scheduler.clock()
    for deployment in of_service(state, service.arn):
        if deployment.requested_at is None or now - deployment.requested_at < ecs_scheduler.STEP:
            continue
        if deployment.status == "STOP_REQUESTED":
            deployment.freeze(state)
            deployment.end("STOPPED", stopped=True)
        elif deployment.status == "ROLLBACK_REQUESTED" and deployment.plan is None:
            revision = state.revisions[deployment.rollback_target]
            service.task_definition = revision.task_definition
            ecs_scheduler.start(backend, service, revision.network_configuration, rollback=(deployment, revision.arn, deployment.status_reason), at=deployment.requested_at + ecs_scheduler.STEP)
            # It started when it was due, however much later a call first sees it.
            deployment.rollback_rollout.started = deployment.requested_at + ecs_scheduler.STEP


def sync(backend, service):
    """Brings the ROLLING deployments' statuses and stages in line with their rollouts, and
    publishes currentServiceDeployment / currentServiceRevisions on the service."""
    state = state_of(backend)
    now = ecs_scheduler.clock()
    for deployment in of_service(state, service.arn):
        if deployment.ended or deployment.plan is not None:
            continue
        rollout = deployment.rollback_rollout or deployment.rollout
        if deployment.status in ("IN_PROGRESS", "ROLLBACK_IN_PROGRESS") and not rollout.frozen:
            moving = rollout.failure is not None or now - rollout.started < 2 * ecs_scheduler.STEP
            deployment.stage = "SCALE_UP" if moving else "CLEAN_UP"
            deployment.updated_at = max(deployment.updated_at, rollout.updated_at)
        if deployment.status == "ROLLBACK_IN_PROGRESS" and rollout.state == "COMPLETED":
            deployment.freeze(state)
            deployment.end("ROLLBACK_SUCCESSFUL")
        elif deployment.status == "ROLLBACK_IN_PROGRESS" and rollout.state == "FAILED":
            deployment.freeze(state)
            deployment.end("ROLLBACK_FAILED", "Service deployment rollback failed: the circuit breaker failed the rollback's tasks.")
        elif deployment.status == "IN_PROGRESS" and rollout.state == "COMPLETED":
            deployment.freeze(state)
            deployment.end("SUCCESSFUL", "Service deployment completed successfully.")
        elif deployment.status == "IN_PROGRESS" and rollout.state == "FAILED":
            # The circuit breaker failed it and there is no rollback (with rollback, `started`
            # has made it ROLLBACK_IN_PROGRESS already).
            deployment.breaker_tripped = True
            deployment.freeze(state)
            deployment.end("STOPPED", "Service deployment stopped: the deployment circuit breaker detected that tasks failed to start (rollback is off).", stopped=True)
    publish(state, service)


def publish(state, service):
    rollouts = state.rollouts.get(service.arn, [])
    # The service's newest deployment, also while (and after) it rolls back: ECS rolls back within
    # the deployment that failed, so that one stays current, not the older one whose revision
    # serves again.
    deployments = of_service(state, service.arn)
    service.current_service_deployment = deployments[-1].arn if deployments else None
    current = []
    for arn in _live_revisions(state, service.arn):
        mine = [r for r in rollouts if r.revision_arn == arn]
        current.append({
            "arn": arn,
            "requestedTaskCount": sum(r.desired for r in mine if r.status == "PRIMARY" or r.kept),
            "runningTaskCount": sum(r.running for r in mine),
            "pendingTaskCount": sum(r.pending for r in mine),
        })
    service.current_service_revisions = current


# --- The API actions ---------------------------------------------------------------------------


def _token(offset):
    return base64.urlsafe_b64encode(f"sd:{offset}".encode()).decode()


def _offset(token):
    try:
        kind, _, number = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind != "sd":
            raise ValueError(token)
        return int(number)
    except Exception:
        raise InvalidParameterException("Invalid parameter at 'nextToken': the token is not one ListServiceDeployments returned.") from None


def _deployment(self, arn):
    """The deployment of this account and region, its service ticked to now; None if unknown."""
    backend = self.ecs_backend
    deployment = state_of(backend).deployments.get(arn)
    if deployment is not None:
        for service in backend.services.values():
            if service.arn == deployment.service_arn:
                ecs_scheduler.tick(backend, service)
    return deployment


def _at_most_20(self, name):
    arns = self._get_param(name) or []
    if len(arns) > ARNS_AT_MOST:
        raise InvalidParameterException(f"{name} can have at most {ARNS_AT_MOST} ARNs; {len(arns)} were given.")
    return arns


def list_service_deployments(self):
    backend = self.ecs_backend
    service = backend._get_service(self._get_param("cluster", "default"), self._get_param("service"))
    ecs_scheduler.tick(backend, service)
    statuses = self._get_param("status") or []
    window = self._get_param("createdAt") or {}
    limit = self._get_param("maxResults")
    if limit is not None and not 1 <= int(limit) <= LIST_AT_MOST:
        raise InvalidParameterException(f"maxResults must be between 1 and {LIST_AT_MOST}.")
    limit = int(limit or LIST_DEFAULT)
    found = list(reversed(of_service(state_of(backend), service.arn)))
    if statuses:
        found = [d for d in found if d.status in statuses]
    if window.get("before") is not None:
        found = [d for d in found if d.created_at < window["before"]]
    if window.get("after") is not None:
        found = [d for d in found if d.created_at > window["after"]]
    token = self._get_param("nextToken")
    start = _offset(token) if token else 0
    page = {"serviceDeployments": [d.brief() for d in found[start:start + limit]]}
    if start + limit < len(found):
        page["nextToken"] = _token(start + limit)
    return ActionResult(page)


def describe_service_deployments(self):
    arns = _at_most_20(self, "serviceDeploymentArns")
    state = state_of(self.ecs_backend)
    found, failures = [], []
    for arn in arns:
        deployment = _deployment(self, arn)
        if deployment is None:
            failures.append({"arn": arn, "reason": "MISSING"})
        else:
            found.append(deployment.as_dict(state))
    return ActionResult({"serviceDeployments": found, "failures": failures})


def describe_service_revisions(self):
    arns = _at_most_20(self, "serviceRevisionArns")
    revisions = state_of(self.ecs_backend).revisions
    found = [revisions[a].as_dict() for a in arns if a in revisions]
    failures = [{"arn": a, "reason": "MISSING"} for a in arns if a not in revisions]
    return ActionResult({"serviceRevisions": found, "failures": failures})


def _stoppable(self, arn):
    deployment = _deployment(self, arn)
    if deployment is None:
        raise ServiceDeploymentNotFoundException(f"The service deployment {arn} does not exist.")
    return deployment


def stop_service_deployment(self):
    backend = self.ecs_backend
    arn = self._get_param("serviceDeploymentArn")
    stop_type = self._get_param("stopType") or "ROLLBACK"
    deployment = _stoppable(self, arn)
    state = state_of(backend)
    if deployment.ended:
        raise ConflictException(f"The service deployment {arn} has already ended ({deployment.status}); only a deployment in progress can be stopped.")
    if deployment.status != "IN_PROGRESS":
        return ActionResult({"serviceDeploymentArn": arn})  # stopping or rolling back already: it goes on
    if stop_type == "ROLLBACK":
        back_to = _revision_before(state, deployment)
        if back_to is None:
            raise ConflictException(f"The service deployment {arn} has no earlier service revision to roll back to.")
        deployment.rollback_target = back_to
        deployment.status = "ROLLBACK_REQUESTED"
        deployment.status_reason = "Service deployment rolled back: a user requested the rollback (StopServiceDeployment)."
    else:
        deployment.status = "STOP_REQUESTED"
        deployment.status_reason = "Service deployment stopped: a user requested the stop (StopServiceDeployment, ABORT)."
    deployment.requested_at = ecs_scheduler.clock()
    deployment.updated_at = utcnow()
    # ABORT leaves everything where it is; a rolling deployment waits for its rollback likewise,
    # while a blue/green one keeps its traffic until the rollback moves it (ecs_strategies).
    if deployment.rollout is not None and (deployment.plan is None or stop_type == "ABORT"):
        deployment.rollout.frozen = True
    return ActionResult({"serviceDeploymentArn": arn})


def install():
    response = EC2ContainerServiceResponse
    require(response, "_get_param", "(self, param_name, if_none=None)")
    add(response, "list_service_deployments", list_service_deployments)
    add(response, "describe_service_deployments", describe_service_deployments)
    add(response, "describe_service_revisions", describe_service_revisions)
    add(response, "stop_service_deployment", stop_service_deployment)
