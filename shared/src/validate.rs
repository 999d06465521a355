//! Helpers to collect rule violations with their JSON paths.

use crate::error::FieldError;

/// Collects the errors of one document; paths are built as the walk goes deeper.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(path, message));
    }

    /// Adds the document's integers that don't fit 32 bits, except at paths already refused by a
    /// more specific rule.
    pub fn add_integer_overflows<T: serde::Serialize>(&mut self, document: &T) {
        let Ok(value) = serde_json::to_value(document) else { return };
        let mut found = Errors::new();
        integers_fit(&value, "", &mut found);
        for error in found.0 {
            if !self.0.iter().any(|e| e.path == error.path) {
                self.0.push(error);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// `Ok(())` when no rule was broken.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() { Ok(()) } else { Err(self.0) }
    }
}

/// Every integer of the ECS inputs Berth sends (RegisterTaskDefinition, CreateService,
/// UpdateService) is an `Integer` in the API's model: a 32-bit signed number. A value beyond it
/// is refused at its path, never clamped (AWS API Reference, "Data Types": Integer).
pub fn integers_fit(value: &serde_json::Value, path: &str, errors: &mut Errors) {
    match value {
        serde_json::Value::Number(n) => {
            let fits = n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()) || n.is_f64();
            if !fits {
                errors.add(
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
}
