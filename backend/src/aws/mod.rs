//! The only place that talks to AWS. Each environment gets SDK clients built from its config;
//! the submodules convert between shared models and SDK types and map SDK errors to [`AppError`].
//! Nothing of the SDK leaves this module: callers see shared/ models and Berth's own types.

mod capacity;
mod chunks;
mod clusters;
mod convert;
#[cfg(test)]
mod deploy_scripted_tests;
mod ecr;
mod ecs;
mod elb;
mod elb_demo;
mod errors;
#[cfg(any(test, feature = "bench"))]
pub mod instant;
mod local_push;
mod logs;
mod loopback;
#[cfg(test)]
mod native_scripted_tests;
mod network;
pub mod permissions;
mod service_convert;
mod service_deployments;
mod services;
mod shared_reads;
mod task_definition_advanced;
mod task_definition_from_sdk;
mod task_definition_to_sdk;
mod task_definitions;
mod tasks;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use shared::env::EnvironmentInfo;

use crate::config::{Credentials, EnvironmentConfig, Settings};
use crate::error::AppError;

pub(crate) use capacity::resource_name;
pub(crate) use ecr::DemoImage;
pub(crate) use ecs::status_of;
pub use local_push::push_to_local_aws;
pub(crate) use logs::{EventFilter, LogEvent};
pub(crate) use service_convert::export as export_service;

/// One configured environment and its AWS clients.
pub struct AwsEnv {
    pub info: EnvironmentInfo,
    /// The local AWS's URL and the account this environment is there (local mode only).
    emulator: Option<(String, String)>,
    ecr: aws_sdk_ecr::Client,
    ecs: aws_sdk_ecs::Client,
    ec2: aws_sdk_ec2::Client,
    autoscaling: aws_sdk_autoscaling::Client,
    iam: aws_sdk_iam::Client,
    ssm: aws_sdk_ssm::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    /// The instance types EC2 offers in this region, read once (over a thousand, in pages of
    /// 100: slow to list at every visit of the cluster wizard; new types need a restart to show).
    instance_types: tokio::sync::OnceCell<Vec<shared::ecs::cluster::InstanceTypeInfo>>,
    /// Identical reads share one call, and answers serve for a short while.
    reads: shared_reads::SharedReads,
}

impl AwsEnv {
    /// `read`'s answer, shared with identical reads (`key`: the operation and its parameters) in
    /// flight or answered within the reuse time (`shared_reads`).
    pub(crate) async fn shared<T: Clone + Send + Sync + 'static>(
        &self,
        key: &str,
        read: impl Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        self.reads.read(key, read).await
    }

    /// Forgets the shared answers after a change made through Berth.
    pub(crate) fn changed(&self) {
        self.reads.forget();
    }

    pub async fn connect(config: &EnvironmentConfig, max_attempts: u32, timeout: Duration) -> Self {
        let sdk = sdk_config(config, max_attempts, timeout).await;
        Self::with_clients(config, aws_sdk_ecr::Client::new(&sdk), aws_sdk_ecs::Client::new(&sdk), &sdk)
    }

    /// An environment over given ECR and ECS clients (tests pass scripted ones); the other
    /// services' clients come from `sdk`.
    fn with_clients(
        config: &EnvironmentConfig,
        ecr: aws_sdk_ecr::Client,
        ecs: aws_sdk_ecs::Client,
        sdk: &SdkConfig,
    ) -> Self {
        let info = EnvironmentInfo {
            name: config.name.clone(),
            region: config.region.clone(),
            local: matches!(config.credentials, Credentials::Local { .. }),
            approvals: config.approvals.clone(),
        };
        let emulator = match (&config.credentials, &config.endpoint_url) {
            (Credentials::Local { account_id }, Some(url)) => Some((url.clone(), account_id.clone())),
            _ => None,
        };
        Self {
            info,
            emulator,
            ecr,
            ecs,
            ec2: aws_sdk_ec2::Client::new(sdk),
            autoscaling: aws_sdk_autoscaling::Client::new(sdk),
            iam: aws_sdk_iam::Client::new(sdk),
            ssm: aws_sdk_ssm::Client::new(sdk),
            logs: aws_sdk_cloudwatchlogs::Client::new(sdk),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(sdk),
            instance_types: tokio::sync::OnceCell::new(),
            reads: shared_reads::SharedReads::new(std::time::Duration::from_secs(2)),
        }
    }

    /// An environment `name` in eu-west-1 over scripted clients (tests and benchmarks): the ECR
    /// and ECS clients given, or ones that are never called.
    #[cfg(any(test, feature = "bench"))]
    pub(crate) fn scripted(name: &str, ecr: Option<aws_sdk_ecr::Client>, ecs: Option<aws_sdk_ecs::Client>) -> Self {
        let config = EnvironmentConfig {
            name: name.into(),
            region: "eu-west-1".into(),
            credentials: Credentials::Default,
            endpoint_url: None,
            approvals: shared::env::ApprovalPolicy::default(),
        };
        let sdk =
            SdkConfig::builder().behavior_version(BehaviorVersion::latest()).region(Region::new("eu-west-1")).build();
        let ecr = ecr.unwrap_or_else(|| aws_sdk_ecr::Client::new(&sdk));
        let ecs = ecs.unwrap_or_else(|| aws_sdk_ecs::Client::new(&sdk));
        Self::with_clients(&config, ecr, ecs, &sdk)
    }

    /// This environment over a given CloudWatch Logs client (tests and benchmarks pass scripted ones).
    #[cfg(any(test, feature = "bench"))]
    pub(crate) fn with_logs_client(mut self, logs: aws_sdk_cloudwatchlogs::Client) -> Self {
        self.logs = logs;
        self
    }

    pub(crate) fn name(&self) -> &str {
        &self.info.name
    }

    /// What an error of `action` (an IAM action, `ecs:ListClusters`) is reported with.
    fn cx(&self, action: &'static str) -> errors::CallContext<'_> {
        errors::CallContext { environment: self.name(), action }
    }
}

