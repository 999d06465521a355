//! A task as its page shows it, and where a service answers ("Open"): for bridge and host network
//! modes, the public (else private) IP of the EC2 instance a task runs on with each container
//! port's host port — the lab's final test ("open the instances' public IP and see the page").

use serde::{Deserialize, Serialize};

/// A container port bound to a port of the host (bridge and host network modes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortBinding {
    pub container_port: i64,
    pub host_port: i64,
    /// `tcp` or `udp`.
    pub protocol: String,
}

/// A container of a task, as DescribeTasks reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TaskContainer {
    pub name: String,
    pub image: String,
    /// The digest ECS resolved the image to (after it was pulled).
    pub image_digest: Option<String>,
    pub last_status: Option<String>,
    pub exit_code: Option<i64>,
    pub reason: Option<String>,
    /// `HEALTHY`, `UNHEALTHY` or `UNKNOWN`.
    pub health_status: Option<String>,
    #[serde(default)]
    pub network_bindings: Vec<PortBinding>,
}

/// The EC2 instance a task runs on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TaskHost {
    pub container_instance_id: String,
    pub ec2_instance_id: Option<String>,
    pub instance_type: Option<String>,
    pub availability_zone: Option<String>,
    pub private_ip: Option<String>,
    pub public_ip: Option<String>,
}

/// One task: `GET /api/envs/{env}/clusters/{cluster}/tasks/{task}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TaskDetail {
    pub cluster: String,
    pub task_id: String,
    /// `family:revision`.
    pub task_definition: String,
    pub last_status: String,
    pub desired_status: String,
    pub health_status: Option<String>,
    /// `EC2`, `FARGATE` or `EXTERNAL` (absent with a capacity provider strategy).
    pub launch_type: Option<String>,
    pub availability_zone: Option<String>,
    /// `service:NAME` for a service's task.
    pub group: Option<String>,
    /// The ECS deployment (`ecs-svc/…`) that started it.
    pub started_by: Option<String>,
    pub created_at: Option<String>,
    pub started_at: Option<String>,
    pub stopped_at: Option<String>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub containers: Vec<TaskContainer>,
    /// Absent on Fargate, and for a task Berth only kept.
    pub host: Option<TaskHost>,
    /// awsvpc: the task's own network interface's private IP.
    pub private_ip: Option<String>,
    /// ECS no longer has the task (it forgets stopped tasks after about an hour): this is what Berth
    /// kept of it with a failed deployment's verdict.
    pub kept: bool,
}

/// An address where a service answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServiceAddress {
    /// `http://54.214.229.38` (`https://…` for container port 443).
    pub url: String,
    /// A public IP; `false`: a private one, reachable only from inside the VPC.
    pub public: bool,
    pub container: String,
    pub container_port: i64,
    pub host_port: i64,
    pub task_id: String,
    pub ec2_instance_id: Option<String>,
    /// Local mode: the address as it would be on AWS (the instance's IP), while `url` is the local
    /// AWS's stand-in for the container, on this machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_aws: Option<String>,
}

/// A load balancer's listener that forwards to one of the service's target groups.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancerAddress {
    /// `http://my-alb-123.us-east-1.elb.amazonaws.com` (the port when not the scheme's default).
    pub url: String,
    pub load_balancer_name: String,
    pub dns_name: String,
    /// `internet-facing`, or `internal` (reachable only from inside the VPC).
    pub scheme: String,
    pub port: i64,
    /// The listener's protocol: `HTTP`, `HTTPS`, `TCP`, `TLS`, …
    pub protocol: String,
    pub target_group_arn: String,
}

/// The URL of a listener: https for HTTPS and TLS, http otherwise; the port left out when it is
/// the scheme's default.
pub fn listener_url(dns_name: &str, protocol: &str, port: i64) -> String {
    let scheme = if matches!(protocol, "HTTPS" | "TLS") { "https" } else { "http" };
    match (scheme, port) {
        ("http", 80) | ("https", 443) => format!("{scheme}://{dns_name}"),
        _ => format!("{scheme}://{dns_name}:{port}"),
    }
}

/// Where a service answers: `GET /api/envs/{env}/clusters/{cluster}/services/{service}/addresses`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServiceAddresses {
    /// The load balancers in front of the service: their DNS names on the listeners' ports.
    #[serde(default)]
    pub load_balancers: Vec<LoadBalancerAddress>,
    pub addresses: Vec<ServiceAddress>,
    /// What the addresses leave out (a load balancer in front, awsvpc tasks, no running task).
    pub notes: Vec<String>,
}

