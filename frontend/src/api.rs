//! One async function per API endpoint. Non-2xx answers decode into the shared [`ApiError`].

use std::cell::RefCell;

use gloo_net::http::{Request, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::approvals::{ApprovalRequest, Decision, Submitted};
use shared::auth::{AuditPage, CreatedToken, Grant, LoginRequest, Me, NewUser, TokenInfo, TokenSpec, UserInfo};
use shared::deploy::promotion::{PromotionPlan, PromotionRequest};
use shared::deploy::{
    DeployPreview, DeployRequest, DeployedService, DeploymentDetail, DeploymentRecord, HistoryPage, HistoryStats,
    RedeployPlan, RedeployRequest,
};
use shared::ecr::{Image, LocalPush, Repository, RepositoryDetail, RepositorySpec};
use shared::ecs::cluster::{
    Choice, ClusterDetail, ClusterSpec, ClusterSummary, CreatedKeyPair, Creation, Ec2Defaults, InstanceTypeInfo,
    NewKeyPair,
};
use shared::ecs::service::{ServiceDetail, ServiceSpec, ServiceUpdate, UpdateOutcome};
use shared::ecs::task::{ServiceAddresses, TaskDetail};
use shared::ecs::task_definition::{Change, Imported, Revision, ServiceUse, TaskDefinitionSpec};
use shared::env::EnvironmentInfo;
use shared::error::{ApiError, ErrorCode, FieldError};
use shared::logs::{LogQuery, Logs};
use shared::notify::{DeliveryInfo, DestinationInfo, NewDestination};

thread_local! {
    /// The session's CSRF token: in memory only (never in the browser's storage).
    static CSRF: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Called when the server answers 401: the session is over, show the login page.
    static ON_UNAUTHORIZED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

pub fn on_unauthorized(f: impl Fn() + 'static) {
    ON_UNAUTHORIZED.with(|cell| *cell.borrow_mut() = Some(Box::new(f)));
}

fn remember(me: &Me) {
    CSRF.with(|c| *c.borrow_mut() = me.csrf_token.clone());
}

/// State-changing requests carry the CSRF token.
fn with_csrf(req: RequestBuilder) -> RequestBuilder {
    match CSRF.with(|c| c.borrow().clone()) {
        Some(token) => req.header("x-csrf-token", &token),
        None => req,
    }
}

pub fn enc(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}

fn network_error(err: gloo_net::Error) -> ApiError {
    ApiError::new(ErrorCode::Unavailable, format!("Berth's server could not be reached: {err}"))
}

/// Sends a request and reads its answer's body; a non-2xx answer becomes the shared error (a 401
/// also ends the session unless `quiet_401`). Not generic on purpose: the fetch machinery is in the
/// bundle once, and only `parse` is copied per answer type.
async fn exchange(request: Result<Request, gloo_net::Error>, quiet_401: bool) -> Result<String, ApiError> {
    let resp = request.map_err(network_error)?.send().await.map_err(network_error)?;
    let status = resp.status();
    let text = resp.text().await.map_err(network_error)?;
    if resp.ok() {
        return Ok(text);
    }
    if status == 401 && !quiet_401 {
        ON_UNAUTHORIZED.with(|cell| {
            if let Some(f) = cell.borrow().as_ref() {
                f()
            }
        });
    }
    Err(serde_json::from_str::<ApiError>(&text)
        .unwrap_or_else(|_| ApiError::new(code_of(status), format!("The server answered HTTP {status}."))))
}

/// For an answer without Berth's error body (a proxy's page): the code its status means.
fn code_of(status: u16) -> ErrorCode {
    match status {
        400 => ErrorCode::BadRequest,
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        409 => ErrorCode::Conflict,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        422 => ErrorCode::Validation,
        429 => ErrorCode::RateLimited,
        502..=504 => ErrorCode::Unavailable,
        _ => ErrorCode::Internal,
    }
}

async fn call(request: Result<Request, gloo_net::Error>) -> Result<String, ApiError> {
    exchange(request, false).await
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|err| {
        ApiError::new(ErrorCode::Internal, format!("Berth's server sent an answer this page can't read: {err}"))
    })
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    parse(&call(Request::get(url).build()).await?)
}

async fn post<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, ApiError> {
    parse(&call(with_csrf(Request::post(url)).json(body)).await?)
}

/// A pasted JSON document sent as is (not re-serialized): the server names what is wrong with it.
async fn post_document<T: DeserializeOwned>(url: &str, document: String) -> Result<T, ApiError> {
    parse(&call(with_csrf(Request::post(url)).header("content-type", "application/json").body(document)).await?)
}

async fn delete(url: &str) -> Result<(), ApiError> {
    call(with_csrf(Request::delete(url)).build()).await.map(drop)
}

pub async fn me() -> Result<Me, ApiError> {
    let me: Me = get("/api/auth/me").await?;
    remember(&me);
    Ok(me)
}

pub async fn login(name: String, password: String) -> Result<Me, ApiError> {
    // A failed login is a 401 too, but it must not count as "the session ended".
    let me: Me =
        parse(&exchange(Request::post("/api/auth/login").json(&LoginRequest { name, password }), true).await?)?;
    remember(&me);
    Ok(me)
}

pub async fn logout() -> Result<(), ApiError> {
    let result = call(with_csrf(Request::post("/api/auth/logout")).build()).await;
    CSRF.with(|c| *c.borrow_mut() = None);
    result.map(drop)
}

pub async fn list_tokens() -> Result<Vec<TokenInfo>, ApiError> {
    get("/api/tokens").await
}

pub async fn create_token(spec: &TokenSpec) -> Result<CreatedToken, ApiError> {
    post("/api/tokens", spec).await
}

pub async fn revoke_token(id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/tokens/{id}")).await
}

fn destinations(env: &str) -> String {
    format!("/api/envs/{}/notifications/destinations", enc(env))
}

pub async fn list_destinations(env: String) -> Result<Vec<DestinationInfo>, ApiError> {
    get(&destinations(&env)).await
}

pub async fn add_destination(env: &str, new: &NewDestination) -> Result<DestinationInfo, ApiError> {
    post(&destinations(env), new).await
}

pub async fn remove_destination(env: &str, id: i64) -> Result<(), ApiError> {
    delete(&format!("{}/{id}", destinations(env))).await
}

pub async fn deliveries(env: String, id: i64) -> Result<Vec<DeliveryInfo>, ApiError> {
    get(&format!("{}/{id}/deliveries", destinations(&env))).await
}

pub async fn send_test(env: &str, id: i64) -> Result<DeliveryInfo, ApiError> {
    post_document(&format!("{}/{id}/test", destinations(env)), "{}".into()).await
}

pub async fn list_users() -> Result<Vec<UserInfo>, ApiError> {
    get("/api/users").await
}

pub async fn add_user(user: &NewUser) -> Result<UserInfo, ApiError> {
    post("/api/users", user).await
}

pub async fn guardrails(env: String) -> Result<shared::guardrails::GuardrailsInfo, ApiError> {
    get(&format!("/api/envs/{}/guardrails", enc(&env))).await
}

pub async fn set_guardrails(
    env: &str,
    guardrails: &shared::guardrails::Guardrails,
) -> Result<shared::guardrails::GuardrailsInfo, ApiError> {
    parse(&call(with_csrf(Request::put(&format!("/api/envs/{}/guardrails", enc(env)))).json(guardrails)).await?)
}

pub async fn set_grants(name: &str, grants: &[Grant]) -> Result<UserInfo, ApiError> {
    parse(&call(with_csrf(Request::put(&format!("/api/users/{}/grants", enc(name)))).json(grants)).await?)
}

pub async fn disable_user(name: &str) -> Result<(), ApiError> {
    delete(&format!("/api/users/{}", enc(name))).await
}

/// `query` is the URL query string (already encoded), e.g. `outcome=denied&before=40`.
pub async fn audit(query: &str) -> Result<AuditPage, ApiError> {
    get(&format!("/api/audit?{query}")).await
}

pub async fn list_environments() -> Result<Vec<EnvironmentInfo>, ApiError> {
    get("/api/envs").await
}

pub async fn list_repositories(env: &str) -> Result<Vec<Repository>, ApiError> {
    get(&format!("/api/envs/{}/repositories", enc(env))).await
}

pub async fn create_repository(env: &str, spec: &RepositorySpec) -> Result<Repository, ApiError> {
    post(&format!("/api/envs/{}/repositories", enc(env)), spec).await
}

pub async fn get_repository(env: &str, name: &str) -> Result<RepositoryDetail, ApiError> {
    get(&format!("/api/envs/{}/repositories/{}", enc(env), enc(name))).await
}

pub async fn list_images(env: &str, name: &str) -> Result<Vec<Image>, ApiError> {
    get(&format!("/api/envs/{}/repositories/{}/images", enc(env), enc(name))).await
}

pub async fn delete_repository(env: &str, name: &str, force: bool) -> Result<(), ApiError> {
    delete(&format!("/api/envs/{}/repositories/{}?force={force}", enc(env), enc(name))).await
}

/// `status`: `ACTIVE` or `INACTIVE`.
pub async fn list_task_families(env: &str, status: &str) -> Result<Vec<String>, ApiError> {
    get(&format!("/api/envs/{}/task-definitions?status={status}", enc(env))).await
}

pub async fn list_task_revisions(env: &str, family: &str, status: &str) -> Result<Vec<i64>, ApiError> {
    get(&format!("/api/envs/{}/task-definitions/{}/revisions?status={status}", enc(env), enc(family))).await
}

fn revision_url(env: &str, family: &str, revision: i64) -> String {
    format!("/api/envs/{}/task-definitions/{}/revisions/{revision}", enc(env), enc(family))
}

/// A revision with its document as plain JSON: the revision page reads a few members and shows the
/// rest, and skipping the typed model keeps the task definition pages' bundle small.
#[derive(Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionDocument {
    pub task_definition_arn: String,
    pub family: String,
    pub revision: i64,
    pub status: String,
    pub registered_at: Option<String>,
    /// As the server wrote it (member order kept for the export).
    pub spec: std::sync::Arc<serde_json::value::RawValue>,
}

