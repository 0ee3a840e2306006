//! Live VP8 through libvpx (feature `vpx`), wrapped safely by the vpx-encode crate: an encoder
//! and a camera-like source that encodes a moving test picture as it goes.

mod encoder;
mod picture;

pub use encoder::{EncodedTestPattern, Vp8Encoder, Vp8EncoderConfig};
pub use picture::TestPicture;
