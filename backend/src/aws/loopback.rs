//! Local mode's "Open": the local AWS runs no container, so it serves a stand-in page for each
//! RUNNING task's container port on a loopback listener (`localaws/berth_localaws/loopback.py`),
//! and each request is an access-log line in the task's log stream. Berth asks it where
//! (`GET /_berth/listeners`), so the service page's addresses answer here as they would on AWS.

use std::collections::HashMap;

use serde::Deserialize;

use super::AwsEnv;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Listeners {
    #[serde(default)]
    listeners: Vec<Listener>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Listener {
    task_arn: String,
    container: String,
    container_port: i64,
    url: String,
}

impl AwsEnv {
    /// `(task id, container, container port)` -> the loopback URL standing in for it; empty off
    /// local mode, or when the local AWS has listeners turned off or can't be asked.
    pub(crate) async fn loopback_listeners(&self) -> HashMap<(String, String, i64), String> {
        let Some((url, account)) = &self.emulator else { return HashMap::new() };
        let endpoint =
            format!("{}/_berth/listeners?account={account}&region={}", url.trim_end_matches('/'), self.info.region);
        let answer = async {
            let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(5)).build()?;
            client.get(&endpoint).send().await?.error_for_status()?.json::<Listeners>().await
        };
        match answer.await {
            Ok(found) => found
                .listeners
                .into_iter()
                .map(|l| {
                    let task = l.task_arn.rsplit('/').next().unwrap_or_default().to_string();
                    ((task, l.container, l.container_port), l.url.trim_end_matches('/').to_string())
                })
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "the local AWS's loopback listeners could not be read");
                HashMap::new()
            }
        }
    }
}
