use super::*;
use crate::error::FieldError;

fn name_err(name: &str) -> String {
    validate_repository_name(name).expect_err(name)
}

#[test]
fn names_aws_accepts_pass() {
    for ok in ["ab", "nginxweb", "team/app", "a.b_c-d/e0", "a/b/c/d", "x9", &"a".repeat(256)] {
        assert_eq!(validate_repository_name(ok), Ok(()), "{ok}");
    }
}

#[test]
fn names_aws_rejects_get_the_exact_message() {
    assert_eq!(name_err(""), "Repository name is required.");
    assert_eq!(name_err("a"), "Repository name must be 2 to 256 characters long (it has 1).");
    assert_eq!(name_err(&"a".repeat(257)), "Repository name must be 2 to 256 characters long (it has 257).");
    assert_eq!(
        name_err("Nginx"),
        "Repository name can't contain 'N' (use lowercase): use lowercase letters, digits, and . _ - /"
    );
    assert_eq!(name_err("my app"), "Repository name can't contain ' ': use lowercase letters, digits, and . _ - /");
    assert_eq!(name_err("/app"), "Repository name can't start or end with '/' or contain '//'.");
    assert_eq!(name_err("team//app"), "Repository name can't start or end with '/' or contain '//'.");
    assert_eq!(
        name_err("-app"),
        "Each part of the name must start and end with a lowercase letter or digit: '-app' doesn't."
    );
    assert_eq!(
        name_err("team/app_"),
        "Each part of the name must start and end with a lowercase letter or digit: 'app_' doesn't."
    );
    assert_eq!(
        name_err("a.-b"),
        "Separators (. _ -) must stand between letters or digits, one at a time: 'a.-b' has two in a row."
    );
}

/// The hand-written matcher must agree with AWS's regex on every string, not just the examples.
#[test]
fn name_rule_agrees_with_the_aws_regex() {
    let aws = regex::Regex::new(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$").unwrap();
    let alphabet = ['a', '0', '.', '_', '-', '/', 'A'];
    // Every string up to 6 characters over an alphabet that hits each branch of the rule.
    let mut strings = vec![String::new()];
    for _ in 0..6 {
        let longer: Vec<String> =
            strings.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
        for s in &longer {
            let expected = aws.is_match(s) && (2..=256).contains(&s.len());
            assert_eq!(validate_repository_name(s).is_ok(), expected, "{s:?}");
        }
        strings = longer;
    }
}

#[test]
fn kms_key_only_with_kms_encryption() {
    assert!(validate_kms_key(EncryptionType::Aes256, None).is_ok());
    assert_eq!(
        validate_kms_key(EncryptionType::Aes256, Some("alias/x")),
        Err("A KMS key can only be given with KMS encryption, not AES256.".into())
    );
    assert!(validate_kms_key(EncryptionType::Kms, None).is_ok(), "AWS falls back to aws/ecr");
    assert!(validate_kms_key(EncryptionType::Kms, Some("alias/berth")).is_ok());
    assert!(validate_kms_key(EncryptionType::Kms, Some("  ")).is_err());
    assert!(validate_kms_key(EncryptionType::KmsDsse, Some(&"k".repeat(2049))).is_err());
}

#[test]
fn spec_errors_carry_json_paths() {
    let mut spec = RepositorySpec::named("Bad Name");
    spec.registry_id = Some("12345".into());
    spec.encryption_configuration =
        Some(EncryptionConfiguration { encryption_type: EncryptionType::Aes256, kms_key: Some("k".into()) });
    spec.tags = vec![
        Tag { key: "team".into(), value: "web".into() },
        Tag { key: "team".into(), value: "ops".into() },
        Tag { key: "aws:owner".into(), value: String::new() },
        Tag { key: "ok".into(), value: "bad<".into() },
    ];
    let paths: Vec<String> = spec.validate().unwrap_err().into_iter().map(|e: FieldError| e.path).collect();
    assert_eq!(
        paths,
        [
            "repositoryName",
            "registryId",
            "encryptionConfiguration.kmsKey",
            "tags[1].Key",
            "tags[2].Key",
            "tags[3].Value"
        ]
    );
}

#[test]
fn too_many_tags_is_one_error_on_tags() {
    let mut spec = RepositorySpec::named("app");
    spec.tags = (0..51).map(|i| Tag { key: format!("k{i}"), value: String::new() }).collect();
    let errors = spec.validate().unwrap_err();
    let found: Vec<(&str, &str)> = errors.iter().map(|e| (e.path.as_str(), e.message.as_str())).collect();
    assert_eq!(found, [("tags", "At most 50 tags are allowed (there are 51).")]);
}

#[test]
fn cli_input_json_round_trips_and_unknown_keys_are_refused() {
    let json = r#"{"repositoryName":"team/app","imageTagMutability":"IMMUTABLE",
        "imageScanningConfiguration":{"scanOnPush":true},
        "encryptionConfiguration":{"encryptionType":"KMS","kmsKey":"alias/app"},
        "tags":[{"Key":"team","Value":"web"}]}"#;
    let spec: RepositorySpec = serde_json::from_str(json).unwrap();
    assert_eq!(spec.image_tag_mutability, ImageTagMutability::Immutable);
    assert!(spec.validate().is_ok());
    let again: RepositorySpec = serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
    assert_eq!(again, spec);

    let err = serde_json::from_str::<RepositorySpec>(r#"{"repositoryName":"a1","colour":"red"}"#).unwrap_err();
    assert!(err.to_string().contains("unknown field `colour`"), "{err}");
}

#[test]
fn push_commands_are_the_four_aws_shows() {
    let uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app";
    let cmds: Vec<String> = push_commands(uri, "team/app", "eu-west-1").into_iter().map(|c| c.command).collect();
    assert_eq!(
        cmds,
        [
            "aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com",
            "docker build -t team/app .",
            "docker tag team/app:latest 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:latest",
            "docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:latest",
        ]
    );
}
