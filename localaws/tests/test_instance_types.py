"""DescribeInstanceTypes, kept per region and request: every account sees the same ~1,400 types,
the second time without moto writing them out again (seconds each time), and a type EC2 does not
offer is still refused."""

import botocore.exceptions
import pytest

from berth_localaws import server


def test_the_types_are_kept_and_answered_alike_to_every_account(client, endpoint):
    ec2 = client("ec2")
    first = ec2.describe_instance_types()["InstanceTypes"]
    assert len(first) > 1000
    whole = (("Action", "DescribeInstanceTypes"), ("Version", "2016-11-15"))
    assert ("us-east-1", whole) in server._TYPES, "the answer is kept"
    assert ec2.describe_instance_types()["InstanceTypes"] == first
    one = ec2.describe_instance_types(InstanceTypes=["t2.micro"])["InstanceTypes"]
    assert [(t["InstanceType"], t["VCpuInfo"]["DefaultVCpus"], t["MemoryInfo"]["SizeInMiB"]) for t in one] == [("t2.micro", 1, 1024)]
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        ec2.describe_instance_types(InstanceTypes=["t9.huge"])
    assert refused.value.response["Error"]["Code"] == "InvalidInstanceType"
    assert ec2.describe_vpcs()["Vpcs"], "other requests reach moto with their body"
