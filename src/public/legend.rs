//! The map's classes and colours: which colour every area gets for a map layer (IMD decile,
//! IMD score, or an indicator) and the legend that explains it. The web map draws from
//! `/api/legend` and server-rendered map images use the same [`Legend`], so a picture and its
//! legend can never disagree.
//!
//! Colours: viridis for health indicators and magma for deprivation (Smith & van der Walt 2015,
//! matplotlib's perceptually uniform colour maps), readable with the common colour-vision
//! deficiencies and in greyscale; hex stops sampled at equal steps with d3-scale-chromatic
//! (magma over 0.12–0.98, leaving out its near-black end so the black 30% outline stays
//! visible). One rule across every layer: darker = worse. IMD: darker = more deprived;
//! "higher is worse" indicators dark high, "higher is better" reversed, no polarity dark = higher.
//!
//! Classes: IMD deciles are fixed; IMD scores and indicators get up to five quantile classes
//! (R's default "type 7" quantiles) of the values shown, so each class holds about the same
//! number of areas, with breaks rounded to about three significant figures of the range; ties
//! collapse classes rather than leaving empty ones. Suppressed values and no-data are kept apart
//! from every class. (These rules were first written for the browser in `web/js/scales.js`;
//! they now live here only.)

use super::dataset::PublicDataset;
use super::error::PublicError;
use crate::dataset::Polarity;
use crate::imd::ImdEdition;
use crate::level::Level;
use crate::lookup;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// viridis, light (yellow) → dark (purple).
pub const VIRIDIS_5: [&str; 5] = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"];
/// magma, light → dark, 10 classes (for IMD deciles: index 0 = decile 10, least deprived).
pub const MAGMA_10: [&str; 10] = [
    "#fcf4b6", "#fec88c", "#fd9a6a", "#f66c5c", "#de4968", "#b73779", "#902a81", "#681c81",
    "#420f75", "#1a1042",
];
/// magma, light → dark, 5 classes.
pub const MAGMA_5: [&str; 5] = ["#fcf4b6", "#fc8e64", "#ca3e72", "#721f81", "#1a1042"];
/// Light grey fill for "no data", distinct from every palette colour.
pub const NO_DATA: &str = "#d4d7db";
/// Mid grey for suppressed areas (drawn under a dark hatch).
pub const SUPPRESSED: &str = "#b9bdc3";

/// The map layers that come from the tiles' IMD rather than from an indicator.
pub const IMD_LAYERS: [&str; 2] = ["imd-decile", "imd-score"];

/// One colour class of a legend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LegendClass {
    /// `#rrggbb`.
    pub colour: String,
    /// e.g. "12.9% to under 15.3%", or "1 most deprived" for deciles.
    pub label: String,
    /// Areas in the class.
    pub count: usize,
    /// Lowest value of the class (the break below it; the smallest value for the first).
    pub min: Option<f64>,
    /// Highest value (the break above it, exclusive; the largest value for the last).
    pub max: Option<f64>,
}

/// Areas outside the classes (no data, or suppressed) and their colour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LegendExtra {
    pub colour: String,
    pub count: usize,
}

/// What the map colours and how its legend explains it (`GET /api/legend`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Legend {
    /// "imd-decile", "imd-score" or an indicator id.
    pub layer: String,
    pub level: String,
    pub title: String,
    pub subtitle: String,
    /// Classes from the lowest values to the highest (deciles: decile 1 first).
    pub classes: Vec<LegendClass>,
    /// Ascending class breaks: a value `v` is in class `i` = the number of breaks `≤ v` (the
    /// rule of MapLibre's `step`). Empty for deciles (class = decile − 1).
    pub breaks: Vec<f64>,
    pub no_data: LegendExtra,
    /// Areas whose value is withheld (indicators only).
    pub suppressed: Option<LegendExtra>,
    /// The layer shows synthetic demonstration data.
    pub synthetic: bool,
}

impl Legend {
    /// The class of a value (see [`Legend::breaks`]).
    pub fn class_of(&self, value: f64) -> usize {
        class_of(value, &self.breaks)
    }

