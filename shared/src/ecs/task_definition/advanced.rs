//! The members the wizard does not edit (it shows them read-only), typed like the rest so an
//! unknown key is refused by name and every one of them registers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::pairs::NameValue;

macro_rules! member {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $name {
            $($(#[$fdoc])* #[serde(default, skip_serializing_if = "Option::is_none")] pub $field: Option<$ty>,)*
        }
    };
}

member!(LinuxParameters {
    capabilities: KernelCapabilities,
    devices: Vec<Device>,
    init_process_enabled: bool,
    shared_memory_size: i64,
    tmpfs: Vec<Tmpfs>,
    max_swap: i64,
    swappiness: i64,
});
member!(KernelCapabilities { add: Vec<String>, drop: Vec<String> });
member!(Device { host_path: String, container_path: String, permissions: Vec<String> });
member!(Tmpfs { container_path: String, size: i64, mount_options: Vec<String> });
member!(RestartPolicy { enabled: bool, ignored_exit_codes: Vec<i64>, restart_attempt_period: i64 });
member!(RepositoryCredentials { credentials_parameter: String });
member!(HostEntry { hostname: String, ip_address: String });
member!(SystemControl { namespace: String, value: String });
member!(EphemeralStorage { size_in_gi_b: i64 });
member!(RuntimePlatform { cpu_architecture: String, operating_system_family: String });
member!(EfsAuthorizationConfig { access_point_id: String, iam: String });
member!(FsxAuthorizationConfig { credentials_parameter: String, domain: String });
member!(FsxWindowsVolume {
    file_system_id: String,
    root_directory: String,
    authorization_config: FsxAuthorizationConfig
});
member!(InferenceAccelerator { device_name: String, device_type: String });

/// `type` is a keyword in Rust: these spell it by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvironmentFile {
    #[serde(default)]
    pub value: String,
    /// `s3`.
    #[serde(rename = "type", default)]
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceRequirement {
    #[serde(default)]
    pub value: String,
    /// `GPU` or `InferenceAccelerator`.
    #[serde(rename = "type", default)]
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FirelensConfiguration {
    /// `fluentd` or `fluentbit`.
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProxyConfiguration {
    /// `APPMESH`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub container_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Vec<NameValue>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlacementConstraint {
    /// `memberOf`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}
