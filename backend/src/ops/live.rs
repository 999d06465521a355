//! What's live where (`shared::live`): every environment the caller can see, read at once (through
//! the shared, briefly reused AWS reads), lined up by cluster and service name.

use std::collections::BTreeMap;

use shared::deploy::DeployedImage;
use shared::ecs::cluster::ServiceSummary;
use shared::live::{LastDeployment, LiveCell, LiveImage, LiveQuery, LiveRow, LiveView, Unreadable, mark_differences};

use shared::error::FieldError;
use shared::live::{ServiceLink, validate_links};

use super::{Action, Caller, Needs};
use crate::deploy::records;
use crate::error::AppError;

pub(crate) async fn view(caller: &Caller, query: &LiveQuery) -> Result<LiveView, AppError> {
    let visible = caller.visible();
    let links = crate::live_links::all(caller.state.store.pool()).await?;
    let reads = futures::future::join_all(visible.iter().map(|env| cells_of(caller, env, query, &links))).await;
    // An environment AWS would not answer for is named apart, not a column of gaps (a gap would
    // mark every cell to its right as differing).
    let (mut readable, mut unreadable) = (Vec::new(), Vec::new());
    for (env, read) in visible.into_iter().zip(reads) {
        match read {
            Ok(cells) => readable.push((env, cells)),
            Err(e) => {
                tracing::warn!(environment = %env, error = ?e, "the live view could not read an environment");
                unreadable.push(Unreadable { environment: env, message: e.to_api_error().message });
            }
        }
    }
    let environments: Vec<String> = readable.iter().map(|(env, _)| env.clone()).collect();
    // A row per link (its name first in the key), then per cluster and service name.
    let mut rows: BTreeMap<(Option<String>, String, String), Vec<Option<LiveCell>>> = BTreeMap::new();
    for (i, (env, cells)) in readable.into_iter().enumerate() {
        for ((cluster, service), cell) in cells {
            let link = links.iter().find(|l| {
                l.services.iter().any(|s| s.environment == env && s.cluster == cluster && s.service == service)
            });
            let key = match link {
                Some(link) => (Some(link.name.clone()), String::new(), String::new()),
                None => (None, cluster, service),
            };
            rows.entry(key).or_insert_with(|| vec![None; environments.len()])[i] = Some(cell);
        }
    }
    let mut rows: Vec<LiveRow> = rows
        .into_iter()
        .map(|((link, cluster, service), cells)| {
            let first = cells.iter().flatten().next();
            let (cluster, service) = match (&link, first) {
                (Some(_), Some(cell)) => (cell.cluster.clone(), cell.service.clone()),
                _ => (cluster, service),
            };
            let mut row = LiveRow { cluster, service, link, cells, differs: false };
            mark_differences(&mut row);
            row
        })
        .collect();
    if query.differs_only == Some(true) {
        rows.retain(|r| r.differs);
    }
    Ok(LiveView { environments, rows, unreadable })
}

/// The links between services named differently (anyone signed in may read them: names only).
pub(crate) async fn links(caller: &Caller) -> Result<Vec<ServiceLink>, AppError> {
    let visible = caller.visible();
    let mut links = crate::live_links::all(caller.state.store.pool()).await?;
    for link in &mut links {
        link.services.retain(|s| visible.contains(&s.environment));
    }
    links.retain(|l| !l.services.is_empty());
    Ok(links)
}

/// Replaces the links (admins of every environment).
pub(crate) async fn set_links(caller: &Caller, links: &[ServiceLink]) -> Result<Vec<ServiceLink>, AppError> {
    let names: Vec<&str> = links.iter().map(|l| l.name.as_str()).collect();
    let action = Action::new("live.links", format!("links: {}", names.join(", ")), Needs::GlobalAdmin);
    caller
        .act_global(action, async || {
            validate_links(links)?;
            let known: Vec<String> = caller.state.environments.list().into_iter().map(|e| e.name).collect();
            for (i, link) in links.iter().enumerate() {
                for (j, s) in link.services.iter().enumerate() {
                    if !known.contains(&s.environment) {
                        return Err(AppError::Validation(vec![FieldError::new(
                            format!("[{i}].services[{j}].environment"),
                            format!("No environment {} (there are {}).", s.environment, known.join(", ")),
                        )]));
                    }
                }
            }
            crate::live_links::set(caller.state.store.pool(), links).await?;
            Ok(crate::live_links::all(caller.state.store.pool()).await?)
        })
        .await
}