/// The addresses of the RUNNING tasks' TCP bindings: the host's public IP, else its private one.
pub fn addresses_of(tasks: &[TaskDetail]) -> Vec<ServiceAddress> {
    let mut found = Vec::new();
    for task in tasks.iter().filter(|t| t.last_status == "RUNNING") {
        let Some(host) = &task.host else { continue };
        let Some((ip, public)) =
            host.public_ip.as_ref().map(|ip| (ip, true)).or(host.private_ip.as_ref().map(|ip| (ip, false)))
        else {
            continue;
        };
        for container in &task.containers {
            for binding in container.network_bindings.iter().filter(|b| b.protocol == "tcp") {
                found.push(ServiceAddress {
                    url: url(ip, binding.container_port, binding.host_port),
                    public,
                    container: container.name.clone(),
                    container_port: binding.container_port,
                    host_port: binding.host_port,
                    task_id: task.task_id.clone(),
                    ec2_instance_id: host.ec2_instance_id.clone(),
                    on_aws: None,
                });
            }
        }
    }
    found.sort_by(|a, b| (!a.public, &a.url).cmp(&(!b.public, &b.url)));
    found.dedup_by(|a, b| a.url == b.url);
    found
}

/// `https` for a container's 443, `http` otherwise; the default port of the scheme is left out.
fn url(ip: &str, container_port: i64, host_port: i64) -> String {
    let scheme = if container_port == 443 { "https" } else { "http" };
    match (scheme, host_port) {
        ("http", 80) | ("https", 443) => format!("{scheme}://{ip}"),
        _ => format!("{scheme}://{ip}:{host_port}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listener_s_url_has_its_scheme_and_a_port_only_when_not_the_default() {
        let dns = "web-1.eu-west-1.elb.amazonaws.com";
        assert_eq!(listener_url(dns, "HTTP", 80), format!("http://{dns}"));
        assert_eq!(listener_url(dns, "HTTPS", 443), format!("https://{dns}"));
        assert_eq!(listener_url(dns, "HTTP", 8080), format!("http://{dns}:8080"));
        assert_eq!(listener_url(dns, "TLS", 8443), format!("https://{dns}:8443"));
        assert_eq!(listener_url(dns, "TCP", 443), format!("http://{dns}:443"));
    }

    fn task(id: &str, status: &str, public_ip: Option<&str>, bindings: &[(i64, i64, &str)]) -> TaskDetail {
        TaskDetail {
            task_id: id.into(),
            last_status: status.into(),
            host: Some(TaskHost {
                container_instance_id: "ci".into(),
                ec2_instance_id: Some(format!("i-{id}")),
                private_ip: Some(format!("172.31.0.{}", id.len())),
                public_ip: public_ip.map(str::to_string),
                ..TaskHost::default()
            }),
            containers: vec![TaskContainer {
                name: "nginx-web".into(),
                network_bindings: bindings
                    .iter()
                    .map(|(c, h, p)| PortBinding { container_port: *c, host_port: *h, protocol: p.to_string() })
                    .collect(),
                ..TaskContainer::default()
            }],
            ..TaskDetail::default()
        }
    }

    #[test]
    fn the_lab_s_two_instances_answer_on_their_public_ips_http_and_https() {
        let tasks = [
            task("a", "RUNNING", Some("54.0.0.1"), &[(80, 80, "tcp"), (443, 443, "tcp")]),
            task("b", "RUNNING", Some("54.0.0.2"), &[(80, 80, "tcp"), (443, 443, "tcp")]),
            task("c", "STOPPED", Some("54.0.0.3"), &[(80, 80, "tcp")]),
        ];
        let urls: Vec<_> = addresses_of(&tasks).into_iter().map(|a| (a.url, a.public)).collect();
        assert_eq!(
            urls,
            [
                ("http://54.0.0.1".to_string(), true),
                ("http://54.0.0.2".to_string(), true),
                ("https://54.0.0.1".to_string(), true),
                ("https://54.0.0.2".to_string(), true),
            ]
        );
    }

    #[test]
    fn dynamic_ports_private_ips_and_udp() {
        let tasks = [task("ab", "RUNNING", None, &[(80, 32768, "tcp"), (53, 53, "udp")])];
        let found = addresses_of(&tasks);
        assert_eq!(found.len(), 1, "udp is not a link: {found:?}");
        assert_eq!((found[0].url.as_str(), found[0].public), ("http://172.31.0.2:32768", false));
    }
}
