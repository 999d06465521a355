//! An environment's guardrails: rules Berth enforces on deployments there, set by the
//! environment's admins (`PUT /api/envs/{env}/guardrails`), enforced by the API (so the UI and CI
//! alike). Each refusal names the rule and how to proceed.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::validate::{Errors, char_len};

/// What an environment enforces. Everything is off until an admin turns it on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Guardrails {
    /// After a deployment FAILED or was rolled back, deploying any of its image digests to that
    /// service again is refused (409 naming the deployment) until a deployer acknowledges the
    /// failure with a reason (`POST /api/deployments/{id}/acknowledge`).
    #[serde(default)]
    pub failed_image_guard: bool,
    /// Deploys, redeploys and rollbacks to a deployment the caller names are refused while one of
    /// these is on, unless an admin overrides with a written reason (`freezeOverride`). Berth's own
    /// rollback (to the last good release) is not frozen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub freeze_windows: Vec<FreezeWindow>,
    /// Deploys, rollbacks, redeploys and promotions become requests that another deployer of the
    /// environment approves before they start (never the requester).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<ApprovalRule>,
}

/// Approval before start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApprovalRule {
    /// A request nobody decided within this many minutes expires (5 minutes to 7 days).
    pub expires_after_minutes: u32,
}

/// A time when the environment takes no deployments: recurring (`days`, `from`, `to`,
/// `timeZone`: on each of the days, from a time to a time there; a window whose `to` is not after
/// its `from` runs past midnight into the next day), or once (`start` to `end`, RFC 3339 instants).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FreezeWindow {
    /// Shown in every refusal: "release freeze", "weekend", …
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<Weekday>,
    /// `HH:MM`, 24-hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// `HH:MM`, 24-hour (`24:00`: midnight at the day's end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// An IANA time zone (`Europe/Lisbon`, `UTC`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

/// A window's time, once its shape is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FreezeWhen<'a> {
    /// Days, minutes after midnight from and to, the time zone.
    Recurring {
        days: &'a [Weekday],
        from: u32,
        to: u32,
        time_zone: &'a str,
    },
    Once {
        start: &'a str,
        end: &'a str,
    },
}

impl FreezeWindow {
    /// Its time, or (field, what is wrong) for each broken rule.
    pub fn when(&self) -> Result<FreezeWhen<'_>, Vec<(&'static str, String)>> {
        let recurring = !self.days.is_empty() || self.from.is_some() || self.to.is_some() || self.time_zone.is_some();
        let once = self.start.is_some() || self.end.is_some();
        let mut errors = Vec::new();
        match (recurring, once) {
            (true, true) => errors.push((
                "start",
                "Either days, from, to and timeZone (recurring) or start and end (once), not both.".to_string(),
            )),
            (false, false) => {
                errors.push(("days", "Days, from, to and timeZone (recurring), or start and end (once).".to_string()))
            }
            (false, true) => {
                let (Some(start), Some(end)) = (&self.start, &self.end) else {
                    let missing = if self.start.is_none() { "start" } else { "end" };
                    return Err(vec![(missing, "A one-off window needs both start and end (RFC 3339).".into())]);
                };
                return Ok(FreezeWhen::Once { start, end });
            }
            (true, false) => {
                if self.days.is_empty() {
                    errors.push(("days", "At least one day (MON … SUN).".into()));
                }
                let mut time = |field: &'static str, value: &Option<String>| match value.as_deref().map(minutes_of) {
                    Some(Ok(m)) => Some(m),
                    Some(Err(e)) => {
                        errors.push((field, e));
                        None
                    }
                    None => {
                        errors.push((field, "HH:MM, 24-hour.".into()));
                        None
                    }
                };
                let (from, to) = (time("from", &self.from), time("to", &self.to));
                if from.is_some() && from == to {
                    errors.push((
                        "to",
                        "Ends when it starts: a window of no time (for a whole day: 00:00 to 24:00).".into(),
                    ));
                }
                let time_zone = self.time_zone.as_deref().unwrap_or("");
                if time_zone.trim().is_empty() {
                    errors.push(("timeZone", "An IANA time zone: Europe/Lisbon, America/New_York, UTC, …".into()));
                }
                if let (true, Some(from), Some(to)) = (errors.is_empty(), from, to) {
                    return Ok(FreezeWhen::Recurring { days: &self.days, from, to, time_zone });
                }
            }
        }
        Err(errors)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [Self::Mon, Self::Tue, Self::Wed, Self::Thu, Self::Fri, Self::Sat, Self::Sun];

    /// Monday 0 … Sunday 6.
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|d| *d == self).unwrap_or(0)
    }
}

