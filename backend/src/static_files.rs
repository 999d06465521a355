//! The built front end: files from `dist/`, and an app's page for every other non-API path so the
//! browser's router can take deep links. Five apps (separate WebAssembly bundles): the admin area
//! (`dist/admin/`, under `/admin/`), the cluster, service and task definition pages (files under
//! `/clusters/`, `/services/` and `/taskdefs/`, pages at the sections of `/e/{env}/...` that [`APPS`] lists), and
//! the console (`dist/`) everywhere else.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The apps under `/e/{env}/`: their `dist/` directory and the sections they render.
pub const APPS: [(&str, &[&str]); 3] =
    [("clusters", &["clusters", "cluster"]), ("services", &["services"]), ("taskdefs", &["task-definitions"])];

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
    let mut router = Router::new().nest_service("/admin", app(&dir.join("admin")));
    for (name, sections) in APPS {
        let files = dir.join(name);
        router = router.nest_service(&format!("/{name}"), app(&files));
        for section in sections {
            router = router
                .route_service(&format!("/e/{{env}}/{section}"), page(&files))
                .route_service(&format!("/e/{{env}}/{section}/{{*rest}}"), page(&files));
        }
    }
    // index.html must be revalidated so a new build is picked up; hashed assets may be cached.
    router
        .fallback_service(app(dir))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
}
