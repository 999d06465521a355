use berth::config::{Cli, Command};
use berth::startup::Application;
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    berth::telemetry::init();
    match Cli::parse().command {
        Command::Serve(args) => {
            let settings = args.into_settings()?;
            let app = Application::build(settings).await?;
            println!("Berth is listening on http://{}", app.address());
            app.run_until_stopped().await
        }
    }
}
