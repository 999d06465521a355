//! Task definitions between the shared model (AWS's JSON shape) and the ECS SDK's types. The
//! members the wizard only shows are converted in task_definition_advanced.rs.

use aws_sdk_ecs::types as sdk;
use shared::ecs::task_definition as m;
use shared::error::FieldError;

use super::convert::{narrow, narrow_opt, none_if_empty, widen as i64_of};
use super::task_definition_advanced as adv;

/// Converts each element of an optional list, stopping at the first that can't be built.
fn each<T, U>(
    list: &Option<Vec<T>>,
    convert: impl Fn(&T) -> Result<U, FieldError>,
) -> Result<Option<Vec<U>>, FieldError> {
    list.as_ref().map(|items| items.iter().map(convert).collect()).transpose()
}

fn build_error(e: aws_sdk_ecs::error::BuildError) -> FieldError {
    FieldError::new("", format!("Incomplete member: {e}"))
}

fn container(c: &m::ContainerDefinition, index: usize) -> Result<sdk::ContainerDefinition, FieldError> {
    let path = |member: &str| format!("containerDefinitions[{index}].{member}");
    let ports = adv::list(&c.port_mappings, &path("portMappings"), |p, at| {
        Ok(sdk::PortMapping::builder()
            .set_container_port(narrow_opt(p.container_port, &format!("{at}.containerPort"))?)
            .set_host_port(narrow_opt(p.host_port, &format!("{at}.hostPort"))?)
            .set_protocol(p.protocol.as_deref().map(sdk::TransportProtocol::from))
            .set_name(p.name.clone())
            .set_app_protocol(p.app_protocol.as_deref().map(sdk::ApplicationProtocol::from))
            .set_container_port_range(p.container_port_range.clone())
            .build())
    })?;
    let environment = c
        .environment
        .as_ref()
        .map(|list| list.iter().map(|e| sdk::KeyValuePair::builder().name(&e.name).value(&e.value).build()).collect());
    let secret =
        |s: &m::Secret| sdk::Secret::builder().name(&s.name).value_from(&s.value_from).build().map_err(build_error);
    let secrets = each(&c.secrets, secret)?;
    let mount_points = c.mount_points.as_ref().map(|list| {
        list.iter()
            .map(|p| {
                sdk::MountPoint::builder()
                    .set_source_volume(p.source_volume.clone())
                    .set_container_path(p.container_path.clone())
                    .set_read_only(p.read_only)
                    .build()
            })
            .collect()
    });
    let volumes_from = c.volumes_from.as_ref().map(|list| {
        list.iter()
            .map(|v| {
                sdk::VolumeFrom::builder()
                    .set_source_container(v.source_container.clone())
                    .set_read_only(v.read_only)
                    .build()
            })
            .collect()
    });
    let depends_on = each(&c.depends_on, |d| {
        sdk::ContainerDependency::builder()
            .container_name(&d.container_name)
            .condition(sdk::ContainerCondition::from(d.condition.as_str()))
            .build()
            .map_err(build_error)
    })?;
    let ulimits = adv::list(&c.ulimits, &path("ulimits"), |u, at| {
        sdk::Ulimit::builder()
            .name(sdk::UlimitName::from(u.name.as_str()))
            .soft_limit(narrow(u.soft_limit, &format!("{at}.softLimit"))?)
            .hard_limit(narrow(u.hard_limit, &format!("{at}.hardLimit"))?)
            .build()
            .map_err(build_error)
    })?;
    let log_configuration = c
        .log_configuration
        .as_ref()
        .map(|l| {
            let options = l.options.clone().map(|o| o.into_iter().collect());
            let secret_options = each(&l.secret_options, secret)?;
            sdk::LogConfiguration::builder()
                .log_driver(sdk::LogDriver::from(l.log_driver.as_str()))
                .set_options(options)
                .set_secret_options(secret_options)
                .build()
                .map_err(build_error)
        })
        .transpose()?;
    let health_check = c
        .health_check
        .as_ref()
        .map(|h| {
            let at = |member: &str| path(&format!("healthCheck.{member}"));
            sdk::HealthCheck::builder()
                .set_command(Some(h.command.clone()))
                .set_interval(narrow_opt(h.interval, &at("interval"))?)
                .set_timeout(narrow_opt(h.timeout, &at("timeout"))?)
                .set_retries(narrow_opt(h.retries, &at("retries"))?)
                .set_start_period(narrow_opt(h.start_period, &at("startPeriod"))?)
                .build()
                .map_err(build_error)
        })
        .transpose()?;
    Ok(sdk::ContainerDefinition::builder()
        .name(&c.name)
        .image(&c.image)
        .set_cpu(narrow_opt(c.cpu, &path("cpu"))?)
        .set_memory(narrow_opt(c.memory, &path("memory"))?)
        .set_memory_reservation(narrow_opt(c.memory_reservation, &path("memoryReservation"))?)
        .set_links(c.links.clone())
        .set_port_mappings(ports)
        .set_essential(c.essential)
        .set_entry_point(c.entry_point.clone())
        .set_command(c.command.clone())
        .set_environment(environment)
        .set_mount_points(mount_points)
        .set_volumes_from(volumes_from)
        .set_secrets(secrets)
        .set_depends_on(depends_on)
        .set_start_timeout(narrow_opt(c.start_timeout, &path("startTimeout"))?)
        .set_stop_timeout(narrow_opt(c.stop_timeout, &path("stopTimeout"))?)
        .set_version_consistency(c.version_consistency.as_deref().map(sdk::VersionConsistency::from))
        .set_hostname(c.hostname.clone())
        .set_user(c.user.clone())
        .set_working_directory(c.working_directory.clone())
        .set_disable_networking(c.disable_networking)
        .set_privileged(c.privileged)
        .set_readonly_root_filesystem(c.readonly_root_filesystem)
        .set_dns_servers(c.dns_servers.clone())
        .set_dns_search_domains(c.dns_search_domains.clone())
        .set_docker_security_options(c.docker_security_options.clone())
        .set_interactive(c.interactive)
        .set_pseudo_terminal(c.pseudo_terminal)
        .set_docker_labels(c.docker_labels.clone().map(|l| l.into_iter().collect()))
        .set_ulimits(ulimits)
        .set_log_configuration(log_configuration)
        .set_health_check(health_check)
        .set_credential_specs(c.credential_specs.clone())
        .set_repository_credentials(
            c.repository_credentials
                .as_ref()
                .map(|r| adv::repository_credentials(r, &path("repositoryCredentials")))
                .transpose()?,
        )
        .set_restart_policy(
            c.restart_policy.as_ref().map(|r| adv::restart_policy(r, &path("restartPolicy"))).transpose()?,
        )
        .set_environment_files(adv::list(&c.environment_files, &path("environmentFiles"), adv::environment_file)?)
        .set_linux_parameters(
            c.linux_parameters.as_ref().map(|l| adv::linux_parameters(l, &path("linuxParameters"))).transpose()?,
        )
        .set_extra_hosts(adv::list(&c.extra_hosts, &path("extraHosts"), adv::host_entry)?)
        .set_system_controls(c.system_controls.as_ref().map(|l| l.iter().map(adv::system_control).collect()))
        .set_resource_requirements(adv::list(
            &c.resource_requirements,
            &path("resourceRequirements"),
            adv::resource_requirement,
        )?)
        .set_firelens_configuration(
            c.firelens_configuration.as_ref().map(|f| adv::firelens(f, &path("firelensConfiguration"))).transpose()?,
        )
        .build())
}

