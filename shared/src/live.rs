//! What's live where: a row per service (the same cluster and service name in each environment),
//! a cell per environment the caller can see, in the configured order, each marked when it differs
//! from the cell to its left (`GET /api/live`).

use serde::{Deserialize, Serialize};

use crate::deploy::{DeploymentKind, Outcome};

/// `GET /api/live` filters; every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LiveQuery {
    /// Only this cluster name.
    pub cluster: Option<String>,
    /// Only services whose name contains this.
    pub service: Option<String>,
    /// Only rows where some environment differs from the one to its left.
    pub differs_only: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LiveView {
    /// The columns, left to right.
    pub environments: Vec<String>,
    pub rows: Vec<LiveRow>,
    /// Environments that could not be read (AWS refused or failed), with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<Unreadable>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Unreadable {
    pub environment: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LiveRow {
    pub cluster: String,
    pub service: String,
    /// One per environment, in `environments`' order; `None` where the service is not there.
    pub cells: Vec<Option<LiveCell>>,
    /// Some environment differs from the one to its left.
    pub differs: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LiveCell {
    pub environment: String,
    /// `family:revision` the service runs.
    pub task_definition: String,
    pub images: Vec<LiveImage>,
    pub desired_count: i64,
    pub running_count: i64,
    /// Of the PRIMARY deployment: `IN_PROGRESS`, `COMPLETED` or `FAILED`.
    pub rollout_state: Option<String>,
    /// The service's last deployment Berth knows of.
    pub last: Option<LastDeployment>,
    /// Its images differ from the cell to its left (a missing cell to the left counts as a
    /// difference).
    pub differs: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LiveImage {
    pub container: String,
    /// As the task definition names it.
    pub image: String,
    pub tag: Option<String>,
    /// `sha256:…`, when known (a pinned reference, or the deployment that registered the revision).
    pub digest: Option<String>,
}

impl LiveImage {
    /// What two environments compare: the digest when known, else the reference as written.
    pub fn identity(&self) -> (&str, &str) {
        (&self.container, self.digest.as_deref().unwrap_or(&self.image))
    }

    /// `sha256:` and its first 12 hex digits.
    pub fn short_digest(&self) -> Option<String> {
        self.digest.as_ref().map(|d| d.chars().take("sha256:".len() + 12).collect())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LastDeployment {
    pub id: i64,
    pub kind: DeploymentKind,
    pub outcome: Outcome,
    pub actor: String,
    /// RFC 3339.
    pub started_at: String,
}

/// Marks each cell that differs from the one to its left, and each row with such a cell.
pub fn mark_differences(row: &mut LiveRow) {
    let mut left: Option<Vec<(String, String)>> = None;
    let mut seen_any = false;
    for cell in row.cells.iter_mut() {
        let Some(cell) = cell else {
            left = None;
            continue;
        };
        let mut mine: Vec<(String, String)> =
            cell.images.iter().map(|i| i.identity()).map(|(c, i)| (c.to_string(), i.to_string())).collect();
        mine.sort();
        cell.differs = seen_any && left.as_ref() != Some(&mine);
        row.differs |= cell.differs;
        left = Some(mine);
        seen_any = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(env: &str, digest: &str) -> Option<LiveCell> {
        Some(LiveCell {
            environment: env.into(),
            task_definition: "web:1".into(),
            images: vec![LiveImage {
                container: "web".into(),
                image: format!("repo@{digest}"),
                tag: None,
                digest: Some(digest.into()),
            }],
            desired_count: 1,
            running_count: 1,
            rollout_state: None,
            last: None,
            differs: false,
        })
    }

    #[test]
    fn a_cell_differs_from_the_one_to_its_left_by_image_not_by_revision_number() {
        let mut row = LiveRow {
            cluster: "c".into(),
            service: "s".into(),
            cells: vec![cell("dev", "sha256:b"), cell("staging", "sha256:b"), cell("prod", "sha256:a")],
            differs: false,
        };
        row.cells[1].as_mut().unwrap().task_definition = "web:7".into();
        mark_differences(&mut row);
        let marks: Vec<bool> = row.cells.iter().map(|c| c.as_ref().unwrap().differs).collect();
        assert_eq!(marks, [false, false, true]);
        assert!(row.differs);
    }

    #[test]
    fn a_missing_environment_makes_the_next_one_differ_and_alike_rows_do_not() {
        let mut gap = LiveRow {
            cluster: "c".into(),
            service: "s".into(),
            cells: vec![cell("dev", "sha256:a"), None, cell("prod", "sha256:a")],
            differs: false,
        };
        mark_differences(&mut gap);
        assert!(gap.cells[2].as_ref().unwrap().differs, "nothing to its left to equal");
        let mut alike = LiveRow {
            cluster: "c".into(),
            service: "s".into(),
            cells: vec![None, cell("staging", "sha256:a"), cell("prod", "sha256:a")],
            differs: false,
        };
        mark_differences(&mut alike);
        assert!(!alike.differs, "the first environment that has it is where the comparison starts");
    }
}
