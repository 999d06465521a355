//! The audit log (admins of every environment only), read with its query parameters' rules.

use shared::auth::AuditPage;
use shared::error::FieldError;

use super::Caller;
use crate::audit::{self, AuditFilter, AuditQuery};
use crate::auth::time::from_rfc3339;
use crate::error::AppError;

/// The log, newest first, filtered: `from`/`to` are RFC 3339 times (each refused at its name
/// otherwise), `limit` 1–200 (50 by default, clamped).
pub(crate) async fn entries(caller: &Caller, filter: &AuditFilter) -> Result<AuditPage, AppError> {
    caller.principal.require_global_admin()?;
    let mut errors = Vec::new();
    let mut time = |field: &str, value: &Option<String>| {
        let text = value.as_deref()?;
        let parsed = from_rfc3339(text);
        if parsed.is_none() {
            errors.push(FieldError::new(field, "Use an RFC 3339 time, e.g. 2026-11-24T09:00:00Z."));
        }
        parsed
    };
    let (from, to) = (time("from", &filter.from), time("to", &filter.to));
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let limit = i64::from(filter.limit.unwrap_or(50).clamp(1, 200));
    audit::query(caller.state.store.pool(), &AuditQuery { filter, from, to, limit }).await
}