pub async fn get_task_revision_document(env: &str, family: &str, revision: i64) -> Result<RevisionDocument, ApiError> {
    get(&revision_url(env, family, revision)).await
}

pub async fn get_task_revision(env: &str, family: &str, revision: i64) -> Result<Revision, ApiError> {
    get(&revision_url(env, family, revision)).await
}

/// What the service wizard reads of a revision: the members the shared service rules check a
/// service against (launch types, network mode, containers and their ports). Reading only these
/// keeps the task definition's whole model out of the service wizard's bundle.
#[derive(serde::Deserialize)]
struct RevisionBasics {
    spec: TaskBasics,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaskBasics {
    network_mode: Option<String>,
    requires_compatibilities: Option<Vec<String>>,
    cpu: Option<String>,
    memory: Option<String>,
    #[serde(default)]
    container_definitions: Vec<ContainerBasics>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContainerBasics {
    #[serde(default)]
    name: String,
    port_mappings: Option<Vec<PortBasics>>,
    cpu: Option<i64>,
    memory: Option<i64>,
    memory_reservation: Option<i64>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PortBasics {
    container_port: Option<i64>,
    host_port: Option<i64>,
    protocol: Option<String>,
}

/// A revision's document with only the members the service rules and the placement check read
/// (the rest left default).
pub async fn task_revision_basics(env: &str, family: &str, revision: i64) -> Result<TaskDefinitionSpec, ApiError> {
    let basics: RevisionBasics = get(&revision_url(env, family, revision)).await?;
    let t = basics.spec;
    Ok(TaskDefinitionSpec {
        network_mode: t.network_mode,
        requires_compatibilities: t.requires_compatibilities,
        container_definitions: t
            .container_definitions
            .into_iter()
            .map(|c| shared::ecs::task_definition::ContainerDefinition {
                name: c.name,
                cpu: c.cpu,
                memory: c.memory,
                memory_reservation: c.memory_reservation,
                port_mappings: c.port_mappings.map(|l| {
                    l.into_iter()
                        .map(|p| shared::ecs::task_definition::PortMapping {
                            container_port: p.container_port,
                            host_port: p.host_port,
                            protocol: p.protocol,
                            ..Default::default()
                        })
                        .collect()
                }),
                ..Default::default()
            })
            .collect(),
        cpu: t.cpu,
        memory: t.memory,
        ..TaskDefinitionSpec::default()
    })
}

pub async fn services_using(env: &str, family: &str, revision: i64) -> Result<Vec<ServiceUse>, ApiError> {
    get(&format!("{}/services", revision_url(env, family, revision))).await
}

/// `document` is the pasted text, sent as is: the server names what is wrong with it.
pub async fn import_task_definition(document: &str) -> Result<Imported, ApiError> {
    post_document("/api/task-definitions/import", document.to_string()).await
}

pub async fn register_task_definition(env: &str, spec: &TaskDefinitionSpec) -> Result<Revision, ApiError> {
    post(&format!("/api/envs/{}/task-definitions", enc(env)), spec).await
}

pub async fn deregister_task_revision(env: &str, family: &str, revision: i64) -> Result<(), ApiError> {
    delete(&revision_url(env, family, revision)).await
}

pub async fn diff_task_revisions(env: &str, family: &str, from: i64, to: i64) -> Result<Vec<Change>, ApiError> {
    get(&format!("/api/envs/{}/task-definitions/{}/diff?from={from}&to={to}", enc(env), enc(family))).await
}

pub async fn list_clusters(env: &str) -> Result<Vec<ClusterSummary>, ApiError> {
    get(&format!("/api/envs/{}/clusters", enc(env))).await
}

pub async fn get_cluster(env: &str, name: &str) -> Result<ClusterDetail, ApiError> {
    get(&format!("/api/envs/{}/clusters/{}", enc(env), enc(name))).await
}

pub async fn create_cluster(env: &str, spec: &ClusterSpec) -> Result<Creation, ApiError> {
    post(&format!("/api/envs/{}/clusters", enc(env)), spec).await
}

pub async fn get_creation(env: &str, id: &str) -> Result<Creation, ApiError> {
    get(&format!("/api/envs/{}/cluster-creations/{}", enc(env), enc(id))).await
}

/// Removes what a failed creation made (the answer's steps then progress to `removed`).
pub async fn remove_creation(env: &str, id: &str) -> Result<Creation, ApiError> {
    parse(
        &call(with_csrf(Request::delete(&format!("/api/envs/{}/cluster-creations/{}", enc(env), enc(id)))).build())
            .await?,
    )
}

pub async fn delete_cluster(env: &str, name: &str, remove_capacity: bool) -> Result<(), ApiError> {
    delete(&format!("/api/envs/{}/clusters/{}?removeCapacity={remove_capacity}", enc(env), enc(name))).await
}

/// `what`: `vpcs`, `key-pairs`, `ec2-defaults`'s siblings; `vpcs/{id}/subnets`, `vpcs/{id}/security-groups`.
pub async fn network(env: &str, what: &str) -> Result<Vec<Choice>, ApiError> {
    get(&format!("/api/envs/{}/network/{what}", enc(env))).await
}

pub async fn instance_types(env: &str) -> Result<Vec<InstanceTypeInfo>, ApiError> {
    get(&format!("/api/envs/{}/network/instance-types", enc(env))).await
}

/// Creates a key pair; the answer holds its private key, once.
pub async fn create_key_pair(env: &str, name: &str) -> Result<CreatedKeyPair, ApiError> {
    post(&format!("/api/envs/{}/network/key-pairs", enc(env)), &NewKeyPair { key_name: name.to_string() }).await
}

pub async fn ec2_defaults(env: &str) -> Result<Ec2Defaults, ApiError> {
    get(&format!("/api/envs/{}/network/ec2-defaults", enc(env))).await
}

fn service_url(env: &str, cluster: &str, service: &str) -> String {
    format!("/api/envs/{}/clusters/{}/services/{}", enc(env), enc(cluster), enc(service))
}

/// The service CreateService made: the wizard only goes to its page (reading the whole answer
/// would put the service page's model into the wizard's bundle).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedService {
    pub cluster: String,
    pub service_name: String,
}

pub async fn create_service(env: &str, spec: &ServiceSpec) -> Result<CreatedService, ApiError> {
    post(&format!("/api/envs/{}/services", enc(env)), spec).await
}

pub async fn update_service(env: &str, update: &ServiceUpdate) -> Result<UpdateOutcome, ApiError> {
    post(&format!("/api/envs/{}/services/update", enc(env)), update).await
}

/// `document` is an update-service document as pasted, sent as is: the server names what is wrong.
/// `dry_run`: resolved and checked only (the preview the page shows before applying).
pub async fn apply_update_document(env: &str, document: String, dry_run: bool) -> Result<UpdateOutcome, ApiError> {
    let query = if dry_run { "?dryRun=true" } else { "" };
    post_document(&format!("/api/envs/{}/services/update{query}", enc(env)), document).await
}

pub async fn get_service(env: &str, cluster: &str, service: &str) -> Result<ServiceDetail, ApiError> {
    get(&service_url(env, cluster, service)).await
}

pub async fn get_task(env: &str, cluster: &str, task: &str) -> Result<TaskDetail, ApiError> {
    get(&format!("/api/envs/{}/clusters/{}/tasks/{}", enc(env), enc(cluster), enc(task))).await
}

/// A logs query as URL parameters (`?container=…&text=…`, or nothing).
fn log_params(query: &LogQuery) -> String {
    let mut pairs = Vec::new();
    let mut add = |key: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            pairs.push(format!("{key}={}", enc(&v)));
        }
    };
    add("container", query.container.clone());
    add("task", query.task.clone());
    add("revision", query.revision.clone());
    add("text", query.text.clone());
    add("start", query.start.map(|t| t.to_string()));
    add("end", query.end.map(|t| t.to_string()));
    if pairs.is_empty() { String::new() } else { format!("?{}", pairs.join("&")) }
}

