use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Logs to stderr, as text or as JSON lines (`--log-format`); `RUST_LOG` overrides the default
/// level (info for Berth, warn for the rest).
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn,berth=info,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
    };
}
