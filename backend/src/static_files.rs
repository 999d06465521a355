//! The built front end: files from `dist/`, and an app's page for every other non-API path so the
//! browser's router can take deep links. The apps (separate WebAssembly bundles) and the pages each
//! renders are listed once, in `frontend/apps.txt` ([`shared::apps`]): each app's files are under
//! `/<app>/` (`dist/<app>/`), its page answers the paths [`shared::apps::app_for`] gives it, and the
//! console (`dist/`) answers everything else.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use shared::apps::{CONSOLE, app_for, apps};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Where an app is built: the console into `dist/` itself, every other app into `dist/<app>/`.
fn app_dir(dir: &Path, name: &str) -> PathBuf {
    if name == CONSOLE { dir.to_path_buf() } else { dir.join(name) }
}

/// Every app's page (`index.html`), the console's first.
pub(crate) fn index_pages(dir: &Path) -> Vec<PathBuf> {
    apps().iter().map(|a| app_dir(dir, a.name).join("index.html")).collect()
}

fn page(dir: &Path) -> ServeFile {
    let index = dir.join("index.html");
    if !index.exists() {
        tracing::warn!(dir = %dir.display(), "front end not built: run scripts/build-frontend (the API still works)");
    }
    ServeFile::new(index).precompressed_br().precompressed_gzip()
}

fn app(dir: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(page(dir))
}

pub(crate) fn router(dir: &Path) -> Router {
    let mut router = Router::new();
    let mut pages = Vec::new();
    for entry in apps().into_iter().filter(|a| a.name != CONSOLE) {
        let files = app_dir(dir, entry.name);
        router = router.nest_service(&format!("/{}", entry.name), app(&files));
        pages.push((entry.name, page(&files)));
    }
    // Any other path: the page of the app whose prefix matches it (`shared::apps::app_for`, as the
    // front end's links decide), else the console's files.
    let console = app(dir);
    let fallback = move |request: Request| {
        let which = app_for(request.uri().path());
        let page = pages.iter().find(|(name, _)| *name == which).map(|(_, p)| p.clone());
        let console = console.clone();
        async move {
            match page {
                Some(page) => page.oneshot(request).await.map(IntoResponse::into_response),
                None => console.oneshot(request).await.map(IntoResponse::into_response),
            }
        }
    };
    // index.html must be revalidated so a new build is picked up; hashed assets may be cached.
    router
        .fallback(fallback)
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
        for (page, entry) in index_pages(dir.path()).iter().zip(apps()) {
            std::fs::create_dir_all(page.parent().unwrap()).unwrap();
            std::fs::write(page, entry.name).unwrap();
        }
        let router = router(dir.path());
        for (path, app) in [
            ("/", "console"),
            ("/e/local/repositories", "console"),
            ("/e/local/repository/team%2Fweb", "console"),
            ("/admin/users", "admin"),
            ("/admin/", "admin"),
            ("/administrators", "console"),
            ("/deployments", "history"),
            ("/deployments/42", "history"),
            ("/e/local/clusters", "clusters"),
            ("/e/local/clusters/new", "clusters"),
            ("/e/local/cluster/itflex-nginx", "clusters"),
            ("/e/local/services/itflex-nginx/web", "services"),
            ("/e/local/services/new", "servicewizard"),
            ("/e/local/services/itflex-nginx/web/update", "serviceupdate"),
            ("/e/local/services/itflex-nginx/web/update/", "serviceupdate"),
            ("/e/local/services/itflex-nginx/update", "services"),
            ("/e/local/task-definitions", "taskdefs"),
            ("/e/local/task-definitions/family/web/3", "taskdefs"),
            ("/e/local/task-definitions/new", "taskwizard"),
        ] {
            assert_eq!(app_of(&router, path).await, app, "{path}");
            assert_eq!(shared::apps::app_for(path), app, "the console's navigation agrees: {path}");
        }
    }

    /// Trunk needs a page and a binary per app: they must be exactly the list's.
    #[test]
    fn each_app_in_the_list_has_its_page_and_binary_and_no_other_exists() {
        let frontend = Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend");
        let names: Vec<&str> = apps().iter().map(|a| a.name).collect();
        let stems = |dir: &Path, ext: &str| -> Vec<String> {
            let mut found: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .filter_map(|e| e.ok()?.file_name().into_string().ok()?.strip_suffix(ext).map(String::from))
                .collect();
            found.sort();
            found
        };
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(stems(&frontend, ".html"), sorted, "frontend/<app>.html");
        assert_eq!(stems(&frontend.join("src/bin"), ".rs"), sorted, "frontend/src/bin/<app>.rs");
        let manifest = std::fs::read_to_string(frontend.join("Cargo.toml")).unwrap();
        let bins: Vec<&str> =
            manifest.split("[[bin]]").skip(1).filter_map(|b| b.split("name = \"").nth(1)?.split('"').next()).collect();
        assert_eq!(bins, names, "frontend/Cargo.toml's [[bin]]s, in the list's order");
        for name in names {
            let html = std::fs::read_to_string(frontend.join(format!("{name}.html"))).unwrap();
            assert!(html.contains(&format!("data-bin=\"{name}\"")), "{name}.html builds the binary {name}");
            let main = std::fs::read_to_string(frontend.join(format!("src/bin/{name}.rs"))).unwrap();
            assert!(main.contains(&format!("berth_frontend::{name}()")), "src/bin/{name}.rs starts the app {name}");
        }
    }
}