pub async fn service_logs(env: &str, cluster: &str, service: &str, query: &LogQuery) -> Result<Logs, ApiError> {
    get(&format!("{}/logs{}", service_url(env, cluster, service), log_params(query))).await
}

pub async fn task_logs(env: &str, cluster: &str, task: &str) -> Result<Logs, ApiError> {
    get(&format!("/api/envs/{}/clusters/{}/tasks/{}/logs", enc(env), enc(cluster), enc(task))).await
}

/// The service's new lines, live (SSE), with the viewer's filters.
pub fn follow_logs_url(env: &str, cluster: &str, service: &str, query: &LogQuery) -> String {
    format!(
        "{}/logs/follow{}",
        service_url(env, cluster, service),
        log_params(&LogQuery { start: None, end: None, ..query.clone() })
    )
}

pub async fn service_addresses(env: &str, cluster: &str, service: &str) -> Result<ServiceAddresses, ApiError> {
    get(&format!("/api/envs/{}/clusters/{}/services/{}/addresses", enc(env), enc(cluster), enc(service))).await
}

/// The service as `create-service` JSON, pretty-printed: the server's text as is (not read into a
/// model, so the service page's bundle carries no code for it).
pub async fn export_service(env: &str, cluster: &str, service: &str) -> Result<String, ApiError> {
    let text = call(Request::get(&format!("{}/export", service_url(env, cluster, service))).build()).await?;
    Ok(crate::format::pretty_text(&text))
}

