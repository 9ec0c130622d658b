//! Map classes and colours: the web legend's rule, ported so a rendered map and the web map
//! colour every area alike.
//!
//! This is a line-by-line port of `web/js/scales.js` (palettes, quantile breaks, rounding,
//! decimals, colour picking, `classOf`) and `web/js/choropleth.js` (`indicatorChoropleth`,
//! `imdDecileChoropleth`, `imdScoreChoropleth`, `classItems`, and `num` from
//! `web/js/format.js` for the labels). `tests/classes_match_web.rs` runs the JavaScript with
//! node on the Durham data and checks that breaks, colours, labels and every area's class
//! agree. Change both together (or, in a later phase, have the web take its classes from the
//! API and delete the JavaScript copy).

use crate::dataset::{IndicatorMeta, Polarity};
use crate::render::colour::Colour;

/// viridis, light (yellow) → dark (purple) (`VIRIDIS_5`).
pub const VIRIDIS_5: [Colour; 5] = [
    Colour::hex("#fde725"),
    Colour::hex("#5ec962"),
    Colour::hex("#21918c"),
    Colour::hex("#3b528b"),
    Colour::hex("#440154"),
];
/// magma, light → dark, 10 classes (`MAGMA_10`; index 0 = decile 10, least deprived).
pub const MAGMA_10: [Colour; 10] = [
    Colour::hex("#fcf4b6"),
    Colour::hex("#fec88c"),
    Colour::hex("#fd9a6a"),
    Colour::hex("#f66c5c"),
    Colour::hex("#de4968"),
    Colour::hex("#b73779"),
    Colour::hex("#902a81"),
    Colour::hex("#681c81"),
    Colour::hex("#420f75"),
    Colour::hex("#1a1042"),
];
/// magma, light → dark, 5 classes (`MAGMA_5`).
pub const MAGMA_5: [Colour; 5] = [
    Colour::hex("#fcf4b6"),
    Colour::hex("#fc8e64"),
    Colour::hex("#ca3e72"),
    Colour::hex("#721f81"),
    Colour::hex("#1a1042"),
];
/// Light grey fill for "no data" (`NO_DATA`).
pub const NO_DATA: Colour = Colour::hex("#d4d7db");
/// Suppressed areas: mid grey under a dark hatch (`SUPPRESSED`; hatch `#3d4248`).
pub const SUPPRESSED: Colour = Colour::hex("#b9bdc3");
/// The hatch drawn over suppressed areas (`drawIcons` in `web/js/mapview.js`).
pub const SUPPRESSED_HATCH: Colour = Colour::hex("#3d4248");

/// Quantile class breaks (upper bounds of every class but the last) for up to `n` classes,
/// type-7 quantiles; ties collapse classes (`quantileBreaks`).
pub fn quantile_breaks(values: &[f64], n: usize) -> Vec<f64> {
    let mut xs: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    xs.sort_by(f64::total_cmp);
    let (Some(&first), Some(&last)) = (xs.first(), xs.last()) else {
        return Vec::new();
    };
    let mut breaks: Vec<f64> = Vec::new();
    for k in 1..n {
        let h = (xs.len() - 1) as f64 * (k as f64 / n as f64);
        let lo = h.floor() as usize;
        let next = xs.get(lo + 1).copied().unwrap_or(xs[lo]);
        let q = xs[lo] + (h - lo as f64) * (next - xs[lo]);
        if q > first && q < last && breaks.last().is_none_or(|&b| q > b) {
            breaks.push(q);
        }
    }
    breaks
}

/// JavaScript's `Math.round`: nearest integer, halves towards +∞.
fn js_round(x: f64) -> f64 {
    let f = x.floor();
    if x - f >= 0.5 {
        f + 1.0
    } else {
        f
    }
}

/// `10 ** dp` exactly as JavaScript computes it for the decimals used here.
fn pow10(dp: usize) -> f64 {
    [1.0, 10.0, 100.0, 1000.0].get(dp).copied().unwrap_or(1e4)
}

