//! Promotions: environment B's service gets exactly the image digests environment A runs, and of
//! every other difference between the two task definitions, B keeps its value unless the promoter
//! takes A's (`take`, by path). The paths read as the task definition diff's do:
//! `taskRoleArn`, `containerDefinitions["web"].memory`,
//! `containerDefinitions["web"].environment["API_URL"]`, `containerDefinitions["sidecar"]`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::model::DeploymentRecord;
use crate::ecs::task_definition::{Change, TaskDefinitionSpec};
use crate::error::FieldError;
use crate::validate::{Errors, as_value};

/// `POST /api/envs/{B}/promotions` (and `…/promotions/preview`): promote what runs in `from`'s
/// `cluster`/`service` to the matching service of B.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PromotionRequest {
    /// The environment promoted from (A).
    pub from: String,
    /// The service in A.
    pub cluster: String,
    pub service: String,
    /// The service in B, when its name differs (default: the service an admin linked to A's in
    /// the live view, else the same cluster and service names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_cluster: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_service: Option<String>,
    /// The differences for which B takes A's value (paths from the preview's `fields`); every
    /// other one keeps B's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub take: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// An admin promotes during a freeze window of B: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freeze_override: Option<String>,
}

impl PromotionRequest {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        for (field, value) in [("from", &self.from), ("cluster", &self.cluster), ("service", &self.service)] {
            if value.trim().is_empty() {
                errors.add(field, "Required.");
            }
        }
        if self.target_cluster.is_some() != self.target_service.is_some() {
            errors.add("targetService", "Name both targetCluster and targetService, or neither.");
        }
        for (i, path) in self.take.iter().enumerate() {
            if self.take[..i].contains(path) {
                errors.add(format!("take[{i}]"), format!("{path} is named twice."));
            }
        }
        super::rules::check_note(self.note.as_deref(), &mut errors);
        if errors.is_empty() { Ok(()) } else { Err(errors.into_vec()) }
    }
}

/// A container's image, now in B and as promoted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PromotedImage {
    pub container: String,
    /// B's image now (absent for a container B does not have).
    pub now: Option<String>,
    /// What B will run: A's digest, from B's own registry when it holds it under the same
    /// repository name, else A's reference pinned to the digest.
    pub promoted: String,
    pub digest: Option<String>,
}

/// A difference between A's and B's task definitions, other than the images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FieldDifference {
    pub path: String,
    /// A's value (absent: A does not have it; taking it removes it from B).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub source: Option<Value>,
    /// B's value now.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub target: Option<Value>,
    /// The request takes A's value (B keeps its own otherwise).
    pub taken: bool,
}

/// What a promotion would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PromotionPlan {
    /// The deployment of A whose release is promoted.
    pub source: DeploymentRecord,
    /// A's revision running now (`family:revision`).
    pub source_task_definition: String,
    pub target_environment: String,
    pub target_cluster: String,
    pub target_service: String,
    /// B's revision running now.
    pub target_task_definition: String,
    pub images: Vec<PromotedImage>,
    /// Every other difference, with the request's choice.
    pub fields: Vec<FieldDifference>,
    /// B's task definition now -> as promoted, field by field.
    pub changes: Vec<Change>,
}

/// Where a difference lives.
#[derive(Debug, Clone, PartialEq)]
enum Place {
    Top(String),
    Container(String),
    ContainerKey(String, String),
    /// `environment` or `secrets` entry, by name.
    Item(String, String, String),
}

/// The lists whose entries are compared one by one, by `name`.
const NAMED_LISTS: [&str; 2] = ["environment", "secrets"];
/// Fields that are not a promotion's choice: B keeps its family and tags, the images are A's.
const NOT_FIELDS: [&str; 3] = ["family", "containerDefinitions", "tags"];

fn path_of(place: &Place) -> String {
    match place {
        Place::Top(key) => key.clone(),
        Place::Container(name) => format!("containerDefinitions[\"{name}\"]"),
        Place::ContainerKey(name, key) => format!("containerDefinitions[\"{name}\"].{key}"),
        Place::Item(name, key, item) => format!("containerDefinitions[\"{name}\"].{key}[\"{item}\"]"),
    }
}

