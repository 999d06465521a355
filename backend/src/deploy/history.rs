//! The history: filtered pages of deployments, newest first, with keyset pagination (a cursor of
//! `started_at` and `id`, so page 1,000 costs what page 1 does), and the charts' figures.

use crate::store::Db;
use shared::deploy::{
    DayCount, DeployedService, DeploymentRecord, HistoryFilter, HistoryPage, HistoryQuery, HistoryStats, Outcome,
};

use super::records::{LIST_COLUMNS, Row};
use crate::error::AppError;
use crate::store::Doing;

enum Value {
    Text(String),
    Int(i64),
}

/// Binds `value` as the next parameter and names it (`$1`, `$2`, …).
fn param(values: &mut Vec<Value>, value: Value) -> String {
    values.push(value);
    format!("${}", values.len())
}

/// The WHERE clause and its values for the filters (not the cursor): the query's rules are
/// shared's (`HistoryQuery::check`), and only the environments the caller can see.
fn filters(f: &HistoryFilter, visible: &[String]) -> (Vec<String>, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    for (column, value) in &f.equal {
        clauses.push(format!("{column} = {}", param(&mut values, Value::Text(value.clone()))));
    }
    if let Some(outcome) = f.outcome {
        clauses.push(format!("outcome = {}", param(&mut values, Value::Text(outcome.as_str().into()))));
    }
    if let Some(ms) = f.from_ms {
        clauses.push(format!("started_at >= {}", param(&mut values, Value::Int(ms))));
    }
    if let Some(ms) = f.until_ms {
        clauses.push(format!("started_at < {}", param(&mut values, Value::Int(ms))));
    }
    let names: Vec<String> = if visible.is_empty() {
        vec![param(&mut values, Value::Text(String::new()))]
    } else {
        visible.iter().map(|v| param(&mut values, Value::Text(v.clone()))).collect()
    };
    clauses.push(format!("environment IN ({})", names.join(", ")));
    (clauses, values)
}

fn cursor(record: &Row) -> String {
    format!("{}.{}", record.started_at, record.id)
}

fn bind_all<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    values: Vec<Value>,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    for v in values {
        query = match v {
            Value::Text(t) => query.bind(t),
            Value::Int(i) => query.bind(i),
        };
    }
    query
}

pub async fn page(pool: &Db, q: &HistoryQuery, visible: &[String]) -> Result<HistoryPage, AppError> {
    let filter = q.check()?;
    let limit = filter.limit;
    let (mut clauses, mut values) = filters(&filter, visible);
    if let Some((started, id)) = filter.after {
        let started = param(&mut values, Value::Int(started));
        let id = param(&mut values, Value::Int(id));
        clauses.push(format!("(started_at, id) < ({started}, {id})"));
    }
    let sql = format!(
        "SELECT {LIST_COLUMNS} FROM deployments WHERE {} ORDER BY started_at DESC, id DESC LIMIT {}",
        clauses.join(" AND "),
        limit + 1
    );
    let mut rows: Vec<Row> = bind_all(sqlx::query_as(sqlx::AssertSqlSafe(sql)), values)
        .fetch_all(pool)
        .await
        .doing(|| "reading a page of the history".into())?;
    let next = (rows.len() as i64 > limit).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(cursor)
    });
    let items: Vec<DeploymentRecord> = rows.iter().map(Row::record).collect();
    Ok(HistoryPage { items, next: next.flatten() })
}

pub(crate) async fn stats(pool: &Db, q: &HistoryQuery, visible: &[String]) -> Result<HistoryStats, AppError> {
    let (mut clauses, values) = filters(&q.check()?, visible);
    clauses.push("ended_at IS NOT NULL".into());
    let sql = format!(
        "SELECT started_at, ended_at, outcome FROM deployments WHERE {} ORDER BY started_at",
        clauses.join(" AND ")
    );
    let rows: Vec<(i64, i64, Outcome)> = bind_all(sqlx::query_as(sqlx::AssertSqlSafe(sql)), values)
        .fetch_all(pool)
        .await
        .doing(|| "reading the history's figures".into())?;
    Ok(figures(&rows))
}

/// The services that have deployments in the `visible` environments, sorted. A loose index scan
/// (one index seek per service, on `deployments_by_service`) rather than `SELECT DISTINCT`, which
/// reads every row: the history may hold millions of deployments of a few hundred services.
pub(crate) async fn services(pool: &Db, visible: &[String]) -> Result<Vec<DeployedService>, AppError> {
    const NEXT: &str = "SELECT cluster, service FROM deployments WHERE environment = $1 AND (cluster, service) > ($2, $3) \
        ORDER BY cluster, service LIMIT 1";
    let mut environments = visible.to_vec();
    environments.sort();
    let mut found = Vec::new();
    for environment in environments {
        let (mut cluster, mut service) = (String::new(), String::new());
        while let Some((c, s)) = sqlx::query_as::<_, (String, String)>(NEXT)
            .bind(&environment)
            .bind(&cluster)
            .bind(&service)
            .fetch_optional(pool)
            .await
            .doing(|| format!("listing the deployed services of {environment}"))?
        {
            found.push(DeployedService { environment: environment.clone(), cluster: c.clone(), service: s.clone() });
            (cluster, service) = (c, s);
        }
    }
    Ok(found)
}

/// Per day (UTC) totals and failures; failure rate and median duration over all of them.
/// Superseded and timed-out deployments count as ended but not as failed changes.
pub(crate) fn figures(rows: &[(i64, i64, Outcome)]) -> HistoryStats {
    let mut days: Vec<DayCount> = Vec::new();
    for (started, _, outcome) in rows {
        let day = day_of(*started);
        let failed = i64::from(*outcome == Outcome::Failed);
        match days.last_mut() {
            Some(last) if last.day == day => {
                last.total += 1;
                last.failed += failed;
            }
            _ => days.push(DayCount { day, total: 1, failed }),
        }
    }
    let failed: i64 = days.iter().map(|d| d.failed).sum();
    let mut durations: Vec<i64> = rows.iter().map(|(s, e, _)| e - s).collect();
    durations.sort_unstable();
    let median = match durations.len() {
        0 => None,
        n if n % 2 == 1 => Some(durations[n / 2]),
        n => Some((durations[n / 2 - 1] + durations[n / 2]) / 2),
    };
    HistoryStats {
        days,
        change_failure_rate: (!rows.is_empty()).then(|| failed as f64 / rows.len() as f64),
        median_duration_ms: median,
    }
}

fn day_of(ms: i64) -> String {
    let date =
        time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).map(|t| t.date()).unwrap_or(time::Date::MIN);
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

#[cfg(test)]
mod tests {
    use shared::deploy::DAY_MS;

    use super::*;

    #[test]
    fn figures_count_per_day_and_take_the_median() {
        let day = 1_764_000_000_000 - 1_764_000_000_000 % DAY_MS;
        let rows = vec![
            (day + 1, day + 11, Outcome::Succeeded),
            (day + 2, day + 32, Outcome::Failed),
            (day + DAY_MS, day + DAY_MS + 20, Outcome::Superseded),
            (day + DAY_MS + 5, day + DAY_MS + 45, Outcome::Succeeded),
        ];
        let stats = figures(&rows);
        assert_eq!(stats.days.iter().map(|d| (d.total, d.failed)).collect::<Vec<_>>(), [(2, 1), (2, 0)]);
        assert_eq!(stats.days[0].day, day_of(day));
        assert_eq!(stats.change_failure_rate, Some(0.25));
        assert_eq!(stats.median_duration_ms, Some(25));
        assert_eq!(figures(&[]).change_failure_rate, None);
    }
}
