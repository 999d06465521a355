//! The use cases: everything the API can do, between the HTTP routes (extract, call a use case,
//! respond) and the AWS adapters and the store. A state-changing use case runs through
//! [`Caller::act`], which does what each of them needs: finds the environment, checks the role (and
//! a token's scope) before any AWS call, writes the audit entry, and names what was being done on
//! an internal error's log line.

pub(crate) mod admin;
pub(crate) mod approvals;
pub(crate) mod audit_log;
pub(crate) mod clusters;
pub(crate) mod deployments;
pub(crate) mod guardrails;
pub(crate) mod live;
pub(crate) mod logs;
pub(crate) mod notifications;
pub(crate) mod placement;
pub(crate) mod promotions;
pub(crate) mod repositories;
pub(crate) mod rollouts;
pub(crate) mod services;
pub(crate) mod task_definitions;
pub(crate) mod tasks;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use shared::auth::Role;

use crate::audit;
use crate::auth::rate_limit::LoginLimiter;
use crate::auth::{Auth, Principal};
use crate::aws::{AwsEnv, Environments};
use crate::config::AuthSettings;
use crate::deploy::Deployer;
use crate::error::AppError;
use crate::store::Store;

/// What every handler and use case can reach.
#[derive(Clone)]
pub struct AppState {
    pub environments: Arc<Environments>,
    pub store: Store,
    pub auth: Arc<AuthSettings>,
    pub login_limiter: Arc<LoginLimiter>,
    /// Cluster creations running or ended since start-up.
    pub creations: clusters::Creations,
    /// The deploy engine and the pollers of watched services.
    pub deployer: Deployer,
    /// The pollers of followed services' logs.
    pub logs: Arc<crate::logs::tail::LogHub>,
    /// Berth's address as CI reaches it (`--public-url`, else the listen address unless that is a
    /// wildcard such as `0.0.0.0`): the CI snippets name it.
    pub public_url: Option<Arc<str>>,
}

/// Who calls, and what the server holds: the argument of every use case. A handler gets it as an
/// extractor; a request without a principal (not behind login) is refused with 401.
#[derive(Clone)]
pub(crate) struct Caller {
    pub(crate) state: AppState,
    pub(crate) principal: Principal,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Auth(principal) = Auth::from_request_parts(parts, state).await?;
        Ok(Self { state: state.clone(), principal })
    }
}

/// The role an action needs, and where.
pub(crate) enum Needs<'a> {
    /// At least this role in the environment.
    Role(Role),
    /// At least this role in the environment and, for a token limited to some services, this one.
    Service { cluster: &'a str, service: &'a str, role: Role },
    /// Admin of every environment, as a user (users, tokens, the audit log).
    GlobalAdmin,
    /// At least this role, and not by a token limited to some services (what such a token may
    /// change is those services, nothing beside them).
    Unscoped(Role),
}

/// A state-changing action, as the audit log names it.
pub(crate) struct Action<'a> {
    /// `service.deploy`, `repository.create`, …
    pub(crate) name: &'static str,
    /// `service prod/web`, `repository team/app`, …
    pub(crate) resource: String,
    pub(crate) needs: Needs<'a>,
}

impl<'a> Action<'a> {
    pub(crate) fn new(name: &'static str, resource: impl Into<String>, needs: Needs<'a>) -> Self {
        Self { name, resource: resource.into(), needs }
    }

    /// An action on one service, which a token limited to some services may be allowed.
    pub(crate) fn on_service(name: &'static str, cluster: &'a str, service: &'a str, role: Role) -> Self {
        Self::new(name, format!("service {cluster}/{service}"), Needs::Service { cluster, service, role })
    }
}

impl Caller {
    /// The environment, if the caller may read it. A caller with no role there is told it does not
    /// exist only if it really does not: names of environments are not secret, their contents are.
    pub(crate) fn read(&self, env: &str) -> Result<&AwsEnv, AppError> {
        let aws = self.state.environments.get(env)?;
        self.principal.require(env, Role::Viewer)?;
        Ok(aws)
    }

    /// The environments the caller can see.
    pub(crate) fn visible(&self) -> Vec<String> {
        let envs = self.state.environments.list().into_iter().map(|e| e.name);
        envs.filter(|e| self.principal.can_see(e)).collect()
    }

    /// Runs a state-changing use case in an environment: the role check first (so a refusal is
    /// audited too, and no AWS call is made), then `run`, then the audit entry.
    pub(crate) async fn act<T>(
        &self,
        env: &str,
        action: Action<'_>,
        run: impl AsyncFnOnce(&AwsEnv) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let aws = self.state.environments.get(env)?;
        let result = async {
            self.check(env, &action.needs)?;
            let result = run(aws).await;
            aws.changed();
            result
        }
        .await;
        self.record(Some(env), &action, result).await
    }

    /// Runs a state-changing use case that belongs to no environment (users, tokens).
    pub(crate) async fn act_global<T>(
        &self,
        action: Action<'_>,
        run: impl AsyncFnOnce() -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let result = async {
            self.check("*", &action.needs)?;
            run().await
        }
        .await;
        self.record(None, &action, result).await
    }

    fn check(&self, env: &str, needs: &Needs<'_>) -> Result<(), AppError> {
        match needs {
            Needs::Role(role) => self.principal.require(env, *role),
            Needs::Service { cluster, service, role } => self.principal.require_service(env, cluster, service, *role),
            Needs::GlobalAdmin => self.principal.require_global_admin(),
            Needs::Unscoped(role) => {
                self.principal.require(env, *role)?;
                match &self.principal.services {
                    Some(services) => Err(AppError::Forbidden(format!(
                        "This token may change only {}; not anything else.",
                        services.join(", ")
                    ))),
                    None => Ok(()),
                }
            }
        }
    }

    async fn record<T>(
        &self,
        env: Option<&str>,
        action: &Action<'_>,
        result: Result<T, AppError>,
    ) -> Result<T, AppError> {
        let target = audit::Target { environment: env, resource: Some(action.resource.clone()), action: action.name };
        let principal = &self.principal;
        audit::append(
            self.state.store.pool(),
            &principal.name,
            &principal.via_label(),
            &target,
            &audit::outcome(&result),
        )
        .await;
        result.map_err(|e| match e {
            AppError::Internal(e) => AppError::Internal(e.context(format!("{} of {}", action.name, action.resource))),
            e => e,
        })
    }
}
