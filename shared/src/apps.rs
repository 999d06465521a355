//! The front end's apps (bundles) and the pages each renders, read from `frontend/apps.txt` — the
//! one list the server's static routes, the console's navigation and the build scripts share.

/// The list as written: `name prefix…` per line, `#` comments.
pub const APPS_TXT: &str = include_str!("../../frontend/apps.txt");

/// The app built into `dist/` itself, which renders every page no other app claims.
pub const CONSOLE: &str = "console";

/// One app: its bundle's name and the URL prefixes of its pages (`{env}`, `{cluster}`, …: one path
/// segment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub name: &'static str,
    pub prefixes: Vec<&'static str>,
}

/// Every app, in the file's order (the console first).
pub fn apps() -> Vec<App> {
    APPS_TXT
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some(App { name: words.next()?, prefixes: words.collect() })
        })
        .collect()
}

/// The app that renders `path`: the one with the longest matching prefix (the console otherwise).
pub fn app_for(path: &str) -> &'static str {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut best = (CONSOLE, 0);
    for app in apps() {
        for prefix in &app.prefixes {
            let segments = prefix.split('/').filter(|s| !s.is_empty()).count();
            if segments > best.1 && matches(prefix, path) {
                best = (app.name, segments);
            }
        }
    }
    best.0
}

/// `prefix` matches `path` segment by segment, a `{name}` matching any one segment.
fn matches(prefix: &str, path: &str) -> bool {
    let mut path = path.split('/').filter(|s| !s.is_empty());
    prefix.split('/').filter(|s| !s.is_empty()).all(|want| match path.next() {
        Some(have) => (want.starts_with('{') && want.ends_with('}')) || want == have,
        None => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_each_app_once_with_the_console_first() {
        let names: Vec<_> = apps().iter().map(|a| a.name).collect();
        assert_eq!(
            names,
            [
                "console",
                "admin",
                "history",
                "clusters",
                "services",
                "servicewizard",
                "serviceupdate",
                "taskdefs",
                "taskwizard",
                "tasks"
            ]
        );
        assert!(apps().iter().all(|a| !a.prefixes.is_empty() && a.prefixes.iter().all(|p| p.starts_with('/'))));
    }

    #[test]
    fn each_path_belongs_to_the_app_with_the_longest_prefix() {
        for (path, app) in [
            ("/", "console"),
            ("/e/local/repositories", "console"),
            ("/e/local/repository/team%2Fweb", "console"),
            ("/admin/users", "admin"),
            ("/admin/notifications/local", "admin"),
            ("/e/local/tasks/itflex-nginx/4f2b0c", "tasks"),
            ("/administrators", "console"),
            ("/deployments", "history"),
            ("/deployments/42?x=1", "history"),
            ("/e/local/clusters", "clusters"),
            ("/e/local/clusters/new", "clusters"),
            ("/e/local/cluster/itflex-nginx", "clusters"),
            ("/e/local/services/itflex-nginx/web", "services"),
            ("/e/local/services/new", "servicewizard"),
            ("/e/local/services/new?cluster=a", "servicewizard"),
            ("/e/local/services/itflex-nginx/web/update", "serviceupdate"),
            ("/e/local/services/itflex-nginx/web/logs", "tasks"),
            ("/e/local/services/itflex-nginx/web/logs?task=abc", "tasks"),
            ("/e/local/services/itflex-nginx/update", "services"),
            ("/e/local/task-definitions", "taskdefs"),
            ("/e/local/task-definitions/family/web/3", "taskdefs"),
            ("/e/local/task-definitions/new", "taskwizard"),
        ] {
            assert_eq!(app_for(path), app, "{path}");
        }
    }
}
