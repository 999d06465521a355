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

fn body(cluster: &str, service: &str, containers: &[&SnippetContainer], tag: &str, note: &str) -> String {
    let images: Vec<String> = containers
        .iter()
        .map(|c| format!(r#"{{"container":"{}","image":"{}:{tag}"}}"#, c.name, c.repository))
        .collect();
    format!(r#"{{"cluster":"{cluster}","service":"{service}","images":[{}],"note":"{note}"}}"#, images.join(","))
}

/// What a CI snippet is for: Berth's public URL, the environment (local mode or an AWS region),
/// the service and its containers.
pub struct CiContext<'a> {
    /// Berth's address as CI reaches it (`--public-url`).
    pub berth_url: &'a str,
    pub environment: &'a str,
    pub region: &'a str,
    /// The local AWS: images are "pushed" with `berth local push`, not docker.
    pub local: bool,
    pub cluster: &'a str,
    pub service: &'a str,
    pub containers: &'a [SnippetContainer],
}

impl CiContext<'_> {
    /// The containers whose images CI builds and pushes: those in ECR (all of them when none is).
    fn built(&self) -> Vec<&SnippetContainer> {
        let ecr: Vec<&SnippetContainer> =
            self.containers.iter().filter(|c| c.repository.contains(".dkr.ecr.")).collect();
        if ecr.is_empty() { self.containers.iter().collect() } else { ecr }
    }

    /// The repositories to push, once each.
    fn repositories(&self) -> Vec<String> {
        let mut list: Vec<String> = Vec::new();
        for c in self.built() {
            if !list.contains(&c.repository) {
                list.push(c.repository.clone());
            }
        }
        list
    }

    /// Shell lines that build and push each repository's image as `tag` and `latest`.
    fn push_lines(&self, tag: &str) -> Vec<String> {
        let mut lines = Vec::new();
        if self.local {
            lines.push("# Local mode: no registry to push to; berth local push puts a new image into the local AWS's ECR (BERTH_LOCAL_AWS_URL is its URL)".to_string());
            for repository in self.repositories() {
                let name = repository.split_once('/').map_or(repository.as_str(), |(_, n)| n);
                lines.push(format!("berth local push {name}:{tag} --tag latest"));
            }
            return lines;
        }
        if let Some(registry) = self.repositories().first().map(|r| super::super::ecr::registry_of(r).to_string()) {
            lines.push(format!(
                "aws ecr get-login-password --region {} | docker login --username AWS --password-stdin {registry}",
                self.region
            ));
        }
        for repository in self.repositories() {
            lines.push(format!("docker build -t {repository}:{tag} -t {repository}:latest ."));
            lines.push(format!("docker push {repository}:{tag}"));
            lines.push(format!("docker push {repository}:latest"));
        }
        lines
    }
}

/// The lab's pipeline as two GitLab CI jobs (in place of `fwm:publish:deploy-nginx` and
/// `fwm:staging:deploy-cluster`): build and push the image tagged with the commit
/// (`$CI_COMMIT_SHORT_SHA`) and `latest`, then deploy that tag through Berth (which pins it by
/// digest) and wait: the job fails when the rollout fails.
pub fn gitlab(ci: &CiContext) -> String {
    let tag = "$CI_COMMIT_SHORT_SHA";
    let data = body(ci.cluster, ci.service, &ci.built(), tag, "$CI_PIPELINE_URL").replace('"', "\\\"");
    let indent = |lines: Vec<String>| lines.iter().map(|l| format!("      {l}\n")).collect::<String>();
    let (build_image, credentials) = if ci.local {
        ("", "")
    } else {
        (
            "  image: docker:27\n  services: [docker:27-dind]\n  variables:\n    DOCKER_HOST: tcp://docker:2375\n    DOCKER_TLS_CERTDIR: \"\"\n  before_script:\n    - apk add --no-cache aws-cli\n",
            "# The build job pushes with AWS credentials allowed to push to ECR (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).\n",
        )
    };
    let name = ci.repositories().first().map(|r| r.rsplit('/').next().unwrap_or(r).to_string()).unwrap_or_default();
    format!(
        "# Build and push the image tagged with the commit (and latest), then deploy that tag through\n\
         # Berth (pinned by digest) and wait: the deploy job fails when the rollout fails.\n\
         # Store a deployer token, limited to this service, as the masked variable BERTH_TOKEN.\n\
         {credentials}\
         build:{name}:\n  \
           stage: build\n\
         {build_image}  \
           script:\n    \
             - |\n\
         {push}\
         \n\
         deploy:{service}:\n  \
           stage: deploy\n  \
           image: curlimages/curl:8.11.1\n  \
           script:\n    \
             - |\n      \
               curl --fail-with-body --silent --show-error --max-time 1800 \\\n        \
                 -X POST \"$BERTH_URL/api/envs/{environment}/deployments?wait=true\" \\\n        \
                 -H \"Authorization: Bearer $BERTH_TOKEN\" \\\n        \
                 -H \"Idempotency-Key: gitlab-$CI_JOB_ID\" \\\n        \
                 -H \"Content-Type: application/json\" \\\n        \
                 --data \"{data}\"\n  \
           variables:\n    \
             BERTH_URL: {url}\n",
        push = indent(ci.push_lines(tag)),
        service = ci.service,
        environment = ci.environment,
        url = ci.berth_url,
    )
}

/// The same as GitHub Actions steps; the token is the repository secret `BERTH_TOKEN`.
pub fn github(ci: &CiContext) -> String {
    let tag = "${{ github.sha }}";
    let data = body(
        ci.cluster,
        ci.service,
        &ci.built(),
        tag,
        "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}",
    );
    let push: String = ci.push_lines(tag).iter().map(|l| format!("    {l}\n")).collect();
    let credentials = if ci.local {
        ""
    } else {
        "# Before: AWS credentials allowed to push to ECR (aws-actions/configure-aws-credentials).\n"
    };
    format!(
        "{credentials}\
         - name: Build and push the image\n  \
           run: |\n\
         {push}\
         - name: Deploy {service} with Berth\n  \
           env:\n    \
             BERTH_TOKEN: ${{{{ secrets.BERTH_TOKEN }}}}\n  \
           run: |\n    \
             curl --fail-with-body --silent --show-error --max-time 1800 \\\n      \
               -X POST \"{url}/api/envs/{environment}/deployments?wait=true\" \\\n      \
               -H \"Authorization: Bearer $BERTH_TOKEN\" \\\n      \
               -H \"Idempotency-Key: github-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}\" \\\n      \
               -H \"Content-Type: application/json\" \\\n      \
               --data '{data}'\n",
        service = ci.service,
        environment = ci.environment,
        url = ci.berth_url,
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

    fn ci<'a>(containers: &'a [SnippetContainer], local: bool) -> CiContext<'a> {
        CiContext {
            berth_url: "https://berth.example.com",
            environment: "local",
            region: "us-east-1",
            local,
            cluster: "itflex-nginx",
            service: "nginx-web-access",
            containers,
        }
    }

    #[test]
    fn the_gitlab_jobs_build_and_push_the_commit_tag_then_deploy_it_and_wait() {
        let containers = web();
        let job = gitlab(&ci(&containers, false));
        assert!(job.contains("build:nginxweb:\n  stage: build\n"), "{job}");
        assert!(job.contains("docker build -t 1234.dkr.ecr.us-east-1.amazonaws.com/nginxweb:$CI_COMMIT_SHORT_SHA -t 1234.dkr.ecr.us-east-1.amazonaws.com/nginxweb:latest ."), "{job}");
        assert!(
            job.contains("docker push 1234.dkr.ecr.us-east-1.amazonaws.com/nginxweb:$CI_COMMIT_SHORT_SHA"),
            "{job}"
        );
        assert!(job.contains("--password-stdin 1234.dkr.ecr.us-east-1.amazonaws.com\n"), "{job}");
        assert!(job.contains("curl --fail-with-body"), "{job}");
        assert!(job.contains("\"$BERTH_URL/api/envs/local/deployments?wait=true\""), "{job}");
        assert!(
            job.contains(r#"\"image\":\"1234.dkr.ecr.us-east-1.amazonaws.com/nginxweb:$CI_COMMIT_SHORT_SHA\""#),
            "{job}"
        );
        assert!(job.contains("BERTH_URL: https://berth.example.com\n"), "{job}");
        let local = gitlab(&ci(&containers, true));
        assert!(local.contains("berth local push nginxweb:$CI_COMMIT_SHORT_SHA --tag latest"), "{local}");
        assert!(!local.contains("docker"), "{local}");
    }

    #[test]
    fn only_images_in_ecr_are_built_and_deployed() {
        let mut containers = web();
        containers.push(SnippetContainer { name: "xray".into(), repository: "amazon/aws-xray-daemon".into() });
        let job = gitlab(&ci(&containers, false));
        assert!(!job.contains("aws-xray-daemon"), "a public image is not rebuilt: {job}");
        // Two containers of one repository: built and pushed once.
        containers.push(SnippetContainer { name: "worker".into(), repository: containers[0].repository.clone() });
        let job = gitlab(&ci(&containers, false));
        assert_eq!(job.matches("docker build").count(), 1, "{job}");
        assert!(job.contains("DOCKER_HOST: tcp://docker:2375\n"), "GitLab's docker-in-docker without TLS: {job}");
    }

    #[test]
    fn the_github_steps_use_the_secret_and_the_commit() {
        let containers = web();
        let step = github(&ci(&containers, false));
        assert!(step.contains("BERTH_TOKEN: ${{ secrets.BERTH_TOKEN }}"), "{step}");
        assert!(step.contains("nginxweb:${{ github.sha }}"), "{step}");
        assert!(step.contains("docker push 1234.dkr.ecr.us-east-1.amazonaws.com/nginxweb:${{ github.sha }}"), "{step}");
        assert!(step.contains("Idempotency-Key: github-${{ github.run_id }}-${{ github.run_attempt }}"), "{step}");
    }
}
