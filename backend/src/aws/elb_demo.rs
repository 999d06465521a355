//! The demo's Application Load Balancer for its blue/green service: two target groups (blue
//! serves, green waits for the next revision), a production listener (80) and a test listener
//! (8080), each with a rule that forwards to both groups by weight — the rules ECS's blue/green,
//! linear and canary deployments move traffic with. Made once: an existing load balancer of the
//! name is reused with its groups and rules.

use aws_sdk_elasticloadbalancingv2::types as sdk;

use super::AwsEnv;
use super::errors::AwsResult;
use crate::error::AppError;

/// What a blue/green service's `advancedConfiguration` names.
pub(crate) struct TrafficRig {
    pub blue_target_group: String,
    pub green_target_group: String,
    pub production_rule: String,
    pub test_rule: String,
}

const PRODUCTION_PORT: i32 = 80;
const TEST_PORT: i32 = 8080;

impl AwsEnv {
    /// The load balancer `name` in `subnets`, with its two target groups and two weighted rules.
    pub(crate) async fn ensure_traffic_rig(
        &self,
        name: &str,
        vpc_id: &str,
        subnets: &[String],
    ) -> Result<TrafficRig, AppError> {
        let found = self.elb.describe_load_balancers().names(name).send().await;
        let lb_arn = match found
            .ok()
            .and_then(|o| o.load_balancers().first().and_then(|l| l.load_balancer_arn().map(str::to_string)))
        {
            Some(arn) => arn,
            None => self
                .elb
                .create_load_balancer()
                .name(name)
                .set_subnets(Some(subnets.to_vec()))
                .r#type(sdk::LoadBalancerTypeEnum::Application)
                .scheme(sdk::LoadBalancerSchemeEnum::InternetFacing)
                .send()
                .await
                .or_aws(self.cx("elasticloadbalancing:CreateLoadBalancer"))?
                .load_balancers()
                .first()
                .and_then(|l| l.load_balancer_arn().map(str::to_string))
                .unwrap_or_default(),
        };
        let blue = self.ensure_target_group(&format!("{name}-blue"), vpc_id).await?;
        let green = self.ensure_target_group(&format!("{name}-green"), vpc_id).await?;
        let production_rule = self.ensure_weighted_rule(&lb_arn, PRODUCTION_PORT, &blue, &green).await?;
        let test_rule = self.ensure_weighted_rule(&lb_arn, TEST_PORT, &blue, &green).await?;
        Ok(TrafficRig { blue_target_group: blue, green_target_group: green, production_rule, test_rule })
    }

    async fn ensure_target_group(&self, name: &str, vpc_id: &str) -> Result<String, AppError> {
        if let Ok(found) = self.elb.describe_target_groups().names(name).send().await
            && let Some(arn) = found.target_groups().first().and_then(|g| g.target_group_arn())
        {
            return Ok(arn.to_string());
        }
        // Instance targets: the demo's tasks use bridge networking with dynamic host ports.
        let out = self
            .elb
            .create_target_group()
            .name(name)
            .protocol(sdk::ProtocolEnum::Http)
            .port(80)
            .vpc_id(vpc_id)
            .target_type(sdk::TargetTypeEnum::Instance)
            .health_check_path("/")
            .send()
            .await
            .or_aws(self.cx("elasticloadbalancing:CreateTargetGroup"))?;
        Ok(out.target_groups().first().and_then(|g| g.target_group_arn()).unwrap_or_default().to_string())
    }

    /// The listener on `port` (forwarding to blue by default) and its rule forwarding to blue
    /// (100) and green (0).
    async fn ensure_weighted_rule(&self, lb_arn: &str, port: i32, blue: &str, green: &str) -> Result<String, AppError> {
        let listeners = self
            .elb
            .describe_listeners()
            .load_balancer_arn(lb_arn)
            .send()
            .await
            .or_aws(self.cx("elasticloadbalancing:DescribeListeners"))?;
        let listener = match listeners.listeners().iter().find(|l| l.port() == Some(port)) {
            Some(l) => l.listener_arn().unwrap_or_default().to_string(),
            None => {
                let to_blue =
                    sdk::Action::builder().r#type(sdk::ActionTypeEnum::Forward).target_group_arn(blue).build();
                self.elb
                    .create_listener()
                    .load_balancer_arn(lb_arn)
                    .protocol(sdk::ProtocolEnum::Http)
                    .port(port)
                    .default_actions(to_blue)
                    .send()
                    .await
                    .or_aws(self.cx("elasticloadbalancing:CreateListener"))?
                    .listeners()
                    .first()
                    .and_then(|l| l.listener_arn())
                    .unwrap_or_default()
                    .to_string()
            }
        };
        let rules = self
            .elb
            .describe_rules()
            .listener_arn(&listener)
            .send()
            .await
            .or_aws(self.cx("elasticloadbalancing:DescribeRules"))?;
        if let Some(rule) = rules.rules().iter().find(|r| r.is_default() != Some(true)) {
            return Ok(rule.rule_arn().unwrap_or_default().to_string());
        }
        let group = |arn: &str, weight| sdk::TargetGroupTuple::builder().target_group_arn(arn).weight(weight).build();
        let forward = sdk::Action::builder()
            .r#type(sdk::ActionTypeEnum::Forward)
            .forward_config(
                sdk::ForwardActionConfig::builder()
                    .target_groups(group(blue, 100))
                    .target_groups(group(green, 0))
                    .build(),
            )
            .build();
        let everything = sdk::RuleCondition::builder()
            .field("path-pattern")
            .path_pattern_config(sdk::PathPatternConditionConfig::builder().values("/*").build())
            .build();
        let out = self
            .elb
            .create_rule()
            .listener_arn(&listener)
            .priority(1)
            .conditions(everything)
            .actions(forward)
            .send()
            .await
            .or_aws(self.cx("elasticloadbalancing:CreateRule"))?;
        Ok(out.rules().first().and_then(|r| r.rule_arn()).unwrap_or_default().to_string())
    }
}
