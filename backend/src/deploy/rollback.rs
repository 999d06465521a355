//! Which revision "Roll back" deploys, and what must be said before it does.
//!
//! Roll back targets the revision of the most recent SUCCEEDED deployment whose revision differs
//! from what the service runs now and that is older than the release running now. When the
//! service's latest deployment FAILED and ECS's circuit breaker already rolled it back, the
//! service runs the last good release: that is said, and the release before it is deployed only
//! when asked for by id.

use shared::deploy::{DeploymentKind, FailedBefore, Outcome};

use super::records::Row;

/// What a rollback of a service would do.
#[derive(Debug, Default)]
pub(crate) struct Choice<'a> {
    /// The deployment whose revision goes out again.
    pub target: Option<&'a Row>,
    /// The service's latest deployment, FAILED and already rolled back by ECS to what runs now.
    pub already_rolled_back: Option<&'a Row>,
    /// The deployment that put the running revision in place.
    pub release: Option<&'a Row>,
}

/// `rows`: the service's deployments, newest first. `current`: the `family:revision` it runs.
pub(crate) fn choose<'a>(rows: &'a [Row], current: &str) -> Choice<'a> {
    let runs = |r: &Row| r.to_task_definition.as_deref() == Some(current);
    let release = rows.iter().find(|r| runs(r) && !(r.outcome == Outcome::Failed && r.rolled_back_to.is_some()));
    // A rollback or redeploy brings back an earlier release: "older" counts from that one.
    let mut anchor = release;
    for _ in 0..rows.len() {
        let Some(a) = anchor.filter(|a| matches!(a.kind, DeploymentKind::Rollback | DeploymentKind::Redeploy)) else {
            break;
        };
        match a.request.revision_of.and_then(|id| rows.iter().find(|r| r.id == id)) {
            Some(source) if source.id != a.id => anchor = Some(source),
            _ => break,
        }
    }
    let target = rows.iter().find(|r| {
        r.outcome == Outcome::Succeeded
            && r.to_task_definition.as_deref().is_some_and(|t| t != current)
            && anchor.is_none_or(|a| (r.started_at, r.id) < (a.started_at, a.id))
    });
    let already_rolled_back = rows
        .first()
        .filter(|latest| latest.outcome == Outcome::Failed && latest.rolled_back_to.as_deref() == Some(current));
    Choice { target, already_rolled_back, release }
}

/// When `revision`'s latest deployment of the service FAILED: that deployment and why.
pub(crate) fn failed_before(rows: &[Row], revision: &str) -> Option<FailedBefore> {
    let latest = rows.iter().find(|r| r.to_task_definition.as_deref() == Some(revision))?;
    if latest.outcome != Outcome::Failed {
        return None;
    }
    let why = latest
        .verdict
        .as_ref()
        .map(|v| v.0.summary.clone())
        .or_else(|| latest.reason.clone())
        .unwrap_or_else(|| "the rollout failed".into());
    Some(FailedBefore {
        deployment: latest.id,
        message: format!("This revision ({revision}) failed on #{}: {why}", latest.id),
    })
}

/// The sentence that says the service already runs the last good release.
pub(crate) fn already_message(failed: &Row, current: &str) -> String {
    format!(
        "Deployment #{} failed and ECS rolled it back; the service already runs the last good release {current}.",
        failed.id
    )
}

#[cfg(test)]
mod tests {
    use crate::store::Json;
    use shared::deploy::DeployStep;

    use super::*;
    use crate::deploy::records::Asked;

