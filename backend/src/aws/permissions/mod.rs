//! The IAM actions Berth calls, each with what it is for: one list that makes the README's table
//! (`berth iam-policy --markdown`) and Berth's IAM policy (`berth iam-policy`,
//! `deploy/ecs/iam-policy.json`). A test reads the AWS adapters' source and fails on a call whose
//! action is not here.

/// Actions, and what needs them.
pub struct Permission {
    pub actions: &'static [&'static str],
    pub used_for: &'static str,
}

pub const PERMISSIONS: &[Permission] = &[
    p(&["ecr:DescribeRepositories"], "repository list and page"),
    p(&["ecr:ListImages"], "image counts"),
    p(&["ecr:DescribeImages"], "a repository's images; a deployed tag's digest"),
    p(&["ecr:GetLifecyclePolicy"], "showing a repository's lifecycle policy"),
    p(&["ecr:CreateRepository", "ecr:TagResource"], "the create wizard, with the tags given"),
    p(&["ecr:DeleteRepository"], "delete (with \"delete images too\": `force`)"),
    p(&["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"], "repositories encrypted with a KMS key"),
    p(
        &["ecs:ListTaskDefinitionFamilies", "ecs:ListTaskDefinitions", "ecs:DescribeTaskDefinition"],
        "task definition families, revisions, export, diff",
    ),
    p(
        &["ecs:RegisterTaskDefinition", "ecs:TagResource", "iam:PassRole"],
        "registering a task definition (its tags; `iam:PassRole` on its task and execution roles)",
    ),
    p(&["ecs:DeregisterTaskDefinition"], "deregistering a revision"),
    p(
        &["ecs:ListClusters", "ecs:ListServices", "ecs:DescribeServices"],
        "a cluster's services; the services a revision's deregistration would affect",
    ),
    p(
        &[
            "ecs:DescribeClusters",
            "ecs:ListContainerInstances",
            "ecs:DescribeContainerInstances",
            "ecs:DescribeCapacityProviders",
        ],
        "cluster list and page",
    ),
    p(
        &[
            "ec2:DescribeVpcs",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeKeyPairs",
            "ec2:DescribeInstanceTypes",
            "ssm:GetParameter",
            "iam:GetInstanceProfile",
        ],
        "the cluster wizard's choices (without `ec2:DescribeInstanceTypes` the type is not checked before EC2 refuses it)",
    ),
    p(&["ec2:CreateKeyPair"], "the cluster wizard's \"Create a key pair\""),
    p(
        &["ecs:CreateCluster", "ecs:TagResource", "ecs:CreateCapacityProvider", "ecs:PutClusterCapacityProviders"],
        "creating a cluster",
    ),
    p(
        &[
            "ec2:CreateSecurityGroup",
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:CreateLaunchTemplate",
            "ec2:CreateTags",
            "ec2:RunInstances",
            "autoscaling:CreateAutoScalingGroup",
            "autoscaling:DescribeAutoScalingGroups",
            "iam:PassRole",
            "iam:CreateServiceLinkedRole",
        ],
        "its EC2 capacity (`iam:PassRole` on the instance role; `iam:CreateServiceLinkedRole` for the account's first Auto Scaling group)",
    ),
    p(
        &["iam:CreateRole", "iam:AttachRolePolicy", "iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile"],
        "creating `ecsInstanceRole` when asked",
    ),
    p(
        &["iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile", "iam:DetachRolePolicy", "iam:DeleteRole"],
        "undoing that role when the cluster's creation fails",
    ),
    p(
        &[
            "ecs:DeleteCluster",
            "ecs:DeleteCapacityProvider",
            "autoscaling:DeleteAutoScalingGroup",
            "ec2:DeleteLaunchTemplate",
            "ec2:DeleteSecurityGroup",
        ],
        "deleting a cluster and its capacity, undoing a failed creation",
    ),
    p(
        &[
            "ecs:CreateService",
            "ecs:UpdateService",
            "ecs:DeleteService",
            "ecs:ListTasks",
            "ecs:DescribeTasks",
            "iam:PassRole",
        ],
        "services (`iam:PassRole` on a service role, if any)",
    ),
    p(
        &[
            "ecs:DescribeServices",
            "ecs:DescribeTaskDefinition",
            "ecs:ListTaskDefinitions",
            "ecs:RegisterTaskDefinition",
            "ecs:TagResource",
            "ecs:UpdateService",
            "ecs:ListTasks",
            "ecs:DescribeTasks",
            "iam:PassRole",
            "ecr:DescribeImages",
        ],
        "deploying, rolling back, following rollouts (`iam:PassRole` on the task and execution roles; `ecr:DescribeImages` for tag and digest)",
    ),
    p(
        &["ecs:DescribeTasks", "ecs:ListTasks", "ecs:DescribeContainerInstances", "ec2:DescribeInstances"],
        "a task's page (its instance, zone and IPs) and a service's addresses (\"Open\")",
    ),
    p(
        &[
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeListeners",
        ],
        "a service's load balancers in \"Open\" (without them, a note says they could not be read)",
    ),
    p(
        &[
            "logs:FilterLogEvents",
            "logs:GetLogEvents",
            "ecs:DescribeTaskDefinition",
            "ecs:ListTasks",
            "ecs:DescribeTasks",
        ],
        "logs: a service's and a task's lines, following, a failed deployment's kept lines (Berth names streams by ECS's convention, so it needs no DescribeLogStreams)",
    ),
    p(
        &[
            "ecs:ListServiceDeployments",
            "ecs:DescribeServiceDeployments",
            "ecs:DescribeServiceRevisions",
            "ecs:ContinueServiceDeployment",
            "ecs:StopServiceDeployment",
            "elasticloadbalancing:DescribeTargetHealth",
        ],
        "following a rollout by ECS's own record, approvals, stop, the history import, target health",
    ),
];

