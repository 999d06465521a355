//! Will the tasks fit? ECS places a task on an EC2 container instance only where its CPU and
//! memory reservation fit in what the instance has left and its static host ports are free
//! (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html>: "Amazon ECS
//! … identifies the container instances that satisfy the CPU, GPU, memory, and port requirements in
//! the task definition"). Pure: the wizards, the scale control and the deploy dialog ask it before
//! anything is sent, with the cluster's instances as DescribeContainerInstances reports them.
//! Fargate is not checked (no instances); DAEMON wants one task per instance.

use crate::ecs::task_definition::TaskDefinitionSpec;

mod service;
pub use service::{Change, Placed, warnings};

/// What one task reserves on an instance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// CPU units (the task's `cpu`, else the containers' sum).
    pub cpu: i64,
    /// MiB (the task's `memory`, else each container's `memoryReservation`, or its `memory`: ECS
    /// reserves the soft limit when there is one).
    pub memory: i64,
    /// Static host ports, e.g. `80/tcp` (bridge: a non-zero `hostPort`; host: the container port).
    pub ports: Vec<String>,
}

/// What an instance has left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Room {
    pub instance: String,
    pub cpu: i64,
    pub memory: i64,
    /// Host ports in use, e.g. `80/tcp`.
    pub ports: Vec<String>,
}

/// How many tasks fit, and why not more.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub wanted: i64,
    pub placeable: i64,
    /// Each instance: how many more tasks it takes, and what stops the next one.
    pub instances: Vec<(String, i64, String)>,
    /// A DAEMON service: one task per instance, no count to lower.
    pub daemon: bool,
    /// The changes to the task's needs that would place more, each as advice (dynamic host ports,
    /// a smaller CPU or memory reservation, or two of them together).
    pub relaxations: Vec<String>,
}

/// Whether the service runs on Fargate only (no instances to check): launch type FARGATE, or a
/// capacity provider strategy whose every provider that takes tasks (weight or base above 0) is a
/// Fargate one.
pub fn fargate_only(launch_type: Option<&str>, strategy: &[crate::ecs::service::CapacityProviderStrategyItem]) -> bool {
    if launch_type == Some("FARGATE") {
        return true;
    }
    let mut used: Vec<_> = strategy.iter().filter(|c| c.weight.unwrap_or(0) > 0 || c.base.unwrap_or(0) > 0).collect();
    if used.is_empty() {
        used = strategy.iter().collect();
    }
    !used.is_empty() && used.iter().all(|c| c.capacity_provider.starts_with("FARGATE"))
}

/// The reservation of one task of `td`.
pub fn needs(td: &TaskDefinitionSpec) -> Needs {
    let number = |s: &Option<String>| s.as_deref().and_then(|v| v.trim().parse::<i64>().ok());
    let containers = &td.container_definitions;
    let cpu = number(&td.cpu).unwrap_or_else(|| containers.iter().filter_map(|c| c.cpu).sum());
    let memory =
        number(&td.memory).unwrap_or_else(|| containers.iter().filter_map(|c| c.memory_reservation.or(c.memory)).sum());
    let host_mode = td.network_mode.as_deref() == Some("host");
    let bridge = matches!(td.network_mode.as_deref(), None | Some("bridge"));
    let mut ports = Vec::new();
    if host_mode || bridge {
        for m in containers.iter().flat_map(|c| c.port_mappings.iter().flatten()) {
            let port = if host_mode { m.host_port.or(m.container_port) } else { m.host_port };
            if let Some(p) = port.filter(|p| *p > 0) {
                ports.push(format!("{p}/{}", m.protocol.as_deref().unwrap_or("tcp")));
            }
        }
    }
    Needs { cpu, memory, ports }
}

/// How many tasks needing `needs` `room` still takes (`i64::MAX`: no limit), and what limits it.
fn fits(needs: &Needs, room: &Room, distinct: bool) -> (i64, String) {
    if let Some(p) = needs.ports.iter().find(|p| room.ports.contains(p)) {
        return (0, format!("host port {} is in use", p.trim_end_matches("/tcp")));
    }
    let mut limits = vec![(i64::MAX, String::new())];
    if !needs.ports.is_empty() {
        limits.push((1, "a second task would need the same host ports".into()));
    }
    if distinct {
        limits.push((1, "distinctInstance: one task of the service per instance".into()));
    }
    if needs.cpu > 0 {
        limits.push((room.cpu / needs.cpu, format!("{} of {} CPU units left", room.cpu, needs.cpu)));
    }
    if needs.memory > 0 {
        limits.push((room.memory / needs.memory, format!("{} of {} MiB left", room.memory, needs.memory)));
    }
    limits.into_iter().min_by_key(|(n, _)| *n).unwrap_or_default()
}