    /// The fill colour of an area: suppressed and no-data apart from the classes; for decile
    /// legends `value` is the decile.
    pub fn colour_for(&self, value: Option<f64>, suppressed: bool) -> &str {
        if suppressed {
            if let Some(s) = &self.suppressed {
                return &s.colour;
            }
        }
        let Some(v) = value.filter(|v| v.is_finite()) else {
            return &self.no_data.colour;
        };
        let index = if self.layer == "imd-decile" {
            (v as usize).wrapping_sub(1)
        } else {
            self.class_of(v)
        };
        self.classes
            .get(index)
            .map_or(self.no_data.colour.as_str(), |c| c.colour.as_str())
    }
}

/// JavaScript's `Math.round` (ties toward +∞), so breaks round exactly as they always have.
fn js_round(x: f64) -> f64 {
    (x + 0.5).floor()
}

/// Quantile class breaks (upper bounds of every class but the last) for up to `n` classes,
/// by the "type 7" rule (linear interpolation between order statistics).
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

/// Breaks rounded to `dp` decimals, dropping any that collapse into their neighbour.
pub fn round_breaks(breaks: &[f64], dp: usize) -> Vec<f64> {
    let scale = 10f64.powi(dp as i32);
    let mut out: Vec<f64> = Vec::new();
    for b in breaks {
        let r = js_round(b * scale) / scale;
        if out.last().is_none_or(|&last| r > last) {
            out.push(r);
        }
    }
    out
}

/// Decimals that keep adjacent class labels distinct: about three significant figures of the
/// range.
pub fn decimals_for(values: &[f64]) -> usize {
    let xs: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if xs.is_empty() {
        return 1;
    }
    let range =
        xs.iter().copied().fold(f64::MIN, f64::max) - xs.iter().copied().fold(f64::MAX, f64::min);
    match range {
        r if r >= 100.0 => 0,
        r if r >= 10.0 => 1,
        r if r >= 1.0 => 2,
        _ => 3,
    }
}

/// `n` colours picked evenly from a light → dark palette; class 0 (lowest values) lightest
/// when `dark_is_high`, darkest otherwise.
pub fn class_colours(palette: &[&str], n: usize, dark_is_high: bool) -> Vec<String> {
    let picked: Vec<&str> = if n >= palette.len() {
        palette.to_vec()
    } else if n <= 1 {
        vec![palette[palette.len() / 2]]
    } else {
        (0..n)
            .map(|i| palette[js_round((i * (palette.len() - 1)) as f64 / (n - 1) as f64) as usize])
            .collect()
    };
    let mut colours: Vec<String> = picked.into_iter().map(str::to_string).collect();
    if !dark_is_high {
        colours.reverse();
    }
    colours
}

/// Class index of `value` given ascending `breaks` (MapLibre `step`: `v ≥ break` moves up).
pub fn class_of(value: f64, breaks: &[f64]) -> usize {
    breaks.iter().take_while(|&&b| value >= b).count()
}

/// en-GB number with `dp` decimals and thousands separators ("1,234.5"); "–" when missing.
fn num(x: Option<f64>, dp: usize) -> String {
    let Some(x) = x.filter(|x| x.is_finite()) else {
        return "–".into();
    };
    let text = format!("{:.dp$}", x.abs());
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), ""), |(i, f)| (i, f));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if x < 0.0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// Classes of `values` for `breaks` and `colours`: counts, bounds and labels.
fn class_items(
    values: &[f64],
    breaks: &[f64],
    colours: &[String],
    dp: usize,
    unit: &str,
) -> Vec<LegendClass> {
    let mut counts = vec![0usize; colours.len()];
    for &v in values {
        if let Some(c) = counts.get_mut(class_of(v, breaks)) {
            *c += 1;
        }
    }
    let lo = values.iter().copied().reduce(f64::min);
    let hi = values.iter().copied().reduce(f64::max);
    let u = if unit == "%" { "%" } else { "" };
    let last = colours.len().saturating_sub(1);
    colours
        .iter()
        .enumerate()
        .map(|(i, colour)| {
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
            LegendClass {
                colour: colour.clone(),
                label: format!(
                    "{}{u} to {}{}{u}",
                    num(min, dp),
                    if i == last { "" } else { "under " },
                    num(max, dp)
                ),
                count: counts[i],
                min,
                max,
            }
        })
        .collect()
}