pub async fn scale_service(env: &str, cluster: &str, service: &str, desired: i64) -> Result<ServiceDetail, ApiError> {
    let url = format!("{}/desired-count", service_url(env, cluster, service));
    parse(&call(with_csrf(Request::put(&url)).json(&serde_json::json!({ "desiredCount": desired }))).await?)
}

/// Local mode: a new image in the repository, as a push leaves it.
pub async fn local_push(env: &str, repository: &str, push: &LocalPush) -> Result<Image, ApiError> {
    post(&format!("/api/envs/{}/repositories/{}/local-push", enc(env), enc(repository)), push).await
}

/// Whether the service's tasks can be placed with `desired` tasks (its own count when `None`), and
/// after a new deployment when `rollout`: warnings naming what to change, empty when all fits.
pub async fn service_placement(
    env: &str,
    cluster: &str,
    service: &str,
    desired: Option<i64>,
    rollout: bool,
) -> Result<Vec<FieldError>, ApiError> {
    let count = desired.map(|d| format!("&desiredCount={d}")).unwrap_or_default();
    get(&format!("{}/placement?rollout={rollout}{count}", service_url(env, cluster, service))).await
}

pub async fn delete_service(env: &str, cluster: &str, service: &str, force: bool) -> Result<(), ApiError> {
    delete(&format!("{}?force={force}", service_url(env, cluster, service))).await
}

