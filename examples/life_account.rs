//! Life account (生活号) messages: a text message, an image-text message, and a recall.
//!
//! ```text
//! cargo run --example life_account
//! ```
//!
//! Offline it runs against the embedded sandbox; with `ALIPAY_*` variables set (see the
//! quickstart), against that gateway (the app must own a life account).

use alipay::marketing::open_life::{
    Article, PublicLifeMsgRecall, PublicMessageTotalSendImageText, PublicMessageTotalSendText,
};
use alipay_examples::Target;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, target) = alipay_examples::connect(None).await?;

    let text = client
        .send(
            PublicMessageTotalSendText::builder()
                .text("今日营业至 22:00 / Open until 22:00 today")
                .build(),
        )
        .await?;
    println!("text        message_id={}", text.message_id);

    let articles = vec![
        Article::new("Our autumn menu is here", "https://m.example/menu")
            .title("Autumn menu")
            .image_url("https://img.example/autumn.jpg")
            .action_name("Read more"),
        Article::new("Find a store near you", "https://m.example/stores"),
    ];
    let image_text = client
        .send(
            PublicMessageTotalSendImageText::builder()
                .articles(articles)
                .build(),
        )
        .await?;
    println!("image-text  message_id={}", image_text.message_id);

    client
        .send(
            PublicLifeMsgRecall::builder()
                .message_id(text.message_id.clone())
                .build(),
        )
        .await?;
    println!("recall      message_id={} recalled", text.message_id);

    if let Target::Sandbox { sandbox, .. } = &target {
        for message in sandbox.messages() {
            println!(
                "sandbox     {} {} recalled={}",
                message.msg_type.as_deref().unwrap_or("-"),
                message.biz_content,
                message.recalled
            );
        }
    }
    println!("done");
    Ok(())
}
