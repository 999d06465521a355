//! A deploy's images checked before anything is recorded: an image of the environment's ECR that
//! does not exist is refused (ECS would only find out when its tasks fail to pull it); an image
//! Berth can't check (Docker Hub, another region, a registry that refuses the look-up) is a warning.

use shared::deploy::{ImageChange, ecr_reference};
use shared::error::FieldError;

use crate::aws::AwsEnv;
use crate::error::AppError;

/// The warnings, or a 422 naming `images[i].image` for each image ECR does not have.
pub async fn check(aws: &AwsEnv, images: &[ImageChange]) -> Result<Vec<FieldError>, AppError> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for (i, change) in images.iter().enumerate() {
        let path = format!("images[{i}].image");
        let Some(reference) = ecr_reference(&change.image) else {
            warnings.push(FieldError::new(
                &path,
                "Not in an ECR registry: Berth can't check that this image exists; ECS will pull it when tasks start.",
            ));
            continue;
        };
        if reference.region != aws.info.region {
            warnings.push(FieldError::new(
                &path,
                format!(
                    "In ECR of {}, not of this environment's region ({}): Berth can't check that it exists.",
                    reference.region, aws.info.region
                ),
            ));
            continue;
        }
        let found = aws
            .find_image(
                &reference.account,
                &reference.repository,
                reference.tag.as_deref(),
                reference.digest.as_deref(),
            )
            .await;
        match found {
            Ok(Some(_)) => {}
            Ok(None) => errors.push(FieldError::new(
                &path,
                match (&reference.tag, &reference.digest) {
                    (_, Some(digest)) => format!(
                        "Repository {} has no image with digest {digest} (ECR DescribeImages).",
                        reference.repository
                    ),
                    (tag, None) => format!(
                        "Repository {} has no image tagged {} (ECR DescribeImages): push it first.",
                        reference.repository,
                        tag.as_deref().unwrap_or("latest")
                    ),
                },
            )),
            Err(AppError::NotFound(message)) => errors.push(FieldError::new(&path, message)),
            Err(AppError::Forbidden(_)) | Err(AppError::AccessDenied { .. }) => warnings.push(FieldError::new(
                &path,
                format!(
                    "Registry {} did not let Berth look this image up (another account?): it can't be checked.",
                    reference.account
                ),
            )),
            Err(e) => return Err(e),
        }
    }
    if errors.is_empty() { Ok(warnings) } else { Err(AppError::Validation(errors)) }
}