/// Starts a deployment; `key` makes a double click or a retry one deployment.
pub async fn deploy(env: &str, request: &DeployRequest, key: &str) -> Result<Submitted, ApiError> {
    let url = format!("/api/envs/{}/deployments", enc(env));
    parse(&call(with_csrf(Request::post(&url)).header("idempotency-key", key).json(request)).await?)
}

pub async fn preview_deploy(env: &str, request: &DeployRequest) -> Result<DeployPreview, ApiError> {
    post(&format!("/api/envs/{}/deployments/preview", enc(env)), request).await
}

fn rollback_url(env: &str, cluster: &str, service: &str) -> String {
    format!("/api/envs/{}/clusters/{}/services/{}/rollback", enc(env), enc(cluster), enc(service))
}

/// What "Roll back" would deploy, before confirming.
pub async fn rollback_plan(env: &str, cluster: &str, service: &str) -> Result<RedeployPlan, ApiError> {
    get(&rollback_url(env, cluster, service)).await
}

/// `request.deployment`: the release chosen explicitly (when the service already runs the last good one).
pub async fn rollback(
    env: &str,
    cluster: &str,
    service: &str,
    request: &RedeployRequest,
) -> Result<Submitted, ApiError> {
    post(&rollback_url(env, cluster, service), request).await
}

