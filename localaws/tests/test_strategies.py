"""ECS-native BLUE_GREEN, LINEAR and CANARY deployments: their lifecycle stages, the listener
rules' weights in ELB, target health, PAUSE hooks (continue, roll back, time out), stops, the
circuit breaker mid-shift, and SCALE_UP waiting on EC2 until the whole green set is placed. One
STEP per stage that takes time; a minute of bake is one STEP."""

import pytest
from botocore.exceptions import ClientError

from berth_localaws import ecs_scheduler
from lab import register_instances

BREAKER = {"enable": True, "rollback": True}


class Lab:
    """A Fargate service `web` (awsvpc) behind an ALB: production rule on :80, test rule on :8080,
    target groups blue (the service's) and green (the alternate), both `ip`."""

    def __init__(self, client, account):
        self.ecs, self.elb, self.ec2 = client("ecs"), client("elbv2"), client("ec2")
        self.account = account
        vpc = self.ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        self.subnets = [s["SubnetId"] for s in self.ec2.describe_subnets()["Subnets"] if s.get("DefaultForAz")][:2]
        balancer = self.elb.create_load_balancer(Name="web", Subnets=self.subnets)["LoadBalancers"][0]["LoadBalancerArn"]
        self.groups = [
            self.elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
            for name in ("web-blue", "web-green")
        ]
        forward = {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": self.groups[0], "Weight": 100}, {"TargetGroupArn": self.groups[1], "Weight": 0}]}}
        self.rules = []
        for port in (80, 8080):
            listener = self.elb.create_listener(LoadBalancerArn=balancer, Protocol="HTTP", Port=port, DefaultActions=[forward])["Listeners"][0]["ListenerArn"]
            condition = [{"Field": "path-pattern", "Values": ["/*"]}]
            self.rules.append(self.elb.create_rule(ListenerArn=listener, Priority=1, Conditions=condition, Actions=[forward])["Rules"][0]["RuleArn"])
        self.ecs.create_cluster(clusterName="lab")

    def register(self, image, launch_type="FARGATE", cpu="256"):
        container = {"name": "web", "image": image, "memory": 128, "portMappings": [{"containerPort": 80}]}
        self.ecs.register_task_definition(family="web", networkMode="awsvpc", requiresCompatibilities=[launch_type], cpu=cpu, memory="512", containerDefinitions=[container])

    def create(self, config, desired=4, launch_type="FARGATE"):
        advanced = {
            "alternateTargetGroupArn": self.groups[1],
            "productionListenerRule": self.rules[0],
            "testListenerRule": self.rules[1],
            "roleArn": f"arn:aws:iam::{self.account}:role/ecs-blue-green",
        }
        return self.ecs.create_service(
            cluster="lab", serviceName="web", taskDefinition="web:1", desiredCount=desired, launchType=launch_type,
            networkConfiguration={"awsvpcConfiguration": {"subnets": self.subnets}},
            loadBalancers=[{"targetGroupArn": self.groups[0], "containerName": "web", "containerPort": 80, "advancedConfiguration": advanced}],
            deploymentConfiguration=config,
        )["service"]

    def weights(self, which=0):
        """(blue group's weight, green group's) on the production (0) or test (1) rule."""
        rule = self.elb.describe_rules(RuleArns=[self.rules[which]])["Rules"][0]
        groups = {g["TargetGroupArn"]: g["Weight"] for g in rule["Actions"][0]["ForwardConfig"]["TargetGroups"]}
        return groups[self.groups[0]], groups[self.groups[1]]

    def latest(self):
        arn = self.ecs.list_service_deployments(cluster="lab", service="web")["serviceDeployments"][0]["serviceDeploymentArn"]
        return self.ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]

    def health(self, group):
        found = self.elb.describe_target_health(TargetGroupArn=self.groups[group])["TargetHealthDescriptions"]
        return sorted(d["TargetHealth"]["State"] for d in found)

    def service(self):
        return self.ecs.describe_services(cluster="lab", services=["web"])["services"][0]

    def unplaced(self):
        """The service's "unable to place a task" events, oldest first."""
        return [e["message"] for e in reversed(self.service()["events"]) if "was unable to place a task" in e["message"]]


@pytest.fixture
def lab(client, account, clock):
    lab = Lab(client, account)
    lab.register("nginx:1.27")
    lab.register("nginx:1.28")
    return lab


