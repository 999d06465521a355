//! Helpers to collect rule violations with their JSON paths.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::FieldError;
use crate::sources;

/// Collects the errors of one document; paths are built as the walk goes deeper.
///
/// A rule named by [`Errors::rule`] is an error only if [`sources::RULES`] gives it a source:
/// without one it is not known to be AWS's, so it becomes a warning (see [`Errors::unsourced`]).
#[derive(Debug, Default)]
pub struct Errors {
    errors: Vec<FieldError>,
    unsourced: Vec<FieldError>,
}

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    /// A broken rule of Berth's own (sessions, users, deploy plans): not an AWS rule.
    pub fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(path, message));
    }

    /// A broken AWS rule, by its id in [`sources::RULES`].
    pub fn rule(&mut self, id: &'static str, path: impl Into<String>, message: impl Into<String>) {
        let error = FieldError::new(path, message).breaking(id);
        if sources::is_sourced(id) {
            self.errors.push(error);
        } else {
            self.unsourced.push(error);
        }
    }

    /// Adds the document's integers that don't fit 32 bits, except at paths already refused by a
    /// more specific rule.
    pub fn add_integer_overflows<T: serde::Serialize>(&mut self, document: &T) {
        let Some(value) = as_value(document) else { return };
        let mut found = Errors::new();
        integers_fit(&value, "", &mut found);
        for error in found.errors {
            if !self.errors.iter().any(|e| e.path == error.path) {
                self.errors.push(error);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.errors
    }

    /// Errors, and the broken rules that have no source (reported as warnings).
    pub fn split(self) -> (Vec<FieldError>, Vec<FieldError>) {
        (self.errors, self.unsourced)
    }

    /// Broken rules without a known AWS source, so far.
    pub fn unsourced(&self) -> &[FieldError] {
        &self.unsourced
    }

    /// `Ok(())` when no rule was broken.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() { Ok(()) } else { Err(self.errors) }
    }
}

/// A model as a JSON value, through its text rather than `serde_json::to_value`: the front end
/// already serializes models to text (request bodies), so this adds no second serializer of every
/// model to its bundles (≈ 6 KB gzipped off the task definition wizard's).
pub fn as_value<T: serde::Serialize>(model: &T) -> Option<Value> {
    serde_json::to_string(model).ok().and_then(|text| serde_json::from_str(&text).ok())
}

/// Every integer of the ECS inputs Berth sends (RegisterTaskDefinition, CreateService,
/// UpdateService) is an `Integer` in the API's model: a 32-bit signed number. A value beyond it
/// is refused at its path, never clamped (AWS API Reference, "Data Types": Integer).
pub fn integers_fit(value: &serde_json::Value, path: &str, errors: &mut Errors) {
    match value {
        serde_json::Value::Number(n) => {
            let fits = n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()) || n.is_f64();
            if !fits {
                errors.rule(
                    "integer.32bit",
                    path,
                    format!("{n} is beyond the 32-bit integer ECS takes here ({} to {}).", i32::MIN, i32::MAX),
                );
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                integers_fit(item, &format!("{path}[{i}]"), errors);
            }
        }
        serde_json::Value::Object(members) => {
            for (key, member) in members {
                let inner = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                integers_fit(member, &inner, errors);
            }
        }
        _ => {}
    }
}

/// Removes every `null` member (and `null` array item) and returns their paths. The AWS CLI
/// refuses a null ("Invalid type for parameter cpu, value: None", aws/aws-cli#3622); Berth's
/// imports drop them with a notice naming them, and `berth validate --strict` refuses them.
pub fn strip_nulls(value: &mut Value) -> Vec<String> {
    let mut found = Vec::new();
    strip(value, "", &mut found);
    found.sort();
    found
}

fn strip(value: &mut Value, path: &str, found: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                let inner = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                visit(member, inner, found);
            }
            members.retain(|_, member| !member.is_null());
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                visit(item, format!("{path}[{i}]"), found);
            }
            items.retain(|item| !item.is_null());
        }
        _ => {}
    }
}

fn visit(member: &mut Value, path: String, found: &mut Vec<String>) {
    if member.is_null() {
        found.push(path);
    } else {
        strip(member, &path, found);
    }
}

/// Reads a document into its typed model; a broken member is named by its JSON path, a missing
/// required one as `containerDefinitions[0].image: required` (serde would name the object that
/// lacks it, one level too high, in its own words).
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        located(if path == "." { "" } else { &path }, &e.into_inner().to_string())
    })
}

/// The error of one serde failure at `path`, with "missing field `x`" moved down to `path.x`.
pub fn located(path: &str, message: &str) -> FieldError {
    let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split_once('`')).map(|(f, _)| f);
    match missing {
        Some(field) if path.is_empty() => FieldError::new(field, "required").breaking(rule("document.required")),
        Some(field) => FieldError::new(format!("{path}.{field}"), "required").breaking(rule("document.required")),
        None if message.starts_with("unknown field") => {
            FieldError::new(path, message).breaking(rule("document.unknownKey"))
        }
        None => FieldError::new(path, message).breaking(rule("document.type")),
    }
}

/// Names a rule id where it is used, so the sources test finds it.
fn rule(id: &'static str) -> &'static str {
    id
}

/// Length in characters, as AWS counts (Unicode scalar values).
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_integer_beyond_32_bits_is_named_by_its_path() {
        let doc = serde_json::json!({"a": [{"b": 9_223_372_036_854_775_807i64}, {"b": 5}], "c": -1});
        let mut errors = Errors::new();
        integers_fit(&doc, "", &mut errors);
        let found = errors.into_vec();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "a[0].b");
    }

    #[test]
    fn nulls_are_removed_and_named_by_their_paths() {
        let mut doc = serde_json::json!({"a": null, "b": [{"c": null, "d": 1}, null], "e": {"f": null}});
        let found = strip_nulls(&mut doc);
        assert_eq!(found, ["a", "b[0].c", "b[1]", "e.f"]);
        assert_eq!(doc, serde_json::json!({"b": [{"d": 1}], "e": {}}));
    }

    #[test]
    fn a_missing_member_is_named_at_its_own_path() {
        let e = located("containerDefinitions[0]", "missing field `image`");
        assert_eq!((e.path.as_str(), e.message.as_str()), ("containerDefinitions[0].image", "required"));
        assert_eq!(located("", "missing field `family`").path, "family");
    }

    #[test]
    fn a_rule_without_a_source_is_a_warning_not_an_error() {
        let mut errors = Errors::new();
        let unlisted = "no.such.rule";
        errors.rule(unlisted, "x", "broken");
        errors.rule("integer.32bit", "y", "broken");
        let (errors, warnings) = errors.split();
        assert_eq!(errors.len(), 1);
        assert_eq!(warnings[0].path, "x");
    }
}