/// The environment's services (those the filters keep), each with what it runs.
async fn cells_of(
    caller: &Caller,
    env: &str,
    query: &LiveQuery,
    links: &[ServiceLink],
) -> Result<Vec<((String, String), LiveCell)>, AppError> {
    // A service the filter names, or one linked to such a service (or by such a link's name): a
    // linked row keeps all its cells.
    let wanted = |cluster: &str, service: &str| {
        let Some(part) = query.service.as_deref() else { return true };
        service.contains(part)
            || links.iter().any(|l| {
                let member =
                    l.services.iter().any(|s| s.environment == env && s.cluster == cluster && s.service == service);
                member && (l.name.contains(part) || l.services.iter().any(|s| s.service.contains(part)))
            })
    };
    let aws = caller.read(env)?;
    let mut out = Vec::new();
    for cluster in aws.list_clusters().await? {
        let name = cluster.cluster_name;
        if cluster.status != "ACTIVE" || query.cluster.as_ref().is_some_and(|c| *c != name) {
            continue;
        }
        for service in aws.services_of(&name).await? {
            if !wanted(&name, &service.service_name) {
                continue;
            }
            let cell = cell_of(caller, env, &name, &service).await?;
            out.push(((name.clone(), service.service_name.clone()), cell));
        }
    }
    Ok(out)
}

async fn cell_of(caller: &Caller, env: &str, cluster: &str, service: &ServiceSummary) -> Result<LiveCell, AppError> {
    let aws = caller.read(env)?;
    let pool = caller.state.store.pool();
    let revision = aws.describe_task_definition_ref(&service.task_definition).await?;
    // The deployment that registered this revision knows the digests its tags named.
    let registered = records::latest_to(pool, env, cluster, &service.service_name, &service.task_definition).await?;
    let known: &[DeployedImage] = registered.as_ref().map_or(&[], |r| r.images.0.as_slice());
    let mut images = Vec::new();
    for c in &revision.spec.container_definitions {
        let (tag, digest) = parts(&c.image);
        let recorded = known.iter().find(|i| i.container == c.name);
        let mut image = LiveImage {
            container: c.name.clone(),
            image: c.image.clone(),
            tag: tag.or_else(|| recorded.and_then(|i| i.tag.clone())),
            digest: digest.or_else(|| recorded.and_then(|i| i.digest.clone())),
        };
        if image.digest.is_none() {
            // A tag Berth did not deploy: the digest it names in this environment's ECR now, which
            // is what a task started now pulls (and what makes two accounts' registries comparable).
            let mut found = [DeployedImage { container: c.name.clone(), image: c.image.clone(), ..Default::default() }];
            crate::deploy::resolve(aws, &mut found).await;
            image.digest = found[0].digest.take();
        }
        images.push(image);
    }
    let last = records::latest_of(pool, env, cluster, &service.service_name).await?.map(|row| {
        let record = row.record();
        LastDeployment {
            id: record.id,
            kind: record.kind,
            outcome: record.outcome,
            actor: record.actor,
            started_at: record.started_at,
        }
    });
    Ok(LiveCell {
        environment: env.to_string(),
        cluster: cluster.to_string(),
        service: service.service_name.clone(),
        task_definition: service.task_definition.clone(),
        images,
        desired_count: service.desired_count,
        running_count: service.running_count,
        rollout_state: service.rollout_state.clone(),
        last,
        differs: false,
    })
}

/// The tag and digest an image reference names (`repo:tag`, `repo@sha256:…`, `repo:tag@sha256:…`).
fn parts(image: &str) -> (Option<String>, Option<String>) {
    let (name, digest) = match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest.to_string())),
        None => (image, None),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    (last.split_once(':').map(|(_, tag)| tag.to_string()), digest)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_reference_gives_its_tag_and_digest() {
        assert_eq!(super::parts("nginx"), (None, None));
        assert_eq!(super::parts("localhost:5000/web:v2"), (Some("v2".into()), None));
        assert_eq!(super::parts("1.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:ab"), (None, Some("sha256:ab".into())));
        assert_eq!(super::parts("web:v2@sha256:ab"), (Some("v2".into()), Some("sha256:ab".into())));
    }
}
