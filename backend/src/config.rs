//! Configuration: command-line flags (each with an env var), an optional TOML file for the
//! environments, and per-environment env-var overrides. Everything ends up in one [`Settings`].

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

pub use crate::notify::NotifySettings;

#[derive(Debug, Parser)]
#[command(name = "berth", version, about = "A self-hosted web console for Amazon ECS and ECR")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// How log lines are written to stderr: `text` for people, `json` (one object per line) for a
    /// log collector such as CloudWatch Logs when Berth runs in a container.
    #[arg(long, global = true, env = "BERTH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the web console on one port.
    Serve(ServeArgs),
    /// Prints Berth's IAM policy (JSON), or with `--markdown` the README's table of what each
    /// action is for; both are made from one list (`aws::permissions`).
    IamPolicy {
        #[arg(long)]
        markdown: bool,
    },
    /// Exits 0 when the server at `--url` answers `/api/health` with 200 within 3 s, else 1: the
    /// container image's HEALTHCHECK and its ECS task definition's health check (no curl needed).
    Healthcheck {
        #[arg(long, env = "BERTH_HEALTHCHECK_URL", default_value = "http://127.0.0.1:8080")]
        url: String,
    },
    /// Check task definition files (`--cli-input-json` documents or describe output) against AWS's
    /// rules: prints `FILE: PATH: message` per problem; exits 1 if any file is invalid.
    Validate {
        /// Refuse JSON `null` members, as the AWS CLI does (by default they are warned about and
        /// dropped, as import drops them).
        #[arg(long)]
        strict: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Manage user accounts (passwords are read from stdin or prompted, never from argv).
    #[command(subcommand)]
    User(UserCommand),
    /// Local mode's tools (the local AWS emulator).
    #[command(subcommand)]
    Local(LocalCommand),
}