fn placeable(
    needs: &Needs,
    wanted: i64,
    daemon: bool,
    distinct: bool,
    rooms: &[Room],
) -> (i64, Vec<(String, i64, String)>) {
    let instances: Vec<(String, i64, String)> = rooms
        .iter()
        .map(|r| {
            let (n, why) = fits(needs, r, distinct || daemon);
            (r.instance.clone(), n, why)
        })
        .collect();
    let room_for: i64 = instances.iter().map(|(_, n, _)| *n).fold(0i64, i64::saturating_add);
    (wanted.min(room_for), instances)
}

/// How many of `wanted` tasks (REPLICA) — or one per instance (`daemon`) — fit in `rooms`, and
/// which change to the task's reservation would place more.
pub fn check(needs: &Needs, wanted: i64, daemon: bool, distinct: bool, rooms: &[Room]) -> Verdict {
    let wanted = if daemon { rooms.len() as i64 } else { wanted };
    let (placeable, instances) = self::placeable(needs, wanted, daemon, distinct, rooms);
    let mut relaxations = Vec::new();
    if placeable < wanted {
        let ports = (!needs.ports.is_empty()).then_some((
            "dynamic host ports (hostPort 0) behind a load balancer",
            Needs { ports: Vec::new(), ..needs.clone() },
        ));
        let cpu = (needs.cpu > 0).then_some(("a smaller CPU reservation", Needs { cpu: 0, ..needs.clone() }));
        let memory =
            (needs.memory > 0).then_some(("a smaller memory reservation", Needs { memory: 0, ..needs.clone() }));
        let singles: Vec<_> = [ports.clone(), cpu.clone(), memory].into_iter().flatten().collect();
        let helps = |n: &Needs| self::placeable(n, wanted, daemon, distinct, rooms).0 > placeable;
        relaxations = singles.iter().filter(|(_, n)| helps(n)).map(|(advice, _)| advice.to_string()).collect();
        if relaxations.is_empty()
            && let (Some((p, _)), Some((c, _))) = (&ports, &cpu)
            && helps(&Needs { ports: Vec::new(), cpu: 0, ..needs.clone() })
        {
            relaxations.push(format!("{p} and {c}"));
        }
    }
    Verdict { wanted, placeable, instances, daemon, relaxations }
}

