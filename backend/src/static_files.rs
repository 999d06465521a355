//! The built front end: files from `dist/`, and an app's page for every other non-API path so the
//! browser's router can take deep links. Three apps (separate WebAssembly bundles): the admin area
//! (`dist/admin/`, under `/admin/`), the ECS pages (`dist/ecs/`, assets under `/ecs/`, pages at
//! `/e/{env}/task-definitions...`, `/e/{env}/clusters...`, `/e/{env}/cluster/{name}`), and the console (`dist/`) everywhere else.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The sections of `/e/{env}/...` that the ECS app renders.
pub const ECS_SECTIONS: [&str; 3] = ["task-definitions", "clusters", "cluster"];

fn page(dir: &Path) -> ServeFile {
    let index = dir.join("index.html");
    if !index.exists() {
        tracing::warn!(dir = %dir.display(), "front end not built: run scripts/build-frontend (the API still works)");
    }
    ServeFile::new(index).precompressed_gzip()
}

fn app(dir: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(dir).precompressed_gzip().fallback(page(dir))
}

pub fn router(dir: &Path) -> Router {
    let ecs = dir.join("ecs");
    let mut router = Router::new().nest_service("/admin", app(&dir.join("admin"))).nest_service("/ecs", app(&ecs));
    for section in ECS_SECTIONS {
        router = router
            .route_service(&format!("/e/{{env}}/{section}"), page(&ecs))
            .route_service(&format!("/e/{{env}}/{section}/{{*rest}}"), page(&ecs));
    }
    // index.html must be revalidated so a new build is picked up; hashed assets may be cached.
    router
        .fallback_service(app(dir))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
}
