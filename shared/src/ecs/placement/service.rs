//! A change to a service that runs, checked before it is sent: a new desired count (scale), a new
//! revision (deploy, update), other constraints. Two questions, both answered from the cluster as
//! DescribeContainerInstances reports it now:
//! - Once it is done, can all the tasks run? The service's own tasks give back what they reserve:
//!   their replacements take their place.
//! - For a new revision, can the rolling deployment begin? ECS starts new tasks up to
//!   `maximumPercent` of the desired count and stops old ones down to `minimumHealthyPercent`
//!   (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html>: "the
//!   minimumHealthyPercent … represents a lower limit on the number of your service's tasks that
//!   must remain in the RUNNING state during a deployment"). When it may stop none and no instance
//!   has room for one new task, the deployment waits for ever (ECS keeps reporting that it "was
//!   unable to place a task").

use super::{Needs, Room, check};
use crate::error::FieldError;

/// One of the service's tasks now: the instance it runs on (its EC2 id, as [`Room::instance`]) and
/// what it reserves there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub instance: String,
    pub needs: Needs,
}

/// What the service will be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What each of its tasks will reserve.
    pub needs: Needs,
    pub desired: i64,
    pub daemon: bool,
    /// A `distinctInstance` constraint.
    pub distinct: bool,
    /// A new revision rolls out with these `(minimumHealthyPercent, maximumPercent)`.
    pub rollout: Option<(i64, i64)>,
    /// The rollout is BLUE_GREEN, LINEAR or CANARY: ECS starts the whole new set beside the old
    /// one before it shifts traffic.
    pub side_by_side: bool,
}

/// What to tell the person before the change is sent (empty: it will place): the tasks that can
/// never be placed (on `desiredCount`), a rollout that can't begin (on
/// `deploymentConfiguration.minimumHealthyPercent`).
pub fn warnings(change: &Change, rooms: &[Room], placed: &[Placed]) -> Vec<FieldError> {
    let mut out = Vec::new();
    let freed = give_back(rooms, placed);
    if let Some(w) = check(&change.needs, change.desired, change.daemon, change.distinct, &freed).warning(&change.needs)
    {
        out.push(FieldError::new("desiredCount", w));
    }
    if change.side_by_side && change.rollout.is_some() && !placed.is_empty() {
        let beside = check(&change.needs, change.desired, false, change.distinct, &open_to_new(change, rooms, placed));
        if beside.placeable < change.desired {
            out.push(FieldError::new(
                "deploymentConfiguration.strategy",
                format!(
                    "The deployment can't finish: it starts all {} new tasks beside the running ones before traffic moves, and the cluster has room for {} of them now. Change: more instances, or the ROLLING strategy.",
                    change.desired, beside.placeable
                ),
            ));
        }
    } else if let (Some((min, max)), false) = (change.rollout, change.daemon)
        && let Some(w) = stalls(change, min, max, rooms, placed)
    {
        out.push(FieldError::new("deploymentConfiguration.minimumHealthyPercent", w));
    }
    out
}

/// The instances as they would be without the service's tasks.
fn give_back(rooms: &[Room], placed: &[Placed]) -> Vec<Room> {
    let mut rooms = rooms.to_vec();
    for task in placed {
        if let Some(room) = rooms.iter_mut().find(|r| r.instance == task.instance) {
            room.cpu += task.needs.cpu;
            room.memory += task.needs.memory;
            for port in &task.needs.ports {
                if let Some(i) = room.ports.iter().position(|p| p == port) {
                    room.ports.remove(i);
                }
            }
        }
    }
    rooms
}

/// The instances as a new task of the service finds them now: with `distinctInstance`, not those
/// already running one of its tasks (ECS counts the old and new revisions' tasks as one service).
fn open_to_new(change: &Change, rooms: &[Room], placed: &[Placed]) -> Vec<Room> {
    rooms.iter().filter(|r| !change.distinct || !placed.iter().any(|p| p.instance == r.instance)).cloned().collect()
}

