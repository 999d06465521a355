//! Field-by-field differences between two task definitions (not a text diff of JSON).
//! Lists of named things (containers, volumes, ...) are matched by name, so a reordering is no
//! change and `containerDefinitions["web"].image` says which container changed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::TaskDefinitionSpec;
use crate::validate::as_value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// e.g. `containerDefinitions["web"].portMappings[0].hostPort`.
    pub path: String,
    /// Absent when the field was added.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<Value>,
    /// Absent when the field was removed.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<Value>,
}

pub fn diff(before: &TaskDefinitionSpec, after: &TaskDefinitionSpec) -> Vec<Change> {
    let (a, b) = (as_value(before).unwrap_or_default(), as_value(after).unwrap_or_default());
    let mut changes = Vec::new();
    walk(String::new(), Some(&a), Some(&b), &mut changes);
    changes
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// The elements' names when every element is an object with a distinct `name`.
fn names(items: &[Value]) -> Option<Vec<&str>> {
    let names: Vec<&str> = items.iter().map(|v| v.get("name").and_then(Value::as_str)).collect::<Option<_>>()?;
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    (sorted.len() == names.len()).then_some(names)
}

fn walk(path: String, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<Change>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                walk(join(&path, k), x.get(k), y.get(k), out);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if x.iter().chain(y).any(Value::is_object) => {
            match (names(x), names(y)) {
                (Some(nx), Some(ny)) => {
                    let mut all: Vec<&str> = nx.iter().chain(&ny).copied().collect();
                    all.dedup_by(|p, q| p == q);
                    let mut seen = Vec::new();
                    for n in all {
                        if seen.contains(&n) {
                            continue;
                        }
                        seen.push(n);
                        let find = |list: &[Value], names: &[&str]| {
                            names.iter().position(|m| *m == n).map(|i| &list[i]).cloned()
                        };
                        let (ea, eb) = (find(x, &nx), find(y, &ny));
                        walk(format!("{path}[\"{n}\"]"), ea.as_ref(), eb.as_ref(), out);
                    }
                }
                _ => {
                    for i in 0..x.len().max(y.len()) {
                        walk(format!("{path}[{i}]"), x.get(i), y.get(i), out);
                    }
                }
            }
        }
        (a, b) if a != b => out.push(Change { path, before: a.cloned(), after: b.cloned() }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec(v: Value) -> TaskDefinitionSpec {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn changes_are_fields_and_containers_are_matched_by_name() {
        let a = spec(json!({"family": "web", "memory": "512", "containerDefinitions": [
            {"name": "web", "image": "nginx:1.26", "memory": 256},
            {"name": "log", "image": "fluentbit:3", "memory": 64}]}));
        let b = spec(json!({"family": "web", "cpu": "256", "containerDefinitions": [
            {"name": "log", "image": "fluentbit:3", "memory": 64},
            {"name": "web", "image": "nginx:1.27", "memory": 256, "portMappings": [{"containerPort": 80}]}]}));
        let changes = diff(&a, &b);
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            ["containerDefinitions[\"web\"].image", "containerDefinitions[\"web\"].portMappings", "cpu", "memory"]
        );
        assert_eq!(changes[0].before, Some(json!("nginx:1.26")));
        assert_eq!(changes[0].after, Some(json!("nginx:1.27")));
        assert_eq!(changes[2].before, None, "added");
        assert_eq!(changes[3].after, None, "removed");
        assert!(diff(&a, &a).is_empty());
    }
}