fn volume(v: &m::Volume, path: &str) -> Result<sdk::Volume, FieldError> {
    let docker = v.docker_volume_configuration.as_ref().map(|d| {
        sdk::DockerVolumeConfiguration::builder()
            .set_scope(d.scope.as_deref().map(sdk::Scope::from))
            .set_autoprovision(d.autoprovision)
            .set_driver(d.driver.clone())
            .set_driver_opts(d.driver_opts.clone().map(|o| o.into_iter().collect()))
            .set_labels(d.labels.clone().map(|o| o.into_iter().collect()))
            .build()
    });
    let efs = v
        .efs_volume_configuration
        .as_ref()
        .map(|e| {
            sdk::EfsVolumeConfiguration::builder()
                .file_system_id(&e.file_system_id)
                .set_root_directory(e.root_directory.clone())
                .set_transit_encryption(e.transit_encryption.as_deref().map(sdk::EfsTransitEncryption::from))
                .set_transit_encryption_port(narrow_opt(
                    e.transit_encryption_port,
                    &format!("{path}.efsVolumeConfiguration.transitEncryptionPort"),
                )?)
                .set_authorization_config(e.authorization_config.as_ref().map(adv::efs_authorization))
                .build()
                .map_err(build_error)
        })
        .transpose()?;
    Ok(sdk::Volume::builder()
        .name(&v.name)
        .set_host(
            v.host
                .as_ref()
                .map(|h| sdk::HostVolumeProperties::builder().set_source_path(h.source_path.clone()).build()),
        )
        .set_docker_volume_configuration(docker)
        .set_efs_volume_configuration(efs)
        .set_configured_at_launch(v.configured_at_launch)
        .set_fsx_windows_file_server_volume_configuration(
            v.fsx_windows_file_server_volume_configuration
                .as_ref()
                .map(|f| adv::fsx(f, &format!("{path}.fsxWindowsFileServerVolumeConfiguration")))
                .transpose()?,
        )
        .build())
}

