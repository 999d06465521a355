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
    /// The admin-set link that lines up services named differently across environments (the
    /// row's cluster and service are then its first cell's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
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
    /// The service in this environment (a linked row's cells may name different ones).
    pub cluster: String,
    pub service: String,
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

/// Services named differently across environments, lined up as one row of the live view (and
/// the default target of a promotion between them). Global admins set them
/// (`PUT /api/live/links`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceLink {
    /// The row's name: "web", "checkout API", …
    pub name: String,
    /// One service per environment, at least two.
    pub services: Vec<LinkedService>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkedService {
    pub environment: String,
    pub cluster: String,
    pub service: String,
}

pub const LINK_NAME_MAX: usize = 64;

/// Berth's rules for links: a name, two services or more, one per environment, and a service in
/// one link only.
pub fn validate_links(links: &[ServiceLink]) -> Result<(), Vec<crate::error::FieldError>> {
    let mut errors = crate::validate::Errors::new();
    let mut seen: Vec<&LinkedService> = Vec::new();
    for (i, link) in links.iter().enumerate() {
        let name = link.name.trim();
        if name.is_empty() || crate::validate::char_len(name) > LINK_NAME_MAX {
            errors.add(format!("[{i}].name"), format!("A name of 1 to {LINK_NAME_MAX} characters."));
        } else if links[..i].iter().any(|l| l.name.trim() == name) {
            errors.add(format!("[{i}].name"), "Another link has this name.");
        }
        if link.services.len() < 2 {
            errors.add(format!("[{i}].services"), "A link lines up at least two services.");
        }
        for (j, s) in link.services.iter().enumerate() {
            let at = format!("[{i}].services[{j}]");
            if [&s.environment, &s.cluster, &s.service].iter().any(|v| v.trim().is_empty()) {
                errors.add(at.clone(), "environment, cluster and service are required.");
            }
            if link.services[..j].iter().any(|o| o.environment == s.environment) {
                errors.add(format!("{at}.environment"), "One service per environment in a link.");
            }
            if seen.contains(&s) {
                errors.add(at, "This service is in another link already.");
            }
            seen.push(s);
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors.into_vec()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(env: &str, digest: &str) -> Option<LiveCell> {
        Some(LiveCell {
            environment: env.into(),
            cluster: "c".into(),
            service: "web".into(),
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
            link: None,
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
            link: None,
            cluster: "c".into(),
            service: "s".into(),
            cells: vec![cell("dev", "sha256:a"), None, cell("prod", "sha256:a")],
            differs: false,
        };
        mark_differences(&mut gap);
        assert!(gap.cells[2].as_ref().unwrap().differs, "nothing to its left to equal");
        let mut alike = LiveRow {
            link: None,
            cluster: "c".into(),
            service: "s".into(),
            cells: vec![None, cell("staging", "sha256:a"), cell("prod", "sha256:a")],
            differs: false,
        };
        mark_differences(&mut alike);
        assert!(!alike.differs, "the first environment that has it is where the comparison starts");
    }
}
