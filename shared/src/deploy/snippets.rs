//! Ready-to-paste CI jobs that deploy through Berth's API with a token: a GitLab CI job that
//! replaces the lab's `register-task-definition` + `update-service` steps, and a GitHub Actions step.
//! Both wait for the rollout and fail the job when it fails (`curl --fail-with-body`: HTTP 424).

/// A container of the service and the repository its new image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetContainer {
    pub name: String,
    /// Image reference without tag or digest, e.g. `1234.dkr.ecr.us-east-1.amazonaws.com/nginxweb`.
    pub repository: String,
}

/// The repository part of an image reference (`repo:tag` / `repo@sha256:...` -> `repo`).
pub fn repository_of(image: &str) -> String {
    let without_digest = image.split('@').next().unwrap_or(image);
    match without_digest.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => repo.to_string(),
        _ => without_digest.to_string(),
    }
}

fn body(cluster: &str, service: &str, containers: &[SnippetContainer], tag: &str, note: &str) -> String {
    let images: Vec<String> = containers
        .iter()
        .map(|c| format!(r#"{{"container":"{}","image":"{}:{tag}"}}"#, c.name, c.repository))
        .collect();
    format!(r#"{{"cluster":"{cluster}","service":"{service}","images":[{}],"note":"{note}"}}"#, images.join(","))
}

/// A GitLab CI job (in place of the lab's `fwm:staging:deploy-cluster`). The image is tagged with
/// the commit (`$CI_COMMIT_SHORT_SHA`): push that tag in the build job.
pub fn gitlab(
    origin: &str,
    environment: &str,
    cluster: &str,
    service: &str,
    containers: &[SnippetContainer],
) -> String {
    let data = body(cluster, service, containers, "$CI_COMMIT_SHORT_SHA", "$CI_PIPELINE_URL").replace('"', "\\\"");
    format!(
        "# Deploys through Berth: registers the revision, updates the service and waits for the rollout;\n\
         # the job fails when the rollout fails. Store a deployer token as the masked variable BERTH_TOKEN.\n\
         deploy:{service}:\n  \
           image: curlimages/curl:8.11.1\n  \
           script:\n    \
             - >\n      \
               curl --fail-with-body --silent --show-error --max-time 1800\n      \
               -X POST \"$BERTH_URL/api/envs/{environment}/deployments?wait=true\"\n      \
               -H \"Authorization: Bearer $BERTH_TOKEN\"\n      \
               -H \"Idempotency-Key: gitlab-$CI_JOB_ID\"\n      \
               -H \"Content-Type: application/json\"\n      \
               --data \"{data}\"\n  \
           variables:\n    \
             BERTH_URL: {origin}\n"
    )
}

/// A GitHub Actions step; the token is the repository secret `BERTH_TOKEN`.
pub fn github(
    origin: &str,
    environment: &str,
    cluster: &str,
    service: &str,
    containers: &[SnippetContainer],
) -> String {
    let data = body(
        cluster,
        service,
        containers,
        "${{ github.sha }}",
        "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}",
    );
    format!(
        "- name: Deploy {service} with Berth\n  \
           env:\n    \
             BERTH_TOKEN: ${{{{ secrets.BERTH_TOKEN }}}}\n  \
           run: |\n    \
             curl --fail-with-body --silent --show-error --max-time 1800 \\\n      \
               -X POST \"{origin}/api/envs/{environment}/deployments?wait=true\" \\\n      \
               -H \"Authorization: Bearer $BERTH_TOKEN\" \\\n      \
               -H \"Idempotency-Key: github-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}\" \\\n      \
               -H \"Content-Type: application/json\" \\\n      \
               --data '{data}'\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web() -> Vec<SnippetContainer> {
        vec![SnippetContainer {
            name: "nginx-web".into(),
            repository: "1234.dkr.ecr.us-east-1.amazonaws.com/nginxweb".into(),
        }]
    }

    #[test]
    fn repositories_drop_the_tag_or_digest_but_not_a_registry_port() {
        assert_eq!(
            repository_of("1234.dkr.ecr.us-east-1.amazonaws.com/nginxweb:v2"),
            "1234.dkr.ecr.us-east-1.amazonaws.com/nginxweb"
        );
        assert_eq!(repository_of("nginx@sha256:abc"), "nginx");
        assert_eq!(repository_of("localhost:5000/web"), "localhost:5000/web");
    }

    #[test]
    fn the_gitlab_job_waits_fails_on_a_failed_rollout_and_sends_the_commit_tag() {
        let job = gitlab("https://berth.example.com", "local", "itflex-nginx", "nginx-web-access", &web());
        assert!(job.contains("curl --fail-with-body"), "{job}");
        assert!(job.contains("\"$BERTH_URL/api/envs/local/deployments?wait=true\""), "{job}");
        assert!(
            job.contains(r#"\"image\":\"1234.dkr.ecr.us-east-1.amazonaws.com/nginxweb:$CI_COMMIT_SHORT_SHA\""#),
            "{job}"
        );
        assert!(job.contains("BERTH_URL: https://berth.example.com\n"), "{job}");
    }

    #[test]
    fn the_github_step_uses_the_secret_and_the_commit() {
        let step = github("https://berth.example.com", "local", "itflex-nginx", "nginx-web-access", &web());
        assert!(step.contains("BERTH_TOKEN: ${{ secrets.BERTH_TOKEN }}"), "{step}");
        assert!(step.contains("nginxweb:${{ github.sha }}"), "{step}");
        assert!(step.contains("Idempotency-Key: github-${{ github.run_id }}-${{ github.run_attempt }}"), "{step}");
    }
}
