//! Text → a chat WebSocket frame (`connect_video::participant::parse_frame`): never a panic;
//! a transcript item serialises and parses back equal, and re-sent inside an `aws/chat` frame
//! it parses to the same frame.
#![no_main]

use connect_video::participant::{parse_frame, ChatFrame, Item};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(frame) = parse_frame(text) else {
        return;
    };
    if let ChatFrame::Item(item) = &frame {
        let _ = (item.time(), item.order_key());
        let json = serde_json::to_string(item).expect("an item serialises");
        let back: Item = serde_json::from_str(&json).expect("an item parses back");
        assert_eq!(&back, item.as_ref(), "item changed on the wire: {json}");
        let again = serde_json::json!({"topic": "aws/chat", "content": json}).to_string();
        let reparsed = parse_frame(&again).expect("a re-sent item frame parses");
        assert_eq!(reparsed, frame, "item frame changed on the wire: {again}");
    }
});
