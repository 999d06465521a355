//! AWS's rules for CreateCluster and for the EC2 capacity behind it (EC2 launch templates, Auto
//! Scaling groups, IAM role names), each error at the JSON path of the field to fix.

use super::spec::ClusterSpec;
use super::views::InstanceTypeInfo;
use crate::ecr::rules::validate_tag_list;
use crate::validate::{Errors, char_len};

const MAX_NAME: usize = 255;
const MAX_ROOT_VOLUME_GIB: i64 = 16384;
/// The ECS-optimized AMI's snapshot: a smaller root volume is refused by EC2.
const ECS_AMI_SNAPSHOT_GIB: i64 = 30;

fn is_name(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `prefix-` then hex (`subnet-0abc...`, `sg-...`, `vpc-...`, `ami-...`).
fn is_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')).is_some_and(|hex| {
        (8..=17).contains(&hex.len()) && hex.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    })
}

/// `family.size`, as EC2 spells instance types (`t2.micro`, `m7g.2xlarge`).
fn is_instance_type(s: &str) -> bool {
    let ok = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    s.split_once('.').is_some_and(|(family, size)| ok(family) && ok(size))
}

/// What is wrong with a key pair name (CreateKeyPair: up to 255 ASCII characters).
pub fn key_name_error(name: &str) -> Option<&'static str> {
    (name.trim().is_empty() || char_len(name) > 255 || !name.is_ascii())
        .then_some("A key pair name is 1-255 ASCII characters")
}

/// The instances' type against the types EC2 offers in the region: one it does not offer is
/// refused (`InvalidInstanceType`), and with the ECS-optimized AMI Berth picks (x86_64;
/// `custom_ami` false) a type that can't run x86_64 is refused too. Errors on `ec2.instanceType`.
pub fn check_instance_type(
    name: &str,
    offered: &[InstanceTypeInfo],
    custom_ami: bool,
) -> Result<(), Vec<crate::error::FieldError>> {
    let mut e = Errors::new();
    match offered.iter().find(|t| t.name == name) {
        None => e.rule(
            "cluster.ec2.instanceType.offered",
            "ec2.instanceType",
            format!("EC2 offers no instance type {name} in this region: choose one of the list."),
        ),
        Some(found) if !custom_ami && !found.architectures.iter().any(|a| a == "x86_64") => {
            let arch = found.architectures.join(", ");
            e.rule(
                "cluster.ec2.instanceType.architecture",
                "ec2.instanceType",
                format!("{name} runs {arch} only, and the ECS-optimized AMI Berth picks is x86_64: choose an x86_64 type, or give an AMI ID built for {arch}."),
            )
        }
        Some(_) => {}
    }
    e.finish()
}