#[derive(Debug, Subcommand)]
pub enum LocalCommand {
    /// Push a new image into the local AWS's ECR without Docker (PutImage with a manifest of new
    /// layers, as docker push ends with): `berth local push nginxweb:v3 --tag latest`.
    Push {
        /// REPOSITORY:TAG
        reference: String,
        /// Another tag for the same image (repeatable), e.g. `--tag latest`.
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// The local AWS's URL; by default the one `scripts/run-local` started
        /// (`.local/run/local-aws.url` in the current directory).
        #[arg(long, env = "BERTH_LOCAL_AWS_URL")]
        local_aws_url: Option<String>,
        /// The account of the local AWS that Berth's `local` environment uses.
        #[arg(long, env = "BERTH_LOCAL_AWS_ACCOUNT", default_value = "123456789012")]
        local_aws_account: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user with a role in an environment (`*` = every environment).
    Add {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: shared::auth::Role,
        /// Environment the role applies to; `*` (the default) for all of them.
        #[arg(long = "env", default_value = "*")]
        environment: String,
        #[arg(long, env = "BERTH_DATABASE", default_value = "berth.db")]
        database: PathBuf,
    },
    /// Set a user's password (ends the user's sessions).
    Passwd {
        name: String,
        #[arg(long, env = "BERTH_DATABASE", default_value = "berth.db")]
        database: PathBuf,
    },
}

fn parse_role(s: &str) -> Result<shared::auth::Role, String> {
    shared::auth::Role::parse(s).ok_or_else(|| format!("{s:?} is not a role: use viewer, deployer or admin"))
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// TOML file that lists the AWS environments (see README, "Running against AWS").
    #[arg(long, env = "BERTH_CONFIG")]
    pub config: Option<PathBuf>,
    /// Environments named here, without a file (a container's configuration): each in the region
    /// `BERTH_ENV_<NAME>_REGION` (else `AWS_REGION`), with the SDK's default credentials (the
    /// task role on ECS) unless `BERTH_ENV_<NAME>_ROLE_ARN` or `_PROFILE` says otherwise.
    #[arg(long, env = "BERTH_ENVIRONMENTS", value_delimiter = ',')]
    pub environments: Vec<String>,
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "BERTH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The database: a SQLite file (created, and migrated, when missing), or PostgreSQL as
    /// `postgres://USER:PASSWORD@HOST:PORT/DB` (migrated; several replicas may share it).
    #[arg(long, env = "BERTH_DATABASE", default_value = "berth.db")]
    pub database: PathBuf,
    /// Directory of the built front end (Trunk's `dist`).
    #[arg(long, env = "BERTH_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,
    /// URL of the local AWS emulator: adds the environment `local` pointing at it.
    #[arg(long, env = "BERTH_LOCAL_AWS_URL")]
    pub local_aws_url: Option<String>,
    /// Account of the local AWS that `local` uses (the emulator keeps one state per account).
    #[arg(long, env = "BERTH_LOCAL_AWS_ACCOUNT", default_value = "123456789012")]
    pub local_aws_account: String,
    /// Load the seed lab's demo data (repository `nginxweb` with v1, v2, latest, v3-cannot-start) into `local`.
    #[arg(long, env = "BERTH_DEMO_DATA")]
    pub demo_data: bool,
    /// Create the user `admin` (role admin everywhere) if missing and print its password once.
    #[arg(long, env = "BERTH_DEMO_ADMIN")]
    pub demo_admin: bool,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "BERTH_SESSION_IDLE_MINUTES", default_value_t = 12 * 60)]
    pub session_idle_minutes: u64,
    /// Hours after login at which a session ends, active or not.
    #[arg(long, env = "BERTH_SESSION_MAX_HOURS", default_value_t = 7 * 24)]
    pub session_max_hours: u64,
    /// Mark the session cookie `Secure`: set it when Berth is served over HTTPS (e.g. behind a
    /// TLS proxy). Requests forwarded with `X-Forwarded-Proto: https` get it regardless.
    #[arg(long, env = "BERTH_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Header that carries the client's address when Berth sits behind a reverse proxy (e.g.
    /// `X-Forwarded-For`; its first address is used). Without it, the login rate limit counts per
    /// connection address. Set it only behind a proxy that overwrites the header.
    #[arg(long, env = "BERTH_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,
    /// Attempts per AWS call, the first included (1 turns retries off).
    #[arg(long, env = "BERTH_AWS_MAX_ATTEMPTS", default_value_t = 3)]
    pub aws_max_attempts: u32,
    /// Seconds before an AWS call is abandoned.
    #[arg(long, env = "BERTH_AWS_TIMEOUT_SECS", default_value_t = 20)]
    pub aws_timeout_secs: u64,
    /// Milliseconds an AWS read's answer serves the pages that ask for the same thing (identical
    /// reads in flight always share one call; a change made through Berth forgets the answers; 0:
    /// only calls in flight are shared).
    #[arg(long, env = "BERTH_AWS_READ_REUSE_MS", default_value_t = 2000)]
    pub aws_read_reuse_ms: u64,
    /// Milliseconds between two polls of a watched service (one DescribeServices per interval,
    /// however many browsers and deployments watch it).
    #[arg(long, env = "BERTH_POLL_INTERVAL_MS", default_value_t = 2000)]
    pub poll_interval_ms: u64,
    /// Seconds between two sweeps of every service of every environment for deployments made
    /// outside Berth (0: only when Berth polls a service anyway).
    #[arg(long, env = "BERTH_EXTERNAL_SWEEP_SECS", default_value_t = 60)]
    pub external_sweep_secs: u64,
    /// Replicas on PostgreSQL: seconds a deployment in flight stays with a replica that stopped
    /// renewing its lease (it died) before another replica takes it over and finishes it.
    #[arg(long, env = "BERTH_DEPLOYMENT_LEASE_SECS", default_value_t = 15)]
    pub deployment_lease_secs: u64,
    /// Seconds after which a deployment that has not ended is recorded as TIMED_OUT.
    #[arg(long, env = "BERTH_DEPLOY_TIMEOUT_SECS", default_value_t = 30 * 60)]
    pub deploy_timeout_secs: u64,
    /// Berth's address as people open it (e.g. `https://berth.example.com`), for the links in
    /// notifications; the address it listens on by default.
    #[arg(long, env = "BERTH_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Milliseconds to wait after a notification's first failed attempt; the wait doubles after
    /// each further one (at most an hour).
    #[arg(long, env = "BERTH_NOTIFY_RETRY_BASE_MS", default_value_t = 10_000)]
    pub notify_retry_base_ms: u64,
    /// Attempts per notification, the first included; then it is given up (logged as such).
    #[arg(long, env = "BERTH_NOTIFY_MAX_ATTEMPTS", default_value_t = 10)]
    pub notify_max_attempts: u32,
    /// Fault injection for the notification crash test: notifications are recorded, never sent.
    /// Only a build with the `fault-injection` feature has it.
    #[cfg(feature = "fault-injection")]
    #[arg(long, env = "BERTH_NOTIFY_HOLD", hide = true)]
    pub notify_hold: bool,
    /// Fault injection for the crash test: a deployment stops for good right after recording this
    /// step (`recorded`, `registering`, `registered`, `updating`, `updated`; the -ing ones between
    /// the AWS call and its record), so the test can kill -9 the server there.
    /// Never set it in production; only a build with the `fault-injection` feature has it.
    #[cfg(feature = "fault-injection")]
    #[arg(long, env = "BERTH_PAUSE_AFTER_STEP", hide = true)]
    pub pause_after_step: Option<String>,
}

