//! Image references that point into an ECR registry: `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO`
//! followed by `:TAG` or `@sha256:...` (AWS: "Pushing an image", ECR User Guide; a reference
//! without either means the tag `latest`, as Docker reads it).

/// An image reference into ECR, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrReference {
    pub account: String,
    pub region: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl EcrReference {
    /// `nginxweb:v1` or `nginxweb@sha256:…`, for messages.
    pub fn short(&self) -> String {
        match (&self.tag, &self.digest) {
            (_, Some(d)) => format!("{}@{d}", self.repository),
            (Some(t), None) => format!("{}:{t}", self.repository),
            (None, None) => self.repository.clone(),
        }
    }
}

/// The reference's parts when it names an ECR registry; `None` for Docker Hub, other registries
/// and anything malformed.
pub fn ecr_reference(image: &str) -> Option<EcrReference> {
    let (host, path) = image.trim().split_once('/')?;
    let mut labels = host.split('.');
    let account = labels.next()?;
    if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (dkr, ecr, region) = (labels.next()?, labels.next()?, labels.next()?);
    let domain: Vec<&str> = labels.collect();
    if dkr != "dkr"
        || ecr != "ecr"
        || region.is_empty()
        || !matches!(domain.as_slice(), ["amazonaws", "com"] | ["amazonaws", "com", "cn"])
    {
        return None;
    }
    let (repository, tag, digest) = match path.split_once('@') {
        Some((repo, digest)) => (repo, None, Some(digest.to_string())),
        None => match path.rsplit_once(':') {
            Some((repo, tag)) => (repo, Some(tag.to_string()), None),
            None => (path, Some("latest".to_string()), None),
        },
    };
    if repository.is_empty() {
        return None;
    }
    Some(EcrReference { account: account.into(), region: region.into(), repository: repository.into(), tag, digest })
}

/// `image` named by `digest` instead of its tag: `REGISTRY/REPO@sha256:…`, one of the two forms ECS
/// takes for an ECR image (ECS API reference, ContainerDefinition `image`: "registry/repository:tag
/// or registry/repository@digest"). What Berth registers when it deploys a tag, so the revision
/// runs what the tag named then, whatever it names later.
pub fn pinned_to(image: &str, digest: &str) -> String {
    format!("{}@{digest}", super::snippets::repository_of(image.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_references_are_taken_apart_and_others_are_not_ecr() {
        let r = ecr_reference("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:v1").unwrap();
        assert_eq!(
            (r.account.as_str(), r.region.as_str(), r.repository.as_str()),
            ("123456789012", "us-east-1", "team/web")
        );
        assert_eq!(r.tag.as_deref(), Some("v1"));
        let d = ecr_reference("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:abc").unwrap();
        assert_eq!((d.tag, d.digest.as_deref()), (None, Some("sha256:abc")));
        assert_eq!(
            ecr_reference("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web").unwrap().tag.as_deref(),
            Some("latest")
        );
        assert!(ecr_reference("nginx:1.27").is_none());
        assert!(ecr_reference("docker.io/library/nginx:1.27").is_none());
        assert!(ecr_reference("localhost:5000/web:v1").is_none());
        assert!(ecr_reference("12345.dkr.ecr.us-east-1.amazonaws.com/web:v1").is_none());
    }

    #[test]
    fn a_tag_is_pinned_to_its_digest_in_the_form_ecs_takes() {
        let registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
        assert_eq!(
            pinned_to(&format!("{registry}/team/web:v1"), "sha256:ab"),
            format!("{registry}/team/web@sha256:ab")
        );
        assert_eq!(pinned_to(&format!("{registry}/web"), "sha256:ab"), format!("{registry}/web@sha256:ab"));
        assert_eq!(pinned_to(&format!("{registry}/web@sha256:00"), "sha256:ab"), format!("{registry}/web@sha256:ab"));
        let pinned = ecr_reference(&pinned_to(&format!("{registry}/web:v1"), "sha256:ab")).unwrap();
        assert_eq!((pinned.repository.as_str(), pinned.digest.as_deref()), ("web", Some("sha256:ab")));
    }
}