impl PublicDataset {
    /// The legend of a map layer at a level (default: the dataset's default level for IMD
    /// layers, the indicator's own level for an indicator), for an indicator in `period`
    /// (default: the latest; ignored for IMD layers).
    pub fn legend(
        &self,
        layer: &str,
        level: Option<Level>,
        period: Option<&str>,
    ) -> Result<Legend, PublicError> {
        let d = self.dataset();
        match layer {
            "imd-decile" | "imd-score" => {
                let level = level.unwrap_or(d.meta.default_level);
                let areas = self.areas(Some(level), None)?;
                let edition = lookup::edition(lookup::layer(d, level)?, None)?;
                Ok(if layer == "imd-decile" {
                    imd_decile_legend(level, edition, &areas)
                } else {
                    imd_score_legend(level, edition, &areas)
                })
            }
            id => {
                let indicator =
                    lookup::indicator_in(d, id, level, period).map_err(|e| match e {
                        lookup::LookupError::UnknownIndicator { available, .. } => {
                            PublicError::UnknownMapLayer {
                                given: id.to_string(),
                                available: format!("{}, {available}", IMD_LAYERS.join(", ")),
                            }
                        }
                        other => PublicError::Lookup(other),
                    })?;
                let values = self.public_indicator(&indicator);
                let meta = &indicator.meta;
                let shown: Vec<f64> = values
                    .values
                    .iter()
                    .filter(|v| !v.figures.suppressed)
                    .filter_map(|v| v.figures.value.filter(|x| x.is_finite()))
                    .collect();
                let dp = decimals_for(&shown);
                let breaks = round_breaks(&quantile_breaks(&shown, 5), dp);
                let colours = class_colours(
                    &VIRIDIS_5,
                    breaks.len() + 1,
                    meta.polarity != Polarity::HigherIsBetter,
                );
                let polarity = match meta.polarity {
                    Polarity::HigherIsWorse => "Higher is worse: darker = worse.",
                    Polarity::HigherIsBetter => "Higher is better: darker = worse (lower).",
                    Polarity::NotApplicable => "Darker = higher (no better/worse judgement).",
                };
                let suppressed = values
                    .values
                    .iter()
                    .filter(|v| v.figures.suppressed)
                    .count();
                Ok(Legend {
                    layer: meta.id.clone(),
                    level: meta.level.as_str().into(),
                    title: if meta.short_name.is_empty() {
                        meta.name.clone()
                    } else {
                        meta.short_name.clone()
                    },
                    subtitle: format!(
                        "{}{polarity} Classes hold about equal numbers of areas.",
                        if meta.period.is_empty() {
                            String::new()
                        } else {
                            format!("{}. ", meta.period)
                        }
                    ),
                    classes: class_items(&shown, &breaks, &colours, dp, &meta.unit),
                    breaks,
                    no_data: LegendExtra {
                        colour: NO_DATA.into(),
                        count: values.values.len() - suppressed - shown.len(),
                    },
                    suppressed: Some(LegendExtra {
                        colour: SUPPRESSED.into(),
                        count: suppressed,
                    }),
                    synthetic: meta.synthetic,
                })
            }
        }
    }
}

fn edition_label(edition: Option<ImdEdition>) -> &'static str {
    edition.map_or("IMD", ImdEdition::label)
}

/// IMD national decile: ten fixed classes, decile 1 (most deprived 10% of England) darkest.
fn imd_decile_legend(
    level: Level,
    edition: Option<ImdEdition>,
    areas: &[super::profile::AreaSummary],
) -> Legend {
    let mut counts = [0usize; 10];
    let mut missing = 0;
    for a in areas {
        match a.imd.as_ref().map(|i| i.decile) {
            Some(d @ 1..=10) => counts[usize::from(d) - 1] += 1,
            _ => missing += 1,
        }
    }
    let classes = MAGMA_10
        .iter()
        .rev()
        .enumerate()
        .map(|(i, colour)| LegendClass {
            colour: (*colour).to_string(),
            label: match i {
                0 => "1 most deprived".to_string(),
                9 => "10 least deprived".to_string(),
                _ => (i + 1).to_string(),
            },
            count: counts[i],
            min: Some((i + 1) as f64),
            max: Some((i + 1) as f64),
        })
        .collect();
    Legend {
        layer: "imd-decile".into(),
        level: level.as_str().into(),
        title: format!("{} decile", edition_label(edition)),
        subtitle: "National deciles of the Index of Multiple Deprivation (1 = most deprived 10% of England). Darker = more deprived.".into(),
        classes,
        breaks: Vec::new(),
        no_data: LegendExtra {
            colour: NO_DATA.into(),
            count: missing,
        },
        suppressed: None,
        synthetic: false,
    }
}

