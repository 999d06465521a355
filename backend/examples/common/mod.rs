//! What the benchmarks share: an environment whose ECS answers at once (`berth::aws::instant`, built
//! with the `bench` feature), so the figures are Berth's own time, and a store in a temp directory.

#![allow(dead_code)]

use std::time::Duration;

use berth::config::DeploySettings;
use berth::store::Store;

pub fn settings(poll_interval: Duration) -> DeploySettings {
    DeploySettings {
        poll_interval,
        max_backoff: Duration::from_secs(30),
        timeout: Duration::from_secs(600),
        external_sweep: None,
        ..DeploySettings::default()
    }
}

pub async fn store(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("berth.db")).await.expect("the store opens")
}

/// p50 / p99 / max of durations in milliseconds.
pub fn percentiles(mut ms: Vec<f64>) -> (f64, f64, f64) {
    if ms.is_empty() {
        // Nothing arrived: every figure is out of target.
        return (f64::INFINITY, f64::INFINITY, f64::INFINITY);
    }
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).saturating_sub(1).min(ms.len() - 1)];
    (at(0.50), at(0.99), ms[ms.len() - 1])
}

/// Berth's real router over `environments` on a free port, with a viewer `bench` logged in: the
/// server's base URL, the session cookie, and an HTTP client.
pub async fn serve(
    environments: std::sync::Arc<berth::aws::Environments>,
    dir: &tempfile::TempDir,
    interval: Duration,
) -> (String, String, reqwest::Client) {
    serve_on(environments, &dir.path().join("berth.db").to_string_lossy(), interval).await
}

/// As [`serve`], on the database at `database` (a SQLite path or a `postgres://` URL): several
/// calls on one PostgreSQL are replicas of one Berth.
pub async fn serve_on(
    environments: std::sync::Arc<berth::aws::Environments>,
    database: &str,
    interval: Duration,
) -> (String, String, reqwest::Client) {
    use berth::auth::rate_limit::LoginLimiter;
    use berth::config::{AuthSettings, Settings};
    use shared::auth::{Grant, Role};
    let store = Store::open(database).await.expect("the store opens");
    let viewer = Grant { environment: "*".into(), role: Role::Viewer };
    // Another replica on the same database may have added it already.
    let _ = berth::auth::users::add(store.pool(), "bench", "bench-password-1", &viewer).await;
    let deploy = settings(interval);
    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: database.into(),
        static_dir: std::env::temp_dir().join("berth-bench-no-front-end"),
        environments: Vec::new(),
        demo_data: false,
        demo_admin: false,
        aws_max_attempts: 1,
        aws_timeout: Duration::from_secs(5),
        aws_read_reuse: Duration::from_secs(2),
        auth: AuthSettings::default(),
        deploy: deploy.clone(),
        notify: Default::default(),
    };
    let replicas = berth::replicas::Replicas::start(&store).await.expect("the replicas' channel opens");
    let state = berth::state::AppState {
        public_url: None,
        environments: environments.clone(),
        store: store.clone(),
        auth: std::sync::Arc::new(AuthSettings::default()),
        login_limiter: std::sync::Arc::new(LoginLimiter::default()),
        creations: Default::default(),
        deployer: berth::deploy::Deployer::new(environments.clone(), store.clone(), deploy.clone(), replicas),
        logs: berth::logs::tail::LogHub::new(environments, store, deploy),
    };
    let app = berth::startup::router(state, &settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
    });
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let login = http
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({"name": "bench", "password": "bench-password-1"}))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    (base, cookie, http)
}

/// Reads the server-sent events of `url` and calls `each` with each event's data, until the stream
/// ends.
pub async fn each_event(http: reqwest::Client, url: String, cookie: String, mut each: impl FnMut(&str)) {
    let mut resp = http.get(&url).header("cookie", cookie).send().await.expect("the stream opens");
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                each(data);
            }
        }
    }
}
