use std::sync::Arc;

use crate::auth::rate_limit::LoginLimiter;
use crate::aws::Environments;
use crate::ops::clusters::Creations;
use crate::config::AuthSettings;
use crate::deploy::Deployer;
use crate::store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub environments: Arc<Environments>,
    pub store: Store,
    pub auth: Arc<AuthSettings>,
    pub login_limiter: Arc<LoginLimiter>,
    /// Cluster creations running or ended since start-up.
    pub creations: Creations,
    /// The deploy engine and the pollers of watched services.
    pub deployer: Deployer,
}
