//! The task definition members the wizard only shows (advanced.rs in shared), to and from the
//! ECS SDK's types. A member missing something AWS requires is an error at its path.

use aws_sdk_ecs::types as sdk;
use shared::ecs::task_definition as m;
use shared::error::FieldError;

use super::convert::{narrow, narrow_opt, none_if_empty as some_list, widen as i64_of};

fn text(s: &str) -> Option<String> {
    Some(s.to_string())
}

/// A builder error (a required member is missing) at `path`.
fn at(path: &str) -> impl Fn(aws_sdk_ecs::error::BuildError) -> FieldError + '_ {
    move |e| FieldError::new(path, format!("Incomplete: {e}"))
}

pub(crate) fn linux_parameters(p: &m::LinuxParameters, path: &str) -> Result<sdk::LinuxParameters, FieldError> {
    let devices = p
        .devices
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, d)| {
            sdk::Device::builder()
                .set_host_path(d.host_path.clone())
                .set_container_path(d.container_path.clone())
                .set_permissions(
                    d.permissions
                        .as_ref()
                        .map(|l| l.iter().map(|p| sdk::DeviceCgroupPermission::from(p.as_str())).collect()),
                )
                .build()
                .map_err(at(&format!("{path}.devices[{i}]")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let tmpfs = p
        .tmpfs
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, t)| {
            sdk::Tmpfs::builder()
                .set_container_path(t.container_path.clone())
                .set_size(narrow_opt(t.size, &format!("{path}.tmpfs[{i}].size"))?)
                .set_mount_options(t.mount_options.clone())
                .build()
                .map_err(at(&format!("{path}.tmpfs[{i}]")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(sdk::LinuxParameters::builder()
        .set_capabilities(
            p.capabilities
                .as_ref()
                .map(|c| sdk::KernelCapabilities::builder().set_add(c.add.clone()).set_drop(c.drop.clone()).build()),
        )
        .set_devices(p.devices.as_ref().map(|_| devices))
        .set_init_process_enabled(p.init_process_enabled)
        .set_shared_memory_size(narrow_opt(p.shared_memory_size, &format!("{path}.sharedMemorySize"))?)
        .set_tmpfs(p.tmpfs.as_ref().map(|_| tmpfs))
        .set_max_swap(narrow_opt(p.max_swap, &format!("{path}.maxSwap"))?)
        .set_swappiness(narrow_opt(p.swappiness, &format!("{path}.swappiness"))?)
        .build())
}

pub(crate) fn linux_parameters_of(p: &sdk::LinuxParameters) -> m::LinuxParameters {
    m::LinuxParameters {
        capabilities: p
            .capabilities()
            .map(|c| m::KernelCapabilities { add: some_list(c.add()), drop: some_list(c.drop()) }),
        devices: some_list(p.devices()).map(|l| {
            l.iter()
                .map(|d| m::Device {
                    host_path: text(d.host_path()),
                    container_path: d.container_path().map(str::to_string),
                    permissions: some_list(d.permissions()).map(|p| p.iter().map(|x| x.as_str().to_string()).collect()),
                })
                .collect()
        }),
        init_process_enabled: p.init_process_enabled(),
        shared_memory_size: i64_of(p.shared_memory_size()),
        tmpfs: some_list(p.tmpfs()).map(|l| {
            l.iter()
                .map(|t| m::Tmpfs {
                    container_path: text(t.container_path()),
                    size: Some(i64::from(t.size())),
                    mount_options: some_list(t.mount_options()),
                })
                .collect()
        }),
        max_swap: i64_of(p.max_swap()),
        swappiness: i64_of(p.swappiness()),
    }
}

pub(crate) fn restart_policy(r: &m::RestartPolicy, path: &str) -> Result<sdk::ContainerRestartPolicy, FieldError> {
    sdk::ContainerRestartPolicy::builder()
        .set_enabled(r.enabled)
        .set_ignored_exit_codes(list(&r.ignored_exit_codes, &format!("{path}.ignoredExitCodes"), |c, at| {
            narrow(*c, at)
        })?)
        .set_restart_attempt_period(narrow_opt(r.restart_attempt_period, &format!("{path}.restartAttemptPeriod"))?)
        .build()
        .map_err(at(path))
}

pub(crate) fn restart_policy_of(r: &sdk::ContainerRestartPolicy) -> m::RestartPolicy {
    m::RestartPolicy {
        enabled: Some(r.enabled()),
        ignored_exit_codes: some_list(r.ignored_exit_codes()).map(|l| l.into_iter().map(i64::from).collect()),
        restart_attempt_period: i64_of(r.restart_attempt_period()),
    }
}

/// Converts each element of a list member; errors carry `path[i]`.
pub(crate) fn list<T, U>(
    items: &Option<Vec<T>>,
    path: &str,
    convert: impl Fn(&T, &str) -> Result<U, FieldError>,
) -> Result<Option<Vec<U>>, FieldError> {
    items.as_ref().map(|l| l.iter().enumerate().map(|(i, x)| convert(x, &format!("{path}[{i}]"))).collect()).transpose()
}

pub(crate) fn environment_file(f: &m::EnvironmentFile, path: &str) -> Result<sdk::EnvironmentFile, FieldError> {
    sdk::EnvironmentFile::builder()
        .value(&f.value)
        .r#type(sdk::EnvironmentFileType::from(f.kind.as_str()))
        .build()
        .map_err(at(path))
}

pub(crate) fn environment_file_of(f: &sdk::EnvironmentFile) -> m::EnvironmentFile {
    m::EnvironmentFile { value: f.value().to_string(), kind: f.r#type().as_str().to_string() }
}

pub(crate) fn repository_credentials(
    r: &m::RepositoryCredentials,
    path: &str,
) -> Result<sdk::RepositoryCredentials, FieldError> {
    sdk::RepositoryCredentials::builder()
        .set_credentials_parameter(r.credentials_parameter.clone())
        .build()
        .map_err(at(path))
}

pub(crate) fn host_entry(h: &m::HostEntry, path: &str) -> Result<sdk::HostEntry, FieldError> {
    sdk::HostEntry::builder()
        .set_hostname(h.hostname.clone())
        .set_ip_address(h.ip_address.clone())
        .build()
        .map_err(at(path))
}

pub(crate) fn system_control(s: &m::SystemControl) -> sdk::SystemControl {
    sdk::SystemControl::builder().set_namespace(s.namespace.clone()).set_value(s.value.clone()).build()
}

pub(crate) fn resource_requirement(
    r: &m::ResourceRequirement,
    path: &str,
) -> Result<sdk::ResourceRequirement, FieldError> {
    sdk::ResourceRequirement::builder()
        .value(&r.value)
        .r#type(sdk::ResourceType::from(r.kind.as_str()))
        .build()
        .map_err(at(path))
}

pub(crate) fn firelens(f: &m::FirelensConfiguration, path: &str) -> Result<sdk::FirelensConfiguration, FieldError> {
    sdk::FirelensConfiguration::builder()
        .r#type(sdk::FirelensConfigurationType::from(f.kind.as_str()))
        .set_options(f.options.clone().map(|o| o.into_iter().collect()))
        .build()
        .map_err(at(path))
}

/// The container members of advanced.rs, read back from a registered container.
pub(crate) fn container_extras_of(c: &sdk::ContainerDefinition, into: &mut m::ContainerDefinition) {
    into.repository_credentials = c
        .repository_credentials()
        .map(|r| m::RepositoryCredentials { credentials_parameter: text(r.credentials_parameter()) });
    into.restart_policy = c.restart_policy().map(restart_policy_of);
    into.environment_files = some_list(c.environment_files()).map(|l| l.iter().map(environment_file_of).collect());
    into.linux_parameters = c.linux_parameters().map(linux_parameters_of);
    into.extra_hosts = some_list(c.extra_hosts()).map(|l| {
        l.iter().map(|h| m::HostEntry { hostname: text(h.hostname()), ip_address: text(h.ip_address()) }).collect()
    });
    into.system_controls = some_list(c.system_controls()).map(|l| {
        l.iter()
            .map(|s| m::SystemControl {
                namespace: s.namespace().map(str::to_string),
                value: s.value().map(str::to_string),
            })
            .collect()
    });
    into.resource_requirements = some_list(c.resource_requirements()).map(|l| {
        l.iter()
            .map(|r| m::ResourceRequirement { value: r.value().to_string(), kind: r.r#type().as_str().to_string() })
            .collect()
    });
    into.firelens_configuration = c.firelens_configuration().map(|f| m::FirelensConfiguration {
        kind: f.r#type().as_str().to_string(),
        options: f.options().map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
    });
}

pub(crate) fn proxy(p: &m::ProxyConfiguration, path: &str) -> Result<sdk::ProxyConfiguration, FieldError> {
    sdk::ProxyConfiguration::builder()
        .set_type(p.kind.as_deref().map(sdk::ProxyConfigurationType::from))
        .container_name(&p.container_name)
        .set_properties(
            p.properties.as_ref().map(|l| {
                l.iter().map(|kv| sdk::KeyValuePair::builder().name(&kv.name).value(&kv.value).build()).collect()
            }),
        )
        .build()
        .map_err(at(path))
}

pub(crate) fn placement_constraint(p: &m::PlacementConstraint) -> sdk::TaskDefinitionPlacementConstraint {
    sdk::TaskDefinitionPlacementConstraint::builder()
        .set_type(p.kind.as_deref().map(sdk::TaskDefinitionPlacementConstraintType::from))
        .set_expression(p.expression.clone())
        .build()
}

/// Elastic Inference is retired; a document may still carry the member, and AWS says what it thinks.
#[allow(deprecated)]
pub(crate) fn inference_accelerator(
    a: &m::InferenceAccelerator,
    path: &str,
) -> Result<sdk::InferenceAccelerator, FieldError> {
    sdk::InferenceAccelerator::builder()
        .set_device_name(a.device_name.clone())
        .set_device_type(a.device_type.clone())
        .build()
        .map_err(at(path))
}

pub(crate) fn ephemeral_storage(e: &m::EphemeralStorage, path: &str) -> Result<sdk::EphemeralStorage, FieldError> {
    match narrow_opt(e.size_in_gi_b, &format!("{path}.sizeInGiB"))? {
        Some(size) => Ok(sdk::EphemeralStorage::builder().size_in_gib(size).build()),
        None => Err(FieldError::new(format!("{path}.sizeInGiB"), "sizeInGiB is required.")),
    }
}

pub(crate) fn runtime_platform(r: &m::RuntimePlatform) -> sdk::RuntimePlatform {
    sdk::RuntimePlatform::builder()
        .set_cpu_architecture(r.cpu_architecture.as_deref().map(sdk::CpuArchitecture::from))
        .set_operating_system_family(r.operating_system_family.as_deref().map(sdk::OsFamily::from))
        .build()
}

/// The task-level members of advanced.rs, read back from a registered revision.
#[allow(deprecated)]
pub(crate) fn task_extras_of(td: &sdk::TaskDefinition, into: &mut m::TaskDefinitionSpec) {
    into.placement_constraints = some_list(td.placement_constraints()).map(|l| {
        l.iter()
            .map(|p| m::PlacementConstraint {
                kind: p.r#type().map(|t| t.as_str().to_string()),
                expression: p.expression().map(str::to_string),
            })
            .collect()
    });
    into.proxy_configuration = td.proxy_configuration().map(|p| m::ProxyConfiguration {
        kind: p.r#type().map(|t| t.as_str().to_string()),
        container_name: p.container_name().to_string(),
        properties: some_list(p.properties()).map(|l| {
            l.iter()
                .map(|kv| m::NameValue {
                    name: kv.name().unwrap_or_default().into(),
                    value: kv.value().unwrap_or_default().into(),
                })
                .collect()
        }),
    });
    into.inference_accelerators = some_list(td.inference_accelerators()).map(|l| {
        l.iter()
            .map(|a| m::InferenceAccelerator { device_name: text(a.device_name()), device_type: text(a.device_type()) })
            .collect()
    });
    into.ephemeral_storage =
        td.ephemeral_storage().map(|e| m::EphemeralStorage { size_in_gi_b: Some(i64::from(e.size_in_gib())) });
    into.runtime_platform = td.runtime_platform().map(|r| m::RuntimePlatform {
        cpu_architecture: r.cpu_architecture().map(|c| c.as_str().to_string()),
        operating_system_family: r.operating_system_family().map(|o| o.as_str().to_string()),
    });
}

pub(crate) fn efs_authorization(a: &m::EfsAuthorizationConfig) -> sdk::EfsAuthorizationConfig {
    sdk::EfsAuthorizationConfig::builder()
        .set_access_point_id(a.access_point_id.clone())
        .set_iam(a.iam.as_deref().map(sdk::EfsAuthorizationConfigIam::from))
        .build()
}

pub(crate) fn efs_authorization_of(a: &sdk::EfsAuthorizationConfig) -> m::EfsAuthorizationConfig {
    m::EfsAuthorizationConfig {
        access_point_id: a.access_point_id().map(str::to_string),
        iam: a.iam().map(|i| i.as_str().to_string()),
    }
}

pub(crate) fn fsx(
    f: &m::FsxWindowsVolume,
    path: &str,
) -> Result<sdk::FSxWindowsFileServerVolumeConfiguration, FieldError> {
    let auth = f
        .authorization_config
        .as_ref()
        .map(|a| {
            sdk::FSxWindowsFileServerAuthorizationConfig::builder()
                .set_credentials_parameter(a.credentials_parameter.clone())
                .set_domain(a.domain.clone())
                .build()
                .map_err(at(path))
        })
        .transpose()?;
    sdk::FSxWindowsFileServerVolumeConfiguration::builder()
        .set_file_system_id(f.file_system_id.clone())
        .set_root_directory(f.root_directory.clone())
        .set_authorization_config(auth)
        .build()
        .map_err(at(path))
}

pub(crate) fn fsx_of(f: &sdk::FSxWindowsFileServerVolumeConfiguration) -> m::FsxWindowsVolume {
    m::FsxWindowsVolume {
        file_system_id: text(f.file_system_id()),
        root_directory: text(f.root_directory()),
        authorization_config: f.authorization_config().map(|a| m::FsxAuthorizationConfig {
            credentials_parameter: text(a.credentials_parameter()),
            domain: text(a.domain()),
        }),
    }
}
