//! The built front end: files from `dist/`, and `index.html` for every other non-API path so the
//! browser's router can take deep links.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

pub fn router(dir: &Path) -> Router {
    let index = dir.join("index.html");
    if !index.exists() {
        tracing::warn!(dir = %dir.display(), "front end not built: run `trunk build --release` (the API still works)");
    }
    let files = ServeDir::new(dir).precompressed_gzip().fallback(ServeFile::new(index).precompressed_gzip());
    // index.html must be revalidated so a new build is picked up; hashed assets may be cached.
    Router::new().fallback_service(files).layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    ))
}
