use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use shared::auth::{Grant, Role, is_global_admin, role_in};

use crate::error::AppError;

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Session { id_hash: String, csrf_token: String },
    Token { id: i64, name: String },
    Cli,
}

/// An authenticated caller: a user, or an API token acting for the admin who created it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub name: String,
    pub grants: Vec<Grant>,
    pub via: Via,
    /// For tokens limited to some services.
    pub services: Option<Vec<String>>,
}

impl Principal {
    /// 403 unless the principal has at least `needed` in `environment`.
    pub(crate) fn require(&self, environment: &str, needed: Role) -> Result<(), AppError> {
        match role_in(&self.grants, environment) {
            Some(have) if have >= needed => Ok(()),
            have => Err(AppError::Forbidden(format!(
                "This needs the {} role in environment '{environment}'; {}.",
                needed.as_str(),
                have.map_or_else(|| "you have no role there".to_string(), |r| format!("you are {}", r.as_str()))
            ))),
        }
    }

    /// Users, tokens and the audit log belong to admins of every environment (`*`).
    pub(crate) fn require_global_admin(&self) -> Result<(), AppError> {
        if is_global_admin(&self.grants) && !matches!(self.via, Via::Token { .. }) {
            Ok(())
        } else {
            Err(AppError::Forbidden("This needs the admin role in every environment (*).".into()))
        }
    }

    /// 403 unless the principal has at least `needed` in `environment` and, for a token limited
    /// to some services, `cluster/service` is one of them. Checked before any AWS call.
    pub(crate) fn require_service(
        &self,
        environment: &str,
        cluster: &str,
        service: &str,
        needed: Role,
    ) -> Result<(), AppError> {
        self.require(environment, needed)?;
        if let Some(services) = &self.services {
            let wanted = format!("{cluster}/{service}");
            if !services.iter().any(|s| *s == wanted) {
                return Err(AppError::Forbidden(format!(
                    "This token may change only {}; not {wanted}.",
                    services.join(", ")
                )));
            }
        }
        Ok(())
    }

    pub(crate) fn can_see(&self, environment: &str) -> bool {
        role_in(&self.grants, environment).is_some()
    }

    /// For the audit log: `session`, `token 3 (gitlab-ci)`, `cli`.
    pub(crate) fn via_label(&self) -> String {
        match &self.via {
            Via::Session { .. } => "session".into(),
            Via::Token { id, name } => format!("token {id} ({name})"),
            Via::Cli => "cli".into(),
        }
    }
}

/// The principal that [`super::require_login`] put on the request. A route that is not behind
/// the middleware gets a 401 here rather than running unauthenticated.
pub(crate) struct Auth(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Auth)
            .ok_or_else(|| AppError::Unauthorized("Log in first.".into()))
    }
}
