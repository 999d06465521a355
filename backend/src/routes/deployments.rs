//! Deployments: deploy new images (button or CI, with `wait`), preview the change, roll back,
//! redeploy a history entry, the history and its figures, and the live stream of a service.

use std::convert::Infallible;

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use serde::Deserialize;
use shared::approvals::{ApprovalRequest, Submitted};
use shared::deploy::{
    DeployPreview, DeployRequest, DeployedService, DeploymentDetail, DeploymentRecord, HistoryPage, HistoryQuery,
    HistoryStats, Outcome, RedeployPlan, RedeployRequest, ServiceSnapshot,
};
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::deploy::Started;
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::ops::approvals::{self, Begun};
use crate::ops::{Caller, deployments};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(deploy_images))
        .routes(routes!(preview))
        .routes(routes!(rollback_plan, rollback))
        .routes(routes!(redeploy_plan, redeploy))
        .routes(routes!(history))
        .routes(routes!(stats))
        .routes(routes!(deployment))
        .routes(routes!(deployed_services))
        .routes(routes!(watch))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct DeployParams {
    /// Answer only when the rollout has ended (bake time included); the status says how: 200
    /// SUCCEEDED, 424 FAILED (rolled back or not), 409 SUPERSEDED, 504 TIMED_OUT — or 202 with
    /// `awaitingApproval` when it waits at a PAUSE hook for someone's answer.
    pub(super) wait: Option<bool>,
}

pub(super) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    let key = value.to_str().unwrap_or("").trim();
    if key.is_empty() || key.len() > 200 {
        return Err(AppError::BadRequest("The Idempotency-Key header holds 1 to 200 visible characters.".into()));
    }
    Ok(Some(key.to_string()))
}

/// 202 for a deployment started, 200 for one an idempotency key found; with `wait`, by outcome.
async fn answer(
    caller: &Caller,
    started: Started,
    wait: bool,
) -> Result<(StatusCode, Json<DeploymentRecord>), AppError> {
    if !wait {
        let status = if started.repeated { StatusCode::OK } else { StatusCode::ACCEPTED };
        return Ok((status, Json(started.record)));
    }
    let record = deployments::ended(caller, started.record.id).await?;
    let status = match record.outcome {
        // Waiting at a PAUSE hook: the job may poll the deployment or stop waiting.
        Outcome::InProgress if record.awaiting_approval.is_some() => StatusCode::ACCEPTED,
        Outcome::Succeeded => StatusCode::OK,
        Outcome::Superseded => StatusCode::CONFLICT,
        Outcome::TimedOut => StatusCode::GATEWAY_TIMEOUT,
        Outcome::Failed | Outcome::InProgress => StatusCode::FAILED_DEPENDENCY,
    };
    Ok((status, Json(record)))
}

/// 202 with a request that waits for a decision (`Location`: where to poll it).
fn waiting(request: ApprovalRequest) -> (StatusCode, [(axum::http::HeaderName, String); 1], Json<Submitted>) {
    let location = format!("/api/approvals/{}", request.id);
    (StatusCode::ACCEPTED, [(axum::http::header::LOCATION, location)], Json(Submitted::Approval(Box::new(request))))
}

/// A deployment started (as [`answer`]), or a request for approval: 202 with the request; with
/// `wait`, the decision is waited for (at most half an hour, then 202 with the request to poll),
/// then the rollout (a rejection or an expiry is a 409).
pub(super) async fn answer_begun(caller: &Caller, begun: Begun, wait: bool) -> Result<Response, AppError> {
    let deployment = |(status, Json(record)): (StatusCode, Json<DeploymentRecord>)| {
        (status, Json(Submitted::Deployment(Box::new(record)))).into_response()
    };
    match begun {
        Begun::Started(started) => answer(caller, started, wait).await.map(deployment),
        Begun::Requested(request) if !wait => Ok(waiting(request).into_response()),
        Begun::Requested(request) => {
            let decided = approvals::decided(caller, request.id, approvals::DECISION_WAIT).await?;
            let Some(id) = approvals::outcome(&decided)? else { return Ok(waiting(decided).into_response()) };
            let record = deployments::record_of(caller, id).await?;
            answer(caller, Started { record, repeated: false }, true).await.map(deployment)
        }
    }
}