    fn row(id: i64, kind: DeploymentKind, to: &str, outcome: Outcome, rolled_back_to: Option<&str>) -> Row {
        Row {
            id,
            environment: "local".into(),
            cluster: "c".into(),
            service: "s".into(),
            kind,
            actor: "ann".into(),
            via: "session".into(),
            note: None,
            request: Json(Asked::default()),
            step: DeployStep::Ended,
            outcome,
            reason: None,
            from_task_definition: None,
            to_task_definition: Some(to.into()),
            from_spec: None,
            to_spec: None,
            images: Json(Vec::new()),
            ecs_deployment_id: None,
            rolled_back_to: rolled_back_to.map(str::to_string),
            started_at: id * 1000,
            ended_at: Some(id * 1000 + 500),
            verdict: None,
            awaiting_approval: None,
            freeze_override: None,
            approved_by: None,
            promoted_from: None,
            promoted_from_environment: None,
        }
    }

    fn newest_first(mut rows: Vec<Row>) -> Vec<Row> {
        rows.reverse();
        rows
    }

    #[test]
    fn after_ecs_rolled_a_failure_back_the_target_is_the_release_before_the_good_one_and_it_is_said() {
        let rows = newest_first(vec![
            row(1, DeploymentKind::External, "web:1", Outcome::Succeeded, None),
            row(2, DeploymentKind::Deploy, "web:2", Outcome::Succeeded, None),
            row(3, DeploymentKind::Deploy, "web:3", Outcome::Failed, Some("web:2")),
        ]);
        let choice = choose(&rows, "web:2");
        assert_eq!(choice.already_rolled_back.map(|r| r.id), Some(3));
        assert_eq!(choice.release.map(|r| r.id), Some(2));
        assert_eq!(choice.target.map(|r| r.id), Some(1), "never web:3, the failed one");
    }

    #[test]
    fn a_plain_rollback_goes_to_the_last_good_release_before_the_current_one() {
        let rows = newest_first(vec![
            row(1, DeploymentKind::External, "web:1", Outcome::Succeeded, None),
            row(2, DeploymentKind::Deploy, "web:2", Outcome::Succeeded, None),
            row(3, DeploymentKind::Deploy, "web:3", Outcome::Succeeded, None),
        ]);
        let choice = choose(&rows, "web:3");
        assert!(choice.already_rolled_back.is_none());
        assert_eq!(choice.target.map(|r| r.id), Some(2));
    }

    #[test]
    fn rolling_back_twice_goes_further_back_instead_of_undoing_the_first_rollback() {
        let mut back = row(4, DeploymentKind::Rollback, "web:2", Outcome::Succeeded, None);
        back.request = Json(Asked { images: None, revision_of: Some(2) });
        let rows = newest_first(vec![
            row(1, DeploymentKind::External, "web:1", Outcome::Succeeded, None),
            row(2, DeploymentKind::Deploy, "web:2", Outcome::Succeeded, None),
            row(3, DeploymentKind::Deploy, "web:3", Outcome::Succeeded, None),
            back,
        ]);
        assert_eq!(choose(&rows, "web:2").target.map(|r| r.id), Some(1));
    }

    #[test]
    fn a_service_stuck_on_a_failing_revision_rolls_back_to_the_release_before_it() {
        let rows = newest_first(vec![
            row(1, DeploymentKind::Deploy, "web:1", Outcome::Succeeded, None),
            row(2, DeploymentKind::Deploy, "web:2", Outcome::TimedOut, None),
        ]);
        let choice = choose(&rows, "web:2");
        assert_eq!(choice.target.map(|r| r.id), Some(1));
        assert!(choice.already_rolled_back.is_none());
    }

    #[test]
    fn a_revision_whose_latest_deployment_failed_needs_acknowledging() {
        let rows = newest_first(vec![
            row(1, DeploymentKind::Deploy, "web:1", Outcome::Succeeded, None),
            row(2, DeploymentKind::Deploy, "web:2", Outcome::Failed, Some("web:1")),
        ]);
        let failed = failed_before(&rows, "web:2").unwrap();
        assert_eq!(failed.deployment, 2);
        assert!(failed.message.starts_with("This revision (web:2) failed on #2"), "{}", failed.message);
        assert!(failed_before(&rows, "web:1").is_none());
    }
}
