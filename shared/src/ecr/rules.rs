//! AWS's rules for ECR inputs (ECR API reference: CreateRepository, Tag, EncryptionConfiguration).

use super::spec::{EncryptionType, RepositorySpec, Tag};
use crate::error::FieldError;
use crate::validate::{Errors, char_len};

// The repository's rules live beside the rules they call (not in spec.rs), so spec and rules
// don't import each other.
impl RepositorySpec {
    /// Every rule AWS applies to CreateRepository, each error with its JSON path.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        if let Err(m) = validate_repository_name(&self.repository_name) {
            errors.rule("ecr.repositoryName", "repositoryName", m);
        }
        if let Some(id) = &self.registry_id
            && (id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()))
        {
            errors.rule("ecr.registryId", "registryId", "Registry ID must be a 12-digit AWS account ID.");
        }
        if let Some(enc) = &self.encryption_configuration
            && let Err(m) = validate_kms_key(enc.encryption_type, enc.kms_key.as_deref())
        {
            errors.rule("ecr.kmsKey", "encryptionConfiguration.kmsKey", m);
        }
        validate_tags(&self.tags, &mut errors);
        errors.finish()
    }
}

pub const NAME_MIN: usize = 2;
pub const NAME_MAX: usize = 256;
pub const TAGS_MAX: usize = 50;
pub const TAG_KEY_MAX: usize = 128;
pub const TAG_VALUE_MAX: usize = 256;
pub const KMS_KEY_MAX: usize = 2048;

fn is_name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn is_separator(c: char) -> bool {
    matches!(c, '.' | '_' | '-')
}

/// AWS's rule: 2–256 characters matching
/// `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`.
/// Written by hand (no regex engine in the browser bundle) so that each way of breaking the rule
/// gets a message that says what to change.
pub fn validate_repository_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("Repository name is required.".into());
    }
    if let Some(c) = name.chars().find(|&c| !is_name_char(c) && !is_separator(c) && c != '/') {
        let hint = if c.is_ascii_uppercase() { " (use lowercase)" } else { "" };
        return Err(format!("Repository name can't contain '{c}'{hint}: use lowercase letters, digits, and . _ - /"));
    }
    let len = char_len(name);
    if !(NAME_MIN..=NAME_MAX).contains(&len) {
        return Err(format!("Repository name must be {NAME_MIN} to {NAME_MAX} characters long (it has {len})."));
    }
    for part in name.split('/') {
        if part.is_empty() {
            return Err("Repository name can't start or end with '/' or contain '//'.".into());
        }
        let first = part.chars().next().unwrap_or('/');
        let last = part.chars().next_back().unwrap_or('/');
        if !is_name_char(first) || !is_name_char(last) {
            return Err(format!(
                "Each part of the name must start and end with a lowercase letter or digit: '{part}' doesn't."
            ));
        }
        if part.as_bytes().windows(2).any(|w| is_separator(w[0] as char) && is_separator(w[1] as char)) {
            return Err(format!(
                "Separators (. _ -) must stand between letters or digits, one at a time: '{part}' has two in a row."
            ));
        }
    }
    Ok(())
}

/// The KMS key goes with KMS encryption only.
pub fn validate_kms_key(kind: EncryptionType, key: Option<&str>) -> Result<(), String> {
    match (kind.uses_kms(), key) {
        (false, Some(_)) => Err("A KMS key can only be given with KMS encryption, not AES256.".into()),
        (true, Some(k)) if k.trim().is_empty() => {
            Err("KMS key can't be blank: give a key ID, key ARN or alias, or leave it out to use aws/ecr.".into())
        }
        (true, Some(k)) if char_len(k) > KMS_KEY_MAX => {
            Err(format!("KMS key must be at most {KMS_KEY_MAX} characters."))
        }
        _ => Ok(()),
    }
}

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c)
}

/// One tag's rules; `Err((field, message))` where field is `Key` or `Value`.
pub fn validate_tag(tag: &Tag) -> Result<(), (&'static str, String)> {
    validate_key_value(&tag.key, &tag.value)
}

/// The tag rules ECR and ECS share (they spell the members differently: `Key` vs `key`).
pub(crate) fn validate_key_value(key: &str, value: &str) -> Result<(), (&'static str, String)> {
    let key_len = char_len(key);
    if key_len == 0 {
        return Err(("Key", "Tag key is required.".into()));
    }
    if key_len > TAG_KEY_MAX {
        return Err(("Key", format!("Tag key must be at most {TAG_KEY_MAX} characters (it has {key_len}).")));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err(("Key", "Tag keys starting with 'aws:' are reserved for AWS.".into()));
    }
    if let Some(c) = key.chars().find(|&c| !is_tag_char(c)) {
        return Err(("Key", format!("Tag key can't contain '{c}': use letters, digits, spaces and _ . : / = + - @")));
    }
    let value_len = char_len(value);
    if value_len > TAG_VALUE_MAX {
        return Err(("Value", format!("Tag value must be at most {TAG_VALUE_MAX} characters (it has {value_len}).")));
    }
    if let Some(c) = value.chars().find(|&c| !is_tag_char(c)) {
        return Err((
            "Value",
            format!("Tag value can't contain '{c}': use letters, digits, spaces and _ . : / = + - @"),
        ));
    }
    Ok(())
}

pub(crate) fn validate_tags(tags: &[Tag], errors: &mut Errors) {
    let pairs: Vec<(&str, &str)> = tags.iter().map(|t| (t.key.as_str(), t.value.as_str())).collect();
    validate_tag_list(&pairs, false, errors);
}

/// A resource's tags at `tags[i].Key`/`.Value` (ECR) or `tags[i].key`/`.value` (ECS, `lowercase`).
pub(crate) fn validate_tag_list(tags: &[(&str, &str)], lowercase: bool, errors: &mut Errors) {
    if tags.len() > TAGS_MAX {
        errors.rule("tag", "tags", format!("At most {TAGS_MAX} tags are allowed (there are {}).", tags.len()));
    }
    let spell = |field: &str| if lowercase { field.to_ascii_lowercase() } else { field.to_string() };
    for (i, (key, value)) in tags.iter().enumerate() {
        if let Err((field, message)) = validate_key_value(key, value) {
            errors.rule("tag", format!("tags[{i}].{}", spell(field)), message);
        } else if tags[..i].iter().any(|(k, _)| k == key) {
            errors.rule("tag", format!("tags[{i}].{}", spell("Key")), format!("Tag key '{key}' is used twice."));
        }
    }
}
