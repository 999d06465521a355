//! Headless Chromium over WebDriver: one chromedriver per test binary, one fresh browser profile
//! per test.

use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder};

static DRIVER: OnceLock<(u16, Mutex<Child>)> = OnceLock::new();

fn driver_port() -> u16 {
    DRIVER
        .get_or_init(|| {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
            let child = Command::new(&binary)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("starting {binary} (scripts/install installs it): {e}"));
            for _ in 0..100 {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            (port, Mutex::new(child))
        })
        .0
}

pub struct Browser {
    pub client: Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn open() -> Self {
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1280,900".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        caps.insert("goog:chromeOptions".into(), serde_json::json!({ "args": args, "binary": binary }));
        let client = ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver_port()))
            .await
            .expect("a Chromium session (is chromedriver the same version as chromium?)");
        Self { client, _profile: profile }
    }

    /// Opens `path` and logs in through the login page as `name`.
    pub async fn login(&self, base: &str, path: &str, name: &str, password: &str) {
        use fantoccini::Locator;
        let c = &self.client;
        c.goto(&format!("{base}{path}")).await.unwrap();
        let wait = || c.wait().at_most(Duration::from_secs(20));
        wait().for_element(Locator::Id("loginName")).await.unwrap().send_keys(name).await.unwrap();
        c.find(Locator::Id("loginPassword")).await.unwrap().send_keys(password).await.unwrap();
        c.find(Locator::Css(".login-card button[type=submit]")).await.unwrap().click().await.unwrap();
        wait().for_element(Locator::Css("button.logout")).await.unwrap();
    }
}

/// Screenshots land in target/screenshots/ for a person to look at.
pub async fn save_screenshot(c: &Client, name: &str) {
    let dir = super::repo_root().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), c.screenshot().await.unwrap()).unwrap();
}

/// Sets a textarea's text as a paste would (typing a whole document key by key is slow).
pub async fn set_text(c: &Client, element: &Element, text: &str) {
    let script = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));";
    c.execute(script, vec![serde_json::to_value(element).unwrap(), text.into()]).await.unwrap();
}

/// Clicks what `locator` finds once it is there, finding it again if the page redrew it between
/// the find and the click (a live page redraws parts of itself at every snapshot).
pub async fn click(c: &Client, locator: fantoccini::Locator<'_>) {
    for _ in 0..5 {
        let element = c.wait().at_most(Duration::from_secs(30)).for_element(locator).await.unwrap();
        match element.click().await {
            Err(fantoccini::error::CmdError::Standard(e))
                if e.error == fantoccini::error::ErrorStatus::StaleElementReference =>
            {
                continue;
            }
            other => return other.unwrap(),
        }
    }
    panic!("{locator:?} kept being redrawn");
}

/// What `locator` finds once it is there, within `seconds`, across a page load: a find that a
/// navigation interrupts (moving from one of the front end's apps to another loads a new page) is
/// tried again.
pub async fn wait_across_load(c: &Client, locator: fantoccini::Locator<'_>, seconds: u64) -> Element {
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        match c.find(locator).await {
            Ok(element) => return element,
            Err(e) if std::time::Instant::now() >= deadline => panic!("{locator:?} within {seconds} s: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// An attribute of what `locator` finds once it is there, finding it again if the page redrew it
/// between the find and the read (the service page redraws its summary at every snapshot).
pub async fn attr_of(c: &Client, locator: fantoccini::Locator<'_>, name: &str) -> Option<String> {
    for _ in 0..5 {
        let element = c.wait().at_most(Duration::from_secs(30)).for_element(locator).await.unwrap();
        match element.attr(name).await {
            Err(fantoccini::error::CmdError::Standard(e))
                if e.error == fantoccini::error::ErrorStatus::StaleElementReference =>
            {
                continue;
            }
            other => return other.unwrap(),
        }
    }
    panic!("{locator:?} kept being redrawn");
}