/// How an environment obtains AWS credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(tag = "source", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Credentials {
    /// The AWS SDK's default chain: env vars, shared config/credentials files, SSO, web identity,
    /// ECS task role, EC2 instance profile.
    #[default]
    Default,
    /// A named profile of `~/.aws/config` / `~/.aws/credentials`.
    Profile { profile: String },
    /// Assume this role, with the default chain (or `base_profile`) as the caller.
    AssumeRole {
        role_arn: String,
        #[serde(default)]
        external_id: Option<String>,
        #[serde(default)]
        session_name: Option<String>,
        #[serde(default)]
        base_profile: Option<String>,
    },
    /// The local AWS emulator's account (dummy keys that select it); needs `endpoint_url`.
    Local { account_id: String },
}

/// One AWS environment: an account + region + credentials (+ optional endpoint).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentConfig {
    /// Used in URLs: lowercase letters, digits and hyphens.
    pub name: String,
    pub region: String,
    #[serde(default)]
    pub credentials: Credentials,
    /// Only for emulators or VPC endpoints; AWS's public endpoints otherwise.
    #[serde(default)]
    pub endpoint_url: Option<String>,
    /// Who may answer a deployment paused at a PAUSE hook: `role` (default deployer) and
    /// `fourEyes` (not the person who started it).
    #[serde(default)]
    pub approvals: shared::env::ApprovalPolicy,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    environments: Vec<EnvironmentConfig>,
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database: PathBuf,
    pub static_dir: PathBuf,
    pub environments: Vec<EnvironmentConfig>,
    pub demo_data: bool,
    pub demo_admin: bool,
    pub aws_max_attempts: u32,
    pub aws_timeout: Duration,
    /// How long an AWS read's answer is reused (`aws::shared_reads`).
    pub aws_read_reuse: Duration,
    pub auth: AuthSettings,
    pub deploy: DeploySettings,
    pub notify: NotifySettings,
}

/// How deployments are followed.
#[derive(Debug, Clone)]
pub struct DeploySettings {
    pub poll_interval: Duration,
    /// The longest wait between polls while AWS throttles.
    pub max_backoff: Duration,
    pub timeout: Duration,
    /// How often every service is checked for deployments made outside Berth (`None`: never).
    pub external_sweep: Option<Duration>,
    /// Among replicas: how long a deployment stays with a replica that stopped renewing its lease
    /// before another takes it over (renewed every third of it).
    pub lease: Duration,
    /// The crash test's fault injection (see `ServeArgs::pause_after_step`).
    #[cfg(feature = "fault-injection")]
    pub pause_after_step: Option<String>,
}