/// Round breaks to `dp` decimals, dropping any that collapse into their neighbour
/// (`roundBreaks`).
pub fn round_breaks(breaks: &[f64], dp: usize) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for &b in breaks {
        let r = js_round(b * pow10(dp)) / pow10(dp);
        if out.last().is_none_or(|&last| r > last) {
            out.push(r);
        }
    }
    out
}

/// Decimals that keep adjacent class labels distinct (`decimalsFor`).
pub fn decimals_for(values: &[f64]) -> usize {
    let xs = values.iter().copied().filter(|v| v.is_finite());
    let (min, max) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if min > max {
        return 1;
    }
    match max - min {
        r if r >= 100.0 => 0,
        r if r >= 10.0 => 1,
        r if r >= 1.0 => 2,
        _ => 3,
    }
}

/// `n` colours from a light→dark palette; class 0 lightest when `dark_is_high`
/// (`classColours`).
pub fn class_colours(palette: &[Colour], n: usize, dark_is_high: bool) -> Vec<Colour> {
    let mut picked: Vec<Colour> = if n >= palette.len() {
        palette.to_vec()
    } else if n <= 1 {
        vec![palette[palette.len() / 2]]
    } else {
        (0..n)
            .map(|i| palette[js_round((i * (palette.len() - 1)) as f64 / (n - 1) as f64) as usize])
            .collect()
    };
    if !dark_is_high {
        picked.reverse();
    }
    picked
}

/// Class index of `value` given ascending `breaks`: v ≥ break moves up (`classOf`, the same
/// rule as MapLibre's `step`).
pub fn class_of(value: f64, breaks: &[f64]) -> usize {
    breaks.iter().take_while(|&&b| value >= b).count()
}

/// `num` in `web/js/format.js`: en-GB grouping, exactly `dp` decimals, halves away from zero
/// (ECMA-402 `halfExpand`), "–" for a missing value.
pub fn num(x: Option<f64>, dp: usize) -> String {
    let Some(x) = x.filter(|v| v.is_finite()) else {
        return "–".to_string();
    };
    // The exact decimal expansion decides ties (Rust's own rounding is half-to-even).
    let exact = format!("{:.60}", x.abs());
    let (int_part, frac) = exact.split_once('.').unwrap_or((&exact, ""));
    let tie_up = frac.as_bytes().get(dp).is_some_and(|&d| d >= b'5');
    let mut digits: Vec<u8> = int_part.bytes().chain(frac.bytes().take(dp)).collect();
    if tie_up {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - dp;
    let int_digits = &digits[..split];
    let mut grouped = String::new();
    for (i, d) in int_digits.iter().enumerate() {
        if i > 0 && (int_digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(char::from(*d));
    }
    // Intl keeps the sign of a negative number that rounds to zero ("-0.0").
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if dp == 0 {
        format!("{sign}{grouped}")
    } else {
        let frac: String = digits[split..].iter().map(|&d| char::from(d)).collect();
        format!("{sign}{grouped}.{frac}")
    }
}

/// How one area is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaClass {
    /// Class index into [`Legend::items`].
    Class(usize),
    /// Withheld to protect small numbers: grey under a hatch.
    Suppressed,
    /// No value: light grey.
    NoData,
}

/// One legend row: a class's colour, its label and how many areas it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    pub colour: Colour,
    pub label: String,
    pub count: usize,
}

/// What the map's legend explains (the web's `legend` object).
#[derive(Debug, Clone, PartialEq)]
pub struct Legend {
    pub title: String,
    pub subtitle: String,
    /// One per class, lowest values first (the legend lists them reversed).
    pub items: Vec<LegendItem>,
    /// Areas with no value.
    pub no_data: usize,
    /// Areas withheld; `None` where suppression does not apply (IMD).
    pub suppressed: Option<usize>,
}

/// Breaks, legend and every area's class, built together so they cannot disagree.
#[derive(Debug, Clone, PartialEq)]
pub struct Choropleth {
    pub breaks: Vec<f64>,
    pub legend: Legend,
    /// One per input, in input order.
    pub classes: Vec<AreaClass>,
}

/// One area's public value as the map receives it (`/api/values` row).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShownValue {
    pub value: Option<f64>,
    pub suppressed: bool,
}

