//! Builds the application from [`Settings`]: binds the listener (port 0 in tests), opens the
//! store, connects the environments and assembles the router with its middleware.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::auth::rate_limit::LoginLimiter;
use crate::aws::Environments;
use crate::config::Settings;
use crate::extract::BODY_LIMIT;
use crate::state::AppState;
use crate::store::Store;
use crate::{demo, routes, security_headers, static_files};

pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = Store::open(&settings.database).await?;
        let environments = Arc::new(Environments::connect(&settings).await);
        if settings.demo_data {
            demo::load(&environments).await.map_err(|e| anyhow::anyhow!("loading demo data: {e}"))?;
        }
        if settings.demo_admin {
            demo::ensure_admin(&store).await?;
        }
        let replicas = crate::replicas::Replicas::start(&store).await?;
        let deployer = crate::deploy::Deployer::new(
            environments.clone(),
            store.clone(),
            settings.deploy.clone(),
            replicas.clone(),
        );
        if replicas.is_shared() {
            // Other replicas may be driving deployments: take over only those whose lease ran out.
            deployer.spawn_leases();
        } else {
            let resuming = deployer.clone();
            tokio::spawn(async move { resuming.resume_in_flight().await });
        }
        let logs = crate::logs::tail::LogHub::new(environments.clone(), store.clone(), settings.deploy.clone());
        let listener =
            TcpListener::bind(settings.listen).await.with_context(|| format!("binding {}", settings.listen))?;
        let address = listener.local_addr().context("the listener's address")?;
        let configured = settings.notify.public_url.as_ref().map(|url| url.trim_end_matches('/').to_string());
        let public_url = configured.clone().unwrap_or_else(|| format!("http://{address}"));
        // A wildcard listen address is no address to give CI: the browser's origin is better.
        let for_ci = configured.or_else(|| (!address.ip().is_unspecified()).then(|| public_url.clone()));
        let state = AppState {
            environments,
            store,
            deployer,
            logs,
            auth: Arc::new(settings.auth.clone()),
            login_limiter: Arc::new(LoginLimiter::default()),
            creations: Default::default(),
            public_url: for_ci.map(Into::into),
        };
        crate::notify::sender::spawn(state.store.clone(), settings.notify.clone(), public_url);
        Ok(Self { listener, router: router(state, &settings) })
    }

    pub fn address(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        // Connection info gives the login rate limiter the client's address.
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service).with_graceful_shutdown(shutdown_signal()).await?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// The whole router: API under `/api`, the front end everywhere else.
pub fn router(state: AppState, settings: &Settings) -> Router {
    let (public, _) = routes::public().split_for_parts();
    let (protected, _) = routes::protected().split_for_parts();
    let gate = crate::auth::LoginGate { store: state.store.clone(), auth: state.auth.clone() };
    let protected = protected.route_layer(axum::middleware::from_fn_with_state(gate, crate::auth::require_login));
    // `/api` and `/api/` are API paths too: a JSON 404, not the web page.
    let api = public
        .merge(protected)
        .route("/api", axum::routing::any(routes::not_found))
        .route("/api/", axum::routing::any(routes::not_found))
        .route("/api/{*rest}", axum::routing::any(routes::not_found))
        .method_not_allowed_fallback(routes::method_not_allowed)
        .with_state(state)
        // Answers hold secrets (the login's CSRF token) and per-user data: no cache may keep them.
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    let app = api.merge(static_files::router(&settings.static_dir));
    security_headers::apply(app, &settings.static_dir)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(CatchPanicLayer::custom(panic_response))
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let body = shared::error::ApiError::new(
        shared::error::ErrorCode::Internal,
        "Something went wrong inside Berth; it has been logged.",
    );
    (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
}