/// Actions of the list Berth's code never names, because AWS calls them on Berth's behalf or
/// checks them around another call.
pub const IMPLIED: &[(&str, &str)] = &[
    ("ecr:TagResource", "CreateRepository with tags"),
    ("ecs:TagResource", "RegisterTaskDefinition and CreateCluster with tags"),
    ("kms:CreateGrant", "ECR, for a repository encrypted with a KMS key"),
    ("kms:RetireGrant", "ECR, when such a repository is deleted"),
    ("kms:DescribeKey", "ECR, for a repository encrypted with a KMS key"),
    ("iam:PassRole", "registering a task definition or creating a service or launch template naming a role"),
    ("ec2:RunInstances", "the Auto Scaling group launching the instances"),
    ("ec2:CreateTags", "the launch template's tag specifications"),
    ("iam:CreateServiceLinkedRole", "the account's first Auto Scaling group"),
];

/// Actions called only against the local AWS (local mode's demo data and simulated pushes): not
/// in the policy.
pub const LOCAL_ONLY: &[&str] = &[
    "ecr:PutImage",
    "elasticloadbalancing:CreateLoadBalancer",
    "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:CreateRule",
    "elasticloadbalancing:DescribeRules",
];

const fn p(actions: &'static [&'static str], used_for: &'static str) -> Permission {
    Permission { actions, used_for }
}

/// Every action, once, sorted.
pub fn actions() -> Vec<&'static str> {
    let mut all: Vec<&str> = PERMISSIONS.iter().flat_map(|p| p.actions.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Berth's IAM policy: every action on `*`, except `iam:PassRole`, allowed only towards the
/// services that take the roles (ECS tasks and services, EC2 instances).
pub fn policy() -> serde_json::Value {
    let actions: Vec<&str> = actions().into_iter().filter(|a| *a != "iam:PassRole").collect();
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Berth", "Effect": "Allow", "Action": actions, "Resource": "*"},
            {
                "Sid": "BerthPassesRolesToEcsAndEc2",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PassedToService": ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com", "ec2.amazonaws.com"]}}
            }
        ]
    })
}

/// The README's table.
pub fn markdown() -> String {
    let mut table = String::from("| action | used for |\n|---|---|\n");
    for permission in PERMISSIONS {
        let actions: Vec<String> = permission.actions.iter().map(|a| format!("`{a}`")).collect();
        table.push_str(&format!("| {} | {} |\n", actions.join(", "), permission.used_for));
    }
    table
}

#[cfg(test)]
mod tests;
