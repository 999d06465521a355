//! AWS's RegisterTaskDefinition constraints (ECS API reference and developer guide), each written
//! once, each error at the JSON path of the field to fix.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::fargate::{fargate_memory_options, parse_task_cpu, parse_task_memory};
use super::model::{ContainerDefinition, TaskDefinitionSpec, Volume};
use crate::error::FieldError;
use crate::validate::Errors;

/// Errors (AWS would refuse the document) and warnings (it works, but hurts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub errors: Vec<FieldError>,
    pub warnings: Vec<FieldError>,
}

/// `POST /api/task-definitions/validate`: the report of an imported document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Validation {
    pub valid: bool,
    pub errors: Vec<FieldError>,
    pub warnings: Vec<FieldError>,
    /// Read-only fields of `describe-task-definition` output that a registration drops.
    pub dropped: Vec<String>,
    /// Paths of `null` members, dropped; also among the warnings (errors when strict).
    #[serde(default)]
    pub nulls: Vec<String>,
}

/// Imports and validates a document, as `berth validate` and the API do. A `null` member is
/// dropped and warned about (see the import module for why).
pub fn check_document(json: &str) -> Validation {
    check(json, false)
}

/// As [`check_document`], but a `null` member is an error, as the AWS CLI makes it
/// (`berth validate --strict`).
pub fn check_document_strict(json: &str) -> Validation {
    check(json, true)
}