impl Default for DeploySettings {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(2),
            max_backoff: Duration::from_secs(30),
            timeout: Duration::from_secs(30 * 60),
            external_sweep: Some(Duration::from_secs(60)),
            lease: Duration::from_secs(15),
            #[cfg(feature = "fault-injection")]
            pause_after_step: None,
        }
    }
}

/// Session lifetimes and cookie attributes.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub session_idle: Duration,
    pub session_max: Duration,
    pub secure_cookies: bool,
    pub client_ip_header: Option<String>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(12 * 3600),
            session_max: Duration::from_secs(7 * 24 * 3600),
            secure_cookies: false,
            client_ip_header: None,
        }
    }
}

impl ServeArgs {
    pub fn into_settings(self) -> anyhow::Result<Settings> {
        let mut environments = match &self.config {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).with_context(|| format!("reading config file {}", path.display()))?;
                parse_environments(&text).with_context(|| format!("in config file {}", path.display()))?
            }
            None => Vec::new(),
        };
        environments.extend(named_environments(&self.environments, std::env::vars())?);
        if let Some(url) = self.local_aws_url {
            environments.retain(|e| e.name != "local");
            environments.insert(0, local_environment(&url, &self.local_aws_account));
        }
        apply_env_overrides(&mut environments, std::env::vars());
        check_environments(&environments)?;
        Ok(Settings {
            listen: self.listen,
            database: self.database,
            static_dir: self.static_dir,
            environments,
            demo_data: self.demo_data,
            demo_admin: self.demo_admin,
            auth: AuthSettings {
                session_idle: Duration::from_secs(self.session_idle_minutes.max(1) * 60),
                session_max: Duration::from_secs(self.session_max_hours.max(1) * 3600),
                secure_cookies: self.secure_cookies,
                client_ip_header: self.client_ip_header.filter(|h| !h.trim().is_empty()),
            },
            aws_max_attempts: self.aws_max_attempts.max(1),
            aws_timeout: Duration::from_secs(self.aws_timeout_secs.max(1)),
            aws_read_reuse: Duration::from_millis(self.aws_read_reuse_ms),
            deploy: DeploySettings {
                poll_interval: Duration::from_millis(self.poll_interval_ms.max(50)),
                timeout: Duration::from_secs(self.deploy_timeout_secs.max(1)),
                external_sweep: (self.external_sweep_secs > 0).then(|| Duration::from_secs(self.external_sweep_secs)),
                lease: Duration::from_secs(self.deployment_lease_secs.max(1)),
                #[cfg(feature = "fault-injection")]
                pause_after_step: self.pause_after_step.filter(|s| !s.is_empty()),
                ..DeploySettings::default()
            },
            notify: NotifySettings {
                public_url: self.public_url.filter(|u| !u.trim().is_empty()),
                retry_base: Duration::from_millis(self.notify_retry_base_ms.max(1)),
                max_attempts: self.notify_max_attempts.max(1),
                #[cfg(feature = "fault-injection")]
                hold: self.notify_hold,
                ..NotifySettings::default()
            },
        })
    }
}

/// The environment `local`: the emulator at `url`, in us-east-1, as account `account_id`.
pub fn local_environment(url: &str, account_id: &str) -> EnvironmentConfig {
    EnvironmentConfig {
        name: "local".into(),
        region: "us-east-1".into(),
        credentials: Credentials::Local { account_id: account_id.into() },
        endpoint_url: Some(url.into()),
        approvals: shared::env::ApprovalPolicy::default(),
    }
}

pub fn parse_environments(toml_text: &str) -> anyhow::Result<Vec<EnvironmentConfig>> {
    Ok(toml::from_str::<FileConfig>(toml_text)?.environments)
}

