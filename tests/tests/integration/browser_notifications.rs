//! The notifications page as an environment's admin uses it: add a signed webhook from the header's
//! link, see its URL and secret only as hints, send a test and watch it delivered in the log.

use std::time::Duration;

use fantoccini::Locator;

use crate::helpers::{Browser, PASSWORD, Receiver, TestApp, save_screenshot};

#[tokio::test]
async fn an_admin_adds_a_webhook_sees_only_hints_and_a_test_send_is_delivered_signed() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let receiver = Receiver::start("/hooks/berth-private-path", 0).await;
    let secret = "whsec-browser-test-0123456789";
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1200).await.unwrap();
    browser.login(&app.address, "/e/local/clusters", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    wait().for_element(Locator::LinkText("Notifications")).await.unwrap().click().await.unwrap();

    wait().for_element(Locator::Id("destinationName")).await.unwrap().send_keys("ci hook").await.unwrap();
    c.find(Locator::Id("destinationKind")).await.unwrap().select_by_value("webhook").await.unwrap();
    c.find(Locator::Id("destinationUrl")).await.unwrap().send_keys(&receiver.url).await.unwrap();
    wait().for_element(Locator::Id("destinationSecret")).await.unwrap().send_keys(secret).await.unwrap();
    c.find(Locator::Css("form.wizard button[type='submit']")).await.unwrap().click().await.unwrap();

    let row = wait().for_element(Locator::Css("#destinations tbody tr")).await.unwrap().text().await.unwrap();
    assert!(row.contains("ci hook") && row.contains("Webhook"), "{row}");
    assert!(!row.contains("berth-private-path") && !row.contains(secret), "only hints: {row}");
    let page = c.source().await.unwrap();
    assert!(!page.contains("berth-private-path") && !page.contains(secret), "nowhere on the page");

    c.find(Locator::XPath("//button[text()='Send test']")).await.unwrap().click().await.unwrap();
    let got = receiver.wait_for(1).await;
    assert!(got[0].signed_with(secret), "signed with the saved secret");
    let mut log = String::new();
    for _ in 0..50 {
        c.find(Locator::XPath("//button[text()='Refresh']")).await.unwrap().click().await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        log = match c.find(Locator::Css("#deliveries tbody tr")).await {
            Ok(row) => row.text().await.unwrap(),
            Err(_) => String::new(),
        };
        if log.contains("delivered") {
            break;
        }
    }
    assert!(log.contains("delivered") && log.contains("Test"), "{log}");
    save_screenshot(c, "notifications").await;
    browser.client.close().await.unwrap();
}