fn check(json: &str, strict: bool) -> Validation {
    match super::import(json) {
        Err(errors) => Validation { valid: false, errors, ..Validation::default() },
        Ok(imported) => {
            let mut report = validate(&imported.spec);
            let found = imported.nulls.iter().map(|path| {
                FieldError::new(
                    path.clone(),
                    "null: the AWS CLI refuses it (\"Invalid type for parameter …, value: None\"); leave the member out.",
                )
            });
            if strict {
                report.errors.extend(found)
            } else {
                report.warnings.extend(found)
            }
            Validation {
                valid: report.is_valid(),
                errors: report.errors,
                warnings: report.warnings,
                dropped: imported.dropped,
                nulls: imported.nulls,
            }
        }
    }
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// The largest task definition AWS registers, as JSON.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;
const NETWORK_MODES: [&str; 4] = ["bridge", "host", "awsvpc", "none"];
const CONDITIONS: [&str; 4] = ["START", "COMPLETE", "SUCCESS", "HEALTHY"];

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 255 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Containers in one task definition (AWS's RegisterTaskDefinition quota; not adjustable).
pub const MAX_CONTAINERS: usize = 10;

/// AWS's hard limits on the whole document, checked before any rule: a document past them is
/// refused at once, whatever else it holds, so its size never makes the rules slow. True if over.
fn limits(spec: &TaskDefinitionSpec, e: &mut Errors) -> bool {
    let count = spec.container_definitions.len();
    if count > MAX_CONTAINERS {
        e.rule(
            "td.containers.max",
            "containerDefinitions",
            format!("A task definition has at most {MAX_CONTAINERS} containers (AWS's limit), not {count}."),
        );
        return true;
    }
    let over = serde_json::to_vec(spec).map_or(0, |v| v.len()) > MAX_DOCUMENT_BYTES;
    if over {
        e.rule(
            "td.size.max",
            "",
            format!("A task definition can be at most {} KiB of JSON.", MAX_DOCUMENT_BYTES / 1024),
        );
    }
    over
}

pub fn validate(spec: &TaskDefinitionSpec) -> Report {
    let mut e = Errors::new();
    let mut warnings = Errors::new();
    if limits(spec, &mut e) {
        let (errors, warnings) = e.split();
        return Report { errors, warnings };
    }
    family(spec, &mut e);
    namespaces(spec, &mut e);
    let network = spec.network_mode.as_deref().unwrap_or("bridge");
    if !NETWORK_MODES.contains(&network) {
        e.rule(
            "td.networkMode",
            "networkMode",
            format!("Network mode must be bridge, host, awsvpc or none, not '{network}'."),
        );
    }
    let task_cpu =
        task_size(&mut e, "cpu", spec.cpu.as_deref(), parse_task_cpu, "CPU units (\"1024\") or vCPUs (\"1 vCPU\")");
    let task_memory =
        task_size(&mut e, "memory", spec.memory.as_deref(), parse_task_memory, "MiB (\"2048\") or GB (\"2 GB\")");
    compatibilities(spec, network, task_cpu, task_memory, &mut e);
    volumes(spec.volumes.as_deref().unwrap_or_default(), &mut e);
    containers(spec, network, task_cpu, task_memory, &mut e, &mut warnings);
    e.add_integer_overflows(spec);
    let (errors, unsourced) = e.split();
    let mut warnings = warnings.into_vec();
    warnings.extend(unsourced);
    Report { errors, warnings }
}

fn family(spec: &TaskDefinitionSpec, e: &mut Errors) {
    if spec.family.is_empty() {
        e.rule("td.family", "family", "Family is required.");
    } else if !is_name(&spec.family) {
        e.rule("td.family", "family", "Family must be 1-255 letters, digits, hyphens and underscores.");
    }
}

/// `pidMode` and `ipcMode` are enums: an empty string (some generators write one) is refused.
fn namespaces(spec: &TaskDefinitionSpec, e: &mut Errors) {
    if let Some(mode) = spec.pid_mode.as_deref()
        && !["host", "task"].contains(&mode)
    {
        e.rule(
            "td.pidMode",
            "pidMode",
            format!("pidMode is host or task, not '{mode}'; leave it out for the default."),
        );
    }
    if let Some(mode) = spec.ipc_mode.as_deref()
        && !["host", "task", "none"].contains(&mode)
    {
        e.rule(
            "td.ipcMode",
            "ipcMode",
            format!("ipcMode is host, task or none, not '{mode}'; leave it out for the default."),
        );
    }
}

fn task_size(e: &mut Errors, path: &str, text: Option<&str>, parse: fn(&str) -> Option<i64>, how: &str) -> Option<i64> {
    let text = text?;
    let value = parse(text);
    if value.is_none_or(|v| v <= 0) {
        e.rule("td.size.format", path, format!("'{text}' is not a size: use {how}."));
    }
    value
}

fn compatibilities(spec: &TaskDefinitionSpec, network: &str, cpu: Option<i64>, memory: Option<i64>, e: &mut Errors) {
    let list = spec.requires_compatibilities.as_deref().unwrap_or_default();
    for (i, c) in list.iter().enumerate() {
        if !["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"].contains(&c.as_str()) {
            e.rule(
                "td.requiresCompatibilities",
                format!("requiresCompatibilities[{i}]"),
                format!("'{c}' is not EC2, FARGATE, EXTERNAL or MANAGED_INSTANCES."),
            );
        }
    }
    if list.iter().any(|c| c == "FARGATE") {
        if network != "awsvpc" {
            e.rule("td.fargate.awsvpc", "networkMode", "Fargate needs the awsvpc network mode.");
        }
        match (cpu, memory) {
            (None, _) => e.rule("td.fargate.size", "cpu", "Fargate needs a task CPU size."),
            (_, None) => e.rule("td.fargate.size", "memory", "Fargate needs a task memory size."),
            (Some(cpu), Some(memory)) => {
                let options = fargate_memory_options(cpu);
                if options.is_empty() {
                    e.rule(
                        "td.fargate.size",
                        "cpu",
                        format!("Fargate offers 256, 512, 1024, 2048, 4096, 8192 or 16384 CPU units, not {cpu}."),
                    );
                } else if !options.contains(&memory) {
                    let offered = if options.len() <= 4 {
                        options.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                    } else {
                        format!("{}-{} in steps of {}", options[0], options[options.len() - 1], options[1] - options[0])
                    };
                    e.rule(
                        "td.fargate.size",
                        "memory",
                        format!("With {cpu} CPU units Fargate offers {offered} MiB, not {memory}."),
                    );
                }
            }
        }
    }
    // No list means EC2, as at registration.
    if (list.is_empty() || list.iter().any(|c| c == "EC2")) && memory.is_none() {
        for (i, c) in spec.container_definitions.iter().enumerate() {
            if c.memory.is_none() && c.memory_reservation.is_none() {
                e.rule(
                    "td.ec2.containerMemory",
                    format!("containerDefinitions[{i}].memory"),
                    "On EC2 without a task memory size, each container needs memory or memoryReservation.",
                );
            }
        }
    }
}

fn volumes(volumes: &[Volume], e: &mut Errors) {
    let mut seen = HashSet::new();
    for (i, v) in volumes.iter().enumerate() {
        let path = format!("volumes[{i}]");
        if !is_name(&v.name) {
            e.rule(
                "td.volume.name",
                format!("{path}.name"),
                "Volume names are 1-255 letters, digits, hyphens and underscores.",
            );
        } else if !seen.insert(v.name.as_str()) {
            e.rule("td.volume.unique", format!("{path}.name"), format!("Volume name '{}' is used twice.", v.name));
        }
        if let Some(d) = &v.docker_volume_configuration {
            let scope = d.scope.as_deref().unwrap_or("task");
            if scope != "task" && scope != "shared" {
                e.rule(
                    "td.volume.scope",
                    format!("{path}.dockerVolumeConfiguration.scope"),
                    format!("Scope must be task or shared, not '{scope}'."),
                );
            } else if d.autoprovision == Some(true) && scope != "shared" {
                e.rule(
                    "td.volume.autoprovision",
                    format!("{path}.dockerVolumeConfiguration.autoprovision"),
                    "Autoprovision works only with the shared scope.",
                );
            }
        }
        if let Some(efs) = &v.efs_volume_configuration
            && efs.file_system_id.trim().is_empty()
        {
            e.rule(
                "td.volume.efs",
                format!("{path}.efsVolumeConfiguration.fileSystemId"),
                "An EFS volume needs its file system ID.",
            );
        }
        let kinds = usize::from(v.host.is_some())
            + usize::from(v.docker_volume_configuration.is_some())
            + usize::from(v.efs_volume_configuration.is_some())
            + usize::from(v.fsx_windows_file_server_volume_configuration.is_some());
        if kinds > 1 {
            e.rule("td.volume.oneKind", path, "A volume is one kind: host, docker, EFS or FSx, not several.");
        }
    }
}

fn containers(
    spec: &TaskDefinitionSpec,
    network: &str,
    task_cpu: Option<i64>,
    task_memory: Option<i64>,
    e: &mut Errors,
    w: &mut Errors,
) {
    let list = &spec.container_definitions;
    if list.is_empty() {
        e.rule(
            "td.containers.min",
            "containerDefinitions",
            format!("A task definition has 1 to {MAX_CONTAINERS} containers, not 0."),
        );
    }
    if !list.is_empty() && !list.iter().any(ContainerDefinition::is_essential) {
        e.rule("td.containers.essential", "containerDefinitions", "At least one container must be essential.");
    }
    // Lookups by name go through sets and maps, so the rules stay linear in the document's size.
    let volume_names: HashSet<&str> = spec.volumes.iter().flatten().map(|v| v.name.as_str()).collect();
    let mut by_name: HashMap<&str, &ContainerDefinition> = HashMap::with_capacity(list.len());
    for c in list {
        by_name.entry(c.name.as_str()).or_insert(c);
    }
    let mut seen = HashSet::with_capacity(list.len());
    let mut reserved = 0i64;
    let mut cpu_sum = 0i64;
    for (i, c) in list.iter().enumerate() {
        let at = |field: &str| format!("containerDefinitions[{i}].{field}");
        if !is_name(&c.name) {
            e.rule(
                "td.container.name",
                at("name"),
                "Container names are 1-255 letters, digits, hyphens and underscores.",
            );
        } else if !seen.insert(c.name.as_str()) {
            e.rule("td.container.name.unique", at("name"), format!("Container name '{}' is used twice.", c.name));
        }
        image(c, &at("image"), e, w);
        memory(c, &at, task_memory, e);
        reserved = reserved.saturating_add(c.memory_reservation.or(c.memory).unwrap_or(0));
        cpu_sum = cpu_sum.saturating_add(c.cpu.unwrap_or(0));
        if c.cpu.is_some_and(|v| v < 0) {
            e.rule("td.container.cpu", at("cpu"), "Container CPU can't be negative.");
        }
        ports(c, network, &at, e);
        if network == "awsvpc" && c.links.as_ref().is_some_and(|l| !l.is_empty()) {
            e.rule("td.links.awsvpc", at("links"), "Links are not supported with the awsvpc network mode.");
        }
        for (j, m) in c.mount_points.iter().flatten().enumerate() {
            match m.source_volume.as_deref() {
                Some(v) if volume_names.contains(&v) => {}
                Some(v) => e.rule(
                    "td.mount.sourceVolume",
                    at(&format!("mountPoints[{j}].sourceVolume")),
                    format!("No volume named '{v}' is declared."),
                ),
                None => e.rule(
                    "td.mount.sourceVolume",
                    at(&format!("mountPoints[{j}].sourceVolume")),
                    "Name the volume to mount.",
                ),
            }
            if m.container_path.as_deref().is_none_or(str::is_empty) {
                e.rule(
                    "td.mount.containerPath",
                    at(&format!("mountPoints[{j}].containerPath")),
                    "Give the path inside the container.",
                );
            }
        }
        for (j, v) in c.volumes_from.iter().flatten().enumerate() {
            let source = v.source_container.as_deref().unwrap_or_default();
            if !by_name.contains_key(source) || source == c.name {
                e.rule(
                    "td.volumesFrom",
                    at(&format!("volumesFrom[{j}].sourceContainer")),
                    format!("No other container named '{source}'."),
                );
            }
        }
        for (j, d) in c.depends_on.iter().flatten().enumerate() {
            let target = by_name.get(d.container_name.as_str()).filter(|o| o.name != c.name);
            if target.is_none() {
                e.rule(
                    "td.dependsOn.containerName",
                    at(&format!("dependsOn[{j}].containerName")),
                    format!("No other container named '{}'.", d.container_name),
                );
            }
            if !CONDITIONS.contains(&d.condition.as_str()) {
                e.rule(
                    "td.dependsOn.condition",
                    at(&format!("dependsOn[{j}].condition")),
                    "Condition must be START, COMPLETE, SUCCESS or HEALTHY.",
                );
            } else if d.condition == "HEALTHY" && target.is_some_and(|t| t.health_check.is_none()) {
                e.rule(
                    "td.dependsOn.healthy",
                    at(&format!("dependsOn[{j}].condition")),
                    format!("HEALTHY needs a health check on '{}'.", d.container_name),
                );
            }
        }
        health_check(c, &at, e, w);
        for (j, s) in c.secrets.iter().flatten().enumerate() {
            if s.value_from.trim().is_empty() {
                e.rule(
                    "td.secret.valueFrom",
                    at(&format!("secrets[{j}].valueFrom")),
                    "Give the secret's ARN or parameter name.",
                );
            }
        }
        for (j, u) in c.ulimits.iter().flatten().enumerate() {
            if u.soft_limit > u.hard_limit {
                e.rule(
                    "td.ulimit",
                    at(&format!("ulimits[{j}].softLimit")),
                    "The soft limit can't exceed the hard limit.",
                );
            }
        }
    }
    if let Some(task_memory) = task_memory
        && reserved > task_memory
    {
        e.rule(
            "td.sum.memoryReservation",
            "memory",
            format!("The containers reserve {reserved} MiB, more than the task's {task_memory} MiB."),
        );
    }
    if let Some(task_cpu) = task_cpu
        && cpu_sum > task_cpu
    {
        e.rule(
            "td.sum.cpu",
            "cpu",
            format!("The containers ask for {cpu_sum} CPU units, more than the task's {task_cpu}."),
        );
    }
}

fn image(c: &ContainerDefinition, path: &str, e: &mut Errors, w: &mut Errors) {
    if c.image.trim().is_empty() {
        e.rule("td.container.image", path, "Image is required.");
        return;
    }
    if c.image.chars().any(char::is_whitespace) {
        e.rule("td.container.image", path, "An image reference has no spaces.");
        return;
    }
    if c.image.contains('@') {
        return;
    }
    let last = c.image.rsplit('/').next().unwrap_or(&c.image);
    match last.split_once(':') {
        None => w.add(path, "No tag: this deploys whatever 'latest' is at the time; pin a tag or digest."),
        Some((_, "latest")) => w.add(path, "':latest' changes under you: pin a tag or digest."),
        _ => {}
    }
}

fn memory(c: &ContainerDefinition, at: &dyn Fn(&str) -> String, task_memory: Option<i64>, e: &mut Errors) {
    if c.memory.is_some_and(|m| m < 6) {
        e.rule("td.container.memory.min", at("memory"), "A container needs at least 6 MiB.");
    }
    if let (Some(reservation), Some(limit)) = (c.memory_reservation, c.memory)
        && reservation > limit
    {
        e.rule(
            "td.container.memoryReservation",
            at("memoryReservation"),
            format!("The reservation ({reservation} MiB) can't be above the memory limit ({limit} MiB)."),
        );
    }
    if let (Some(limit), Some(task)) = (c.memory, task_memory)
        && limit > task
    {
        e.rule("td.container.memory.task", at("memory"), format!("{limit} MiB is more than the task's {task} MiB."));
    }
}

fn ports(c: &ContainerDefinition, network: &str, at: &dyn Fn(&str) -> String, e: &mut Errors) {
    for (j, p) in c.port_mappings.iter().flatten().enumerate() {
        let field = |f: &str| at(&format!("portMappings[{j}].{f}"));
        match p.container_port {
            Some(port) if !(1..=65535).contains(&port) => {
                e.rule("td.port.containerPort", field("containerPort"), "Ports are 1-65535.")
            }
            None if p.container_port_range.is_none() => {
                e.rule("td.port.containerPort", field("containerPort"), "Give the container port.")
            }
            _ => {}
        }
        if let Some(host) = p.host_port {
            if !(0..=65535).contains(&host) {
                e.rule("td.port.hostPort", field("hostPort"), "Host ports are 0-65535 (0: dynamic, bridge mode).");
            } else if network == "awsvpc" && Some(host) != p.container_port {
                e.rule(
                    "td.port.hostPort",
                    field("hostPort"),
                    "With awsvpc the host port must equal the container port (or be left out).",
                );
            }
        }
        if let Some(protocol) = &p.protocol
            && protocol != "tcp"
            && protocol != "udp"
        {
            e.rule("td.port.protocol", field("protocol"), format!("Protocol must be tcp or udp, not '{protocol}'."));
        }
    }
}

/// A command that doesn't start with CMD or CMD-SHELL is registered (AWS doesn't refuse it;
/// aws/aws-cdk#34389 registers `["/healthcheck"]`), but Docker won't run it as meant: a warning.
fn health_check(c: &ContainerDefinition, at: &dyn Fn(&str) -> String, e: &mut Errors, w: &mut Errors) {
    let Some(h) = &c.health_check else { return };
    match h.command.first().map(String::as_str) {
        Some("CMD" | "CMD-SHELL") if h.command.len() > 1 => {}
        Some("NONE") => {}
        _ => w.add(
            at("healthCheck.command"),
            "Docker runs a health check that starts with CMD or CMD-SHELL, then what to run; this one may never pass.",
        ),
    }
    let ranges = [
        ("interval", h.interval, 5, 300),
        ("timeout", h.timeout, 2, 60),
        ("retries", h.retries, 1, 10),
        ("startPeriod", h.start_period, 0, 300),
    ];
    for (name, value, low, high) in ranges {
        if value.is_some_and(|v| !(low..=high).contains(&v)) {
            e.rule("td.healthCheck.range", at(&format!("healthCheck.{name}")), format!("{name} must be {low}-{high}."));
        }
    }
}
