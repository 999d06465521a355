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
/// A section may be two segments deep: the wizards are apps of their own.
pub const APPS: [(&str, &[&str]); 5] = [
    ("clusters", &["clusters", "cluster"]),
    ("services", &["services"]),
    ("servicewizard", &["services/new"]),
    ("taskdefs", &["task-definitions"]),
    ("taskwizard", &["task-definitions/new"]),
];

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
    let history = dir.join("history");
    let mut router = Router::new()
        .nest_service("/admin", app(&dir.join("admin")))
        .nest_service("/history", app(&history))
        .route_service("/deployments", page(&history))
        .route_service("/deployments/{*rest}", page(&history));
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

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    /// Which app's page a path gets: each index.html says its app's name.
    async fn app_of(router: &Router, path: &str) -> String {
        let response = router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn each_path_gets_its_apps_page_and_the_wizards_are_apps_of_their_own() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "console").unwrap();
        for name in ["admin", "history"].into_iter().chain(APPS.iter().map(|(name, _)| *name)) {
            std::fs::create_dir_all(dir.path().join(name)).unwrap();
            std::fs::write(dir.path().join(name).join("index.html"), name).unwrap();
        }
        let router = router(dir.path());
        for (path, app) in [
            ("/", "console"),
            ("/e/local/repositories", "console"),
            ("/e/local/repository/team%2Fweb", "console"),
            ("/admin/users", "admin"),
            ("/deployments", "history"),
            ("/deployments/42", "history"),
            ("/e/local/clusters", "clusters"),
            ("/e/local/clusters/new", "clusters"),
            ("/e/local/cluster/itflex-nginx", "clusters"),
            ("/e/local/services/itflex-nginx/web", "services"),
            ("/e/local/services/new", "servicewizard"),
            ("/e/local/task-definitions", "taskdefs"),
            ("/e/local/task-definitions/family/web/3", "taskdefs"),
            ("/e/local/task-definitions/new", "taskwizard"),
        ] {
            assert_eq!(app_of(&router, path).await, app, "{path}");
        }
    }
}
