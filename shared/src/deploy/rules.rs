use super::model::{DeployRequest, RedeployRequest};
use crate::error::FieldError;
use crate::validate::{Errors, char_len};

pub const NOTE_MAX: usize = 500;

/// The rules a deploy request meets before Berth touches AWS (the container names are checked
/// against the service's task definition by the server).
pub fn validate_deploy(request: &DeployRequest) -> Result<(), Vec<FieldError>> {
    let mut errors = Errors::new();
    if request.cluster.trim().is_empty() {
        errors.add("cluster", "Cluster is required.");
    }
    if request.service.trim().is_empty() {
        errors.add("service", "Service is required.");
    }
    if request.images.is_empty() {
        errors.add("images", "Choose a new image for at least one container.");
    }
    for (i, change) in request.images.iter().enumerate() {
        if change.container.trim().is_empty() {
            errors.add(format!("images[{i}].container"), "Container name is required.");
        } else if request.images[..i].iter().any(|c| c.container == change.container) {
            errors.add(format!("images[{i}].container"), format!("Container {} is named twice.", change.container));
        }
        let image = change.image.trim();
        if image.is_empty() {
            errors.add(format!("images[{i}].image"), "Image is required.");
        } else if change.image.chars().any(char::is_whitespace) {
            errors.add(format!("images[{i}].image"), "An image reference has no spaces.");
        } else if let Some((_, digest)) = image.split_once('@') {
            let hex = digest.strip_prefix("sha256:").unwrap_or("");
            if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                errors.add(format!("images[{i}].image"), "A digest is sha256: followed by 64 hex digits.");
            }
        }
    }
    check_note(request.note.as_deref(), &mut errors);
    errors.finish()
}

/// A rollback's or redeploy's request: only its note has a rule.
pub fn validate_redeploy(request: &RedeployRequest) -> Result<(), Vec<FieldError>> {
    let mut errors = Errors::new();
    check_note(request.note.as_deref(), &mut errors);
    errors.finish()
}

pub(super) fn check_note(note: Option<&str>, errors: &mut Errors) {
    if note.is_some_and(|n| char_len(n) > NOTE_MAX) {
        errors.add("note", format!("A note is at most {NOTE_MAX} characters."));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::ImageChange;

    fn request(images: &[(&str, &str)]) -> DeployRequest {
        DeployRequest {
            cluster: "itflex-nginx".into(),
            service: "nginx-web-access".into(),
            images: images.iter().map(|(c, i)| ImageChange { container: (*c).into(), image: (*i).into() }).collect(),
            note: None,
            freeze_override: None,
        }
    }

    fn paths(r: &DeployRequest) -> Vec<String> {
        validate_deploy(r).err().unwrap_or_default().into_iter().map(|e| e.path).collect()
    }

    #[test]
    fn a_tag_or_a_digest_is_accepted() {
        let digest = format!("repo@sha256:{}", "a".repeat(64));
        assert_eq!(
            paths(&request(&[("web", "123.dkr.ecr.us-east-1.amazonaws.com/nginxweb:v2")])),
            Vec::<String>::new()
        );
        assert_eq!(paths(&request(&[("web", &digest)])), Vec::<String>::new());
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let mut r = request(&[("web", "a b"), ("web", "x"), ("", ""), ("db", "repo@sha256:12")]);
        r.cluster = " ".into();
        r.note = Some("n".repeat(NOTE_MAX + 1));
        assert_eq!(
            paths(&r),
            [
                "cluster",
                "images[0].image",
                "images[1].container",
                "images[2].container",
                "images[2].image",
                "images[3].image",
                "note"
            ]
        );
        assert_eq!(paths(&request(&[])), ["images"]);
    }
}
