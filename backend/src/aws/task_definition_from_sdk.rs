//! A registered task definition from the ECS SDK's types back to the shared model (AWS's JSON
//! shape): what Berth shows and exports. The other way is task_definition_to_sdk.rs.

use aws_sdk_ecs::types as sdk;
use shared::ecs::task_definition as m;

use super::convert::{none_if_empty, widen as i64_of};
use super::task_definition_advanced as adv;

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
