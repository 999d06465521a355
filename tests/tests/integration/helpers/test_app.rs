use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use berth::aws::AwsEnv;
use berth::config::{AuthSettings, DeploySettings, NotifySettings, Settings, local_environment};
use berth::startup::Application;
use berth::store::Store;
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::{Value, json};
use shared::auth::{Grant, Role};

use super::{local_aws_url, repo_root};

pub const PASSWORD: &str = "correct-horse-battery";

/// A Berth server on port 0 with its own database and its own AWS account in the local AWS,
/// and a logged-in admin (`admin`, admin in every environment) to make requests as.
pub struct TestApp {
    pub address: String,
    pub account: String,
    pub http: Client,
    /// The same environment the server uses, for seeding AWS state (e.g. pushing images).
    pub aws: AwsEnv,
    pub store: Store,
    pub admin: Session,
    /// The local AWS the server's environment talks to (direct calls go there too).
    pub endpoint: String,
    _database: berth::store::testing::Scratch,
}

/// Requests as one caller: a session (cookie + CSRF token), a bearer token, or nobody.
#[derive(Clone, Debug)]
pub struct Session {
    pub http: Client,
    pub base: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

/// A fresh 12-digit account per test: isolated state in the shared emulator, without resets.
fn fresh_account() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{:06}{:06}", std::process::id() % 1_000_000, n)
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns with settings adjusted by `adjust` (the account is fresh unless it changes it).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let database = super::scratch_database().await;
        let account = fresh_account();
        let mut settings = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            database: database.location().into(),
            static_dir: repo_root().join("dist"),
            environments: vec![local_environment(local_aws_url(), &account)],
            demo_data: false,
            demo_admin: false,
            aws_max_attempts: 1,
            aws_timeout: Duration::from_secs(15),
            // Tests change AWS behind Berth's back and read at once: only reads in flight are shared.
            aws_read_reuse: Duration::ZERO,
            auth: AuthSettings::default(),
            deploy: DeploySettings {
                poll_interval: Duration::from_millis(200),
                max_backoff: Duration::from_secs(2),
                timeout: Duration::from_secs(90),
                external_sweep: None,
                ..DeploySettings::default()
            },
            notify: NotifySettings {
                poll_interval: Duration::from_millis(100),
                retry_base: Duration::from_millis(300),
                max_attempts: 3,
                ..NotifySettings::default()
            },
        };
        adjust(&mut settings);
        let endpoint = settings.environments[0]
            .endpoint_url
            .clone()
            .map_or_else(|| local_aws_url().to_string(), |u| u.to_string());
        let store = Store::open(&settings.database).await.expect("the database opens");
        let aws = AwsEnv::connect(&settings.environments[0], 1, settings.aws_timeout).await;
        let app = Application::build(settings).await.expect("the application builds");
        let address = format!("http://{}", app.address());
        tokio::spawn(app.run_until_stopped());
        let http = Client::new();
        let anon = Session { http: http.clone(), base: address.clone(), cookie: None, csrf: None, bearer: None };
        berth::auth::users::add(store.pool(), "admin", PASSWORD, &Grant { environment: "*".into(), role: Role::Admin })
            .await
            .expect("the admin is added");
        let admin = anon.login("admin", PASSWORD).await.expect("the admin logs in");
        Self { address, account, http, aws, store, admin, endpoint, _database: database }
    }

    /// The demo data (with `adjust`), its lab service fitted to its cluster ([`Self::fit_lab_service`])
    /// once its first rollout has COMPLETED (ECS rolls back only to a completed one, and a rollback
    /// needs a last good release).
    pub async fn spawn_demo_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let app = Self::spawn_with(|s| {
            s.demo_data = true;
            adjust(s);
        })
        .await;
        app.fit_lab_service().await;
        app
    }

    /// The README's fix for the demo's lab service, made outside Berth: as loaded, only 2 of its 4
    /// tasks can be placed (each needs host ports 80 and 443 and 1024 CPU units: all of a
    /// t2.micro), so it never reaches a steady state and a deployment never ends. Fitted: 2 tasks,
    /// and a minimum healthy 50 % so a deployment may stop one old task to make room for a new one.
    /// Returns once its rollout has COMPLETED.
    pub async fn fit_lab_service(&self) {
        self.ecs(
            "UpdateService",
            json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "desiredCount": 2,
                   "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true},
                                               "maximumPercent": 200, "minimumHealthyPercent": 50}}),
        )
        .await;
        let app = self;
        let path = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";
        for _ in 0..100 {
            let service = json_with_status(app.get(path).await, 200).await;
            if service["deployments"].as_array().unwrap().iter().all(|d| d["rolloutState"] == "COMPLETED") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!(
            "the fitted lab service never completed its rollout: {}",
            json_with_status(app.get(path).await, 200).await
        );
    }

    /// Launches `count` EC2 instances and registers them in `cluster` as the ECS agent does
    /// (RegisterContainerInstance with the instance's identity document; moto gives each 4096 CPU
    /// units and 7482 MiB): tasks are placed only where they fit, so a cluster made in a test needs
    /// instances to run EC2 tasks.
    pub async fn add_instances(&self, cluster: &str, count: usize) {
        let count = count.to_string();
        let answer = self
            .aws_query(
                "ec2",
                &[
                    ("Action", "RunInstances"),
                    ("Version", "2016-11-15"),
                    ("ImageId", "ami-760aaa0f"),
                    ("MinCount", &count),
                    ("MaxCount", &count),
                    ("InstanceType", "m5.xlarge"),
                ],
            )
            .await;
        let ids: Vec<&str> = answer.split("<instanceId>").skip(1).filter_map(|s| s.split('<').next()).collect();
        assert!(!ids.is_empty(), "RunInstances: {answer}");
        for id in ids {
            let document = json!({"instanceId": id, "region": "us-east-1"}).to_string();
            self.ecs("RegisterContainerInstance", json!({"cluster": cluster, "instanceIdentityDocument": document}))
                .await;
        }
    }

    /// A repository's URI (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`).
    pub async fn repository_uri(&self, name: &str) -> String {
        let repo = json_with_status(self.get(&format!("/api/envs/local/repositories/{name}")).await, 200).await;
        repo["repository"]["repositoryUri"].as_str().unwrap().to_string()
    }

    /// Calls the local AWS's ECS API directly (JSON protocol, this test's account) — for state
    /// Berth does not create itself, such as services before the services issue.
    pub async fn ecs(&self, action: &str, body: Value) -> Value {
        self.aws_json("ecs", &format!("AmazonEC2ContainerServiceV20141113.{action}"), body).await
    }

    /// Calls the local AWS's CloudWatch Logs API directly (this test's account).
    pub async fn cloudwatch_logs(&self, action: &str, body: Value) -> Value {
        self.aws_json("logs", &format!("Logs_20140328.{action}"), body).await
    }

    /// What the lab's CI does, outside Berth: registers the demo service's current revision with
    /// `image` (AWS CLI) and updates the service to it; answers the new `family:revision`.
    pub async fn deploy_outside_berth(&self, image: &str) -> String {
        let service = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";
        let current = json_with_status(self.get(service).await, 200).await;
        let revision = current["taskDefinition"].as_str().unwrap().rsplit(':').next().unwrap().to_string();
        let path = format!("/api/envs/local/task-definitions/nginx-web/revisions/{revision}");
        let mut spec = json_with_status(self.get(&path).await, 200).await["spec"].clone();
        spec["containerDefinitions"][0]["image"] = Value::from(image);
        let registered = self.ecs("RegisterTaskDefinition", spec).await;
        let arn = registered["taskDefinition"]["taskDefinitionArn"].as_str().unwrap().to_string();
        let update =
            serde_json::json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "taskDefinition": arn});
        self.ecs("UpdateService", update).await;
        arn.rsplit('/').next().unwrap().to_string()
    }

    /// Calls a query-protocol API of the local AWS (EC2, Elastic Load Balancing) with `params`
    /// (this test's account); answers its XML.
    pub async fn aws_query(&self, service: &str, params: &[(&str, &str)]) -> String {
        let resp = self
            .http
            .post(&self.endpoint)
            .header(
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=LOCALAWS{}/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0",
                    self.account
                ),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(params))
            .send()
            .await
            .expect("the local AWS answers");
        let status = resp.status();
        let text = resp.text().await.expect("the local AWS answers");
        assert!(status.is_success(), "{service} {params:?}: {text}");
        text
    }

    async fn aws_json(&self, service: &str, target: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(&self.endpoint)
            .header("x-amz-target", target)
            .header("content-type", "application/x-amz-json-1.1")
            .header(
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=LOCALAWS{}/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0",
                    self.account
                ),
            )
            .body(body.to_string())
            .send()
            .await
            .expect("the local AWS answers");
        assert!(resp.status().is_success(), "{target}: {}", resp.text().await.unwrap_or_default());
        // Some actions (DeleteLogGroup) answer an empty body.
        let text = resp.text().await.expect("the local AWS answers");
        if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("the local AWS answers JSON") }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn anonymous(&self) -> Session {
        Session { http: self.http.clone(), base: self.address.clone(), cookie: None, csrf: None, bearer: None }
    }

    /// Adds a user with one grant and logs them in.
    pub async fn user(&self, name: &str, environment: &str, role: Role) -> Session {
        berth::auth::users::add(self.store.pool(), name, PASSWORD, &Grant { environment: environment.into(), role })
            .await
            .expect("the user is added");
        self.anonymous().login(name, PASSWORD).await.expect("the user logs in")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.admin.get(path).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.admin.post_json(path, body).await
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> Response {
        self.admin.put_json(path, body).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.admin.delete(path).await
    }

    /// Creates a repository through the API and checks it worked.
    pub async fn create_repository(&self, name: &str) -> Value {
        let resp = self.post_json("/api/envs/local/repositories", &json!({ "repositoryName": name })).await;
        assert_eq!(resp.status(), 201, "creating {name}");
        resp.json().await.unwrap()
    }
}

