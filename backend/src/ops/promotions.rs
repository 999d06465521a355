//! Promotions: environment B's service gets exactly the image digests the matching service of A
//! runs (a release that succeeded there), and of every other difference between their task
//! definitions, B keeps its value unless the promoter takes A's (`shared::deploy::promotion`).
//! Recorded in B as a deployment of kind `promotion` naming A's deployment; a deploy in B like any
//! other for the guardrails (freeze windows, the failed-image guard, approval).

use shared::auth::Role;
use shared::deploy::promotion::{self, PromotedImage, PromotionPlan, PromotionRequest};
use shared::deploy::{DeployedImage, DeploymentKind, Outcome, ecr_reference, pinned_to};
use shared::ecs::task_definition::{TaskDefinitionSpec, diff};
use shared::error::FieldError;

use super::approvals::{self, Asking, Begun};
use super::{Action, Caller, Needs, guardrails};
use crate::aws::AwsEnv;
use crate::deploy::{Target, records};
use crate::error::AppError;
use crate::guardrails::approvals::{Expected, Operation};

/// A promotion worked out: the plan shown, and what would be registered in B.
struct Worked {
    plan: PromotionPlan,
    source: records::Row,
    merged: TaskDefinitionSpec,
}

/// What promoting would do (anyone who sees both environments).
pub(crate) async fn preview(caller: &Caller, env: &str, request: &PromotionRequest) -> Result<PromotionPlan, AppError> {
    caller.read(env)?;
    Ok(work_out(caller, env, request).await?.plan)
}

/// Promotes: deployers of B's service (a token limited to some services, only those), who can see A.
pub(crate) async fn promote(
    caller: &Caller,
    env: &str,
    request: &PromotionRequest,
    idempotency_key: Option<&str>,
) -> Result<Begun, AppError> {
    let (cluster, service) = target_of(caller, env, request).await?;
    // Bounded: the names are the caller's input until checked.
    let short = |s: &str| s.chars().take(100).collect::<String>();
    let (from, source) = (short(&request.from), format!("{}/{}", short(&request.cluster), short(&request.service)));
    let resource = format!("service {}/{} from {from}/{source}", short(&cluster), short(&service));
    let needs = Needs::Service { cluster: &cluster, service: &service, role: Role::Deployer };
    let action = Action::new("service.promote", resource, needs);
    caller.act(env, action, async |_| start(caller, env, request, idempotency_key, &Asking::Caller).await).await
}

/// The checks (B's guardrails), then the request for approval or the deployment.
pub(super) async fn start(
    caller: &Caller,
    env: &str,
    request: &PromotionRequest,
    idempotency_key: Option<&str>,
    asking: &Asking,
) -> Result<Begun, AppError> {
    let worked = work_out(caller, env, request).await?;
    let plan = &worked.plan;
    asking.unchanged(&plan.target_task_definition)?;
    let promoted: Vec<String> = plan.images.iter().map(|i| i.promoted.clone()).collect();
    asking.same_promotion(plan.source.id, &promoted)?;
    let (cluster, service) = (plan.target_cluster.clone(), plan.target_service.clone());
    let named = format!("{cluster}/{service}");
    let rails = guardrails::of(caller, env).await?;
    let reason = request.freeze_override.as_deref();
    let admin = asking.may_override(caller, env, &rails, reason);
    let overridden = guardrails::check_freeze(admin, &rails, env, &named, reason)?;
    let images: Vec<DeployedImage> = plan
        .images
        .iter()
        .map(|i| DeployedImage {
            container: i.container.clone(),
            image: i.promoted.clone(),
            digest: i.digest.clone(),
            ..Default::default()
        })
        .collect();
    guardrails::check_failed_release(caller, &rails, env, &cluster, &service, &images).await?;
    let from = (worked.source.id, worked.source.environment.clone());
    if let (Asking::Caller, Some(rule)) = (asking, &rails.approval) {
        let ask = approvals::Ask {
            cluster: &cluster,
            service: &service,
            kind: DeploymentKind::Promotion,
            summary: format!(
                "promote deployment #{} of {}/{}/{} ({}) to {named}",
                from.0, from.1, request.cluster, request.service, plan.source_task_definition
            ),
            // The target as resolved now: a link changed before the approval does not move it.
            operation: Operation::Promotion {
                request: PromotionRequest {
                    target_cluster: Some(cluster.clone()),
                    target_service: Some(service.clone()),
                    ..request.clone()
                },
            },
            expected: Expected {
                base: Some(plan.target_task_definition.clone()),
                promoted: Some((from.0, promoted)),
                ..Default::default()
            },
            overridden: overridden.map(|o| o.window),
            changes: plan.changes.clone(),
            note: request.note.as_deref(),
        };
        return approvals::ask(caller, env, rule, ask, idempotency_key).await.map(Begun::Requested);
    }
    let mut source = worked.source;
    source.to_task_definition = None;
    source.to_spec = Some(crate::store::Json(worked.merged));
    source.images = crate::store::Json(images);
    let target = Target {
        environment: env.to_string(),
        cluster,
        service,
        kind: DeploymentKind::Promotion,
        source,
        freeze_override: overridden.as_ref().map(|o| o.recorded.clone()),
        promoted_from: Some(from),
    };
    let actor = asking.actor(caller);
    let started = caller.state.deployer.redeploy(&actor, &target, request.note.as_deref(), idempotency_key).await?;
    guardrails::audit_override(caller, &actor, env, &overridden).await;
    Ok(Begun::Started(started))
}

