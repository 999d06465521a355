//! The history's filters in the browser: environment, then cluster, then service, each choosing
//! among what has deployments under the one before; the figures and timeline are one service's.

use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::helpers::{Browser, PASSWORD, TestApp, save_screenshot};
use crate::history_filters::{deploy, two_clusters_with_a_web_service};

async fn options(c: &Client, name: &str) -> Vec<String> {
    let select = c.find(Locator::Css(&format!("#historyFilters select[name='{name}']"))).await.unwrap();
    let mut values = Vec::new();
    for option in select.find_all(Locator::Css("option")).await.unwrap() {
        values.push(option.attr("value").await.unwrap().unwrap_or_default());
    }
    values
}

#[tokio::test]
async fn the_history_filters_pick_environment_then_cluster_then_service_and_chart_that_one_service() {
    let app = TestApp::spawn().await;
    let uri = two_clusters_with_a_web_service(&app).await;
    deploy(&app, "green", &format!("{uri}:v2"), 200).await;
    deploy(&app, "blue", &format!("{uri}:cannot-start"), 424).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    browser.login(&app.address, "/deployments", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    let select = |name: &str| format!("#historyFilters select[name='{name}']");

    wait().for_element(Locator::Css(&format!("{} option[value='local']", select("environment")))).await.unwrap();
    assert!(
        c.find(Locator::Css(&format!("{}:disabled", select("cluster")))).await.is_ok(),
        "no cluster before an environment"
    );
    c.find(Locator::Css(&select("environment"))).await.unwrap().select_by_value("local").await.unwrap();
    wait().for_element(Locator::Css(&format!("{} option[value='green']", select("cluster")))).await.unwrap();
    assert_eq!(options(c, "cluster").await, ["", "blue", "green"]);
    c.find(Locator::Css(&select("cluster"))).await.unwrap().select_by_value("blue").await.unwrap();
    wait().for_element(Locator::Css(&format!("{} option[value='web']", select("service")))).await.unwrap();
    assert_eq!(options(c, "service").await, ["", "web"]);
    c.find(Locator::Css(&select("service"))).await.unwrap().select_by_value("web").await.unwrap();
    c.find(Locator::Css("#historyFilters button[type=submit]")).await.unwrap().click().await.unwrap();

    wait().for_element(Locator::XPath("//h1[text()='Deployments of local / blue / web']")).await.unwrap();
    wait().for_element(Locator::Css("#timeline circle.bad")).await.unwrap();
    let rate = wait().for_element(Locator::Id("failureRate")).await.unwrap().text().await.unwrap();
    assert_ne!(rate, "0 %", "blue's own failure");
    for row in c.find_all(Locator::Css("#history tbody tr")).await.unwrap() {
        assert!(row.text().await.unwrap().contains("blue/web"), "only blue's deployments");
    }
    save_screenshot(c, "history-filters").await;

    // A service named without its cluster: no merged figures, a hint instead.
    c.goto(&app.url("/deployments?service=web")).await.unwrap();
    wait().for_element(Locator::Id("pickService")).await.unwrap();
    assert!(c.find(Locator::Id("figures")).await.is_err());
    browser.client.close().await.unwrap();
}
