//! Container logs from CloudWatch Logs: a service's, a task's, and a service's followed live (SSE).
//! The use cases are in `ops::logs`.

use std::convert::Infallible;

use axum::Json;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use shared::error::ApiError;
use shared::logs::{LogLine, LogQuery, Logs};
use tokio::sync::broadcast::error::RecvError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::extract::{ApiPath, ApiQuery};
use crate::logs::tail::kept_for;
use crate::ops::{Caller, logs};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(service_logs)).routes(routes!(task_logs)).routes(routes!(follow))
}

/// The service's container lines, oldest first (the last hour unless `start`/`end` say otherwise):
/// its running tasks, the stopped ones ECS still lists, and those failed deployments kept; with the
/// containers read and those whose logs are not in CloudWatch Logs (and how to turn them on).
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/logs", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name"), LogQuery),
    responses((status = 200, body = Logs), (status = 404, body = ApiError), (status = "4XX", body = ApiError)))]
async fn service_logs(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
    ApiQuery(query): ApiQuery<LogQuery>,
) -> Result<Json<Logs>, AppError> {
    Ok(Json(logs::service(&caller, &env, &cluster, &service, &query).await?))
}

/// One task's container lines, oldest first (its whole life unless `start`/`end` narrow it).
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/tasks/{task}/logs", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("task" = String, Path, description = "Task ID"), LogQuery),
    responses((status = 200, body = Logs), (status = 404, body = ApiError), (status = "4XX", body = ApiError)))]
async fn task_logs(
    caller: Caller,
    ApiPath((env, cluster, task)): ApiPath<(String, String, String)>,
    ApiQuery(query): ApiQuery<LogQuery>,
) -> Result<Json<Logs>, AppError> {
    Ok(Json(logs::task(&caller, &env, &cluster, &task, &query).await?))
}

/// The service's new lines, live: `lines` events (a JSON array of [`LogLine`]), the latest lines
/// first. However many viewers follow a service, Berth reads its logs once per interval; each
/// viewer's filters (`container`, `task`, `revision`, `text`) apply to what it receives.
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/logs/follow", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name"), LogQuery),
    responses((status = 200, description = "text/event-stream of `lines` events", body = Vec<LogLine>), (status = "4XX", body = ApiError)))]
async fn follow(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
    ApiQuery(query): ApiQuery<LogQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let following = logs::follow(&caller, &env, &cluster, &service).await?;
    let first = kept_for(&query, &following.recent);
    let stream =
        futures::stream::unfold((following.batches, Some(first), query), |(mut rx, first, query)| async move {
            if let Some(lines) = first {
                let event = Event::default().event("lines").json_data(&lines).unwrap_or_default();
                return Some((Ok(event), (rx, None, query)));
            }
            loop {
                match rx.recv().await {
                    Ok(batch) => {
                        let lines = kept_for(&query, &batch);
                        if lines.is_empty() {
                            continue;
                        }
                        let event = Event::default().event("lines").json_data(&lines).unwrap_or_default();
                        return Some((Ok(event), (rx, None, query)));
                    }
                    // A viewer too slow for the stream misses the lines it fell behind on.
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                }
            }
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
