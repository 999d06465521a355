"""The instance agent: running instances whose user data names a cluster join it (an Auto Scaling
group's balanced over its subnets), and registration waits for the scheduler's lock."""

import base64
import threading

from moto.ecs.models import ecs_backends

from berth_localaws import ecs_agent, ecs_state
from conftest import REGION
from lab import AMAZON_LINUX

USER_DATA = "#!/bin/bash\necho ECS_CLUSTER=lab >> /etc/ecs/ecs.config\n"


def subnets(ec2, count):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:count]
    return [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=z)["Subnet"]["SubnetId"] for i, z in enumerate(zones)]


def test_an_auto_scaling_group_s_instances_join_the_cluster_balanced_over_its_subnets(client, clock):
    ecs, ec2, autoscaling = client("ecs"), client("ec2"), client("autoscaling")
    ecs.create_cluster(clusterName="lab")
    ec2.create_launch_template(
        LaunchTemplateName="lab",
        LaunchTemplateData={
            "ImageId": AMAZON_LINUX,
            "InstanceType": "t3.small",
            "UserData": base64.b64encode(USER_DATA.encode()).decode(),
        },
    )
    two = subnets(ec2, 2)
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="lab", LaunchTemplate={"LaunchTemplateName": "lab"},
        MinSize=0, MaxSize=4, DesiredCapacity=4, VPCZoneIdentifier=",".join(two),
    )
    arns = ecs.list_container_instances(cluster="lab")["containerInstanceArns"]
    described = ecs.describe_container_instances(cluster="lab", containerInstances=arns)["containerInstances"]
    assert len(described) == 4
    for instance in described:
        registered = {r["name"]: r["integerValue"] for r in instance["registeredResources"] if r["name"] in ("CPU", "MEMORY")}
        assert registered == {"CPU": 2048, "MEMORY": 1939}  # t3.small as the ECS agent reports it
    ids = [i["ec2InstanceId"] for i in described]
    placed = [i["SubnetId"] for r in ec2.describe_instances(InstanceIds=ids)["Reservations"] for i in r["Instances"]]
    assert sorted(placed) == sorted(two * 2)

    autoscaling.set_desired_capacity(AutoScalingGroupName="lab", DesiredCapacity=1)
    assert len(ecs.list_container_instances(cluster="lab", status="ACTIVE")["containerInstanceArns"]) == 1


def test_the_agent_registers_instances_only_while_it_holds_the_scheduler_s_lock(client, account):
    ecs, ec2 = client("ecs"), client("ec2")
    ecs.create_cluster(clusterName="lab")
    ec2.run_instances(ImageId=AMAZON_LINUX, MinCount=1, MaxCount=1, InstanceType="t3.medium", UserData=USER_DATA)
    backend = ecs_backends[account][REGION]

    with ecs_state.LOCK:
        agent = threading.Thread(target=ecs_agent.sync, args=(account, REGION))
        agent.start()
        agent.join(0.5)
        assert agent.is_alive(), "the agent changed ECS state while the scheduler held the lock"
        assert backend.container_instances.get("lab", {}) == {}
    agent.join(10)
    assert not agent.is_alive()
    assert len(backend.container_instances["lab"]) == 1
