//! Display helpers.

/// An RFC 3339 time in the browser's locale and time zone.
pub fn local_time(rfc3339: Option<&str>) -> String {
    match rfc3339 {
        Some(t) => {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(t));
            if date.get_time().is_nan() {
                t.to_string()
            } else {
                String::from(date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
            }
        }
        None => "—".into(),
    }
}

/// Bytes as AWS's console shows image sizes (binary units, two decimals). Integer arithmetic:
/// float formatting would add ~10 KB to the bundle.
pub fn size(bytes: Option<i64>) -> String {
    const KIB: i64 = 1024;
    let scaled = |unit: i64, name: &str, b: i64| {
        let hundredths = b * 100 / unit;
        format!("{}.{:02} {name}", hundredths / 100, hundredths % 100)
    };
    match bytes {
        Some(b) if b >= KIB * KIB => scaled(KIB * KIB, "MB", b),
        Some(b) if b >= KIB => scaled(KIB, "KB", b),
        Some(b) => format!("{b} B"),
        None => "—".into(),
    }
}

/// A duration in seconds with one decimal ("1.3 s"), rounded; integer arithmetic for the same
/// reason as [`size`].
pub fn seconds(ms: i64) -> String {
    let tenths = (ms.max(0) + 50) / 100;
    format!("{}.{} s", tenths / 10, tenths % 10)
}

/// `sha256:0123456789ab…` — enough to recognise, the full digest is in the title.
pub fn short_digest(digest: &str) -> String {
    match digest.split_once(':') {
        Some((algo, hex)) if hex.len() > 12 => format!("{algo}:{}…", &hex[..12]),
        _ => digest.to_string(),
    }
}

/// A JSON value, indented by the browser (a second, pretty serializer would cost bundle size).
pub fn pretty_json<T: serde::Serialize>(value: &T) -> String {
    pretty_text(&serde_json::to_string(value).unwrap_or_default())
}

/// JSON text, indented by the browser (keys stay in their order).
pub fn pretty_text(compact: &str) -> String {
    js_sys::JSON::parse(compact)
        .and_then(|v| js_sys::JSON::stringify_with_replacer_and_space(&v, &wasm_bindgen::JsValue::NULL, &2.into()))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| compact.to_string())
}