/// IAM role names: 1-64 of letters, digits and `+=,.@_-`.
fn is_role_name(s: &str) -> bool {
    (1..=64).contains(&char_len(s)) && s.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// The wizard's own requirements (a VPC, subnets, a security group or ports to open) are Berth's,
/// not AWS's: they stay plain errors (`Errors::add`); the rest name their AWS rule.
pub fn validate(spec: &ClusterSpec) -> Result<(), Vec<crate::error::FieldError>> {
    let mut e = Errors::new();
    let name = &spec.cluster_name;
    if name.is_empty() {
        e.rule("cluster.name", "clusterName", "Cluster name is required.");
    } else if char_len(name) > MAX_NAME || !is_name(name) {
        e.rule("cluster.name", "clusterName", "Cluster name must be 1-255 letters, digits, hyphens and underscores.");
    }
    let tags: Vec<(&str, &str)> = spec.tags.iter().map(|t| (t.key.as_str(), t.value.as_str())).collect();
    validate_tag_list(&tags, true, &mut e);
    if let Some(ec2) = &spec.ec2 {
        if !is_instance_type(&ec2.instance_type) {
            e.rule(
                "cluster.ec2.instanceType",
                "ec2.instanceType",
                "Instance type is required, as EC2 spells it: family.size (t2.micro, m7g.large).",
            );
        }
        for (field, value) in
            [("minSize", ec2.min_size), ("desiredCapacity", ec2.desired_capacity), ("maxSize", ec2.max_size)]
        {
            if value < 0 {
                e.rule("cluster.ec2.groupSize", format!("ec2.{field}"), "Can't be negative.");
            }
        }
        if ec2.min_size > ec2.max_size {
            e.rule(
                "cluster.ec2.groupSize",
                "ec2.maxSize",
                format!("Maximum ({}) must be at least the minimum ({}).", ec2.max_size, ec2.min_size),
            );
        } else if ec2.desired_capacity < ec2.min_size || ec2.desired_capacity > ec2.max_size {
            e.rule(
                "cluster.ec2.groupSize",
                "ec2.desiredCapacity",
                format!(
                    "Desired ({}) must be between the minimum ({}) and the maximum ({}).",
                    ec2.desired_capacity, ec2.min_size, ec2.max_size
                ),
            );
        }
        match &ec2.image_id {
            Some(ami) if !is_id(ami, "ami") => {
                e.rule("cluster.ec2.imageId", "ec2.imageId", "An AMI ID looks like ami-0123456789abcdef0.")
            }
            None if ec2.root_volume_gib < ECS_AMI_SNAPSHOT_GIB => e.rule(
                "cluster.ec2.rootVolume",
                "ec2.rootVolumeGib",
                format!("The ECS-optimized AMI needs a root volume of at least {ECS_AMI_SNAPSHOT_GIB} GiB."),
            ),
            _ => {}
        }
        if !(1..=MAX_ROOT_VOLUME_GIB).contains(&ec2.root_volume_gib) {
            e.rule(
                "cluster.ec2.rootVolume",
                "ec2.rootVolumeGib",
                format!("A root volume is 1-{MAX_ROOT_VOLUME_GIB} GiB."),
            );
        }
        if let Some(message) = ec2.key_name.as_deref().and_then(key_name_error) {
            e.rule("cluster.ec2.keyName", "ec2.keyName", format!("{message} (or leave it out)."));
        }
        if !is_id(&ec2.vpc_id, "vpc") {
            e.add("ec2.vpcId", "Choose a VPC.");
        }
        if ec2.subnet_ids.is_empty() {
            e.add("ec2.subnetIds", "Choose at least one subnet.");
        }
        for (i, subnet) in ec2.subnet_ids.iter().enumerate() {
            if !is_id(subnet, "subnet") {
                e.rule(
                    "cluster.ec2.resourceId",
                    format!("ec2.subnetIds[{i}]"),
                    format!("'{subnet}' is not a subnet ID."),
                );
            } else if ec2.subnet_ids[..i].contains(subnet) {
                e.add(format!("ec2.subnetIds[{i}]"), format!("Subnet {subnet} is listed twice."));
            }
        }
        for (i, group) in ec2.security_group_ids.iter().enumerate() {
            if !is_id(group, "sg") {
                e.rule(
                    "cluster.ec2.resourceId",
                    format!("ec2.securityGroupIds[{i}]"),
                    format!("'{group}' is not a security group ID."),
                );
            }
        }
        match &ec2.open_ports {
            None if ec2.security_group_ids.is_empty() => {
                e.add("ec2.securityGroupIds", "Choose a security group, or create one.");
            }
            Some(ports) => {
                for (i, port) in ports.iter().enumerate() {
                    if !(1..=65535).contains(port) {
                        e.add(format!("ec2.openPorts[{i}]"), "Ports are 1-65535.");
                    }
                }
            }
            None => {}
        }
        if !is_role_name(&ec2.instance_role) {
            e.rule(
                "cluster.ec2.instanceRole",
                "ec2.instanceRole",
                "A role name is 1-64 letters, digits and + = , . @ _ -.",
            );
        }
    }
    e.finish()
}