def deployed(lab, clock, config, desired=4):
    """The service created with `config` less its hooks, its first deployment over, and an update
    to web:2 with `config` started."""
    lab.create({k: v for k, v in config.items() if k != "lifecycleHooks"}, desired)
    clock.steps(30)
    assert lab.latest()["status"] == "SUCCESSFUL"
    lab.ecs.update_service(cluster="lab", service="web", taskDefinition="web:2", deploymentConfiguration=config)
    return lab.latest()


def stage(lab):
    d = lab.latest()
    return d["status"], d["lifecycleStage"]


def test_blue_green_shifts_test_then_production_traffic_bakes_and_cleans_up(lab, clock):
    lab.create({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 2, "deploymentCircuitBreaker": BREAKER})
    assert lab.weights(0) == (100, 0) and lab.weights(1) == (100, 0)  # a first deployment: all to it
    clock.steps(1)
    assert lab.health(0) == ["initial"] * 4
    clock.steps(1)
    assert lab.health(0) == ["healthy"] * 4
    clock.steps(30)
    first = lab.latest()
    assert first["status"] == "SUCCESSFUL"

    lab.ecs.update_service(cluster="lab", service="web", taskDefinition="web:2")
    d = lab.latest()
    assert (d["status"], d["lifecycleStage"]) == ("IN_PROGRESS", "SCALE_UP")
    assert [s["arn"] for s in d["sourceServiceRevisions"]] == [first["targetServiceRevision"]["arn"]]
    blue, green = d["sourceServiceRevisions"][0], d["targetServiceRevision"]
    assert (blue["requestedTaskCount"], blue["runningTaskCount"], blue["requestedProductionTrafficWeight"]) == (4, 4, 100.0)
    assert (green["requestedTaskCount"], green["pendingTaskCount"], green["requestedProductionTrafficWeight"]) == (4, 4, 0.0)

    clock.steps(1)  # green runs; test traffic moves to it
    assert stage(lab) == ("IN_PROGRESS", "TEST_TRAFFIC_SHIFT")
    assert lab.weights(1) == (0, 100) and lab.weights(0) == (100, 0)
    assert lab.health(1) == ["initial"] * 4 and lab.health(0) == ["healthy"] * 4
    clock.steps(1)
    assert stage(lab) == ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT")
    assert lab.weights(0) == (0, 100)
    assert lab.latest()["targetServiceRevision"]["requestedProductionTrafficWeight"] == 100.0
    clock.steps(1)
    assert stage(lab) == ("IN_PROGRESS", "BAKE_TIME")
    assert len([t for t in lab.ecs.list_tasks(cluster="lab", serviceName="web")["taskArns"]]) == 8  # both revisions up
    clock.steps(2)
    assert stage(lab) == ("IN_PROGRESS", "CLEAN_UP")
    assert lab.health(0) == ["draining"] * 4 and lab.health(1) == ["healthy"] * 4
    clock.steps(1)
    done = lab.latest()
    assert (done["status"], done["lifecycleStage"]) == ("SUCCESSFUL", "CLEAN_UP")
    assert lab.health(0) == []
    service = lab.service()
    assert [(x["taskDefinition"].split("/")[-1], x["rolloutState"]) for x in service["deployments"]] == [("web:2", "COMPLETED")]
    assert service["currentServiceRevisions"] == [{"arn": done["targetServiceRevision"]["arn"], "requestedTaskCount": 4, "runningTaskCount": 4, "pendingTaskCount": 0}]

    lab.ecs.update_service(cluster="lab", service="web", taskDefinition="web:1")
    clock.steps(2)
    assert lab.weights(0) == (100, 0)  # the next deployment shifts back to the first group


