//! Display helpers.

/// An RFC 3339 time in the browser's locale and time zone.
pub fn local_time(rfc3339: Option<&str>) -> String {
    match rfc3339 {
        Some(t) => {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(t));
            if date.get_time().is_nan() { t.to_string() } else { String::from(date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)) }
        }
        None => "—".into(),
    }
}

/// Bytes as AWS's console shows image sizes (MB with two decimals, binary units).
pub fn size(bytes: Option<i64>) -> String {
    match bytes {
        Some(b) if b >= 1024 * 1024 => format!("{:.2} MB", b as f64 / (1024.0 * 1024.0)),
        Some(b) if b >= 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        Some(b) => format!("{b} B"),
        None => "—".into(),
    }
}

/// `sha256:0123456789ab…` — enough to recognise, the full digest is in the title.
pub fn short_digest(digest: &str) -> String {
    match digest.split_once(':') {
        Some((algo, hex)) if hex.len() > 12 => format!("{algo}:{}…", &hex[..12]),
        _ => digest.to_string(),
    }
}