impl Session {
    /// Logs in; `Err` holds the refusal.
    pub async fn login(&self, name: &str, password: &str) -> Result<Session, Response> {
        let resp = self
            .http
            .post(format!("{}/api/auth/login", self.base))
            .json(&json!({ "name": name, "password": password }))
            .send()
            .await
            .expect("request sent");
        if resp.status() != 200 {
            return Err(resp);
        }
        let cookie = resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let me: Value = resp.json().await.unwrap();
        Ok(Session { cookie: Some(cookie), csrf: me["csrfToken"].as_str().map(str::to_string), ..self.clone() })
    }

    pub fn with_bearer(&self, token: &str) -> Session {
        Session { bearer: Some(token.to_string()), cookie: None, csrf: None, ..self.clone() }
    }

    pub fn without_csrf(&self) -> Session {
        Session { csrf: None, ..self.clone() }
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            req = req.header("cookie", cookie);
        }
        if let Some(csrf) = &self.csrf {
            req = req.header("x-csrf-token", csrf);
        }
        if let Some(token) = &self.bearer {
            req = req.bearer_auth(token);
        }
        req
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.expect("request sent")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path).json(body).send().await.expect("request sent")
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::PUT, path).json(body).send().await.expect("request sent")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.request(Method::DELETE, path).send().await.expect("request sent")
    }
}

/// Reads a response's body as JSON, asserting its status first.
pub async fn json_with_status(resp: Response, status: u16) -> Value {
    let actual = resp.status().as_u16();
    let body = resp.text().await.unwrap();
    assert_eq!(actual, status, "body: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// `params` as an `application/x-www-form-urlencoded` body.
fn form_body(params: &[(&str, &str)]) -> String {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    params.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}
