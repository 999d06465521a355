//! Local mode's push: the local AWS has no registry to `docker push` to, so Berth (its repository
//! page's "Simulate a push", or `berth local push`) ends a push as Docker does — PutImage with a
//! manifest of layers — and ECR gives the image its digest, size and push time.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::validate::Errors;

/// The tags to push one new image with (the first one names it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocalPush {
    pub tags: Vec<String>,
}

/// Docker's tag grammar (what `docker tag` / `docker push` accept): 1-128 of letters, digits,
/// `_`, `.` and `-`, not starting with `.` or `-`
/// (<https://docs.docker.com/reference/cli/docker/image/tag/>). Berth's own rule for the push it
/// stands in for — ECR's PutImage itself takes any 1-300 characters.
pub fn tag_error(tag: &str) -> Option<String> {
    let ok = tag.len() <= 128
        && tag.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        && tag.chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    (!ok).then(|| format!("{tag:?} is not an image tag: 1-128 letters, digits, _ . -, not starting with . or -."))
}

pub fn validate_local_push(push: &LocalPush) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::new();
    if push.tags.is_empty() || push.tags.len() > 10 {
        e.add("tags", "Give 1 to 10 tags (the first names the image).");
    }
    for (i, tag) in push.tags.iter().enumerate() {
        if let Some(message) = tag_error(tag) {
            e.add(format!("tags[{i}]"), message);
        }
    }
    e.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_dockers_grammar() {
        for good in ["v3", "latest", "a1b2c3d", "_x", "1.27.3-alpine"] {
            assert_eq!(tag_error(good), None, "{good}");
        }
        for bad in ["", "-v", ".v", "v 3", "v:3", &"x".repeat(129)] {
            assert!(tag_error(bad).is_some(), "{bad}");
        }
        let errors = validate_local_push(&LocalPush { tags: vec!["v3".into(), "no way".into()] }).unwrap_err();
        assert_eq!(errors[0].path, "tags[1]");
        assert!(validate_local_push(&LocalPush { tags: vec![] }).is_err());
    }
}
