//! The rules of the history's query parameters (`GET /api/deployments` and its stats): each one
//! read into what it means, or an error naming it.

use super::{HistoryQuery, Outcome};
use crate::error::FieldError;

pub const DAY_MS: i64 = 86_400_000;

/// The history's filters, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryFilter {
    /// Exact matches: (column, value) for environment, cluster, service and actor.
    pub equal: Vec<(&'static str, String)>,
    pub outcome: Option<Outcome>,
    /// Started at or after (Unix ms): the `from` day's midnight, UTC.
    pub from_ms: Option<i64>,
    /// Started before (Unix ms): the midnight after the `to` day, UTC.
    pub until_ms: Option<i64>,
    /// Older than this (started_at, id): the previous page's `next`.
    pub after: Option<(i64, i64)>,
    /// 1 to 200.
    pub limit: i64,
}

/// Unix ms of `YYYY-MM-DD`'s midnight, UTC.
pub fn day_ms(day: &str) -> Option<i64> {
    let mut parts = day.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month[(m - 1) as usize] {
        return None;
    }
    // Days from the civil date (Howard Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * DAY_MS)
}

fn cursor(text: &str) -> Option<(i64, i64)> {
    text.split_once('.').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
}

impl HistoryQuery {
    /// The filters, or an error for each parameter that breaks its rule.
    pub fn check(&self) -> Result<HistoryFilter, Vec<FieldError>> {
        let given = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
        let mut errors = Vec::new();
        let equal = [
            ("environment", &self.environment),
            ("cluster", &self.cluster),
            ("service", &self.service),
            ("actor", &self.actor),
        ]
        .into_iter()
        .filter_map(|(column, v)| given(v).map(|v| (column, v)))
        .collect();
        let outcome = given(&self.outcome).and_then(|o| {
            let found = Outcome::parse(&o);
            if found.is_none() {
                let all: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
                errors.push(FieldError::new("outcome", format!("Outcome is one of {}.", all.join(", "))));
            }
            found
        });
        let mut day = |field: &str, v: &Option<String>| {
            given(v).and_then(|d| {
                let ms = day_ms(&d);
                if ms.is_none() {
                    errors.push(FieldError::new(field, "A day is written YYYY-MM-DD."));
                }
                ms
            })
        };
        let from_ms = day("from", &self.from);
        let until_ms = day("to", &self.to).map(|ms| ms + DAY_MS);
        let after = given(&self.after).and_then(|a| {
            let found = cursor(&a);
            if found.is_none() {
                errors.push(FieldError::new("after", "Pass the `next` value of the previous page."));
            }
            found
        });
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            errors.push(FieldError::new("limit", "A page holds 1 to 200 deployments."));
        }
        if errors.is_empty() {
            Ok(HistoryFilter { equal, outcome, from_ms, until_ms, after, limit })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_as_utc_midnights() {
        assert_eq!(day_ms("1970-01-01"), Some(0));
        assert_eq!(day_ms("1970-01-02"), Some(DAY_MS));
        assert_eq!(day_ms("2000-03-01"), Some(951_868_800_000));
        assert_eq!(day_ms("2024-02-29"), Some(1_709_164_800_000));
        for bad in ["2023-02-29", "02/01/1970", "2026-13-01", "2026-1-01", "2026-01-01-01", ""] {
            assert_eq!(day_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn each_parameter_that_breaks_its_rule_is_named() {
        let q = HistoryQuery {
            outcome: Some("DONE".into()),
            from: Some("yesterday".into()),
            after: Some("12".into()),
            limit: Some(500),
            ..HistoryQuery::default()
        };
        let paths: Vec<String> = q.check().unwrap_err().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["outcome", "from", "after", "limit"]);
    }

    #[test]
    fn a_valid_query_says_what_it_means() {
        let q = HistoryQuery {
            service: Some("web".into()),
            outcome: Some("FAILED".into()),
            to: Some("1970-01-01".into()),
            after: Some("12.3".into()),
            ..HistoryQuery::default()
        };
        let f = q.check().unwrap();
        assert_eq!(f.equal, [("service", "web".to_string())]);
        assert_eq!((f.outcome, f.until_ms, f.after, f.limit), (Some(Outcome::Failed), Some(DAY_MS), Some((12, 3)), 50));
    }
}