/// The pieces of a RegisterTaskDefinition call.
#[allow(deprecated)] // inference accelerators: see task_definition_advanced.rs
pub(crate) struct Registration {
    pub containers: Vec<sdk::ContainerDefinition>,
    pub volumes: Option<Vec<sdk::Volume>>,
    pub tags: Option<Vec<sdk::Tag>>,
    pub placement_constraints: Option<Vec<sdk::TaskDefinitionPlacementConstraint>>,
    pub proxy: Option<sdk::ProxyConfiguration>,
    pub inference_accelerators: Option<Vec<sdk::InferenceAccelerator>>,
    pub ephemeral_storage: Option<sdk::EphemeralStorage>,
    pub runtime_platform: Option<sdk::RuntimePlatform>,
}

#[allow(deprecated)]
pub(crate) fn to_sdk(spec: &m::TaskDefinitionSpec) -> Result<Registration, Vec<FieldError>> {
    let one = |e: FieldError| vec![e];
    let containers = spec
        .container_definitions
        .iter()
        .enumerate()
        .map(|(i, c)| container(c, i))
        .collect::<Result<Vec<_>, _>>()
        .map_err(one)?;
    let volumes = adv::list(&spec.volumes, "volumes", volume).map_err(one)?;
    let tags =
        spec.tags.as_ref().map(|t| t.iter().map(|t| sdk::Tag::builder().key(&t.key).value(&t.value).build()).collect());
    Ok(Registration {
        containers,
        volumes,
        tags,
        placement_constraints: spec
            .placement_constraints
            .as_ref()
            .map(|l| l.iter().map(adv::placement_constraint).collect()),
        proxy: spec
            .proxy_configuration
            .as_ref()
            .map(|p| adv::proxy(p, "proxyConfiguration"))
            .transpose()
            .map_err(one)?,
        inference_accelerators: adv::list(
            &spec.inference_accelerators,
            "inferenceAccelerators",
            adv::inference_accelerator,
        )
        .map_err(one)?,
        ephemeral_storage: spec
            .ephemeral_storage
            .as_ref()
            .map(|e| adv::ephemeral_storage(e, "ephemeralStorage"))
            .transpose()
            .map_err(one)?,
        runtime_platform: spec.runtime_platform.as_ref().map(adv::runtime_platform),
    })
}

fn secret_of(s: &sdk::Secret) -> m::Secret {
    m::Secret { name: s.name().to_string(), value_from: s.value_from().to_string() }
}

