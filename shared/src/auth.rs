//! Accounts, roles, API tokens and the audit log, as the API speaks of them. No secret ever
//! appears in these types except [`CreatedToken::secret`], sent once, to the admin who created it.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::validate::{Errors, char_len};

/// What a principal may do in an environment; each role includes the ones before it. The default
/// is the least (a form starts from it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read everything.
    #[default]
    Viewer,
    /// Read, deploy and roll back.
    Deployer,
    /// Everything: create and delete resources; with `*`, users, tokens and the audit log too.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Deployer => "deployer",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "viewer" => Some(Self::Viewer),
            "deployer" => Some(Self::Deployer),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// A role in one environment, or in all of them (`*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grant {
    pub environment: String,
    pub role: Role,
}

/// The role a set of grants gives in `environment` (the higher of its own and `*`).
pub fn role_in(grants: &[Grant], environment: &str) -> Option<Role> {
    grants.iter().filter(|g| g.environment == environment || g.environment == "*").map(|g| g.role).max()
}

/// True when the grants make their holder an admin of every environment (users, tokens, audit).
pub fn is_global_admin(grants: &[Grant]) -> bool {
    grants.iter().any(|g| g.environment == "*" && g.role == Role::Admin)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    pub name: String,
    pub password: String,
}

/// Who is calling: `GET /api/auth/me`, and the answer to a login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub name: String,
    pub grants: Vec<Grant>,
    /// Send as `X-CSRF-Token` with every state-changing request made with the session cookie.
    /// Absent when calling with an API token.
    pub csrf_token: Option<String>,
    /// Berth's address as CI reaches it, for CI snippets: `--public-url`, else the address it
    /// listens on; absent when that is a wildcard (`0.0.0.0`), and the browser's origin is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
}

pub const PASSWORD_MIN: usize = 10;

/// User names: 1–64 of letters, digits, `.` `_` `@` `-`.
pub fn validate_user_name(name: &str) -> Result<(), String> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || ".-_@".contains(c);
    if name.is_empty() || name.len() > 64 || !name.chars().all(ok_char) {
        return Err("User names are 1-64 letters, digits, and . _ @ -".into());
    }
    Ok(())
}

pub fn validate_password(password: &str) -> Result<(), String> {
    if char_len(password) < PASSWORD_MIN {
        return Err(format!("Passwords must have at least {PASSWORD_MIN} characters."));
    }
    Ok(())
}

fn validate_grants(grants: &[Grant], errors: &mut Errors) {
    if grants.is_empty() {
        errors.add("grants", "Give at least one role.");
    }
    for (i, g) in grants.iter().enumerate() {
        if g.environment.trim().is_empty() {
            errors.add(format!("grants[{i}].environment"), "Name an environment, or * for all.");
        } else if grants[..i].iter().any(|o| o.environment == g.environment) {
            errors.add(format!("grants[{i}].environment"), format!("'{}' has two roles.", g.environment));
        }
    }
}

/// A user as listed: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    pub name: String,
    pub grants: Vec<Grant>,
    pub created_at: String,
}

/// `POST /api/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    /// At least 10 characters; stored only as an argon2id hash.
    pub password: String,
    pub grants: Vec<Grant>,
}

impl NewUser {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        if let Err(m) = validate_user_name(&self.name) {
            errors.add("name", m);
        }
        if let Err(m) = validate_password(&self.password) {
            errors.add("password", m);
        }
        validate_grants(&self.grants, &mut errors);
        errors.finish()
    }
}

/// `PUT /api/users/{name}/grants`: the user's roles, replacing the old ones.
pub fn validate_new_grants(grants: &[Grant]) -> Result<(), Vec<FieldError>> {
    let mut errors = Errors::new();
    validate_grants(grants, &mut errors);
    errors.finish()
}

/// `POST /api/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenSpec {
    /// What the token is for, e.g. `gitlab-ci nginx-web`.
    pub name: String,
    /// `viewer` or `deployer`: a token can never administer.
    pub role: Role,
    /// Environments the token may act in (at least one).
    pub environments: Vec<String>,
    /// Services the token may change, each as `cluster/service` (a service is named by its
    /// cluster: two clusters may each have one of the same name); absent means any service of its
    /// environments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
    /// RFC 3339; required, in the future, at most a year ahead.
    pub expires_at: String,
}

pub const TOKEN_NAME_MAX: usize = 64;

impl TokenSpec {
    /// The rules that need no clock and no configuration (the server also checks the time and
    /// that the environments exist).
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        let len = char_len(self.name.trim());
        if len == 0 {
            errors.add("name", "Token name is required.");
        } else if len > TOKEN_NAME_MAX {
            errors.add("name", format!("Token name must be at most {TOKEN_NAME_MAX} characters."));
        }
        if self.role == Role::Admin {
            errors.add("role", "A token's role can be at most deployer.");
        }
        if self.environments.is_empty() {
            errors.add("environments", "Choose at least one environment.");
        }
        if let Some(services) = &self.services {
            if services.is_empty() {
                errors.add("services", "Leave services out to allow every service, or name at least one.");
            }
            for (i, s) in services.iter().enumerate() {
                if s.trim().is_empty() {
                    errors.add(format!("services[{i}]"), "Service name can't be blank.");
                } else if !s
                    .split_once('/')
                    .is_some_and(|(c, n)| !c.trim().is_empty() && !n.trim().is_empty() && !n.contains('/'))
                {
                    errors.add(
                        format!("services[{i}]"),
                        format!(
                            "Name the service with its cluster, as cluster/service (e.g. itflex-nginx/{}).",
                            s.trim()
                        ),
                    );
                }
            }
        }
        if self.expires_at.trim().is_empty() {
            errors.add("expiresAt", "Expiry is required.");
        }
        errors.finish()
    }
}

