//! An sRGB colour as the web map writes it (`#rrggbb`), shared by the renderers and the deck
//! writers so a colour is spelt once.

use std::fmt;

/// An opaque sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Colour {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Colour {
    pub const WHITE: Colour = Colour::hex("#ffffff");
    pub const BLACK: Colour = Colour::hex("#000000");
    /// The web map's main text colour (`--ink` in `web/app.css`).
    pub const INK: Colour = Colour::hex("#1b1f24");
    /// Secondary text (`--ink-2`).
    pub const INK_2: Colour = Colour::hex("#434a54");
    /// The synthetic-data banner (`--banner`).
    pub const BANNER: Colour = Colour::hex("#ffd23f");

    /// Parse `#rrggbb` at compile time (a malformed literal fails the build).
    pub const fn hex(s: &str) -> Colour {
        let b = s.as_bytes();
        assert!(b.len() == 7 && b[0] == b'#', "colour must be #rrggbb");
        Colour {
            r: hex_byte(b[1], b[2]),
            g: hex_byte(b[3], b[4]),
            b: hex_byte(b[5], b[6]),
        }
    }

    /// Parse `#rrggbb` given at run time (a legend's colours); `None` when malformed.
    pub fn parse(s: &str) -> Option<Colour> {
        let hex = s
            .strip_prefix('#')
            .filter(|h| h.len() == 6 && h.is_ascii())?;
        let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        Some(Colour {
            r: byte(0)?,
            g: byte(2)?,
            b: byte(4)?,
        })
    }

    /// `rrggbb` without the `#`, as OOXML's `srgbClr` wants it.
    pub fn hex6(self) -> String {
        format!("{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    pub fn to_skia(self) -> tiny_skia::Color {
        tiny_skia::Color::from_rgba8(self.r, self.g, self.b, 255)
    }

    /// WCAG 2.x relative luminance (as `luminance` in `web/js/scales.js`).
    pub fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let v = f64::from(c) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.r) + 0.7152 * lin(self.g) + 0.0722 * lin(self.b)
    }

    /// WCAG 2.x contrast ratio with another colour.
    pub fn contrast(self, other: Colour) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// Black or white text, whichever contrasts more (as `textOn` in `web/js/scales.js`).
    pub fn text_on(self) -> Colour {
        if self.contrast(Colour::BLACK) >= self.contrast(Colour::WHITE) {
            Colour::BLACK
        } else {
            Colour::WHITE
        }
    }
}

const fn hex_digit(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => panic!("not a hex digit"),
    }
}

const fn hex_byte(hi: u8, lo: u8) -> u8 {
    hex_digit(hi) * 16 + hex_digit(lo)
}

impl fmt::Display for Colour {
    /// `#rrggbb`, as in the web's palettes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.hex6())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let c = Colour::hex("#21918c");
        assert_eq!((c.r, c.g, c.b), (0x21, 0x91, 0x8c));
        assert_eq!(c.to_string(), "#21918c");
        assert_eq!(c.hex6(), "21918c");
    }

    #[test]
    fn text_on_dark_is_white_and_on_light_is_black() {
        assert_eq!(Colour::hex("#440154").text_on(), Colour::WHITE);
        assert_eq!(Colour::hex("#fde725").text_on(), Colour::BLACK);
    }
}