fn container_of(c: &sdk::ContainerDefinition) -> m::ContainerDefinition {
    let mut container = m::ContainerDefinition {
        name: c.name().unwrap_or_default().to_string(),
        image: c.image().unwrap_or_default().to_string(),
        cpu: Some(i64::from(c.cpu())),
        memory: i64_of(c.memory()),
        memory_reservation: i64_of(c.memory_reservation()),
        links: none_if_empty(c.links()),
        port_mappings: none_if_empty(c.port_mappings()).map(|list| {
            list.iter()
                .map(|p| m::PortMapping {
                    container_port: i64_of(p.container_port()),
                    host_port: i64_of(p.host_port()),
                    protocol: p.protocol().map(|x| x.as_str().to_string()),
                    name: p.name().map(str::to_string),
                    app_protocol: p.app_protocol().map(|x| x.as_str().to_string()),
                    container_port_range: p.container_port_range().map(str::to_string),
                })
                .collect()
        }),
        essential: c.essential(),
        entry_point: none_if_empty(c.entry_point()),
        command: none_if_empty(c.command()),
        environment: none_if_empty(c.environment()).map(|list| {
            list.iter()
                .map(|e| m::NameValue {
                    name: e.name().unwrap_or_default().into(),
                    value: e.value().unwrap_or_default().into(),
                })
                .collect()
        }),
        mount_points: none_if_empty(c.mount_points()).map(|list| {
            list.iter()
                .map(|p| m::MountPoint {
                    source_volume: p.source_volume().map(str::to_string),
                    container_path: p.container_path().map(str::to_string),
                    read_only: p.read_only(),
                })
                .collect()
        }),
        volumes_from: none_if_empty(c.volumes_from()).map(|list| {
            list.iter()
                .map(|v| m::VolumeFrom {
                    source_container: v.source_container().map(str::to_string),
                    read_only: v.read_only(),
                })
                .collect()
        }),
        secrets: none_if_empty(c.secrets()).map(|list| list.iter().map(secret_of).collect()),
        depends_on: none_if_empty(c.depends_on()).map(|list| {
            list.iter()
                .map(|d| m::ContainerDependency {
                    container_name: d.container_name().to_string(),
                    condition: d.condition().as_str().to_string(),
                })
                .collect()
        }),
        start_timeout: i64_of(c.start_timeout()),
        stop_timeout: i64_of(c.stop_timeout()),
        version_consistency: c.version_consistency().map(|v| v.as_str().to_string()),
        hostname: c.hostname().map(str::to_string),
        user: c.user().map(str::to_string),
        working_directory: c.working_directory().map(str::to_string),
        disable_networking: c.disable_networking(),
        privileged: c.privileged(),
        readonly_root_filesystem: c.readonly_root_filesystem(),
        dns_servers: none_if_empty(c.dns_servers()),
        dns_search_domains: none_if_empty(c.dns_search_domains()),
        docker_security_options: none_if_empty(c.docker_security_options()),
        interactive: c.interactive(),
        pseudo_terminal: c.pseudo_terminal(),
        docker_labels: c.docker_labels().map(|l| l.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        ulimits: none_if_empty(c.ulimits()).map(|list| {
            list.iter()
                .map(|u| m::Ulimit {
                    name: u.name().as_str().to_string(),
                    soft_limit: u.soft_limit().into(),
                    hard_limit: u.hard_limit().into(),
                })
                .collect()
        }),
        log_configuration: c.log_configuration().map(|l| m::LogConfiguration {
            log_driver: l.log_driver().as_str().to_string(),
            options: l.options().map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            secret_options: none_if_empty(l.secret_options()).map(|list| list.iter().map(secret_of).collect()),
        }),
        health_check: c.health_check().map(|h| m::HealthCheck {
            command: h.command().to_vec(),
            interval: i64_of(h.interval()),
            timeout: i64_of(h.timeout()),
            retries: i64_of(h.retries()),
            start_period: i64_of(h.start_period()),
        }),
        credential_specs: none_if_empty(c.credential_specs()),
        ..Default::default()
    };
    adv::container_extras_of(c, &mut container);
    container
}

/// A registered revision back in the model's shape (what export writes).
pub(crate) fn from_sdk(td: &sdk::TaskDefinition, tags: &[sdk::Tag]) -> m::TaskDefinitionSpec {
    let mut spec = m::TaskDefinitionSpec {
        family: td.family().unwrap_or_default().to_string(),
        task_role_arn: td.task_role_arn().map(str::to_string),
        execution_role_arn: td.execution_role_arn().map(str::to_string),
        network_mode: td.network_mode().map(|n| n.as_str().to_string()),
        container_definitions: td.container_definitions().iter().map(container_of).collect(),
        volumes: none_if_empty(td.volumes()).map(|list| {
            list.iter()
                .map(|v| m::Volume {
                    name: v.name().unwrap_or_default().to_string(),
                    host: v.host().map(|h| m::HostVolume { source_path: h.source_path().map(str::to_string) }),
                    docker_volume_configuration: v.docker_volume_configuration().map(|d| {
                        m::DockerVolumeConfiguration {
                            scope: d.scope().map(|s| s.as_str().to_string()),
                            autoprovision: d.autoprovision(),
                            driver: d.driver().map(str::to_string),
                            driver_opts: d
                                .driver_opts()
                                .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
                            labels: d.labels().map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
                        }
                    }),
                    efs_volume_configuration: v.efs_volume_configuration().map(|e| m::EfsVolumeConfiguration {
                        file_system_id: e.file_system_id().to_string(),
                        root_directory: e.root_directory().map(str::to_string),
                        transit_encryption: e.transit_encryption().map(|t| t.as_str().to_string()),
                        transit_encryption_port: i64_of(e.transit_encryption_port()),
                        authorization_config: e.authorization_config().map(adv::efs_authorization_of),
                    }),
                    fsx_windows_file_server_volume_configuration: v
                        .fsx_windows_file_server_volume_configuration()
                        .map(adv::fsx_of),
                    configured_at_launch: v.configured_at_launch(),
                })
                .collect()
        }),
        requires_compatibilities: none_if_empty(td.requires_compatibilities())
            .map(|list| list.iter().map(|c| c.as_str().to_string()).collect()),
        cpu: td.cpu().map(str::to_string),
        memory: td.memory().map(str::to_string),
        tags: none_if_empty(tags).map(|list| {
            list.iter()
                .map(|t| m::KeyValueTag {
                    key: t.key().unwrap_or_default().into(),
                    value: t.value().unwrap_or_default().into(),
                })
                .collect()
        }),
        pid_mode: td.pid_mode().map(|p| p.as_str().to_string()),
        ipc_mode: td.ipc_mode().map(|p| p.as_str().to_string()),
        enable_fault_injection: td.enable_fault_injection(),
        ..Default::default()
    };
    adv::task_extras_of(td, &mut spec);
    spec
}
