//! One async function per API endpoint. Non-2xx answers decode into the shared [`ApiError`].

use gloo_net::http::{Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::ecr::{Image, Repository, RepositoryDetail, RepositorySpec};
use shared::env::EnvironmentInfo;
use shared::error::{ApiError, ErrorCode};

fn enc(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}

fn network_error(err: gloo_net::Error) -> ApiError {
    ApiError::new(ErrorCode::Unavailable, format!("Berth's server could not be reached: {err}"))
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if resp.ok() {
        return resp.json::<T>().await.map_err(network_error);
    }
    let status = resp.status();
    Err(resp
        .json::<ApiError>()
        .await
        .unwrap_or_else(|_| ApiError::new(ErrorCode::Internal, format!("The server answered HTTP {status}."))))
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    decode(Request::get(url).send().await.map_err(network_error)?).await
}

async fn post<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, ApiError> {
    let req = Request::post(url).json(body).map_err(network_error)?;
    decode(req.send().await.map_err(network_error)?).await
}

pub async fn list_environments() -> Result<Vec<EnvironmentInfo>, ApiError> {
    get("/api/envs").await
}

pub async fn list_repositories(env: &str) -> Result<Vec<Repository>, ApiError> {
    get(&format!("/api/envs/{}/repositories", enc(env))).await
}

pub async fn create_repository(env: &str, spec: &RepositorySpec) -> Result<Repository, ApiError> {
    post(&format!("/api/envs/{}/repositories", enc(env)), spec).await
}

pub async fn get_repository(env: &str, name: &str) -> Result<RepositoryDetail, ApiError> {
    get(&format!("/api/envs/{}/repositories/{}", enc(env), enc(name))).await
}

pub async fn list_images(env: &str, name: &str) -> Result<Vec<Image>, ApiError> {
    get(&format!("/api/envs/{}/repositories/{}/images", enc(env), enc(name))).await
}

pub async fn delete_repository(env: &str, name: &str, force: bool) -> Result<(), ApiError> {
    let url = format!("/api/envs/{}/repositories/{}?force={force}", enc(env), enc(name));
    let resp = Request::delete(&url).send().await.map_err(network_error)?;
    if resp.ok() { Ok(()) } else { decode::<()>(resp).await }
}

/// Front-end paths, so links are built in one place.
pub mod paths {
    use super::enc;

    pub fn repositories(env: &str) -> String {
        format!("/e/{}/repositories", enc(env))
    }
    pub fn new_repository(env: &str) -> String {
        format!("/e/{}/repositories/new", enc(env))
    }
    pub fn repository(env: &str, name: &str) -> String {
        format!("/e/{}/repository/{}", enc(env), enc(name))
    }
}
