//! The service a poller, a deployment or a viewer is about: environment, cluster and service
//! (two clusters' services of one name stay apart).

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub(crate) struct ServiceKey {
    pub environment: String,
    pub cluster: String,
    pub service: String,
}