/// A health indicator: 5 quantile classes of the shown values coloured darker = worse by
/// polarity (viridis), suppressed and no-data kept apart. Port of `indicatorChoropleth` in
/// `web/js/choropleth.js`.
pub fn indicator_choropleth(indicator: &IndicatorMeta, values: &[ShownValue]) -> Choropleth {
    let shown: Vec<f64> = values
        .iter()
        .filter(|v| !v.suppressed)
        .filter_map(|v| v.value.filter(|x| x.is_finite()))
        .collect();
    let dp = decimals_for(&shown);
    let breaks = round_breaks(&quantile_breaks(&shown, 5), dp);
    let dark_is_high = indicator.polarity != Polarity::HigherIsBetter;
    let colours = class_colours(&VIRIDIS_5, breaks.len() + 1, dark_is_high);
    let classes = values
        .iter()
        .map(|v| match v.value.filter(|x| x.is_finite()) {
            _ if v.suppressed => AreaClass::Suppressed,
            Some(x) => AreaClass::Class(class_of(x, &breaks)),
            None => AreaClass::NoData,
        })
        .collect();
    let polarity_text = match indicator.polarity {
        Polarity::HigherIsWorse => "Higher is worse: darker = worse.",
        Polarity::HigherIsBetter => "Higher is better: darker = worse (lower).",
        Polarity::NotApplicable => "Darker = higher (no better/worse judgement).",
    };
    let period = if indicator.period.is_empty() {
        String::new()
    } else {
        format!("{}. ", indicator.period)
    };
    let title = if indicator.short_name.is_empty() {
        indicator.name.clone()
    } else {
        indicator.short_name.clone()
    };
    Choropleth {
        legend: Legend {
            title,
            subtitle: format!("{period}{polarity_text} Classes hold about equal numbers of areas."),
            items: class_items(&shown, &breaks, &colours, dp, &indicator.unit),
            no_data: values
                .iter()
                .filter(|v| !v.suppressed && !v.value.is_some_and(f64::is_finite))
                .count(),
            suppressed: Some(values.iter().filter(|v| v.suppressed).count()),
        },
        breaks,
        classes,
    }
}

/// IMD national decile: 10 fixed classes, decile 1 darkest (magma). Port of
/// `imdDecileChoropleth`.
pub fn imd_decile_choropleth(deciles: &[Option<u8>], edition_label: &str) -> Choropleth {
    let colours: Vec<Colour> = MAGMA_10.iter().rev().copied().collect();
    let mut counts = [0usize; 10];
    let classes = deciles
        .iter()
        .map(|d| match d {
            Some(d @ 1..=10) => {
                let i = usize::from(*d) - 1;
                counts[i] += 1;
                AreaClass::Class(i)
            }
            _ => AreaClass::NoData,
        })
        .collect::<Vec<_>>();
    let items = colours
        .iter()
        .enumerate()
        .map(|(i, &colour)| LegendItem {
            colour,
            label: match i {
                0 => "1 most deprived".to_string(),
                9 => "10 least deprived".to_string(),
                _ => (i + 1).to_string(),
            },
            count: counts[i],
        })
        .collect();
    Choropleth {
        breaks: Vec::new(),
        legend: Legend {
            title: format!("{edition_label} decile"),
            subtitle: "National deciles of the Index of Multiple Deprivation (1 = most deprived 10% of England). Darker = more deprived.".into(),
            items,
            no_data: classes.iter().filter(|c| **c == AreaClass::NoData).count(),
            suppressed: None,
        },
        classes,
    }
}

/// IMD score: 5 quantile classes, higher score (more deprived) darker. Port of
/// `imdScoreChoropleth`.
pub fn imd_score_choropleth(scores: &[Option<f64>], edition_label: &str) -> Choropleth {
    let shown: Vec<f64> = scores
        .iter()
        .filter_map(|s| *s)
        .filter(|s| s.is_finite())
        .collect();
    let dp = decimals_for(&shown);
    let breaks = round_breaks(&quantile_breaks(&shown, 5), dp);
    let colours = class_colours(&MAGMA_5, breaks.len() + 1, true);
    let classes = scores
        .iter()
        .map(|s| match s.filter(|x| x.is_finite() && *x >= 0.0) {
            Some(x) => AreaClass::Class(class_of(x, &breaks)),
            None => AreaClass::NoData,
        })
        .collect();
    Choropleth {
        legend: Legend {
            title: format!("{edition_label} score"),
            subtitle: "Higher score = more deprived; classes hold about equal numbers of areas. Darker = more deprived.".into(),
            items: class_items(&shown, &breaks, &colours, dp, ""),
            no_data: scores.len() - shown.len(),
            suppressed: None,
        },
        breaks,
        classes,
    }
}

