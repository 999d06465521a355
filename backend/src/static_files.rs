//! The built front end: files from `dist/`, and the app's page for every other non-API path so the
//! browser's router can take deep links — `dist/admin/index.html` under `/admin/`, `dist/index.html`
//! elsewhere.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

fn app(dir: &Path) -> ServeDir<ServeFile> {
    let index = dir.join("index.html");
    if !index.exists() {
        tracing::warn!(dir = %dir.display(), "front end not built: run scripts/build-frontend (the API still works)");
    }
    ServeDir::new(dir).precompressed_gzip().fallback(ServeFile::new(index).precompressed_gzip())
}

pub fn router(dir: &Path) -> Router {
    // index.html must be revalidated so a new build is picked up; hashed assets may be cached.
    Router::new()
        .nest_service("/admin", app(&dir.join("admin")))
        .fallback_service(app(dir))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
}