fn containers(spec: &Value) -> Vec<(String, Value)> {
    let list = spec.get("containerDefinitions").and_then(Value::as_array).cloned().unwrap_or_default();
    list.into_iter().map(|c| (c.get("name").and_then(Value::as_str).unwrap_or("").to_string(), c)).collect()
}

fn named(list: Option<&Value>) -> Vec<(String, Value)> {
    let items = list.and_then(Value::as_array).cloned().unwrap_or_default();
    items.into_iter().map(|i| (i.get("name").and_then(Value::as_str).unwrap_or("").to_string(), i)).collect()
}

fn union<'a>(a: impl Iterator<Item = &'a String>, b: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for k in a.chain(b) {
        if !all.contains(k) {
            all.push(k.clone());
        }
    }
    all
}

/// Every difference between A (`source`) and B (`target`) but the images, in the task
/// definition's order.
fn differences(source: &Value, target: &Value) -> Vec<(Place, Option<Value>, Option<Value>)> {
    let mut out = Vec::new();
    let empty = Map::new();
    let (a, b) = (source.as_object().unwrap_or(&empty), target.as_object().unwrap_or(&empty));
    // Keys in name order, whatever order the JSON maps keep (serde_json's `preserve_order` is a
    // feature another crate may turn on).
    let sorted = |mut keys: Vec<String>| {
        keys.sort();
        keys
    };
    for key in sorted(union(a.keys(), b.keys())) {
        if NOT_FIELDS.contains(&key.as_str()) || a.get(&key) == b.get(&key) {
            continue;
        }
        out.push((Place::Top(key.clone()), a.get(&key).cloned(), b.get(&key).cloned()));
    }
    let (ca, cb) = (containers(source), containers(target));
    let names = union(ca.iter().map(|c| &c.0), cb.iter().map(|c| &c.0));
    for name in names {
        let find = |list: &[(String, Value)]| list.iter().find(|c| c.0 == name).map(|c| c.1.clone());
        let (x, y) = (find(&ca), find(&cb));
        let (Some(x), Some(y)) = (&x, &y) else {
            out.push((Place::Container(name.clone()), x, y));
            continue;
        };
        let (x, y) = (x.as_object().unwrap_or(&empty), y.as_object().unwrap_or(&empty));
        for key in sorted(union(x.keys(), y.keys())) {
            if key == "name" || key == "image" || x.get(&key) == y.get(&key) {
                continue;
            }
            if NAMED_LISTS.contains(&key.as_str()) {
                let (ia, ib) = (named(x.get(&key)), named(y.get(&key)));
                for item in union(ia.iter().map(|i| &i.0), ib.iter().map(|i| &i.0)) {
                    let find = |list: &[(String, Value)]| list.iter().find(|i| i.0 == item).map(|i| i.1.clone());
                    let (va, vb) = (find(&ia), find(&ib));
                    if va != vb {
                        out.push((Place::Item(name.clone(), key.clone(), item), va, vb));
                    }
                }
            } else {
                out.push((Place::ContainerKey(name.clone(), key.clone()), x.get(&key).cloned(), y.get(&key).cloned()));
            }
        }
    }
    out
}

/// The differences, marked with what `take` takes from A.
pub fn fields(source: &TaskDefinitionSpec, target: &TaskDefinitionSpec, take: &[String]) -> Vec<FieldDifference> {
    let (a, b) = (as_value(source).unwrap_or_default(), as_value(target).unwrap_or_default());
    differences(&a, &b)
        .into_iter()
        .map(|(place, source, target)| {
            let path = path_of(&place);
            FieldDifference { taken: take.contains(&path), path, source, target }
        })
        .collect()
}