/// B's service: the one named, else the same names as A's.
async fn target_of(caller: &Caller, env: &str, request: &PromotionRequest) -> Result<(String, String), AppError> {
    if let (Some(c), Some(s)) = (&request.target_cluster, &request.target_service) {
        return Ok((c.clone(), s.clone()));
    }
    let linked =
        crate::live_links::linked(caller.state.store.pool(), &request.from, &request.cluster, &request.service, env)
            .await?;
    Ok(linked.unwrap_or_else(|| (request.cluster.clone(), request.service.clone())))
}

async fn work_out(caller: &Caller, env: &str, request: &PromotionRequest) -> Result<Worked, AppError> {
    request.validate()?;
    if request.from == env {
        return Err(AppError::Validation(vec![FieldError::new(
            "from",
            "Promote from another environment than this one.",
        )]));
    }
    let aws_a = caller.read(&request.from)?;
    let aws_b = caller.read(env)?;
    let (cluster, service) = target_of(caller, env, request).await?;
    let running_a = aws_a.describe_service(&request.cluster, &request.service).await?;
    let running_b = aws_b.describe_service(&cluster, &service).await?;
    let spec_a = aws_a.describe_task_definition_ref(&running_a.task_definition).await?.spec;
    let spec_b = aws_b.describe_task_definition_ref(&running_b.task_definition).await?.spec;
    let pool = caller.state.store.pool();
    let (from, what) = (&request.from, format!("{}/{}", request.cluster, request.service));
    let conflict = |message: String| AppError::Conflict { message, field: None };
    let source = records::latest_to(pool, from, &request.cluster, &request.service, &running_a.task_definition)
        .await?
        .ok_or_else(|| {
            conflict(format!(
                "Berth has no deployment of {} in {from}'s {what} yet: deploy it there through Berth (or let Berth \
                 record it), then promote.",
                running_a.task_definition
            ))
        })?;
    if source.outcome != Outcome::Succeeded {
        return Err(conflict(format!(
            "{from}'s {what} runs {} from deployment #{}, which is {}: only a release that succeeded is promoted.",
            running_a.task_definition,
            source.id,
            source.outcome.as_str()
        )));
    }
    let mut images = Vec::new();
    for c in &spec_a.container_definitions {
        let now = spec_b.container_definitions.iter().find(|b| b.name == c.name).map(|b| b.image.clone());
        // A container B does not have goes there only when taken whole.
        let whole = format!("containerDefinitions[\"{}\"]", c.name);
        if now.is_none() && !request.take.contains(&whole) {
            continue;
        }
        // The digest A runs: pinned in its revision (Berth pins what it deploys), else the one
        // Berth recorded when it deployed or saw that revision; never what a tag names today.
        let pinned = c.image.split_once('@').map(|(_, d)| d.to_string());
        let recorded = source.images.0.iter().find(|i| i.container == c.name).and_then(|i| i.digest.clone());
        let Some(digest) = pinned.or(recorded).filter(|d| crate::guardrails::is_digest(d)) else {
            return Err(conflict(format!(
                "Container {} of {from}'s {what} runs {}, and Berth knows no digest of it (not pinned, not in {from}'s \
                 ECR when deployed): a promotion moves exact digests. Deploy it there by digest or from ECR, then promote.",
                c.name, c.image
            )));
        };
        let promoted = match in_own_registry(aws_b, &c.image, &digest).await? {
            Some(own) => own,
            None => pinned_to(&c.image, &digest),
        };
        images.push(PromotedImage { container: c.name.clone(), now, promoted, digest: Some(digest) });
    }
    if !images.iter().any(|i| i.now.is_some()) {
        let names = |spec: &TaskDefinitionSpec| {
            spec.container_definitions.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(", ")
        };
        return Err(conflict(format!(
            "{env}'s {cluster}/{service} has no container of {from}'s {what} ({} there, {} here): nothing would run \
             {from}'s images. Promote to the matching service (an admin may link services named differently).",
            names(&spec_a),
            names(&spec_b)
        )));
    }
    let pairs: Vec<(String, String)> = images.iter().map(|i| (i.container.clone(), i.promoted.clone())).collect();
    let merged = promotion::merge(&spec_a, &spec_b, &pairs, &request.take)?;
    let changes = diff(&spec_b, &merged).into_iter().filter(|c| !c.path.starts_with("tags")).collect();
    let plan = PromotionPlan {
        source: source.record(),
        source_task_definition: running_a.task_definition.clone(),
        target_environment: env.to_string(),
        target_cluster: cluster,
        target_service: service,
        target_task_definition: running_b.task_definition.clone(),
        images,
        fields: promotion::fields(&spec_a, &spec_b, &request.take),
        changes,
    };
    Ok(Worked { plan, source, merged })
}

/// The digest in B's own ECR, when B has a repository of the same name holding it (a registry
/// per account, with the same images pushed or replicated): B pulls from its own registry. No
/// such repository or image: `None` (A's reference, a cross-account pull); any other error is
/// one (access denied would otherwise surface later as tasks that can't pull).
async fn in_own_registry(aws: &AwsEnv, image: &str, digest: &str) -> Result<Option<String>, AppError> {
    let Some(reference) = ecr_reference(image) else { return Ok(None) };
    let own = match aws.describe_repository(&reference.repository).await {
        Ok(own) => own,
        Err(AppError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(registry) = ecr_reference(&own.repository_uri).map(|r| r.account) else { return Ok(None) };
    match aws.find_image(&registry, &reference.repository, None, Some(digest)).await {
        Ok(Some(_)) => Ok(Some(format!("{}@{digest}", own.repository_uri))),
        Ok(None) | Err(AppError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
