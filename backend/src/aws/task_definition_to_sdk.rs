//! Task definitions from the shared model (AWS's JSON shape) to the ECS SDK's types, for
//! RegisterTaskDefinition; back again in task_definition_from_sdk.rs. The members the wizard only
//! shows are converted in task_definition_advanced.rs.

use aws_sdk_ecs::types as sdk;
use shared::ecs::task_definition as m;
use shared::error::FieldError;

use super::convert::{narrow, narrow_opt};
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