/// Sets (or, with `None`, removes) `key` of an object.
fn put(object: &mut Value, key: &str, value: Option<Value>) {
    let Some(map) = object.as_object_mut() else { return };
    match value {
        Some(v) => {
            map.insert(key.to_string(), v);
        }
        None => {
            map.remove(key);
        }
    }
}

/// Sets (or removes) the entry named `name` of a list, keeping the others' order; a new entry
/// goes last.
fn put_named(list: &mut Vec<Value>, name: &str, value: Option<Value>) {
    let at = list.iter().position(|v| v.get("name").and_then(Value::as_str) == Some(name));
    match (at, value) {
        (Some(i), Some(v)) => list[i] = v,
        (Some(i), None) => {
            list.remove(i);
        }
        (None, Some(v)) => list.push(v),
        (None, None) => {}
    }
}

/// B's task definition as promoted: A's images (`images`: container -> reference) in every
/// container A has, and A's value for each difference `take` names. A path that is not a
/// difference is refused (`take[i]`), naming the differences there are.
pub fn merge(
    source: &TaskDefinitionSpec,
    target: &TaskDefinitionSpec,
    images: &[(String, String)],
    take: &[String],
) -> Result<TaskDefinitionSpec, Vec<FieldError>> {
    let (a, mut b) = (as_value(source).unwrap_or_default(), as_value(target).unwrap_or_default());
    let found = differences(&a, &b);
    let mut errors = Errors::new();
    for (i, path) in take.iter().enumerate() {
        if !found.iter().any(|(place, ..)| &path_of(place) == path) {
            let known: Vec<String> = found.iter().map(|(p, ..)| path_of(p)).collect();
            let listed = if known.is_empty() { "there are none".to_string() } else { known.join(", ") };
            errors.add(
                format!("take[{i}]"),
                format!("{path} is not a difference between the two task definitions; the differences: {listed}."),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors.into_vec());
    }
    for (place, value, _) in found.into_iter().filter(|(p, ..)| take.contains(&path_of(p))) {
        let mut list = match b.get_mut("containerDefinitions").and_then(Value::as_array_mut) {
            Some(list) => std::mem::take(list),
            None => Vec::new(),
        };
        match &place {
            Place::Top(key) => put(&mut b, key, value),
            Place::Container(name) => put_named(&mut list, name, value),
            Place::ContainerKey(name, key) | Place::Item(name, key, _) => {
                if let Some(c) = list.iter_mut().find(|c| c.get("name").and_then(Value::as_str) == Some(name)) {
                    if let Place::Item(_, _, item) = &place {
                        let mut entries = c.get(key.as_str()).and_then(Value::as_array).cloned().unwrap_or_default();
                        put_named(&mut entries, item, value);
                        put(c, key, (!entries.is_empty()).then_some(Value::Array(entries)));
                    } else {
                        put(c, key, value);
                    }
                }
            }
        }
        put(&mut b, "containerDefinitions", Some(Value::Array(list)));
    }
    if let Some(list) = b.get_mut("containerDefinitions").and_then(Value::as_array_mut) {
        for c in list {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("").to_string();
            if let Some((_, image)) = images.iter().find(|(n, _)| *n == name) {
                put(c, "image", Some(Value::String(image.clone())));
            }
        }
    }
    serde_json::from_value(b).map_err(|e| vec![FieldError::new("take", format!("The merged task definition: {e}"))])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec(v: Value) -> TaskDefinitionSpec {
        serde_json::from_value(v).unwrap()
    }

    fn staging() -> TaskDefinitionSpec {
        spec(json!({"family": "web-staging", "taskRoleArn": "arn:aws:iam::111111111111:role/app", "memory": "512",
            "containerDefinitions": [{"name": "web", "image": "111111111111.dkr.ecr.us-east-1.amazonaws.com/web@sha256:aa",
                "memory": 256, "environment": [{"name": "API_URL", "value": "https://staging.api"}, {"name": "NEW_FLAG", "value": "on"}],
                "secrets": [{"name": "DB", "valueFrom": "arn:aws:ssm:us-east-1:111111111111:parameter/staging/db"}]},
              {"name": "sidecar", "image": "fluentbit:3", "memory": 64}]}))
    }

    fn production() -> TaskDefinitionSpec {
        spec(json!({"family": "web-prod", "taskRoleArn": "arn:aws:iam::222222222222:role/app", "memory": "512",
            "tags": [{"key": "team", "value": "web"}],
            "containerDefinitions": [{"name": "web", "image": "222222222222.dkr.ecr.us-east-1.amazonaws.com/web:v1",
                "memory": 512, "environment": [{"name": "API_URL", "value": "https://api"}],
                "secrets": [{"name": "DB", "valueFrom": "arn:aws:ssm:us-east-1:222222222222:parameter/prod/db"}]}]}))
    }

    #[test]
    fn every_difference_but_the_images_is_a_field_by_its_path() {
        let found = fields(&staging(), &production(), &["containerDefinitions[\"web\"].memory".into()]);
        let paths: Vec<(&str, bool)> = found.iter().map(|f| (f.path.as_str(), f.taken)).collect();
        assert_eq!(
            paths,
            [
                ("taskRoleArn", false),
                ("containerDefinitions[\"web\"].environment[\"API_URL\"]", false),
                ("containerDefinitions[\"web\"].environment[\"NEW_FLAG\"]", false),
                ("containerDefinitions[\"web\"].memory", true),
                ("containerDefinitions[\"web\"].secrets[\"DB\"]", false),
                ("containerDefinitions[\"sidecar\"]", false),
            ]
        );
        assert_eq!(found[3].source, Some(json!(256)));
        assert_eq!(found[3].target, Some(json!(512)));
        assert_eq!(found[2].target, None, "B has no NEW_FLAG");
    }

    #[test]
    fn b_keeps_its_values_but_for_those_taken_and_runs_a_s_images() {
        let images = [("web".to_string(), "222222222222.dkr.ecr.us-east-1.amazonaws.com/web@sha256:aa".to_string())];
        let take = [
            "containerDefinitions[\"web\"].environment[\"NEW_FLAG\"]".to_string(),
            "containerDefinitions[\"web\"].memory".into(),
        ];
        let merged = merge(&staging(), &production(), &images, &take).unwrap();
        let v = as_value(&merged).unwrap();
        assert_eq!(v["family"], "web-prod");
        assert_eq!(v["taskRoleArn"], "arn:aws:iam::222222222222:role/app", "kept");
        assert_eq!(v["tags"], json!([{"key": "team", "value": "web"}]), "B's tags");
        let web = &v["containerDefinitions"][0];
        assert_eq!(web["image"], images[0].1);
        assert_eq!(web["memory"], 256, "taken");
        assert_eq!(
            web["environment"],
            json!([{"name": "API_URL", "value": "https://api"}, {"name": "NEW_FLAG", "value": "on"}])
        );
        assert_eq!(web["secrets"][0]["valueFrom"], "arn:aws:ssm:us-east-1:222222222222:parameter/prod/db");
        assert_eq!(v["containerDefinitions"].as_array().unwrap().len(), 1, "the sidecar was not taken");

        let with_sidecar = merge(&staging(), &production(), &images, &["containerDefinitions[\"sidecar\"]".into()]);
        assert_eq!(as_value(&with_sidecar.unwrap()).unwrap()["containerDefinitions"][1]["name"], "sidecar");
    }

    #[test]
    fn a_path_that_is_no_difference_is_refused_by_its_index() {
        let err = merge(&staging(), &production(), &[], &["taskRoleArn".into(), "cpu".into()]).unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].path, "take[1]");
        assert!(err[0].message.contains("taskRoleArn"), "{}", err[0].message);
        let request = PromotionRequest {
            from: "staging".into(),
            cluster: "c".into(),
            service: "s".into(),
            target_cluster: Some("c".into()),
            take: vec!["memory".into(), "memory".into()],
            ..Default::default()
        };
        let paths: Vec<String> = request.validate().unwrap_err().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["targetService", "take[1]"]);
    }
}