impl Verdict {
    /// `None` when every task fits; else what to tell the person, with what to change.
    pub fn warning(&self, needs: &Needs) -> Option<String> {
        if self.placeable >= self.wanted {
            return None;
        }
        let mut each = Vec::new();
        if !needs.ports.is_empty() {
            let ports: Vec<&str> = needs.ports.iter().map(|p| p.trim_end_matches("/tcp")).collect();
            each.push(format!("host port{} {}", if ports.len() > 1 { "s" } else { "" }, ports.join(", ")));
        }
        if needs.cpu > 0 {
            each.push(format!("{} CPU units", needs.cpu));
        }
        if needs.memory > 0 {
            each.push(format!("{} MiB", needs.memory));
        }
        let n = self.instances.len();
        if n == 0 {
            return Some(format!(
                "None of {} tasks can be placed: the cluster has no container instances. Change: add instances (or run on Fargate).",
                self.wanted
            ));
        }
        let mut text = format!(
            "{} of {} tasks can be placed: each needs {}; the cluster's {n} instance{} {} room for {}.",
            self.placeable,
            self.wanted,
            each.join(" and "),
            if n == 1 { "" } else { "s" },
            if n == 1 { "has" } else { "have" },
            self.placeable,
        );
        let full: Vec<String> =
            self.instances.iter().filter(|(_, n, _)| *n == 0).map(|(id, _, why)| format!("{id} ({why})")).collect();
        if !full.is_empty() {
            text.push_str(&format!(" No room on {}.", full.join(", ")));
        }
        let mut fixes = self.relaxations.clone();
        fixes.push("more or bigger instances".into());
        if self.placeable > 0 && self.wanted > self.placeable && !self.daemon {
            fixes.push(format!("{} tasks", self.placeable));
        }
        text.push_str(&format!(" Change: {}.", fixes.join(", or ")));
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab() -> TaskDefinitionSpec {
        serde_json::from_str(include_str!("../../../../tests/fixtures/seed/task-definition-template.json")).unwrap()
    }

    fn t2_micro(id: &str) -> Room {
        Room { instance: id.into(), cpu: 1024, memory: 982, ports: vec!["22/tcp".into()] }
    }

    #[test]
    fn the_lab_places_2_of_4_on_two_t2_micro_and_says_why() {
        let needs = needs(&lab());
        assert_eq!(needs, Needs { cpu: 1024, memory: 256, ports: vec!["80/tcp".into(), "443/tcp".into()] });
        let v = check(&needs, 4, false, false, &[t2_micro("a"), t2_micro("b")]);
        assert_eq!((v.wanted, v.placeable), (4, 2));
        let text = v.warning(&needs).unwrap();
        assert!(text.starts_with("2 of 4 tasks can be placed: each needs host ports 80, 443 and 1024 CPU units and 256 MiB; the cluster's 2 instances have room for 2."), "{text}");
        // Neither dynamic ports nor less CPU alone places more on a t2.micro: both together do.
        assert!(text.contains("Change: dynamic host ports (hostPort 0) behind a load balancer and a smaller CPU reservation, or more or bigger instances, or 2 tasks."), "{text}");
    }

    #[test]
    fn ports_in_use_cpu_and_memory_each_limit() {
        let mut td = lab();
        td.cpu = Some("256".into());
        td.memory = Some("128".into());
        for m in td.container_definitions[0].port_mappings.iter_mut().flatten() {
            m.host_port = Some(0);
        }
        let dynamic = needs(&td);
        assert!(dynamic.ports.is_empty());
        // Dynamic ports: CPU decides (4 per t2.micro), then memory.
        assert_eq!(check(&dynamic, 4, false, false, &[t2_micro("a"), t2_micro("b")]).placeable, 4);
        let small = Room { memory: 200, ..t2_micro("a") };
        let v = check(&dynamic, 4, false, false, &[small]);
        assert_eq!(v.placeable, 1);
        assert_eq!(v.instances[0].2, "200 of 128 MiB left");
        // A static port already in use leaves no room at all.
        let used = Room { ports: vec!["80/tcp".into()], ..t2_micro("a") };
        let v = check(&needs(&lab()), 1, false, false, &[used]);
        assert_eq!((v.placeable, v.instances[0].2.as_str()), (0, "host port 80 is in use"));
        // distinctInstance: one each.
        assert_eq!(check(&dynamic, 4, false, true, &[t2_micro("a"), t2_micro("b")]).placeable, 2);
    }

    #[test]
    fn a_containers_soft_limit_is_what_it_reserves_and_no_instance_is_said_plainly() {
        let mut td = lab();
        td.memory = None;
        td.container_definitions[0].memory = Some(512);
        td.container_definitions[0].memory_reservation = Some(128);
        assert_eq!(needs(&td).memory, 128);
        let none = check(&needs(&td), 2, false, false, &[]);
        assert_eq!(none.placeable, 0);
        assert!(none.warning(&needs(&td)).unwrap().contains("the cluster has no container instances"));
    }

    #[test]
    fn fargate_only_when_every_provider_that_takes_tasks_is_fargate() {
        use crate::ecs::service::CapacityProviderStrategyItem as Item;
        let item = |name: &str, weight: i64| Item { capacity_provider: name.into(), weight: Some(weight), base: None };
        assert!(fargate_only(Some("FARGATE"), &[]));
        assert!(!fargate_only(Some("EC2"), &[]));
        assert!(fargate_only(None, &[item("FARGATE", 1), item("FARGATE_SPOT", 3)]));
        assert!(
            !fargate_only(None, &[item("berth-lab", 1), item("FARGATE", 0)]),
            "the demo's mixed strategy runs on EC2"
        );
        assert!(!fargate_only(None, &[item("berth-lab", 1), item("FARGATE", 1)]));
    }

    #[test]
    fn daemon_wants_one_per_instance_and_names_those_without_room() {
        let full = Room { cpu: 0, ..t2_micro("full") };
        let v = check(&needs(&lab()), 0, true, false, &[t2_micro("a"), full]);
        assert_eq!((v.wanted, v.placeable), (2, 1));
        assert_eq!(v.instances[1], ("full".into(), 0, "0 of 1024 CPU units left".into()));
        let text = v.warning(&needs(&lab())).unwrap();
        assert!(text.contains("No room on full (0 of 1024 CPU units left)."), "{text}");
        assert!(!text.contains("1 tasks"), "a DAEMON service has no count to lower: {text}");
        assert!(
            check(&needs(&lab()), 2, false, false, &[t2_micro("a"), t2_micro("b")]).warning(&needs(&lab())).is_none()
        );
    }
}