/// Deploys new images to a service: registers a revision of its task definition with them and
/// rolls it out. Send an `Idempotency-Key` header to make retries safe. Deployers may (a token
/// limited to some services, only those).
#[utoipa::path(post, path = "/api/envs/{env}/deployments", tag = "deployments",
    params(("env" = String, Path, description = "Environment name"), DeployParams,
        ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key returns the same deployment")),
    request_body = DeployRequest,
    responses(
        (status = 202, description = "Started: the service is rolling out; or (wait) the rollout waits at a PAUSE hook for approval (`awaitingApproval`); or, where the environment asks for approval, the request waiting for it", body = Submitted),
        (status = 200, description = "Repeated key, or (wait) the rollout SUCCEEDED", body = DeploymentRecord),
        (status = 424, description = "(wait) the rollout FAILED", body = DeploymentRecord),
        (status = 409, description = "Another deployment of the service is in progress, or (wait) SUPERSEDED", body = ApiError),
        (status = 504, description = "(wait) TIMED_OUT", body = DeploymentRecord),
        (status = 422, description = "Invalid request, naming the field", body = ApiError),
        (status = "4XX", body = ApiError)))]
async fn deploy_images(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
    ApiQuery(params): ApiQuery<DeployParams>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<DeployRequest>,
) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?;
    let begun = deployments::deploy(&caller, &env, &request, key.as_deref()).await?;
    answer_begun(&caller, begun, params.wait.unwrap_or(false)).await
}

/// The task definition changes a deploy would make (current revision -> new).
#[utoipa::path(post, path = "/api/envs/{env}/deployments/preview", tag = "deployments",
    params(("env" = String, Path, description = "Environment name")),
    request_body = DeployRequest,
    responses((status = 200, body = DeployPreview), (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn preview(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
    ApiJson(request): ApiJson<DeployRequest>,
) -> Result<Json<DeployPreview>, AppError> {
    Ok(Json(deployments::preview(&caller, &env, &request).await?))
}

/// What "Roll back" would do: the target (the most recent successful deployment of another
/// revision, older than the release running now), its images, who deployed it and how it ended,
/// the diff against what runs now; and whether ECS already rolled the latest deployment back.
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/rollback", tag = "deployments",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    responses((status = 200, body = RedeployPlan), (status = "4XX", body = ApiError)))]
async fn rollback_plan(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
) -> Result<Json<RedeployPlan>, AppError> {
    Ok(Json(deployments::rollback_plan(&caller, &env, &cluster, &service).await?))
}

/// Rolls the service back (the target `GET` shows). When ECS already rolled the latest deployment
/// back, the service runs the last good release: 409, unless `deployment` names the one to go
/// back to. A revision whose latest deployment failed needs `acknowledgeFailure`.
#[utoipa::path(post, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/rollback", tag = "deployments",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name"), DeployParams),
    request_body = RedeployRequest,
    responses((status = 202, description = "Started, or the request waiting for approval", body = Submitted), (status = 409, body = ApiError), (status = "4XX", body = ApiError)))]
async fn rollback(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
    ApiQuery(params): ApiQuery<DeployParams>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<RedeployRequest>,
) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?;
    let begun = deployments::rollback(&caller, &env, &cluster, &service, &request, key.as_deref()).await?;
    answer_begun(&caller, begun, params.wait.unwrap_or(false)).await
}

/// What "Deploy this revision again" would do: the revision, its images, who deployed it and how
/// that ended, the diff against what runs now, and whether its latest deployment failed.
#[utoipa::path(get, path = "/api/deployments/{id}/redeploy", tag = "deployments",
    params(("id" = i64, Path, description = "Deployment id")),
    responses((status = 200, body = RedeployPlan), (status = "4XX", body = ApiError)))]