/// Why a rolling deployment of the new revision can't begin, if it can't: ECS may stop no old
/// task (minimum healthy) and start no new one (maximum percent, or no room for one).
fn stalls(change: &Change, min: i64, max: i64, rooms: &[Room], placed: &[Placed]) -> Option<String> {
    let running = placed.len() as i64;
    let keep = (change.desired * min + 99) / 100;
    if running == 0 || running > keep {
        return None;
    }
    let may_start = change.desired * max / 100 - running;
    let open = open_to_new(change, rooms, placed);
    let one = check(&change.needs, 1, false, change.distinct, &open);
    let blocked = if may_start <= 0 {
        format!("maximum {max} % allows no task beyond the {} desired", change.desired)
    } else if one.placeable == 0 {
        let why = one.instances.first().map(|(_, _, why)| format!(" ({why})")).unwrap_or_default();
        format!("no instance has room for a replacement{why}")
    } else {
        return None;
    };
    let lower = (100 * (running - 1) / change.desired.max(1)).max(0);
    let mut fixes = vec![format!("minimum healthy percent {lower} % (ECS then stops an old task first)")];
    fixes.extend(one.relaxations.iter().cloned());
    if may_start > 0 {
        fixes.push("more instances".into());
    }
    Some(format!(
        "The rolling deployment can't begin: minimum healthy {min} % keeps all {running} running task{} until {} replacement{} healthy, and {blocked}. Change: {}.",
        if running == 1 { "" } else { "s" },
        if running == 1 { "its" } else { "their" },
        if running == 1 { " is" } else { "s are" },
        fixes.join(", or "),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab() -> Needs {
        Needs { cpu: 1024, memory: 256, ports: vec!["80/tcp".into(), "443/tcp".into()] }
    }

    /// A t2.micro running one lab task.
    fn busy(id: &str) -> Room {
        Room {
            instance: id.into(),
            cpu: 0,
            memory: 982 - 256,
            ports: vec!["22/tcp".into(), "80/tcp".into(), "443/tcp".into()],
        }
    }

    fn placed(ids: &[&str]) -> Vec<Placed> {
        ids.iter().map(|id| Placed { instance: id.to_string(), needs: lab() }).collect()
    }

    fn warnings(change: &Change, rooms: &[Room], placed: &[Placed]) -> Vec<String> {
        super::warnings(change, rooms, placed).into_iter().map(|w| w.message).collect()
    }

    fn change(desired: i64, rollout: Option<(i64, i64)>) -> Change {
        Change { needs: lab(), desired, daemon: false, distinct: false, rollout, side_by_side: false }
    }

    #[test]
    fn the_fitted_lab_service_deploys_and_scaling_it_to_4_says_2_of_4() {
        let rooms = [busy("a"), busy("b")];
        assert!(warnings(&change(2, Some((50, 200))), &rooms, &placed(&["a", "b"])).is_empty());
        let paths: Vec<String> = super::warnings(&change(4, Some((100, 200))), &rooms, &placed(&["a", "b"]))
            .into_iter()
            .map(|w| w.path)
            .collect();
        assert_eq!(paths, ["desiredCount", "deploymentConfiguration.minimumHealthyPercent"]);
        let scaled = warnings(&change(4, None), &rooms, &placed(&["a", "b"]));
        assert_eq!(scaled.len(), 1);
        assert!(scaled[0].starts_with("2 of 4 tasks can be placed"), "{scaled:?}");
    }

    #[test]
    fn minimum_healthy_100_with_static_ports_never_begins_and_names_the_percent_that_would() {
        let rooms = [busy("a"), busy("b")];
        let w = warnings(&change(2, Some((100, 200))), &rooms, &placed(&["a", "b"]));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("The rolling deployment can't begin: minimum healthy 100 % keeps all 2 running tasks until their replacements are healthy, and no instance has room for a replacement (host port 80 is in use)."), "{}", w[0]);
        assert!(
            w[0].contains("Change: minimum healthy percent 50 % (ECS then stops an old task first), or dynamic host ports (hostPort 0) behind a load balancer and a smaller CPU reservation, or more instances."),
            "{}",
            w[0]
        );
        // The lab as it ships (4 desired, 2 running): both the shortfall and the stall.
        let lab = warnings(&change(4, Some((100, 200))), &rooms, &placed(&["a", "b"]));
        assert_eq!(lab.len(), 2, "{lab:?}");
        assert!(lab[1].contains("minimum healthy percent 25 %"), "{}", lab[1]);
        // Room on a third instance: the replacement starts there first.
        let more = [busy("a"), busy("b"), Room { instance: "c".into(), cpu: 1024, memory: 982, ports: vec![] }];
        assert!(warnings(&change(2, Some((100, 200))), &more, &placed(&["a", "b"])).is_empty());
    }

    #[test]
    fn a_revision_needing_more_cpu_than_any_instance_has_is_said_before_the_deploy() {
        let bigger = Change { needs: Needs { cpu: 2048, ..lab() }, ..change(2, Some((50, 200))) };
        let w = warnings(&bigger, &[busy("a"), busy("b")], &placed(&["a", "b"]));
        assert!(
            w[0].starts_with("0 of 2 tasks can be placed: each needs host ports 80, 443 and 2048 CPU units"),
            "{w:?}"
        );
    }

    #[test]
    fn maximum_100_and_minimum_100_leave_ecs_nothing_to_do() {
        let free = [Room { instance: "c".into(), cpu: 4096, memory: 4096, ports: vec![] }];
        let w = warnings(&change(1, Some((100, 100))), &free, &placed(&["c"]));
        assert!(w.iter().any(|w| w.contains("maximum 100 % allows no task beyond the 1 desired")), "{w:?}");
    }

    #[test]
    fn blue_green_needs_room_for_the_whole_green_set_beside_blue() {
        let two_free = [busy("a"), Room { instance: "b".into(), cpu: 2048, memory: 982, ports: vec![] }];
        let dynamic = Needs { ports: vec![], ..lab() };
        let bg = Change { needs: dynamic.clone(), side_by_side: true, ..change(3, Some((100, 200))) };
        let placed = [Placed { instance: "a".into(), needs: dynamic }];
        let w = super::warnings(&bg, &two_free, &placed);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].path, "deploymentConfiguration.strategy");
        assert!(
            w[0].message.contains("starts all 3 new tasks beside the running ones")
                && w[0].message.contains("room for 2 of them"),
            "{w:?}"
        );
    }

    #[test]
    fn daemon_counts_instances_and_names_the_full_one() {
        let full = Room { instance: "full".into(), cpu: 0, memory: 982, ports: vec![] };
        let d = Change { daemon: true, rollout: Some((100, 200)), ..change(0, None) };
        let w = warnings(&d, &[busy("a"), full], &placed(&["a"]));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("1 of 2 tasks can be placed"), "{w:?}");
    }
}
