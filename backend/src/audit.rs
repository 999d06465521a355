//! The audit log: every state-changing action, appended (the table refuses updates and deletes).

use crate::store::Db;
use shared::auth::{AuditEntry, AuditPage};

use crate::auth::time::{now, to_rfc3339};
use crate::error::AppError;
use crate::store::Doing;

/// What was acted on.
pub struct Target<'a> {
    pub environment: Option<&'a str>,
    pub resource: Option<String>,
    pub action: &'static str,
}

pub(crate) fn outcome<T>(result: &Result<T, AppError>) -> String {
    match result {
        Ok(_) => "success".into(),
        Err(AppError::Forbidden(_)) => "denied".into(),
        Err(e) => format!("failed: {}", e.to_api_error().message),
    }
}

pub async fn append(pool: &Db, actor: &str, via: &str, target: &Target<'_>, outcome: &str) {
    let written = sqlx::query(
        "INSERT INTO audit_log (at, actor, via, environment, resource, action, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now())
    .bind(actor)
    .bind(via)
    .bind(target.environment)
    .bind(target.resource.as_deref())
    .bind(target.action)
    .bind(outcome)
    .execute(pool)
    .await;
    if let Err(e) = written {
        tracing::error!(error = %e, action = target.action, actor, "could not write the audit log");
    }
}

/// Filters of `GET /api/audit`; all optional.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditFilter {
    /// Exact user name.
    pub actor: Option<String>,
    pub environment: Option<String>,
    /// Action, or its prefix (`repository.`).
    pub action: Option<String>,
    /// `success`, `denied` or `failed`.
    pub outcome: Option<String>,
    /// RFC 3339, inclusive.
    pub from: Option<String>,
    /// RFC 3339, exclusive.
    pub to: Option<String>,
    /// Entries older than this id (keyset pagination).
    pub before: Option<i64>,
    /// 1–200; 50 by default.
    pub limit: Option<u32>,
}

/// `id, at, actor, via, environment, resource, action, outcome`.
type AuditRow = (i64, i64, String, String, Option<String>, Option<String>, String, String);

/// The audit log's filters, checked (see `ops::audit`): times as Unix seconds, limit in 1–200.
pub(crate) struct AuditQuery<'a> {
    pub filter: &'a AuditFilter,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub limit: i64,
}

pub(crate) async fn query(pool: &Db, checked: &AuditQuery<'_>) -> Result<AuditPage, AppError> {
    let (f, from, to, limit) = (checked.filter, checked.from, checked.to, checked.limit);
    // Numbered by hand rather than with `QueryBuilder`: under `Any` it writes `?`, which
    // PostgreSQL doesn't take.
    enum Param {
        Text(String),
        Int(i64),
    }
    let like = |v: &String| Param::Text(format!("{}%", v.replace('%', "")));
    let conditions = [
        ("actor =", f.actor.clone().map(Param::Text)),
        ("environment =", f.environment.clone().map(Param::Text)),
        ("action LIKE", f.action.as_ref().map(like)),
        ("outcome LIKE", f.outcome.as_ref().map(like)),
        ("at >=", from.map(Param::Int)),
        ("at <", to.map(Param::Int)),
        ("id <", f.before.map(Param::Int)),
    ];
    let mut sql =
        String::from("SELECT id, at, actor, via, environment, resource, action, outcome FROM audit_log WHERE 1=1");
    let mut params = Vec::new();
    for (clause, value) in conditions {
        if let Some(value) = value {
            params.push(value);
            sql.push_str(&format!(" AND {clause} ${}", params.len()));
        }
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit + 1));
    let mut query = sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql));
    for value in params {
        query = match value {
            Param::Text(v) => query.bind(v),
            Param::Int(v) => query.bind(v),
        };
    }
    let rows: Vec<AuditRow> = query.fetch_all(pool).await.doing(|| "reading the audit log".into())?;
    let more = rows.len() as i64 > limit;
    let entries: Vec<AuditEntry> = rows
        .into_iter()
        .take(limit as usize)
        .map(|(id, at, actor, via, environment, resource, action, outcome)| AuditEntry {
            id,
            at: to_rfc3339(at),
            actor,
            via,
            environment,
            resource,
            action,
            outcome,
        })
        .collect();
    let next_before = if more { entries.last().map(|e| e.id) } else { None };
    Ok(AuditPage { entries, next_before })
}