async fn sdk_config(config: &EnvironmentConfig, max_attempts: u32, timeout: Duration) -> SdkConfig {
    let region = Region::new(config.region.clone());
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(region.clone())
        .retry_config(RetryConfig::standard().with_max_attempts(max_attempts))
        .timeout_config(
            TimeoutConfig::builder().connect_timeout(Duration::from_secs(3)).operation_timeout(timeout).build(),
        );
    if let Some(url) = &config.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    match &config.credentials {
        Credentials::Default => {}
        Credentials::Profile { profile } => loader = loader.profile_name(profile),
        Credentials::AssumeRole { role_arn, external_id, session_name, base_profile } => {
            let mut base = aws_config::defaults(BehaviorVersion::latest()).region(region);
            if let Some(profile) = base_profile {
                base = base.profile_name(profile);
            }
            let base = base.load().await;
            let mut role = aws_config::sts::AssumeRoleProvider::builder(role_arn)
                .session_name(session_name.clone().unwrap_or_else(|| "berth".into()))
                .configure(&base);
            if let Some(id) = external_id {
                role = role.external_id(id);
            }
            loader = loader.credentials_provider(role.build().await);
        }
        Credentials::Local { account_id } => {
            // The local AWS reads the account from a `LOCALAWS<account>` access key.
            loader = loader.credentials_provider(aws_sdk_ecr::config::Credentials::new(
                format!("LOCALAWS{account_id}"),
                "local-aws-has-no-secrets",
                None,
                None,
                "berth-local",
            ));
        }
    }
    loader.load().await
}

/// All configured environments, by name.
pub struct Environments(Vec<AwsEnv>);

impl Environments {
    pub(crate) async fn connect(settings: &Settings) -> Self {
        let mut envs = Vec::with_capacity(settings.environments.len());
        for config in &settings.environments {
            let mut env = AwsEnv::connect(config, settings.aws_max_attempts, settings.aws_timeout).await;
            env.reads = shared_reads::SharedReads::new(settings.aws_read_reuse);
            envs.push(env);
        }
        Self(envs)
    }

    #[cfg(any(test, feature = "bench"))]
    pub(crate) fn from_envs(envs: Vec<AwsEnv>) -> Self {
        Self(envs)
    }

    pub(crate) fn get(&self, name: &str) -> Result<&AwsEnv, AppError> {
        self.0.iter().find(|e| e.name() == name).ok_or_else(|| {
            let known: Vec<&str> = self.0.iter().map(|e| e.name()).collect();
            AppError::NotFound(format!("No environment named '{name}'. Configured: {}.", known.join(", ")))
        })
    }

    pub(crate) fn list(&self) -> Vec<EnvironmentInfo> {
        self.0.iter().map(|e| e.info.clone()).collect()
    }
}