def test_linear_shifts_step_percent_with_a_bake_between_steps(lab, clock):
    deployed(lab, clock, {"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 50.0, "stepBakeTimeInMinutes": 2}})
    clock.steps(2)
    assert stage(lab) == ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT")
    assert lab.weights(0) == (50, 50)
    clock.steps(2.5)  # the shift's STEP, then two minutes of step bake: still half
    assert lab.weights(0) == (50, 50)
    clock.steps(0.5)
    assert lab.weights(0) == (0, 100)
    clock.steps(2)
    assert lab.latest()["status"] == "SUCCESSFUL"


def test_canary_shifts_its_percent_bakes_then_all(lab, clock):
    deployed(lab, clock, {"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 3}, "bakeTimeInMinutes": 1})
    clock.steps(2)
    assert lab.weights(0) == (90, 10)
    assert lab.latest()["targetServiceRevision"]["requestedProductionTrafficWeight"] == 10.0
    clock.steps(3.5)
    assert lab.weights(0) == (90, 10)
    clock.steps(0.5)
    assert lab.weights(0) == (0, 100)
    clock.steps(3)
    assert lab.latest()["status"] == "SUCCESSFUL"


PAUSE = {"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}


def test_a_pause_hook_holds_the_deployment_until_continued(lab, clock):
    d = deployed(lab, clock, {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 1, "lifecycleHooks": [PAUSE]})
    arn = d["serviceDeploymentArn"]
    with pytest.raises(ClientError) as early:
        lab.ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId="ecs-pause-nothing")
    assert early.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "not paused at a lifecycle hook" in early.value.response["Error"]["Message"]
    clock.steps(12)
    paused = lab.latest()
    assert (paused["status"], paused["lifecycleStage"]) == ("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT")
    [hook] = paused["lifecycleHookDetails"]
    assert hook["hookId"].startswith("ecs-pause-") and (hook["targetType"], hook["status"], hook["timeoutAction"]) == ("PAUSE", "AWAITING_ACTION", "ROLLBACK")
    assert "expiresAt" in hook
    assert lab.weights(1) == (0, 100) and lab.weights(0) == (100, 0)
    with pytest.raises(ClientError) as wrong:
        lab.ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId="ecs-pause-nothing")
    assert wrong.value.response["Error"]["Code"] == "InvalidParameterException"

    assert lab.ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook["hookId"], action="CONTINUE")["serviceDeploymentArn"] == arn
    assert stage(lab) == ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT")
    assert lab.weights(0) == (0, 100)
    clock.steps(3)
    assert lab.latest()["status"] == "SUCCESSFUL"


def test_continue_with_rollback_moves_traffic_back_to_blue(lab, clock):
    d = deployed(lab, clock, {"strategy": "BLUE_GREEN", "lifecycleHooks": [{**PAUSE, "lifecycleStages": ["POST_PRODUCTION_TRAFFIC_SHIFT"]}]})
    clock.steps(3)
    hook = lab.latest()["lifecycleHookDetails"][0]
    assert lab.weights(0) == (0, 100)
    lab.ecs.continue_service_deployment(serviceDeploymentArn=d["serviceDeploymentArn"], hookId=hook["hookId"], action="ROLLBACK")
    back = lab.latest()
    assert back["status"] == "ROLLBACK_IN_PROGRESS"
    assert back["rollback"]["serviceRevisionArn"] == d["sourceServiceRevisions"][0]["arn"]
    assert lab.weights(0) == (100, 0) and lab.weights(1) == (100, 0)
    clock.steps(1)
    assert lab.latest()["status"] == "ROLLBACK_SUCCESSFUL"
    assert lab.service()["taskDefinition"].endswith("web:1")
    assert lab.health(1) == []


@pytest.mark.parametrize("action,ends", [("ROLLBACK", "ROLLBACK_SUCCESSFUL"), ("CONTINUE", "SUCCESSFUL")])
def test_a_pause_hook_times_out_with_its_action(lab, clock, action, ends):
    hook = {**PAUSE, "timeoutConfiguration": {"timeoutInMinutes": 3, "action": action}}
    deployed(lab, clock, {"strategy": "BLUE_GREEN", "lifecycleHooks": [hook]})
    clock.steps(4.5)  # paused at 2, times out at 5
    assert lab.latest()["lifecycleHookDetails"][0]["status"] == "AWAITING_ACTION"
    clock.steps(0.5)
    assert lab.latest()["lifecycleHookDetails"][0]["status"] == "TIMED_OUT"
    clock.steps(5)
    assert lab.latest()["status"] == ends


def test_stop_rollback_and_abort_of_a_blue_green_deployment(lab, clock):
    d = deployed(lab, clock, {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 10})
    clock.steps(4)
    assert stage(lab) == ("IN_PROGRESS", "BAKE_TIME")
    lab.ecs.stop_service_deployment(serviceDeploymentArn=d["serviceDeploymentArn"], stopType="ROLLBACK")
    assert lab.latest()["status"] == "ROLLBACK_REQUESTED"
    clock.steps(1)
    assert lab.latest()["status"] == "ROLLBACK_IN_PROGRESS" and lab.weights(0) == (100, 0)
    clock.steps(1)
    assert lab.latest()["status"] == "ROLLBACK_SUCCESSFUL"

    lab.ecs.update_service(cluster="lab", service="web", taskDefinition="web:2", forceNewDeployment=True)
    clock.steps(2)
    arn = lab.latest()["serviceDeploymentArn"]
    assert lab.weights(0) == (0, 100)
    lab.ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ABORT")
    clock.steps(20)
    assert lab.latest()["status"] == "STOPPED"
    assert lab.weights(0) == (0, 100)  # left where it was
    assert len(lab.ecs.list_tasks(cluster="lab", serviceName="web")["taskArns"]) == 8


def test_the_breaker_trips_mid_shift_on_a_crashing_image_and_traffic_goes_back(lab, clock, client, account):
    ecr = client("ecr")
    ecr.create_repository(repositoryName="nginxweb")
    manifest = '{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "layers": []}'
    ecr.put_image(repositoryName="nginxweb", imageManifest=manifest, imageTag="v3-cannot-start")
    lab.register(f"{account}.dkr.ecr.us-east-1.amazonaws.com/nginxweb:v3-cannot-start")  # web:3
    config = {"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 50.0, "stepBakeTimeInMinutes": 5}, "deploymentCircuitBreaker": BREAKER}
    lab.create(config, desired=2)
    clock.steps(30)
    lab.ecs.update_service(cluster="lab", service="web", taskDefinition="web:3")
    clock.steps(2.5)  # ran at 1, exited at 2 (2 failures of 3), restarted; half the traffic moved at 2
    mid = lab.latest()
    assert (mid["status"], mid["lifecycleStage"]) == ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT")
    assert mid["deploymentCircuitBreaker"] == {"status": "MONITORING", "failureCount": 2, "threshold": 3}
    assert lab.weights(0) == (50, 50)
    crashed = lab.ecs.describe_tasks(cluster="lab", tasks=lab.ecs.list_tasks(cluster="lab", serviceName="web", desiredStatus="STOPPED")["taskArns"])["tasks"]
    assert {t["stopCode"] for t in crashed} == {"EssentialContainerExited"}
    clock.steps(0.5)  # the restarted ones exit too: the breaker trips mid-shift
    failed = lab.latest()
    assert failed["status"] == "ROLLBACK_IN_PROGRESS"
    assert failed["deploymentCircuitBreaker"] == {"status": "TRIGGERED", "failureCount": 4, "threshold": 3}
    assert failed["rollback"]["reason"] == "Circuit breaker initiated the rollback: tasks failed to start."
    assert lab.weights(0) == (100, 0) and lab.weights(1) == (100, 0)
    clock.steps(1)
    assert lab.latest()["status"] == "ROLLBACK_SUCCESSFUL"
    assert [(x["taskDefinition"].split("/")[-1], x["runningCount"]) for x in lab.service()["deployments"]] == [("web:1", 2)]


def test_a_pause_hook_at_a_stage_that_cannot_pause_is_refused(lab):
    with pytest.raises(ClientError) as refused:
        lab.create({"strategy": "BLUE_GREEN", "lifecycleHooks": [{"targetType": "PAUSE", "lifecycleStages": ["PRODUCTION_TRAFFIC_SHIFT"]}]})
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"


@pytest.fixture
def ec2_lab(client, account, clock):
    """The lab on EC2, its tasks awsvpc with 1024 CPU units each (web:1, web:2), and one container
    instance (moto's 4096 units: four such tasks); the service `web` (three tasks, BLUE_GREEN, the
    breaker on) deployed once."""
    lab = Lab(client, account)
    lab.register("nginx:1.27", launch_type="EC2", cpu="1024")
    lab.register("nginx:1.28", launch_type="EC2", cpu="1024")
    register_instances(lab.ecs, lab.ec2, 1)
    lab.create({"strategy": "BLUE_GREEN", "deploymentCircuitBreaker": BREAKER}, desired=3, launch_type="EC2")
    clock.steps(30)
    assert lab.latest()["status"] == "SUCCESSFUL"
    return lab


def counts(revision):
    return revision["requestedTaskCount"], revision["runningTaskCount"], revision["pendingTaskCount"]


def test_blue_green_waits_in_scale_up_until_the_whole_green_set_is_placed(ec2_lab, clock):
    # ECS's SCALE_UP: "the green service revision scales up to 100% and launches new tasks";
    # POST_SCALE_UP: "the green service revision has started". Blue's three tasks leave room for one
    # of green's three: the deployment waits in SCALE_UP, traffic stays on blue.
    lab = ec2_lab
    lab.ecs.update_service(cluster="lab", service="web", taskDefinition="web:2")
    d = lab.latest()
    assert (d["status"], d["lifecycleStage"]) == ("IN_PROGRESS", "SCALE_UP")
    assert counts(d["targetServiceRevision"]) == (3, 0, 1)
    [first] = lab.unplaced()
    assert first.endswith("has insufficient CPU units available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.")

    clock.steps(1)  # the one placed runs; the other two still find no room
    d = lab.latest()
    assert (d["status"], d["lifecycleStage"]) == ("IN_PROGRESS", "SCALE_UP")
    assert counts(d["targetServiceRevision"]) == (3, 1, 0)

    clock.steps(ecs_scheduler.UNPLACED_EVENT_STEPS * 2)
    d = lab.latest()
    assert (d["status"], d["lifecycleStage"]) == ("IN_PROGRESS", "SCALE_UP")
    blue, green = d["sourceServiceRevisions"][0], d["targetServiceRevision"]
    assert counts(green) == (3, 1, 0) and counts(blue) == (3, 3, 0)
    assert (blue["requestedProductionTrafficWeight"], green["requestedProductionTrafficWeight"], green["requestedTestTrafficWeight"]) == (100.0, 0.0, 0.0)
    assert lab.weights(0) == (100, 0) and lab.weights(1) == (100, 0)
    assert lab.health(0) == ["healthy"] * 3 and lab.health(1) == ["healthy"]  # green's one task, in the group no rule sends to
    assert d["deploymentCircuitBreaker"] == {"status": "MONITORING", "failureCount": 0, "threshold": 3}  # unplaced is not failed
    assert lab.unplaced() == [first] * 2  # said again while the cause stays
    assert [(x["taskDefinition"].split("/")[-1], x["rolloutState"], x["runningCount"]) for x in lab.service()["deployments"]] == [("web:2", "IN_PROGRESS", 1), ("web:1", "COMPLETED", 3)]

    register_instances(lab.ecs, lab.ec2, 1)  # room: the scheduler's next attempt places the two
    clock.steps(1)
    d = lab.latest()
    assert (d["lifecycleStage"], counts(d["targetServiceRevision"])) == ("SCALE_UP", (3, 1, 2))
    clock.steps(1)  # all three run: green has scaled up, test traffic moves to it
    d = lab.latest()
    assert (d["status"], d["lifecycleStage"]) == ("IN_PROGRESS", "TEST_TRAFFIC_SHIFT")
    assert counts(d["targetServiceRevision"]) == (3, 3, 0)
    assert lab.weights(1) == (0, 100) and lab.weights(0) == (100, 0)
    clock.steps(1)
    assert stage(lab) == ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT")
    assert lab.weights(0) == (0, 100)
    clock.steps(3)
    assert lab.latest()["status"] == "SUCCESSFUL"
    assert [(x["taskDefinition"].split("/")[-1], x["rolloutState"], x["runningCount"]) for x in lab.service()["deployments"]] == [("web:2", "COMPLETED", 3)]
    assert lab.unplaced() == [first] * 2


def test_a_blue_green_deployment_waiting_for_room_can_be_rolled_back(ec2_lab, clock):
    lab = ec2_lab
    lab.ecs.update_service(cluster="lab", service="web", taskDefinition="web:2")
    clock.steps(3)
    d = lab.latest()
    assert (d["status"], d["lifecycleStage"]) == ("IN_PROGRESS", "SCALE_UP")
    lab.ecs.stop_service_deployment(serviceDeploymentArn=d["serviceDeploymentArn"], stopType="ROLLBACK")
    clock.steps(1)
    assert lab.latest()["status"] == "ROLLBACK_IN_PROGRESS"
    clock.steps(1)
    back = lab.latest()
    assert back["status"] == "ROLLBACK_SUCCESSFUL"
    assert counts(back["targetServiceRevision"])[1:] == (0, 0)
    assert lab.weights(0) == (100, 0) and lab.health(0) == ["healthy"] * 3
    assert [(x["taskDefinition"].split("/")[-1], x["rolloutState"], x["runningCount"]) for x in lab.service()["deployments"]] == [("web:1", "COMPLETED", 3)]
    events = len(lab.unplaced())
    clock.steps(ecs_scheduler.UNPLACED_EVENT_STEPS * 2)
    assert len(lab.unplaced()) == events  # nothing waits to be placed any more
