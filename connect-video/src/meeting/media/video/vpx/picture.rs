//! A moving synthetic picture in I420: diagonal luma bands that scroll and a colour wash that
//! changes with time, so that every frame differs from the last and motion is easy to see.

/// Draws I420 frames of a moving pattern.
///
/// ```
/// use connect_video::meeting::media::video::TestPicture;
/// let picture = TestPicture::new(64, 48);
/// assert_eq!(picture.render(0).len(), 64 * 48 * 3 / 2);
/// assert_ne!(picture.render(0), picture.render(1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TestPicture {
    width: usize,
    height: usize,
}

impl TestPicture {
    /// A picture of this size; odd sizes are rounded up to even (I420 needs even sizes).
    pub fn new(width: u16, height: u16) -> Self {
        let even = |n: u16| usize::from(n.max(2)).next_multiple_of(2);
        Self {
            width: even(width),
            height: even(height),
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Frame `index` as I420 (Y plane, then U, then V).
    pub fn render(&self, index: u64) -> Vec<u8> {
        let (w, h) = (self.width, self.height);
        let shift = (index * 4) as usize;
        let mut data = Vec::with_capacity(w * h * 3 / 2);
        for y in 0..h {
            for x in 0..w {
                let band = ((x + y + shift) / 8) % 2;
                let ramp = (x * 160 / w) as u8;
                data.push(if band == 0 { 40 + ramp } else { 215 - ramp / 2 });
            }
        }
        let (cw, ch) = (w / 2, h / 2);
        let hue = (index % 256) as u8;
        for plane in 0..2u8 {
            for y in 0..ch {
                for x in 0..cw {
                    let base = if plane == 0 { hue } else { 255 - hue };
                    data.push(base.wrapping_add(((x + y) / 4) as u8));
                }
            }
        }
        data
    }
}