/// A token as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    pub role: Role,
    pub environments: Vec<String>,
    pub services: Option<Vec<String>>,
    pub expires_at: String,
    pub created_by: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// What the token may do now: its role in each of its environments, lowered to what its
    /// creator has there today (an environment where the creator has no role is left out).
    #[serde(default)]
    pub effective_grants: Vec<Grant>,
    /// Why the token has less than it was given (its creator was demoted or disabled), for a
    /// person; absent when it has all of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrowed_by: Option<String>,
}

/// A token's rights now: never more than its creator's current rights, checked at each use, so
/// demoting or disabling an admin narrows or ends the tokens they made.
pub fn token_grants(role: Role, environments: &[String], creator: &[Grant]) -> Vec<Grant> {
    environments
        .iter()
        .filter_map(|env| role_in(creator, env).map(|have| Grant { environment: env.clone(), role: role.min(have) }))
        .collect()
}

/// The sentence for [`TokenInfo::narrowed_by`]: `None` when the token has every role it was given.
pub fn token_narrowing(
    role: Role,
    environments: &[String],
    creator_name: &str,
    creator: &[Grant],
    creator_disabled: bool,
) -> Option<String> {
    if creator_disabled {
        return Some(format!("{creator_name}, who created it, is disabled: the token no longer works."));
    }
    let lowered: Vec<String> = environments
        .iter()
        .filter_map(|env| match role_in(creator, env) {
            Some(have) if have >= role => None,
            Some(have) => Some(format!("{} in {env}", have.as_str())),
            None => Some(format!("no role in {env}")),
        })
        .collect();
    (!lowered.is_empty())
        .then(|| format!("Narrowed to its creator's current rights: {creator_name} now has {}.", lowered.join(", ")))
}

/// The answer to creating a token: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreatedToken {
    pub token: TokenInfo,
    /// Use as `Authorization: Bearer <secret>`. Not stored: copy it now.
    pub secret: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339.
    pub at: String,
    /// The user (or, for a token, the user who created it).
    pub actor: String,
    /// `session`, `token <id> (<name>)` or `cli`.
    pub via: String,
    pub environment: Option<String>,
    /// e.g. `repository nginxweb`.
    pub resource: Option<String>,
    /// e.g. `repository.create`.
    pub action: String,
    /// `success`, `denied` or `failed: <reason>`.
    pub outcome: String,
}

/// A page of the audit log, newest first; pass `nextBefore` as `before` for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_before: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(environment: &str, role: Role) -> Grant {
        Grant { environment: environment.into(), role }
    }

    #[test]
    fn the_higher_of_the_environment_and_star_grant_wins() {
        let grants = [grant("*", Role::Viewer), grant("prod", Role::Deployer)];
        assert_eq!(role_in(&grants, "prod"), Some(Role::Deployer));
        assert_eq!(role_in(&grants, "dev"), Some(Role::Viewer));
        assert_eq!(role_in(&[grant("prod", Role::Admin)], "dev"), None);
        assert!(!is_global_admin(&[grant("prod", Role::Admin)]));
        assert!(is_global_admin(&[grant("*", Role::Admin)]));
    }

    #[test]
    fn a_token_never_has_more_than_its_creator_has_now() {
        let envs = ["local".to_string(), "prod".to_string()];
        let creator = [grant("*", Role::Viewer), grant("local", Role::Admin)];
        assert_eq!(
            token_grants(Role::Deployer, &envs, &creator),
            [grant("local", Role::Deployer), grant("prod", Role::Viewer)]
        );
        assert_eq!(
            token_grants(Role::Deployer, &envs, &[grant("local", Role::Viewer)]),
            [grant("local", Role::Viewer)]
        );
        assert_eq!(
            token_narrowing(Role::Deployer, &envs, "ops", &[grant("local", Role::Viewer)], false).as_deref(),
            Some("Narrowed to its creator's current rights: ops now has viewer in local, no role in prod.")
        );
        assert_eq!(token_narrowing(Role::Deployer, &envs, "ops", &[grant("*", Role::Admin)], false), None);
        assert!(token_narrowing(Role::Viewer, &envs, "ops", &[], true).unwrap().contains("disabled"));
    }

    #[test]
    fn a_token_is_at_most_deployer_and_needs_an_environment() {
        let spec = TokenSpec {
            name: " ".into(),
            role: Role::Admin,
            environments: vec![],
            services: Some(vec![]),
            expires_at: String::new(),
        };
        let paths: Vec<String> = spec.validate().unwrap_err().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["name", "role", "environments", "services", "expiresAt"]);
    }
}
