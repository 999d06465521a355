use std::sync::Arc;

use crate::aws::Environments;
use crate::store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub environments: Arc<Environments>,
    pub store: Store,
}