async fn redeploy_plan(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Json<RedeployPlan>, AppError> {
    Ok(Json(deployments::redeploy_plan(&caller, id).await?))
}

/// Deploys the revision of a history entry again (re-registered if it was deregistered). A
/// revision whose latest deployment failed needs `acknowledgeFailure`.
#[utoipa::path(post, path = "/api/deployments/{id}/redeploy", tag = "deployments",
    params(("id" = i64, Path, description = "Deployment id"), DeployParams),
    request_body = RedeployRequest,
    responses((status = 202, description = "Started, or the request waiting for approval", body = Submitted), (status = 409, body = ApiError), (status = "4XX", body = ApiError)))]
async fn redeploy(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<DeployParams>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<RedeployRequest>,
) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?;
    let begun = deployments::redeploy(&caller, id, &request, key.as_deref()).await?;
    answer_begun(&caller, begun, params.wait.unwrap_or(false)).await
}

/// Every deployment of the environments the caller can see, newest first, filtered; pass the
/// page's `next` as `after` for the following page.
#[utoipa::path(get, path = "/api/deployments", tag = "deployments", params(HistoryQuery),
    responses((status = 200, body = HistoryPage), (status = 422, body = ApiError)))]
async fn history(caller: Caller, ApiQuery(query): ApiQuery<HistoryQuery>) -> Result<Json<HistoryPage>, AppError> {
    Ok(Json(deployments::history(&caller, &query).await?))
}

/// The charts' figures over the same filters: deployments per day, change failure rate, median
/// rollout duration (`after` and `limit` are ignored).
#[utoipa::path(get, path = "/api/deployments/stats", tag = "deployments", params(HistoryQuery),
    responses((status = 200, body = HistoryStats), (status = 422, body = ApiError)))]
async fn stats(caller: Caller, ApiQuery(query): ApiQuery<HistoryQuery>) -> Result<Json<HistoryStats>, AppError> {
    Ok(Json(deployments::stats(&caller, &query).await?))
}

/// A deployment: who, when, how it ended, the task definition's changes and the rollout's events.
#[utoipa::path(get, path = "/api/deployments/{id}", tag = "deployments",
    params(("id" = i64, Path, description = "Deployment id")),
    responses((status = 200, body = DeploymentDetail), (status = 404, body = ApiError)))]
async fn deployment(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Json<DeploymentDetail>, AppError> {
    Ok(Json(deployments::detail(&caller, id).await?))
}

/// The services with deployments in the environments the caller can see, sorted by environment,
/// cluster and service: the choices of the history's filters.
#[utoipa::path(get, path = "/api/deployments/services", tag = "deployments",
    responses((status = 200, body = Vec<DeployedService>), (status = "4XX", body = ApiError)))]
async fn deployed_services(caller: Caller) -> Result<Json<Vec<DeployedService>>, AppError> {
    Ok(Json(deployments::deployed_services(&caller).await?))
}

/// The service, live: a `snapshot` event (a [`ServiceSnapshot`]) after each poll. However many
/// clients listen, the server polls ECS once per interval for the service.
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/watch", tag = "deployments",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    responses((status = 200, description = "text/event-stream of `snapshot` events", body = ServiceSnapshot), (status = "4XX", body = ApiError)))]
async fn watch(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let rx = deployments::watch(&caller, &env, &cluster, &service)?;
    // (receiver, first event, ended): a service that does not exist (or no longer) ends the stream.
    let stream = futures::stream::unfold((rx, true, false), |(mut rx, first, ended)| async move {
        // The first poll of a new watch may not have answered yet (seq 0): wait for it.
        if ended || ((!first || rx.borrow().seq == 0) && rx.changed().await.is_err()) {
            return None;
        }
        let snapshot = rx.borrow_and_update().clone();
        let gone = snapshot.error.as_ref().is_some_and(|e| e.code == shared::error::ErrorCode::NotFound);
        let event = Event::default().event("snapshot").json_data(&*snapshot).unwrap_or_default();
        Some((Ok(event), (rx, false, gone)))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