/// Legend rows with "a to under b" labels and counts (`classItems`).
fn class_items(
    xs: &[f64],
    breaks: &[f64],
    colours: &[Colour],
    dp: usize,
    unit: &str,
) -> Vec<LegendItem> {
    let mut counts = vec![0usize; colours.len()];
    for &x in xs {
        if let Some(c) = counts.get_mut(class_of(x, breaks)) {
            *c += 1;
        }
    }
    let lo = xs.iter().copied().reduce(f64::min);
    let hi = xs.iter().copied().reduce(f64::max);
    let u = if unit == "%" { "%" } else { "" };
    let last = colours.len() - 1;
    colours
        .iter()
        .enumerate()
        .map(|(i, &colour)| {
            let min = if i == 0 {
                lo
            } else {
                breaks.get(i - 1).copied()
            };
            let max = if i == last {
                hi
            } else {
                breaks.get(i).copied()
            };
            let under = if i == last { "" } else { "under " };
            LegendItem {
                colour,
                label: format!("{}{u} to {under}{}{u}", num(min, dp), num(max, dp)),
                count: counts[i],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_breaks_follow_type_7() {
        // R: quantile(1:10, c(.2,.4,.6,.8)) = 2.8 4.6 6.4 8.2
        let xs: Vec<f64> = (1..=10).map(f64::from).collect();
        let b = quantile_breaks(&xs, 5);
        let want = [2.8, 4.6, 6.4, 8.2];
        for (b, w) in b.iter().zip(want) {
            assert!((b - w).abs() < 1e-12, "{b} vs {w}");
        }
        // Ties collapse classes instead of making empty ones.
        let mostly_ones: Vec<f64> = [1.0; 9].into_iter().chain([2.0]).collect();
        assert_eq!(quantile_breaks(&mostly_ones, 5), Vec::<f64>::new());
        assert!(quantile_breaks(&[], 5).is_empty());
    }

    #[test]
    fn rounding_is_javascripts() {
        assert_eq!(js_round(2.5), 3.0);
        assert_eq!(js_round(-2.5), -2.0);
        assert_eq!(round_breaks(&[1.04, 1.05, 1.06], 1), vec![1.0, 1.1]);
    }

    #[test]
    fn colours_darken_towards_worse() {
        assert_eq!(class_colours(&VIRIDIS_5, 5, true)[4], VIRIDIS_5[4]);
        assert_eq!(class_colours(&VIRIDIS_5, 5, false)[0], VIRIDIS_5[4]);
        // Three classes pick light, middle and dark.
        assert_eq!(
            class_colours(&VIRIDIS_5, 3, true),
            vec![VIRIDIS_5[0], VIRIDIS_5[2], VIRIDIS_5[4]]
        );
    }

    #[test]
    fn class_of_moves_up_at_a_break() {
        assert_eq!(class_of(1.0, &[1.0, 2.0]), 1);
        assert_eq!(class_of(0.99, &[1.0, 2.0]), 0);
        assert_eq!(class_of(5.0, &[1.0, 2.0]), 2);
    }

    #[test]
    fn num_formats_like_intl_en_gb() {
        assert_eq!(num(Some(1234.5), 1), "1,234.5");
        assert_eq!(num(Some(0.125), 2), "0.13"); // exact tie: half away from zero
        assert_eq!(num(Some(1.005), 2), "1.00"); // 1.005 is 1.00499… in binary
        assert_eq!(num(Some(-2.25), 1), "-2.3");
        assert_eq!(num(Some(999.96), 1), "1,000.0");
        assert_eq!(num(Some(1234567.0), 0), "1,234,567");
        assert_eq!(num(None, 1), "–");
    }
}
