//! Elastic Load Balancing (v2): the load balancers in front of a service, for "Open" — each of its
//! target groups' load balancers, their DNS names and the listeners that forward to the group.

use aws_sdk_elasticloadbalancingv2::types as sdk;
use shared::ecs::task::{LoadBalancerAddress, listener_url};

use super::AwsEnv;
use super::errors::AwsResult;
use crate::error::AppError;

impl AwsEnv {
    /// The listeners of the load balancers that forward to `target_groups` (ARNs). A load
    /// balancer none of whose listeners' default actions forward to the group (its rules do) is
    /// answered with all its listeners.
    pub(crate) async fn load_balancer_addresses(
        &self,
        target_groups: &[String],
    ) -> Result<Vec<LoadBalancerAddress>, AppError> {
        if target_groups.is_empty() {
            return Ok(Vec::new());
        }
        let groups = self
            .elb
            .describe_target_groups()
            .set_target_group_arns(Some(target_groups.to_vec()))
            .send()
            .await
            .or_aws(self.cx("elasticloadbalancing:DescribeTargetGroups"))?;
        let mut found = Vec::new();
        for group in groups.target_groups() {
            let group_arn = group.target_group_arn().unwrap_or_default();
            if group.load_balancer_arns().is_empty() {
                continue;
            }
            let balancers = self
                .elb
                .describe_load_balancers()
                .set_load_balancer_arns(Some(group.load_balancer_arns().to_vec()))
                .send()
                .await
                .or_aws(self.cx("elasticloadbalancing:DescribeLoadBalancers"))?;
            for lb in balancers.load_balancers() {
                let listeners = self
                    .elb
                    .describe_listeners()
                    .set_load_balancer_arn(lb.load_balancer_arn().map(str::to_string))
                    .send()
                    .await
                    .or_aws(self.cx("elasticloadbalancing:DescribeListeners"))?;
                let all = listeners.listeners();
                let forwarding: Vec<&sdk::Listener> = all.iter().filter(|l| forwards_to(l, group_arn)).collect();
                let chosen = if forwarding.is_empty() { all.iter().collect() } else { forwarding };
                let dns = lb.dns_name().unwrap_or_default();
                for listener in chosen {
                    let protocol = listener.protocol().map_or("HTTP", |p| p.as_str()).to_string();
                    let port = i64::from(listener.port().unwrap_or(80));
                    found.push(LoadBalancerAddress {
                        url: listener_url(dns, &protocol, port),
                        load_balancer_name: lb.load_balancer_name().unwrap_or_default().to_string(),
                        dns_name: dns.to_string(),
                        scheme: lb.scheme().map_or("internet-facing", |s| s.as_str()).to_string(),
                        port,
                        protocol,
                        target_group_arn: group_arn.to_string(),
                    });
                }
            }
        }
        Ok(found)
    }
}

/// Whether a listener's default actions forward to `group` (directly or by a weighted forward).
fn forwards_to(listener: &sdk::Listener, group: &str) -> bool {
    listener.default_actions().iter().any(|a| {
        a.target_group_arn() == Some(group)
            || a.forward_config().is_some_and(|f| f.target_groups().iter().any(|t| t.target_group_arn() == Some(group)))
    })
}

impl AwsEnv {
    /// The health of every target of the service's target groups (each load balancer's group and
    /// its blue/green alternate), as the load balancer reports it.
    pub(crate) async fn target_health(
        &self,
        load_balancers: &[shared::ecs::service::LoadBalancer],
    ) -> Result<Vec<shared::deploy::TargetHealth>, AppError> {
        let mut groups = Vec::new();
        for lb in load_balancers {
            if let Some(arn) = &lb.target_group_arn {
                groups.push((arn.clone(), "primary"));
            }
            if let Some(arn) = lb.advanced_configuration.as_ref().and_then(|a| a.alternate_target_group_arn.clone()) {
                groups.push((arn, "alternate"));
            }
        }
        let mut found = Vec::new();
        for (arn, role) in groups {
            let out = self
                .elb
                .describe_target_health()
                .target_group_arn(&arn)
                .send()
                .await
                .or_aws(self.cx("elasticloadbalancing:DescribeTargetHealth"))?;
            let name = arn.split('/').nth(1).unwrap_or(&arn).to_string();
            for d in out.target_health_descriptions() {
                let target = d.target().map_or(String::new(), |t| match t.port() {
                    Some(port) => format!("{}:{port}", t.id().unwrap_or_default()),
                    None => t.id().unwrap_or_default().to_string(),
                });
                let health = d.target_health();
                found.push(shared::deploy::TargetHealth {
                    target_group: name.clone(),
                    role: role.to_string(),
                    target,
                    state: health.and_then(|h| h.state()).map_or("unavailable", |s| s.as_str()).to_string(),
                    reason: health.and_then(|h| h.reason()).map(|r| r.as_str().to_string()),
                    description: health.and_then(|h| h.description()).map(str::to_string),
                    task: None,
                });
            }
        }
        Ok(found)
    }
}
