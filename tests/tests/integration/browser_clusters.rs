//! The cluster wizard in headless Chromium: an EC2 cluster built step by step, live, then its
//! instances on the cluster page.

use std::time::Duration;

use fantoccini::Locator;

use crate::helpers::{Browser, PASSWORD, TestApp, save_screenshot};

#[tokio::test]
async fn the_wizard_creates_an_ec2_cluster_shows_each_step_and_its_instances() {
    let app = TestApp::spawn().await;
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1600).await.unwrap();
    browser.login(&app.address, "/e/local/clusters", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    wait().for_element(Locator::LinkText("Create cluster")).await.unwrap().click().await.unwrap();

    let name = wait().for_element(Locator::Id("clusterName")).await.unwrap();
    name.send_keys("web cluster").await.unwrap();
    c.execute("arguments[0].blur()", vec![serde_json::to_value(&name).unwrap()]).await.unwrap();
    let error = wait().for_element(Locator::Css("[data-for='clusterName']")).await.unwrap();
    assert!(error.text().await.unwrap().contains("letters, digits, hyphens and underscores"));
    name.clear().await.unwrap();
    name.send_keys("web-cluster").await.unwrap();
    // The corrected name clears its error.
    let mut cleared = false;
    for _ in 0..100 {
        if c.find(Locator::Css("[data-for='clusterName']")).await.is_err() {
            cleared = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let typed = c.find(Locator::Id("clusterName")).await.unwrap().prop("value").await.unwrap();
    assert!(cleared, "the name's error stayed; the field holds {typed:?}");
    assert_eq!(typed.as_deref(), Some("web-cluster"));

    // The default VPC is picked; choose two of its subnets. The lab's security group: 80 and 443.
    let subnets = wait().for_element(Locator::Css("input[name='ec2.subnetIds']")).await.unwrap();
    subnets.click().await.unwrap();
    let all = c.find_all(Locator::Css("input[name='ec2.subnetIds']")).await.unwrap();
    all[1].click().await.unwrap();
    wait().for_element(Locator::Css("input[name='ec2.createInstanceRole']")).await.unwrap();

    // The instance type: from the types EC2 offers, with what each is; one it doesn't offer is refused here.
    // (EC2 lists over a thousand types in pages of 100: the first listing takes a while on a busy machine.)
    c.wait()
        .at_most(Duration::from_secs(90))
        .for_element(Locator::Css("#instanceTypes option[value='t3.micro']"))
        .await
        .expect("the instance types EC2 offers, in the datalist");
    let typed = c.find(Locator::Css("input[name='ec2.instanceType']")).await.unwrap();
    typed.clear().await.unwrap();
    typed.send_keys("t9.huge").await.unwrap();
    c.execute("arguments[0].blur()", vec![serde_json::to_value(&typed).unwrap()]).await.unwrap();
    let refused =
        wait().for_element(Locator::Css("[data-for='ec2.instanceType']")).await.unwrap().text().await.unwrap();
    assert!(refused.contains("EC2 offers no instance type t9.huge"), "{refused}");
    typed.clear().await.unwrap();
    typed.send_keys("t2.micro").await.unwrap();
    let page = c.find(Locator::Css("form.wizard")).await.unwrap().text().await.unwrap();
    assert!(page.contains("1 vCPU · 1 GiB · i386, x86_64"), "the type's figures under the field");
    assert!(!page.contains("EC2 offers no instance type"), "{page}");

    // The lab's SSH step: a key pair made here, its private key shown once, then chosen.
    c.find(Locator::Id("newKeyPair")).await.unwrap().click().await.unwrap();
    wait().for_element(Locator::Id("keyPairName")).await.unwrap().send_keys("lab-key").await.unwrap();
    c.find(Locator::Id("createKeyPair")).await.unwrap().click().await.unwrap();
    let shown = wait().for_element(Locator::Id("privateKey")).await.unwrap().text().await.unwrap();
    assert!(shown.contains("shown only now") && shown.contains("BEGIN RSA PRIVATE KEY"), "{shown}");
    let download = c.find(Locator::Id("downloadKey")).await.unwrap();
    assert_eq!(download.attr("download").await.unwrap().as_deref(), Some("lab-key.pem"));
    for _ in 0..50 {
        let chosen = c.find(Locator::Css("select[name='ec2.keyName']")).await.unwrap().prop("value").await.unwrap();
        if chosen.as_deref() == Some("lab-key") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let chosen = c.find(Locator::Css("select[name='ec2.keyName']")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(chosen.as_deref(), Some("lab-key"), "the new key pair is chosen");
    save_screenshot(c, "cluster-wizard").await;
    // Clicked in the page: the key's banner above may still move the button under a pointer click.
    c.execute("document.getElementById('createCluster').click()", vec![]).await.unwrap();

    let ended = c
        .wait()
        .at_most(Duration::from_secs(120))
        .for_element(Locator::Css("#creation[data-state='succeeded'], #creation[data-state='failed']"))
        .await;
    if ended.is_err() {
        save_screenshot(c, "cluster-steps-timeout").await;
        let said: serde_json::Value = c
            .execute(
                "return document.getElementById('clusterName').value + ' || ' + [...document.querySelectorAll('.banner, .field-error')].map(e => e.textContent).join(' | ')",
                vec![],
            )
            .await
            .unwrap();
        panic!("the creation did not end within 2 minutes; the page says: {said}");
    }
    let done = ended.unwrap();
    let state = done.attr("data-state").await.unwrap();
    assert_eq!(state.as_deref(), Some("succeeded"), "{}", done.text().await.unwrap());
    let steps = done.find_all(Locator::Css("li.step.done")).await.unwrap();
    assert_eq!(steps.len(), 8, "every step done");
    save_screenshot(c, "cluster-steps").await;

    c.find(Locator::Id("openCluster")).await.unwrap().click().await.unwrap();
    let instances = crate::helpers::wait_across_load(c, Locator::Css("#instances tbody"), 30).await;
    let rows = instances.find_all(Locator::Css("tr")).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].text().await.unwrap().contains("t2.micro"));
    save_screenshot(c, "cluster-page").await;
    let instances = app.aws_query("ec2", &[("Action", "DescribeInstances"), ("Version", "2016-11-15")]).await;
    assert!(instances.contains("<keyName>lab-key</keyName>"), "the instances take the key pair: {instances}");
    browser.client.close().await.unwrap();
}
