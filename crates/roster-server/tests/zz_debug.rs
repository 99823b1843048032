mod common;
use common::*;
#[tokio::test]
async fn dbg() {
    let s = Server::demo(3);
    let r = s
        .filter(&format!(
            r#"userName eq "{}""#,
            roster_server::demo::DEMO_OWNER_EMAIL
        ))
        .await;
    println!("{}", serde_json::to_string_pretty(&r.body).unwrap());
}
