//! What's live where (issue 20), with two environments in the local AWS (two accounts, each with
//! the demo's lab): a row per service, a column per environment the caller can see, a cell marked
//! where it differs from the one to its left, and the filters.

use serde_json::Value;
use shared::auth::Role;

use crate::helpers::{json_with_status, two_environments};

fn row<'a>(view: &'a Value, service: &str) -> &'a Value {
    view["rows"].as_array().unwrap().iter().find(|r| r["service"] == service).unwrap_or_else(|| panic!("{view}"))
}

#[tokio::test]
async fn the_live_view_lines_services_up_across_environments_and_marks_what_differs() {
    let (app, _other) = two_environments().await;
    let uri = app.repository_uri("nginxweb").await;
    let request = serde_json::json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
        "images": [{"container": "nginx-web", "image": format!("{uri}:v1")}]});
    let deployed = json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &request).await, 200).await;

    let view = json_with_status(app.get("/api/live").await, 200).await;
    assert_eq!(view["environments"], serde_json::json!(["local", "prod"]), "{view}");
    let web = row(&view, "nginx-web-access");
    assert_eq!(web["cluster"], "itflex-nginx");
    let (local, prod) = (&web["cells"][0], &web["cells"][1]);
    assert_eq!(local["images"][0]["tag"], "v1", "{web}");
    assert_eq!(prod["images"][0]["tag"], "v2", "{web}");
    assert!(local["images"][0]["digest"].as_str().unwrap().starts_with("sha256:"));
    assert_ne!(local["images"][0]["digest"], prod["images"][0]["digest"]);
    assert_eq!((&local["differs"], &prod["differs"], &web["differs"]), (&false.into(), &true.into(), &true.into()));
    assert_eq!(local["last"]["id"], deployed["id"]);
    assert_eq!(local["last"]["actor"], "admin");
    assert_eq!(local["last"]["outcome"], "SUCCEEDED");
    assert!(local["taskDefinition"].as_str().unwrap().starts_with("nginx-web:"), "{local}");

    // The blue/green service runs the same v2 in both accounts: the same digest, no mark (though
    // each account's registry names it differently).
    let blue_green = row(&view, "nginx-web-bluegreen");
    assert_eq!(blue_green["differs"], false, "{blue_green}");
    assert_ne!(blue_green["cells"][0]["images"][0]["image"], blue_green["cells"][1]["images"][0]["image"]);

    // Filters.
    let differing = json_with_status(app.get("/api/live?differsOnly=true").await, 200).await;
    let names: Vec<&str> =
        differing["rows"].as_array().unwrap().iter().map(|r| r["service"].as_str().unwrap()).collect();
    assert_eq!(names, ["nginx-web-access"]);
    let by_name = json_with_status(app.get("/api/live?service=bluegreen").await, 200).await;
    assert_eq!(by_name["rows"].as_array().unwrap().len(), 1);
    let no_cluster = json_with_status(app.get("/api/live?cluster=elsewhere").await, 200).await;
    assert!(no_cluster["rows"].as_array().unwrap().is_empty());
    assert_eq!(app.get("/api/live?differs=true").await.status(), 400, "an unknown filter is refused");

    // A viewer of `local` only sees its column.
    let viewer = app.user("vic", "local", Role::Viewer).await;
    let theirs = json_with_status(viewer.get("/api/live").await, 200).await;
    assert_eq!(theirs["environments"], serde_json::json!(["local"]));
    assert_eq!(row(&theirs, "nginx-web-access")["cells"].as_array().unwrap().len(), 1);
}
