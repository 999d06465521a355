//! Local mode's demo data: the seed lab's repository `nginxweb` with images `v1`, `v2` and
//! `latest` (the same image as `v2`, as after the lab's pipeline pushed v2).

use shared::auth::{Grant, Role};

use crate::auth::{secrets, users};
use crate::aws::{DemoImage, Environments};
use crate::error::AppError;
use crate::store::Store;

pub const DEMO_REPOSITORY: &str = "nginxweb";

fn manifest(config_digest: char, layer_digest: char, layer_size: u64) -> String {
    let hex = |c: char| c.to_string().repeat(64);
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7_650,
            "digest": format!("sha256:{}", hex(config_digest)),
        },
        "layers": [{
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "size": layer_size,
            "digest": format!("sha256:{}", hex(layer_digest)),
        }],
    })
    .to_string()
}

pub fn demo_images() -> Vec<DemoImage> {
    let v1 = manifest('1', 'a', 67_108_864);
    let v2 = manifest('2', 'b', 67_371_008);
    vec![
        DemoImage { tag: "v1", manifest: v1 },
        DemoImage { tag: "v2", manifest: v2.clone() },
        DemoImage { tag: "latest", manifest: v2 },
    ]
}

/// Loads the demo data into the environment `local`; does nothing if there is none.
pub async fn load(environments: &Environments) -> Result<(), AppError> {
    let Ok(local) = environments.get("local") else { return Ok(()) };
    local.ensure_demo_repository(DEMO_REPOSITORY, &demo_images()).await
}

pub const DEMO_ADMIN: &str = "admin";

/// Creates the user `admin` (admin everywhere) with a random password and prints it, once: when
/// the user already exists nothing is printed (`berth user passwd admin` sets a new password).
pub async fn ensure_admin(store: &Store) -> anyhow::Result<()> {
    if users::exists(store.pool(), DEMO_ADMIN).await? {
        println!(
            "Log in as '{DEMO_ADMIN}' (its password was printed when it was created; `berth user passwd {DEMO_ADMIN}` sets a new one)."
        );
        return Ok(());
    }
    let password = secrets::random_secret()[..20].to_string();
    users::add(store.pool(), DEMO_ADMIN, &password, &Grant { environment: "*".into(), role: Role::Admin }).await?;
    println!("Demo admin created — user: {DEMO_ADMIN}  password: {password}  (shown only now)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_admin_is_created_once_as_admin_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("berth.db")).await.unwrap();
        ensure_admin(&store).await.unwrap();
        let (id, hash) = users::credentials(store.pool(), DEMO_ADMIN).await.unwrap().unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert_eq!(
            users::grants(store.pool(), id).await.unwrap(),
            [Grant { environment: "*".into(), role: Role::Admin }]
        );
        ensure_admin(&store).await.unwrap();
        let (_, again) = users::credentials(store.pool(), DEMO_ADMIN).await.unwrap().unwrap();
        assert_eq!(again, hash, "a restart keeps the password");
    }
}