/// Continue (`CONTINUE`) or roll back (`ROLLBACK`) the deployment waiting at a PAUSE hook.
pub async fn answer_rollout(env: &str, cluster: &str, service: &str, action: &str) -> Result<(), ApiError> {
    let url = format!("{}/rollout/answer", service_url(env, cluster, service));
    let body = shared::deploy::ApproveRollout { action: action.into() };
    call(with_csrf(Request::post(&url)).json(&body)).await.map(drop)
}

/// StopServiceDeployment: `ROLLBACK` or `ABORT`.
pub async fn stop_native_rollout(env: &str, cluster: &str, service: &str, stop_type: &str) -> Result<(), ApiError> {
    let url = format!("{}/rollout/stop", service_url(env, cluster, service));
    let body = shared::deploy::StopRollout { stop_type: Some(stop_type.into()) };
    call(with_csrf(Request::post(&url)).json(&body)).await.map(drop)
}

/// Updates the service back to its last good revision (a rollout that keeps failing).
pub async fn stop_rollout(env: &str, cluster: &str, service: &str) -> Result<DeploymentRecord, ApiError> {
    let url = format!("/api/envs/{}/clusters/{}/services/{}/stop-rollout", enc(env), enc(cluster), enc(service));
    post(&url, &RedeployRequest::default()).await
}

pub async fn redeploy_plan(id: i64) -> Result<RedeployPlan, ApiError> {
    get(&format!("/api/deployments/{id}/redeploy")).await
}

pub async fn redeploy(id: i64, request: &RedeployRequest) -> Result<Submitted, ApiError> {
    post(&format!("/api/deployments/{id}/redeploy"), request).await
}

/// The approval requests waiting (or, `all`, every one).
pub async fn approvals(all: bool) -> Result<Vec<ApprovalRequest>, ApiError> {
    get(&format!("/api/approvals?all={all}")).await
}

/// Approves (`approve`) or rejects a request.
pub async fn decide(id: i64, approve: bool, decision: &Decision) -> Result<ApprovalRequest, ApiError> {
    let verb = if approve { "approve" } else { "reject" };
    post(&format!("/api/approvals/{id}/{verb}"), decision).await
}

pub async fn promotion_preview(env: &str, request: &PromotionRequest) -> Result<PromotionPlan, ApiError> {
    post(&format!("/api/envs/{}/promotions/preview", enc(env)), request).await
}

pub async fn promote(env: &str, request: &PromotionRequest, key: &str) -> Result<Submitted, ApiError> {
    let url = format!("/api/envs/{}/promotions", enc(env));
    parse(&call(with_csrf(Request::post(&url)).header("idempotency-key", key).json(request)).await?)
}

pub async fn acknowledge(
    id: i64,
    request: &shared::guardrails::AcknowledgeRequest,
) -> Result<shared::guardrails::Acknowledgement, ApiError> {
    post(&format!("/api/deployments/{id}/acknowledge"), request).await
}

/// `query`: the history page's query string (filters and cursor), without `?`.
pub async fn history(query: &str) -> Result<HistoryPage, ApiError> {
    get(&format!("/api/deployments?{query}")).await
}

pub async fn live(query: &str) -> Result<shared::live::LiveView, ApiError> {
    get(&format!("/api/live?{query}")).await
}

