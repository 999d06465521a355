use super::*;
use crate::ecs::task_definition::KeyValueTag;

fn ec2() -> Ec2Capacity {
    Ec2Capacity {
        vpc_id: "vpc-0a1b2c3d".into(),
        subnet_ids: vec!["subnet-0a1b2c3d".into(), "subnet-1a2b3c4d".into()],
        security_group_ids: vec!["sg-0a1b2c3d".into()],
        ..Ec2Capacity::default()
    }
}

fn cluster(ec2: Option<Ec2Capacity>) -> ClusterSpec {
    ClusterSpec { cluster_name: "itflex-nginx".into(), ec2, ..ClusterSpec::default() }
}

/// The paths of the errors `spec` gets.
fn paths(spec: &ClusterSpec) -> Vec<String> {
    validate(spec).err().unwrap_or_default().into_iter().map(|e| e.path).collect()
}

#[test]
fn the_labs_cluster_is_valid_fargate_only_and_with_two_t2_micro() {
    assert_eq!(paths(&cluster(None)), Vec::<String>::new());
    assert_eq!(paths(&cluster(Some(ec2()))), Vec::<String>::new());
}

#[test]
fn names_are_letters_digits_hyphens_underscores_up_to_255() {
    for ok in ["a", "web_prod-2", &"x".repeat(255)] {
        assert!(paths(&ClusterSpec { cluster_name: ok.into(), ..cluster(None) }).is_empty(), "{ok}");
    }
    for bad in ["", "web prod", "web.prod", &"x".repeat(256), "café"] {
        assert_eq!(paths(&ClusterSpec { cluster_name: bad.into(), ..cluster(None) }), ["clusterName"], "{bad}");
    }
}

#[test]
fn counts_keep_min_le_desired_le_max() {
    let with = |min, desired, max| {
        cluster(Some(Ec2Capacity { min_size: min, desired_capacity: desired, max_size: max, ..ec2() }))
    };
    assert!(paths(&with(0, 0, 0)).is_empty());
    assert!(paths(&with(1, 2, 3)).is_empty());
    assert_eq!(paths(&with(2, 1, 3)), ["ec2.desiredCapacity"]);
    assert_eq!(paths(&with(1, 4, 3)), ["ec2.desiredCapacity"]);
    assert_eq!(paths(&with(3, 3, 2)), ["ec2.maxSize"]);
    assert_eq!(paths(&with(-1, 0, 0)), ["ec2.minSize"]);
}

#[test]
fn ec2_needs_a_vpc_subnets_and_a_security_group() {
    assert_eq!(paths(&cluster(Some(Ec2Capacity { subnet_ids: vec![], ..ec2() }))), ["ec2.subnetIds"]);
    assert_eq!(paths(&cluster(Some(Ec2Capacity { vpc_id: String::new(), ..ec2() }))), ["ec2.vpcId"]);
    let twice = Ec2Capacity { subnet_ids: vec!["subnet-0a1b2c3d".into(), "subnet-0a1b2c3d".into()], ..ec2() };
    assert_eq!(paths(&cluster(Some(twice))), ["ec2.subnetIds[1]"]);
    assert_eq!(
        paths(&cluster(Some(Ec2Capacity { subnet_ids: vec!["subnet 1".into()], ..ec2() }))),
        ["ec2.subnetIds[0]"]
    );
    let none = Ec2Capacity { security_group_ids: vec![], ..ec2() };
    assert_eq!(paths(&cluster(Some(none.clone()))), ["ec2.securityGroupIds"]);
    let new_group = Ec2Capacity { open_ports: Some(vec![80, 443]), ..none.clone() };
    assert!(paths(&cluster(Some(new_group))).is_empty());
    let bad_port = Ec2Capacity { open_ports: Some(vec![80, 70000]), ..none };
    assert_eq!(paths(&cluster(Some(bad_port))), ["ec2.openPorts[1]"]);
}

#[test]
fn instance_type_ami_volume_and_role_follow_aws_spelling() {
    assert_eq!(paths(&cluster(Some(Ec2Capacity { instance_type: "t2micro".into(), ..ec2() }))), ["ec2.instanceType"]);
    assert!(paths(&cluster(Some(Ec2Capacity { instance_type: "m7g.2xlarge".into(), ..ec2() }))).is_empty());
    assert_eq!(paths(&cluster(Some(Ec2Capacity { image_id: Some("ubuntu".into()), ..ec2() }))), ["ec2.imageId"]);
    // The ECS-optimized AMI's snapshot is 30 GiB; a custom AMI may be smaller.
    assert_eq!(paths(&cluster(Some(Ec2Capacity { root_volume_gib: 8, ..ec2() }))), ["ec2.rootVolumeGib"]);
    let custom = Ec2Capacity { root_volume_gib: 8, image_id: Some("ami-0123456789abcdef0".into()), ..ec2() };
    assert!(paths(&cluster(Some(custom))).is_empty());
    assert_eq!(
        paths(&cluster(Some(Ec2Capacity { instance_role: "ecs instance role".into(), ..ec2() }))),
        ["ec2.instanceRole"]
    );
}

#[test]
fn tags_use_ecs_spelling_in_paths() {
    let spec =
        ClusterSpec { tags: vec![KeyValueTag { key: "aws:team".into(), value: String::new() }], ..cluster(None) };
    assert_eq!(paths(&spec), ["tags[0].key"]);
}

#[test]
fn instance_types_are_those_ec2_offers_and_runnable_by_the_x86_64_ecs_ami() {
    use super::{InstanceTypeInfo, check_instance_type};
    let offered = [
        InstanceTypeInfo {
            name: "t2.micro".into(),
            vcpus: 1,
            memory_mib: 1024,
            architectures: vec!["i386".into(), "x86_64".into()],
        },
        InstanceTypeInfo { name: "t4g.micro".into(), vcpus: 2, memory_mib: 1024, architectures: vec!["arm64".into()] },
    ];
    assert_eq!(offered[0].summary(), "1 vCPU · 1 GiB · i386, x86_64");
    assert!(check_instance_type("t2.micro", &offered, false).is_ok());
    let missing = check_instance_type("t9.huge", &offered, false).unwrap_err();
    assert_eq!(
        (missing[0].path.as_str(), missing[0].rule),
        ("ec2.instanceType", Some("cluster.ec2.instanceType.offered"))
    );
    let arm = check_instance_type("t4g.micro", &offered, false).unwrap_err();
    assert!(arm[0].message.starts_with("t4g.micro runs arm64 only"), "{arm:?}");
    assert!(check_instance_type("t4g.micro", &offered, true).is_ok(), "an AMI of its own: the person knows");
}

#[test]
fn key_pair_names_are_1_to_255_ascii_characters() {
    use super::key_name_error;
    assert_eq!(key_name_error("lab-key"), None);
    assert!(key_name_error("").is_some() && key_name_error("  ").is_some());
    assert!(key_name_error(&"k".repeat(256)).is_some());
    assert!(key_name_error("chave-ç").is_some());
}
