//! What an update does to a service: the service as it would be after an update-service document
//! (checked with the creation rules), and the rules of Berth's scale action.

use super::rules::desired_count_error;
use super::spec::{ServiceSpec, ServiceUpdate};
use crate::error::FieldError;

/// The service as `update` would leave it: each member the document sets replaces the current one
/// (UpdateService's semantics: an absent member is left as it is). A capacity provider strategy
/// replaces the launch type, as UpdateService does when moving a service onto capacity providers.
pub fn after_update(current: &ServiceSpec, update: &ServiceUpdate) -> ServiceSpec {
    let mut after = current.clone();
    after.task_definition = update.task_definition.clone().or(after.task_definition);
    after.desired_count = update.desired_count.or(after.desired_count);
    after.deployment_configuration = update.deployment_configuration.clone().or(after.deployment_configuration);
    after.network_configuration = update.network_configuration.clone().or(after.network_configuration);
    after.load_balancers = update.load_balancers.clone().or(after.load_balancers);
    if update.capacity_provider_strategy.is_some() {
        after.capacity_provider_strategy = update.capacity_provider_strategy.clone();
        after.launch_type = None;
    }
    after
}

/// Berth's scale action (UpdateService with only `desiredCount`): the count's rule, and none for a
/// DAEMON service — "The scheduling strategy DAEMON does not support a desired count" (ECS runs one
/// task per container instance; UpdateService refuses a desiredCount for it).
pub fn scale_errors(scheduling_strategy: &str, desired_count: i64) -> Vec<FieldError> {
    if let Some(message) = desired_count_error(desired_count) {
        return vec![FieldError::new("desiredCount", message)];
    }
    if scheduling_strategy == "DAEMON" {
        return vec![FieldError::new(
            "desiredCount",
            "A DAEMON service runs one task per container instance: it has no desired count to set.",
        )];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(json: &str) -> ServiceUpdate {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn members_the_update_leaves_out_keep_their_current_value() {
        let current: ServiceSpec = serde_json::from_str(
            r#"{"serviceName":"web","taskDefinition":"web:3","desiredCount":4,"launchType":"EC2"}"#,
        )
        .unwrap();
        let after = after_update(&current, &update(r#"{"service":"web","taskDefinition":"web:4"}"#));
        assert_eq!(after.task_definition.as_deref(), Some("web:4"));
        assert_eq!(after.desired_count, Some(4));
        assert_eq!(after.launch_type.as_deref(), Some("EC2"));
    }

    #[test]
    fn a_capacity_provider_strategy_replaces_the_launch_type() {
        let current: ServiceSpec = serde_json::from_str(r#"{"serviceName":"web","launchType":"EC2"}"#).unwrap();
        let after = after_update(
            &current,
            &update(r#"{"service":"web","capacityProviderStrategy":[{"capacityProvider":"cp","weight":1}]}"#),
        );
        assert_eq!(after.launch_type, None);
        assert_eq!(after.capacity_provider_strategy.map(|s| s.len()), Some(1));
    }

    #[test]
    fn a_daemon_service_has_no_desired_count_to_set() {
        assert_eq!(scale_errors("DAEMON", 2)[0].path, "desiredCount");
        assert!(scale_errors("REPLICA", 2).is_empty());
        assert!(scale_errors("REPLICA", -1)[0].message.contains("negative"));
    }
}
