//! Security headers on every response. The Content-Security-Policy allows the apps' own scripts,
//! their WebAssembly (`'wasm-unsafe-eval'`) and, by hash, the one inline module Trunk writes into
//! each index.html to start it — nothing inline from anywhere else, no framing.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

/// `'sha256-…'` of each inline `<script>` in the built index.html.
fn inline_script_hashes(index_html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = index_html;
    while let Some(start) = rest.find("<script") {
        let after_tag = &rest[start..];
        let Some(open_end) = after_tag.find('>') else { break };
        let tag = &after_tag[..open_end];
        let body_start = &after_tag[open_end + 1..];
        let Some(close) = body_start.find("</script>") else { break };
        if !tag.contains("src=") {
            hashes.push(format!("'sha256-{}'", STANDARD.encode(Sha256::digest(&body_start.as_bytes()[..close]))));
        }
        rest = &body_start[close..];
    }
    hashes
}

/// The policy for every app (each one's index.html).
pub(crate) fn content_security_policy(static_dir: &Path) -> String {
    let pages = crate::static_files::index_pages(static_dir);
    let scripts: Vec<String> =
        pages.iter().flat_map(|p| inline_script_hashes(&std::fs::read_to_string(p).unwrap_or_default())).collect();
    let scripts = scripts.join(" ");
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {scripts}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub(crate) fn apply(router: Router, static_dir: &Path) -> Router {
    let csp = HeaderValue::from_str(&content_security_policy(static_dir))
        .unwrap_or(HeaderValue::from_static("default-src 'self'"));
    let set = |name: HeaderName, value: HeaderValue| SetResponseHeaderLayer::overriding(name, value);
    router
        .layer(set(header::CONTENT_SECURITY_POLICY, csp))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(set(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(set(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = r#"<script src="/a.js"></script><script type="module">init()</script>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        assert_eq!(hashes[0], format!("'sha256-{}'", STANDARD.encode(Sha256::digest(b"init()"))));
    }
}
