use std::io::{BufRead, IsTerminal};

use berth::config::{Cli, Command, LocalCommand, UserCommand};
use berth::startup::Application;
use berth::store::Store;
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    berth::telemetry::init(cli.log_format);
    match cli.command {
        Command::Serve(args) => {
            let settings = args.into_settings()?;
            let app = Application::build(settings).await?;
            println!("Berth is listening on http://{}", app.address());
            app.run_until_stopped().await
        }
        Command::User(command) => user(command).await,
        Command::IamPolicy { markdown } => {
            if markdown {
                print!("{}", berth::aws::permissions::markdown());
            } else {
                println!("{}", serde_json::to_string_pretty(&berth::aws::permissions::policy())?);
            }
            Ok(())
        }
        Command::Healthcheck { url } => {
            let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(3)).build()?;
            let answer = client.get(format!("{}/api/health", url.trim_end_matches('/'))).send().await;
            match answer {
                Ok(a) if a.status().is_success() => Ok(()),
                Ok(a) => {
                    eprintln!("{url}/api/health answered {}", a.status());
                    std::process::exit(1)
                }
                Err(e) => {
                    eprintln!("{url}/api/health: {e}");
                    std::process::exit(1)
                }
            }
        }
        Command::Validate { strict, files } => std::process::exit(validate(&files, strict)),
        Command::Local(LocalCommand::Push { reference, tags, local_aws_url, local_aws_account }) => {
            let url = match local_aws_url {
                Some(url) => url,
                None => std::fs::read_to_string(".local/run/local-aws.url")
                    .map(|text| text.lines().next().unwrap_or_default().trim().to_string())
                    .map_err(|_| anyhow::anyhow!("no local AWS URL: pass --local-aws-url (or BERTH_LOCAL_AWS_URL), or run this from Berth's directory while scripts/run-local runs"))?,
            };
            let image = berth::aws::push_to_local_aws(&url, &local_aws_account, &reference, &tags).await?;
            // MB as the ECR console counts them (2^20 bytes), as Berth's repository page does.
            let size = image.size_bytes.map(|b| format!(", {:.1} MB", b as f64 / 1_048_576.0)).unwrap_or_default();
            println!("pushed {} {}{size} (tags: {})", reference, image.image_digest, image.image_tags.join(", "));
            Ok(())
        }
    }
}

/// Exit status 1 when any file is invalid; warnings alone keep 0. No server or AWS needed.
fn validate(files: &[std::path::PathBuf], strict: bool) -> i32 {
    let mut invalid = false;
    for file in files {
        let name = file.display();
        let report = match std::fs::read_to_string(file) {
            Ok(text) if strict => shared::ecs::task_definition::check_document_strict(&text),
            Ok(text) => shared::ecs::task_definition::check_document(&text),
            Err(e) => {
                println!("{name}: {e}");
                invalid = true;
                continue;
            }
        };
        let at = |path: &str| if path.is_empty() { String::new() } else { format!("{path}: ") };
        for e in &report.errors {
            println!("{name}: {}{}", at(&e.path), e.message);
        }
        for w in &report.warnings {
            println!("{name}: {}warning: {}", at(&w.path), w.message);
        }
        if !report.dropped.is_empty() {
            println!("{name}: note: read-only fields not registered: {}", report.dropped.join(", "));
        }
        invalid |= !report.valid;
    }
    i32::from(invalid)
}

async fn user(command: UserCommand) -> anyhow::Result<()> {
    use berth::auth::users;
    match command {
        UserCommand::Add { name, role, environment, database } => {
            users::validate_name(&name).map_err(anyhow::Error::msg)?;
            let store = Store::open(&database).await?;
            let password = read_password()?;
            users::add(store.pool(), &name, &password, &shared::auth::Grant { environment: environment.clone(), role })
                .await?;
            let target =
                berth::audit::Target { environment: None, resource: Some(format!("user {name}")), action: "user.add" };
            berth::audit::append(store.pool(), &whoami(), "cli", &target, "success").await;
            println!("User {name} added: {} in {environment}.", role.as_str());
        }
        UserCommand::Passwd { name, database } => {
            let store = Store::open(&database).await?;
            let password = read_password()?;
            users::set_password(store.pool(), &name, &password).await?;
            let target = berth::audit::Target {
                environment: None,
                resource: Some(format!("user {name}")),
                action: "user.passwd",
            };
            berth::audit::append(store.pool(), &whoami(), "cli", &target, "success").await;
            println!("Password of {name} set; their sessions have ended.");
        }
    }
    Ok(())
}

/// From a prompt (twice) on a terminal, else the first line of stdin: never from argv.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\n', '\r']).to_string())
    }
}

fn whoami() -> String {
    std::env::var("USER").map(|u| format!("{u} (shell)")).unwrap_or_else(|_| "shell".into())
}