pub async fn live_links() -> Result<Vec<shared::live::ServiceLink>, ApiError> {
    get("/api/live/links").await
}

pub async fn set_live_links(links: &[shared::live::ServiceLink]) -> Result<Vec<shared::live::ServiceLink>, ApiError> {
    parse(&call(with_csrf(Request::put("/api/live/links")).json(links)).await?)
}

pub async fn deployed_services() -> Result<Vec<DeployedService>, ApiError> {
    get("/api/deployments/services").await
}

pub async fn history_stats(query: &str) -> Result<HistoryStats, ApiError> {
    get(&format!("/api/deployments/stats?{query}")).await
}

pub async fn deployment(id: i64) -> Result<DeploymentDetail, ApiError> {
    get(&format!("/api/deployments/{id}")).await
}

pub fn watch_url(env: &str, cluster: &str, service: &str) -> String {
    format!("/api/envs/{}/clusters/{}/services/{}/watch", enc(env), enc(cluster), enc(service))
}

pub mod paths {
    use super::enc;

    pub fn repositories(env: &str) -> String {
        format!("/e/{}/repositories", enc(env))
    }
    pub fn new_repository(env: &str) -> String {
        format!("/e/{}/repositories/new", enc(env))
    }
    pub fn repository(env: &str, name: &str) -> String {
        format!("/e/{}/repository/{}", enc(env), enc(name))
    }
    pub fn task_definitions(env: &str) -> String {
        format!("/e/{}/task-definitions", enc(env))
    }
    /// The wizard; `from` = `family:revision` to start from that revision.
    pub fn new_task_definition(env: &str, from: Option<(&str, i64)>) -> String {
        match from {
            Some((family, revision)) => format!("/e/{}/task-definitions/new?from={}:{revision}", enc(env), enc(family)),
            None => format!("/e/{}/task-definitions/new", enc(env)),
        }
    }
    pub fn task_family(env: &str, family: &str) -> String {
        format!("/e/{}/task-definitions/family/{}", enc(env), enc(family))
    }
    pub fn task_revision(env: &str, family: &str, revision: i64) -> String {
        format!("{}/{revision}", task_family(env, family))
    }
    pub fn task_diff(env: &str, family: &str, from: i64, to: i64) -> String {
        format!("{}/diff?from={from}&to={to}", task_family(env, family))
    }
    pub fn clusters(env: &str) -> String {
        format!("/e/{}/clusters", enc(env))
    }
    pub fn new_cluster(env: &str) -> String {
        format!("/e/{}/clusters/new", enc(env))
    }
    pub fn cluster(env: &str, name: &str) -> String {
        format!("/e/{}/cluster/{}", enc(env), enc(name))
    }
    pub fn new_service(env: &str, cluster: &str) -> String {
        format!("/e/{}/services/new?cluster={}", enc(env), enc(cluster))
    }
    pub fn service(env: &str, cluster: &str, service: &str) -> String {
        format!("/e/{}/services/{}/{}", enc(env), enc(cluster), enc(service))
    }
    pub fn service_logs(env: &str, cluster: &str, service: &str) -> String {
        format!("/e/{}/services/{}/{}/logs", enc(env), enc(cluster), enc(service))
    }
    pub fn service_update(env: &str, cluster: &str, name: &str) -> String {
        format!("{}/update", service(env, cluster, name))
    }
    pub fn task(env: &str, cluster: &str, task: &str) -> String {
        format!("/e/{}/tasks/{}/{}", enc(env), enc(cluster), enc(task))
    }
    /// The history, with a query string of filters (may be empty).
    pub fn history(query: &str) -> String {
        if query.is_empty() { "/deployments".into() } else { format!("/deployments?{query}") }
    }
    pub fn deployment(id: i64) -> String {
        format!("/deployments/{id}")
    }
    pub const APPROVALS: &str = "/approvals";
    pub fn live(query: &str) -> String {
        if query.is_empty() { "/live".into() } else { format!("/live?{query}") }
    }
    pub const USERS: &str = "/admin/users";
    pub const TOKENS: &str = "/admin/tokens";
    pub const AUDIT: &str = "/admin/audit";
    pub fn notifications(env: &str) -> String {
        format!("/admin/notifications/{}", enc(env))
    }
    pub fn guardrails(env: &str) -> String {
        format!("/admin/guardrails/{}", enc(env))
    }
}