/// IMD score: up to five quantile classes of the scores shown, higher (more deprived) darker.
fn imd_score_legend(
    level: Level,
    edition: Option<ImdEdition>,
    areas: &[super::profile::AreaSummary],
) -> Legend {
    let scores: Vec<f64> = areas
        .iter()
        .filter_map(|a| a.imd.as_ref().map(|i| i.score))
        .filter(|s| s.is_finite())
        .collect();
    let dp = decimals_for(&scores);
    let breaks = round_breaks(&quantile_breaks(&scores, 5), dp);
    let colours = class_colours(&MAGMA_5, breaks.len() + 1, true);
    Legend {
        layer: "imd-score".into(),
        level: level.as_str().into(),
        title: format!("{} score", edition_label(edition)),
        subtitle: "Higher score = more deprived; classes hold about equal numbers of areas. Darker = more deprived.".into(),
        classes: class_items(&scores, &breaks, &colours, dp, ""),
        breaks,
        no_data: LegendExtra {
            colour: NO_DATA.into(),
            count: areas.len() - scores.len(),
        },
        suppressed: None,
        synthetic: false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantiles_match_r() {
        // R: quantile(1:10, c(.2, .4, .6, .8), type = 7) = 2.8 4.6 6.4 8.2
        let xs: Vec<f64> = (1..=10).map(f64::from).collect();
        let b = quantile_breaks(&xs, 5);
        for (got, want) in b.iter().zip([2.8, 4.6, 6.4, 8.2]) {
            assert!((got - want).abs() < 1e-12, "{b:?}");
        }
    }

    #[test]
    fn ties_collapse_classes_instead_of_leaving_empty_ones() {
        let xs = [1.0, 1.0, 1.0, 1.0, 2.0, 3.0];
        let b = quantile_breaks(&xs, 5);
        assert!(b.windows(2).all(|w| w[0] < w[1]));
        assert!(b.iter().all(|&x| x > 1.0 && x < 3.0), "{b:?}");
    }

    #[test]
    fn rounding_and_decimals_follow_the_range() {
        assert_eq!(decimals_for(&[10.0, 40.0]), 1);
        assert_eq!(decimals_for(&[0.1, 0.4]), 3);
        assert_eq!(round_breaks(&[12.345, 12.349, 15.0], 1), vec![12.3, 15.0]);
        // Math.round: ties toward +∞.
        assert_eq!(round_breaks(&[0.25], 1), vec![0.3]);
    }

    #[test]
    fn colours_are_picked_evenly_and_reversed_when_high_is_good() {
        assert_eq!(
            class_colours(&VIRIDIS_5, 3, true),
            vec!["#fde725", "#21918c", "#440154"]
        );
        assert_eq!(class_colours(&VIRIDIS_5, 5, false)[0], "#440154");
        assert_eq!(class_colours(&MAGMA_5, 1, true), vec!["#ca3e72"]);
    }

    #[test]
    fn class_of_is_maplibre_step() {
        let breaks = [10.0, 20.0];
        assert_eq!(class_of(9.99, &breaks), 0);
        assert_eq!(class_of(10.0, &breaks), 1);
        assert_eq!(class_of(25.0, &breaks), 2);
    }

    #[test]
    fn numbers_are_formatted_en_gb() {
        assert_eq!(num(Some(1234.5), 1), "1,234.5");
        assert_eq!(num(Some(12.0), 0), "12");
        assert_eq!(num(Some(-0.04), 1), "-0.0"); // as Intl.NumberFormat("en-GB")
        assert_eq!(num(None, 1), "–");
    }
}
