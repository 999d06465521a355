//! The API. Each module owns its routes; this one assembles them and the OpenAPI document, which
//! is generated from the same handler annotations, so it can't drift from the router.

mod approvals;
mod audit;
mod auth;
mod clusters;
mod deployments;
mod environments;
mod guardrails;
mod health;
mod live;
mod logs;
mod notifications;
mod openapi;
mod promotions;
mod repositories;
mod services;
mod task_definitions;
mod tasks;
mod tokens;
mod users;

use axum::http::Uri;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::error::AppError;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Berth API", description = "A self-hosted web console for Amazon ECS and ECR. \
        Authenticate with `Authorization: Bearer <API token>` (CI), or with the session cookie from \
        `POST /api/auth/login` plus the `X-CSRF-Token` header on state-changing requests."),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "system", description = "Health and this document"),
        (name = "auth", description = "Login, logout, the caller"),
        (name = "environments", description = "Configured AWS environments"),
        (name = "repositories", description = "ECR repositories and images"),
        (name = "task-definitions", description = "ECS task definitions"),
        (name = "tokens", description = "API tokens for CI"),
        (name = "users", description = "User accounts and their roles"),
        (name = "audit", description = "Who did what"),
        (name = "deployments", description = "Deploy, roll back, the history, live service updates"),
        (name = "notifications", description = "Where deployment events are sent, and how each delivery went"),
        (name = "guardrails", description = "Rules an environment enforces on deployments, and acknowledgements"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components
            .add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("berth_session"))));
    }
}

/// Routes anyone may call: health and login. Everything else is [`protected`].
pub(crate) fn public() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(health::router()).merge(auth::public_router())
}

/// Routes behind login; a route added here is authenticated without further ado.
pub(crate) fn protected() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(openapi::router())
        .merge(auth::router())
        .merge(environments::router())
        .merge(guardrails::router())
        .merge(approvals::router())
        .merge(promotions::router())
        .merge(live::router())
        .merge(repositories::router())
        .merge(tokens::router())
        .merge(audit::router())
        .merge(users::router())
        .merge(task_definitions::router())
        .merge(clusters::router())
        .merge(services::router())
        .merge(tasks::router())
        .merge(logs::router())
        .merge(deployments::router())
        .merge(notifications::router())
}

/// The OpenAPI document of every route.
pub fn doc() -> utoipa::openapi::OpenApi {
    OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi()).merge(public()).merge(protected()).into_openapi()
}

/// Any `/api/...` path that is not a route.
pub(crate) async fn not_found(uri: Uri) -> AppError {
    AppError::NotFound(format!("No API route {}.", uri.path()))
}

pub(crate) async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