/// The environments `--environments` names (blank names skipped), each in `BERTH_ENV_<NAME>_REGION`
/// or `AWS_REGION`, with the default credentials; `apply_env_overrides` does the rest.
pub fn named_environments(
    names: &[String],
    vars: impl IntoIterator<Item = (String, String)>,
) -> anyhow::Result<Vec<EnvironmentConfig>> {
    let vars: BTreeMap<String, String> = vars.into_iter().collect();
    let mut envs = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let key = format!("BERTH_ENV_{}_REGION", name.to_ascii_uppercase().replace('-', "_"));
        let Some(region) = vars.get(&key).or_else(|| vars.get("AWS_REGION")).filter(|r| !r.trim().is_empty()) else {
            bail!("environment {name:?} has no region: set {key} (or AWS_REGION)");
        };
        envs.push(EnvironmentConfig {
            name: name.to_string(),
            region: region.trim().to_string(),
            credentials: Credentials::Default,
            endpoint_url: None,
            approvals: shared::env::ApprovalPolicy::default(),
        });
    }
    Ok(envs)
}

/// `BERTH_ENV_<NAME>_REGION`, `_ENDPOINT_URL`, `_PROFILE`, `_ROLE_ARN` override the file
/// (NAME upper-cased, `-` as `_`): one image, many deployments.
pub fn apply_env_overrides(envs: &mut [EnvironmentConfig], vars: impl IntoIterator<Item = (String, String)>) {
    let vars: BTreeMap<String, String> = vars.into_iter().collect();
    for env in envs.iter_mut() {
        let prefix = format!("BERTH_ENV_{}_", env.name.to_ascii_uppercase().replace('-', "_"));
        let get = |suffix: &str| vars.get(&format!("{prefix}{suffix}")).cloned();
        if let Some(region) = get("REGION") {
            env.region = region;
        }
        if let Some(url) = get("ENDPOINT_URL") {
            env.endpoint_url = Some(url).filter(|u| !u.is_empty());
        }
        if let Some(profile) = get("PROFILE") {
            env.credentials = Credentials::Profile { profile };
        }
        if let Some(role_arn) = get("ROLE_ARN") {
            env.credentials =
                Credentials::AssumeRole { role_arn, external_id: None, session_name: None, base_profile: None };
        }
    }
}

