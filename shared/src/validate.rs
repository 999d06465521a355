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

/// Length in characters, as AWS counts (Unicode scalar values).
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}