/// Minutes after midnight of `HH:MM` (00:00 to 24:00), or why not.
pub fn minutes_of(text: &str) -> Result<u32, String> {
    let bad = || format!("{text:?} is not a time: HH:MM, 24-hour, from 00:00 to 24:00.");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// The longest window name.
pub const WINDOW_NAME_MAX: usize = 64;

impl Guardrails {
    /// Berth's own rules for the windows' shapes (names, days, times). The time zones and
    /// instants are checked by the server, which has the time zone database.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        for (i, window) in self.freeze_windows.iter().enumerate() {
            let at = |field: &str| format!("freezeWindows[{i}].{field}");
            let name = window.name.trim();
            if name.is_empty() || char_len(name) > WINDOW_NAME_MAX {
                errors.add(at("name"), format!("A name of 1 to {WINDOW_NAME_MAX} characters: refusals show it."));
            }
            if self.freeze_windows[..i].iter().any(|w| w.name.trim() == name) {
                errors.add(at("name"), "Another window has this name.");
            }
            if let Err(broken) = window.when() {
                for (field, message) in broken {
                    errors.add(at(field), message);
                }
            }
        }
        if let Some(rule) = &self.approval {
            let (least, most) = crate::approvals::EXPIRY_MINUTES;
            if !(least..=most).contains(&rule.expires_after_minutes) {
                errors.add(
                    "approval.expiresAfterMinutes",
                    format!("From {least} minutes to {most} (7 days): how long a request waits for a decision."),
                );
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors.into_vec()) }
    }
}

/// An environment's guardrails, with who set them last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct GuardrailsInfo {
    pub environment: String,
    pub guardrails: Guardrails,
    /// `None` while nobody has set them (all off).
    pub updated_by: Option<String>,
    /// RFC 3339.
    pub updated_at: Option<String>,
}

/// `POST /api/deployments/{id}/acknowledge`: a deployer has read why the deployment failed and
/// says why its images may go out again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcknowledgeRequest {
    pub reason: String,
}

/// The longest acknowledgement reason (a sentence or two, shown in the history and the audit log).
pub const REASON_MAX: usize = 500;

impl AcknowledgeRequest {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        let reason = self.reason.trim();
        if reason.is_empty() {
            errors.add(
                "reason",
                "Say why the failed image may go out again (it is kept in the history and the audit log).",
            );
        } else if char_len(reason) > REASON_MAX {
            errors.add("reason", format!("At most {REASON_MAX} characters."));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors.into_vec()) }
    }
}

/// A failure acknowledged: the deployment's digests may go out to its service again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Acknowledgement {
    pub deployment: i64,
    /// The image digests it covers (those of the deployment).
    pub digests: Vec<String>,
    pub actor: String,
    pub reason: String,
    /// RFC 3339.
    pub at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_needed_and_short() {
        assert!(AcknowledgeRequest { reason: "fixed the config, same image".into() }.validate().is_ok());
        let empty = AcknowledgeRequest { reason: "   ".into() }.validate().unwrap_err();
        assert_eq!(empty[0].path, "reason");
        let long = AcknowledgeRequest { reason: "x".repeat(REASON_MAX + 1) }.validate().unwrap_err();
        assert!(long[0].message.contains("500"), "{long:?}");
    }

    #[test]
    fn windows_read_as_recurring_or_once_and_their_shapes_are_checked() {
        let g: Guardrails = serde_json::from_str(
            r#"{"freezeWindows": [
                {"name": "weekend", "days": ["SAT", "SUN"], "from": "00:00", "to": "24:00", "timeZone": "Europe/Lisbon"},
                {"name": "holidays", "start": "2026-12-24T00:00:00Z", "end": "2026-12-27T00:00:00Z"}]}"#,
        )
        .unwrap();
        assert!(matches!(g.freeze_windows[0].when(), Ok(FreezeWhen::Recurring { from: 0, to: 1440, .. })));
        assert!(matches!(g.freeze_windows[1].when(), Ok(FreezeWhen::Once { .. })));
        assert!(g.validate().is_ok());
        assert_eq!(minutes_of("22:30"), Ok(1350));
        assert!(minutes_of("24:01").is_err() && minutes_of("7:00").is_err() && minutes_of("07:60").is_err());

        let bad: Guardrails = serde_json::from_str(
            r#"{"freezeWindows": [{"name": "", "days": [], "from": "25:00", "to": "08:00", "timeZone": "UTC"},
                {"name": "x", "days": ["MON"], "from": "08:00", "to": "08:00", "timeZone": "UTC"}]}"#,
        )
        .unwrap();
        let paths: Vec<String> = bad.validate().unwrap_err().into_iter().map(|e| e.path).collect();
        assert_eq!(
            paths,
            ["freezeWindows[0].name", "freezeWindows[0].days", "freezeWindows[0].from", "freezeWindows[1].to"]
        );
        let both: Guardrails = serde_json::from_str(
            r#"{"freezeWindows": [{"name": "x", "days": ["MON"], "start": "2026-12-24T00:00:00Z"}]}"#,
        )
        .unwrap();
        assert_eq!(both.validate().unwrap_err()[0].path, "freezeWindows[0].start");
        assert!(
            serde_json::from_str::<Guardrails>(r#"{"freezeWindows": [{"name": "x", "timezone": "UTC"}]}"#).is_err()
        );
    }

    #[test]
    fn unset_guardrails_are_all_off_and_unknown_ones_are_refused() {
        assert_eq!(serde_json::from_str::<Guardrails>("{}").unwrap(), Guardrails::default());
        assert!(!Guardrails::default().failed_image_guard);
        assert!(serde_json::from_str::<Guardrails>(r#"{"failedImageGard": true}"#).is_err());
    }
}