fn check_environments(envs: &[EnvironmentConfig]) -> anyhow::Result<()> {
    if envs.is_empty() {
        bail!("no environments: give --config FILE (see README) or --local-aws-url URL");
    }
    for (i, env) in envs.iter().enumerate() {
        let valid_name = !env.name.is_empty()
            && env.name.len() <= 32
            && env.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid_name {
            bail!("environment name {:?}: use 1-32 lowercase letters, digits and hyphens", env.name);
        }
        if envs[..i].iter().any(|e| e.name == env.name) {
            bail!("environment {:?} is defined twice", env.name);
        }
        if env.region.is_empty() {
            bail!("environment {:?}: region is required", env.name);
        }
        if matches!(env.credentials, Credentials::Local { .. }) && env.endpoint_url.is_none() {
            bail!("environment {:?}: local credentials only work with an endpoint_url (the emulator)", env.name);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
        [[environments]]
        name = "prod"
        region = "eu-west-1"
        credentials = { source = "assume-role", role_arn = "arn:aws:iam::111122223333:role/berth" }

        [[environments]]
        name = "staging"
        region = "eu-west-1"
        credentials = { source = "profile", profile = "staging" }

        [[environments]]
        name = "dev"
        region = "us-east-1"
    "#;

    #[test]
    fn environments_are_read_from_toml() {
        let envs = parse_environments(FILE).unwrap();
        assert_eq!(envs.len(), 3);
        assert!(
            matches!(&envs[0].credentials, Credentials::AssumeRole { role_arn, .. } if role_arn.ends_with("role/berth"))
        );
        assert_eq!(envs[1].credentials, Credentials::Profile { profile: "staging".into() });
        assert_eq!(envs[2].credentials, Credentials::Default);
    }

    #[test]
    fn an_environment_names_who_answers_its_paused_deployments() {
        let file = "[[environments]]\nname='prod'\nregion='eu-west-1'\n[environments.approvals]\nrole='admin'\nfourEyes=true\n";
        let envs = parse_environments(file).unwrap();
        assert_eq!(envs[0].approvals, shared::env::ApprovalPolicy { role: shared::auth::Role::Admin, four_eyes: true });
        let plain = parse_environments(FILE).unwrap();
        assert_eq!(
            plain[0].approvals,
            shared::env::ApprovalPolicy { role: shared::auth::Role::Deployer, four_eyes: false }
        );
        let wrong =
            parse_environments("[[environments]]\nname='a'\nregion='x'\n[environments.approvals]\nfourEyse=true\n");
        assert!(wrong.unwrap_err().to_string().contains("fourEyse"));
    }

    #[test]
    fn unknown_keys_in_the_file_are_errors() {
        let err = parse_environments("[[environments]]\nname='a'\nregion='x'\nregoin='y'\n").unwrap_err();
        assert!(err.to_string().contains("regoin"), "{err}");
    }

    #[test]
    fn env_vars_override_the_file() {
        let mut envs = parse_environments(FILE).unwrap();
        apply_env_overrides(
            &mut envs,
            [
                ("BERTH_ENV_STAGING_REGION".to_string(), "us-west-2".to_string()),
                ("BERTH_ENV_DEV_ENDPOINT_URL".to_string(), "http://127.0.0.1:5000".to_string()),
                ("BERTH_ENV_DEV_PROFILE".to_string(), "dev".to_string()),
            ],
        );
        assert_eq!(envs[1].region, "us-west-2");
        assert_eq!(envs[2].endpoint_url.as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(envs[2].credentials, Credentials::Profile { profile: "dev".into() });
        assert_eq!(envs[0].region, "eu-west-1");
    }

    #[test]
    fn environments_are_named_without_a_file_as_a_container_is_configured() {
        let vars = || {
            [
                ("BERTH_ENV_PROD_REGION".to_string(), "eu-west-1".to_string()),
                ("AWS_REGION".to_string(), "us-east-2".to_string()),
                ("BERTH_ENV_STAGING_ROLE_ARN".to_string(), "arn:aws:iam::111122223333:role/berth".to_string()),
            ]
        };
        let names = ["prod".to_string(), " staging ".to_string(), String::new()];
        let mut envs = named_environments(&names, vars()).unwrap();
        apply_env_overrides(&mut envs, vars());
        assert_eq!(envs.len(), 2);
        assert_eq!((envs[0].name.as_str(), envs[0].region.as_str()), ("prod", "eu-west-1"));
        assert_eq!(envs[0].credentials, Credentials::Default, "the task role on ECS");
        assert_eq!((envs[1].name.as_str(), envs[1].region.as_str()), ("staging", "us-east-2"));
        assert!(
            matches!(&envs[1].credentials, Credentials::AssumeRole { role_arn, .. } if role_arn.ends_with("role/berth"))
        );
        let err = named_environments(&["dev".to_string()], []).unwrap_err().to_string();
        assert!(err.contains("BERTH_ENV_DEV_REGION"), "{err}");
    }

    #[test]
    fn bad_environment_lists_are_refused() {
        assert!(check_environments(&[]).is_err());
        let mut envs = parse_environments(FILE).unwrap();
        envs[2].name = "Prod Env".into();
        assert!(check_environments(&envs).unwrap_err().to_string().contains("lowercase"));
        envs[2].name = "prod".into();
        assert!(check_environments(&envs).unwrap_err().to_string().contains("twice"));
        let mut local = local_environment("http://x", "123456789012");
        local.endpoint_url = None;
        assert!(check_environments(&[local]).is_err());
    }
}
