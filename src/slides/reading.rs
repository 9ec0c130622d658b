//! The words on an indicator slide: the one-line plain-English reading of the gap, the key
//! figures table and the speaker notes, all from a public gap table (suppressed values are
//! absent from it, so they cannot appear here).
//!
//! Wording rules: a gap is "significant" by the project's comparison rule
//! ([`crate::stats::significance::compare_interval`], Fingertips "confidence interval
//! overlapping the reference value"), applied to the relative gap (most ÷ least deprived)
//! against 1. Significant: "X is 1.2 times as common in the most deprived fifth of … as in the
//! least deprived fifth (95% CI 1.13 to 1.28)". Not significant: "no significant difference
//! …", with the ratio and interval. Withheld: says so and why (small numbers), with no figure.

use crate::dataset::{Dataset, IndicatorMeta, ValueType};
use crate::gaps::{Estimate, GapGroup, GapTable, GroupBy};
use crate::render::text::num;
use crate::stats::significance::{compare_interval, Significance};
use serde::Serialize;
use utoipa::ToSchema;

/// How the table's groups are named in words.
struct GroupWords {
    /// "fifth" or "tenth".
    part: &'static str,
    /// " of County Durham" (local quintiles) or " of England" (national groups).
    of_scope: String,
}

fn group_words(by: GroupBy, scope: &str) -> GroupWords {
    match by {
        GroupBy::ImdDecile => GroupWords {
            part: "tenth",
            of_scope: " of areas in England".into(),
        },
        GroupBy::ImdQuintile => GroupWords {
            part: "fifth",
            of_scope: " of areas in England".into(),
        },
        _ => GroupWords {
            part: "fifth",
            of_scope: format!(" of {scope}"),
        },
    }
}

/// How the gap's two groups are named. The gap compares the first and last groups the table
/// has, which are the most and least deprived fifths (tenths) only when both are present: a
/// locality with no area in quintile 5 compares quintile 1 with its least deprived quintile,
/// and the words say so ("quintile 4, the least deprived here"), never "the least deprived
/// fifth".
struct Extremes {
    /// In a sentence: "the most deprived fifth" or "quintile 2, the most deprived here".
    most: String,
    least: String,
    /// Whether the first and the last group are the scale's ends (quintile 1 and 5, …).
    most_is_end: bool,
    least_is_end: bool,
    /// Row labels: "Most deprived fifth" or "Most deprived here (Q2)".
    most_row: String,
    least_row: String,
}

fn extremes(table: &GapTable, part: &str) -> Extremes {
    let (unit, letter, last) = match table.by {
        GroupBy::ImdDecile => ("decile", 'D', 10),
        _ => ("quintile", 'Q', 5),
    };
    let by_deprivation = matches!(
        table.by,
        GroupBy::ImdDecile | GroupBy::ImdQuintile | GroupBy::LocalQuintile
    );
    let rank = |g: Option<&GapGroup>| g.and_then(|g| g.key.parse::<u32>().ok());
    let name = |g: Option<&GapGroup>, end: u32, which: &str| match rank(g) {
        Some(k) if by_deprivation && k != end => (
            format!("{unit} {k}, the {which} deprived here"),
            format!("{} deprived here ({letter}{k})", capitalise(which)),
            false,
        ),
        _ => (
            format!("the {which} deprived {part}"),
            format!("{} deprived {part}", capitalise(which)),
            true,
        ),
    };
    let (most, most_row, first_end) = name(table.groups.first(), 1, "most");
    let (least, least_row, last_end) = name(table.groups.last(), last, "least");
    Extremes {
        most,
        least,
        most_is_end: first_end,
        least_is_end: last_end,
        most_row,
        least_row,
    }
}

impl Extremes {
    fn both_ends(&self) -> bool {
        self.most_is_end && self.least_is_end
    }

    /// The two groups in a sentence, the scope (" of areas in England") after the first that
    /// is a fifth (tenth) of the scale.
    fn phrases(&self, of: &str) -> (String, String) {
        if self.most_is_end {
            (format!("{}{of}", self.most), self.least.clone())
        } else if self.least_is_end {
            (self.most.clone(), format!("{}{of}", self.least))
        } else {
            (self.most.clone(), self.least.clone())
        }
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The name of the indicator in a sentence.
fn name(meta: &IndicatorMeta) -> &str {
    if meta.short_name.is_empty() {
        &meta.name
    } else {
        &meta.short_name
    }
}

/// "41.5%", "12.3 per 1,000", "7.2".
pub fn value_text(meta: &IndicatorMeta, v: f64) -> String {
    match meta.unit.as_str() {
        "%" => format!("{}%", num(Some(v), 1)),
        "" => num(Some(v), 1),
        unit => format!("{} {unit}", num(Some(v), 1)),
    }
}

/// A difference in the indicator's units: "6.9 percentage points" for percentages.
pub fn difference_text(meta: &IndicatorMeta, v: f64) -> String {
    match meta.unit.as_str() {
        "%" => format!("{} percentage points", num(Some(v), 1)),
        _ => value_text(meta, v),
    }
}

fn interval(lo: f64, hi: f64, dp: usize) -> String {
    format!("{} to {}", num(Some(lo), dp), num(Some(hi), dp))
}

/// The reading of a public gap table as every output shows it — the deck's indicator slides,
/// the `reading` member of `/api/gaps` JSON and so present mode — with the scope named the
/// same way: the locality the table is within (its name), else the dataset's area.
pub fn table_reading(dataset: &Dataset, table: &GapTable) -> String {
    let locality = table.locality.as_deref().map(|id| {
        crate::figures::localities(dataset)
            .into_iter()
            .find(|a| crate::figures::locality_id(a) == id)
            .map_or(id, |a| a.name.as_str())
    });
    reading(
        table,
        locality.unwrap_or(&dataset.meta.name),
        dataset.meta.suppress_max_count,
    )
}

/// A public gap table with its words, as JSON publishes it (`/api/gaps`, `gapmap gaps --format
/// json`): the table's own members, then `reading` and `key_figures`.
#[derive(Debug, Serialize, ToSchema)]
pub struct GapTableJson<'a> {
    #[serde(flatten)]
    pub table: &'a GapTable,
    /// The table in one plain-English sentence, exactly as the deck's slide for it reads
    /// ([`table_reading`]; present mode shows this string): e.g. "Year 6 excess weight is 1.2
    /// times as common in the most deprived fifth of … (95% CI 1.13 to 1.28)"; withheld
    /// figures are said to be withheld. Only for groupings by deprivation (IMD deciles,
    /// quintiles, local quintiles): the words compare the most and least deprived groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    /// The slide's key-figures rows: measure, value, 95% interval, as printed ("withheld"
    /// where suppressed; [`key_figures`]). Only with `reading`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_figures: Option<Vec<[String; 3]>>,
}

impl<'a> GapTableJson<'a> {
    pub fn new(dataset: &Dataset, table: &'a GapTable) -> GapTableJson<'a> {
        let worded = matches!(
            table.by,
            GroupBy::ImdDecile | GroupBy::ImdQuintile | GroupBy::LocalQuintile
        );
        GapTableJson {
            reading: worded.then(|| table_reading(dataset, table)),
            key_figures: worded.then(|| key_figures(table)),
            table,
        }
    }
}

/// The one-line reading of a gap table. `scope` names the area the table covers (the
/// locality of a locality-scoped table, else the county: "County Durham"); `suppress_max` is
/// the small-number threshold.
pub fn reading(table: &GapTable, scope: &str, suppress_max: u32) -> String {
    let meta = &table.indicator;
    let words = group_words(table.by, scope);
    let (part, of) = (words.part, words.of_scope);
    let n = name(meta);
    // Within one locality: "In North, X is …" and "X in North: the gap …".
    let (lead, subject) = match &table.locality {
        Some(_) => (format!("In {scope}, {n}"), format!("{n} in {scope}")),
        None => (n.to_string(), n.to_string()),
    };
    let as_what = if meta.value_type == ValueType::Mean {
        "as high"
    } else {
        "as common"
    };
    let Some(ratio) = table.summary.relative_gap else {
        let withheld = table.groups.first().is_some_and(|g| g.suppressed)
            || table.groups.last().is_some_and(|g| g.suppressed)
            || table.summary.notes.iter().any(|n| n.contains("withheld"));
        return if withheld {
            format!(
                "{subject}: the gap between the most and least deprived {part}s{of} is withheld, because publishing it could reveal small numbers (counts of 1 to {suppress_max})."
            )
        } else {
            let why = table
                .summary
                .notes
                .first()
                .map(|s| format!(" ({})", s.trim_end_matches('.')))
                .unwrap_or_default();
            format!("{subject}: the gap between the most and least deprived {part}s{of} could not be calculated{why}.")
        };
    };
    let dp = if ratio.value >= 1.0 { 1 } else { 2 };
    let ci = interval(ratio.lower95, ratio.upper95, 2);
    let ends = extremes(table, part);
    let (most, least) = ends.phrases(&of);
    match compare_interval(
        Some(ratio.lower95),
        Some(ratio.upper95),
        Some(1.0),
        meta.polarity,
    ) {
        Significance::Similar | Significance::NotCompared if ends.both_ends() => format!(
            "{subject}: no significant difference between the most and least deprived {part}s{of} (ratio {}, 95% CI {ci}).",
            num(Some(ratio.value), 2)
        ),
        Significance::Similar | Significance::NotCompared => format!(
            "{subject}: no significant difference between {most} and {least} (ratio {}, 95% CI {ci}).",
            num(Some(ratio.value), 2)
        ),
        _ => format!(
            "{lead} is {} times {as_what} in {most} as in {least} (95% CI {ci}).",
            num(Some(ratio.value), dp),
        ),
    }
}

/// "41.5%" and "40.0 to 43.0", or "withheld" / "no data".
fn group_cells(meta: &IndicatorMeta, g: Option<&GapGroup>) -> (String, String) {
    match g {
        Some(g) if g.suppressed => ("withheld".into(), "small numbers".into()),
        Some(GapGroup {
            value: Some(v),
            lower95,
            upper95,
            ..
        }) => (
            value_text(meta, *v),
            match (lower95, upper95) {
                (Some(lo), Some(hi)) => interval(*lo, *hi, 1),
                _ => String::new(),
            },
        ),
        _ => ("no data".into(), String::new()),
    }
}

fn estimate_cells(e: Option<Estimate>, fmt: impl Fn(f64) -> String, dp: usize) -> (String, String) {
    match e {
        Some(e) => (fmt(e.value), interval(e.lower95, e.upper95, dp)),
        None => ("withheld".into(), String::new()),
    }
}

/// Rows of the key-figures table: (measure, value, 95% CI). Absent measures read "withheld"
/// or "not available", never a number.
pub fn key_figures(table: &GapTable) -> Vec<[String; 3]> {
    let meta = &table.indicator;
    let words = group_words(table.by, "");
    let part = words.part;
    let points = |v: f64| match meta.unit.as_str() {
        "%" => format!("{} pts", num(Some(v), 1)),
        _ => value_text(meta, v),
    };
    let (most, most_ci) = group_cells(meta, table.groups.first());
    let (least, least_ci) = group_cells(meta, table.groups.last());
    let (gap, gap_ci) = estimate_cells(table.summary.absolute_gap, points, 1);
    let (ratio, ratio_ci) = estimate_cells(table.summary.relative_gap, |v| num(Some(v), 2), 2);
    let (sii, sii_ci) = estimate_cells(table.summary.sii, points, 1);
    let ends = extremes(table, part);
    vec![
        [ends.most_row, most, most_ci],
        [ends.least_row, least, least_ci],
        ["Gap (most − least)".into(), gap, gap_ci],
        ["Ratio (most ÷ least)".into(), ratio, ratio_ci],
        ["Slope index (SII)".into(), sii, sii_ci],
    ]
}

/// Speaker notes: the reading, every group's figures, the summary measures with intervals,
/// the comparators, anything withheld and why, and the synthetic-data warning.
pub fn speaker_notes(table: &GapTable, scope: &str, suppress_max: u32) -> Vec<String> {
    let meta = &table.indicator;
    let mut notes = vec![reading(table, scope, suppress_max)];
    if table.synthetic {
        notes.push("SYNTHETIC DEMONSTRATION DATA — NOT OFFICIAL STATISTICS. These values were modelled for the demonstration and say nothing about the real health of any area.".into());
    }
    notes.push(format!(
        "{} ({}), {}. Groups: {} across {scope}.",
        meta.name,
        meta.id,
        meta.period,
        table.by.label().to_lowercase()
    ));
    for g in &table.groups {
        let line = if g.suppressed {
            format!(
                "{}: withheld to protect small numbers (counts of 1 to {suppress_max}).",
                g.label
            )
        } else {
            match (g.value, g.lower95, g.upper95) {
                (Some(v), Some(lo), Some(hi)) => {
                    let counts = match (g.count, g.denominator) {
                        (Some(c), Some(d)) => {
                            format!(", {} of {}", num(Some(c), 0), num(Some(d), 0))
                        }
                        _ => String::new(),
                    };
                    format!(
                        "{}: {} (95% CI {}){counts}.",
                        g.label,
                        value_text(meta, v),
                        interval(lo, hi, 1)
                    )
                }
                (Some(v), _, _) => format!("{}: {}.", g.label, value_text(meta, v)),
                _ => format!("{}: no data.", g.label),
            }
        };
        notes.push(line);
    }
    let s = &table.summary;
    let measure = |label: &str, e: Option<Estimate>, fmt: &dyn Fn(f64) -> String, dp: usize| match e
    {
        Some(e) => format!(
            "{label}: {} (95% CI {}).",
            fmt(e.value),
            interval(e.lower95, e.upper95, dp)
        ),
        None => format!("{label}: withheld or not available."),
    };
    let diff = |v: f64| difference_text(meta, v);
    let ratio = |v: f64| num(Some(v), 2);
    notes.push(measure(
        &format!(
            "Absolute gap, {} minus {}",
            s.most_deprived, s.least_deprived
        ),
        s.absolute_gap,
        &diff,
        1,
    ));
    notes.push(measure(
        &format!("Relative gap, {} ÷ {}", s.most_deprived, s.least_deprived),
        s.relative_gap,
        &ratio,
        2,
    ));
    // Without a better/worse direction (e.g. a service's reach) the SII is most − least deprived.
    let sii_label = if meta.polarity == crate::dataset::Polarity::NotApplicable {
        "Slope index of inequality (positive = higher in the most deprived)"
    } else {
        "Slope index of inequality (positive = the most deprived are worse off)"
    };
    notes.push(measure(sii_label, s.sii, &diff, 1));
    notes.push(measure("Relative index of inequality", s.rii, &ratio, 2));
    let comparator = |c: &Option<crate::dataset::Comparator>| {
        c.as_ref().and_then(|c| {
            c.value
                .map(|v| format!("{} {}", c.area_name, value_text(meta, v)))
        })
    };
    let refs: Vec<String> = [comparator(&table.england), comparator(&table.county)]
        .into_iter()
        .flatten()
        .collect();
    if !refs.is_empty() {
        notes.push(format!("For comparison: {}.", refs.join("; ")));
    }
    if let Some(r) = &s.reliability {
        notes.push(format!("Caution: {r}."));
    }
    notes.extend(s.notes.iter().cloned());
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{Polarity, ValueType};
    use crate::gaps::GapSummary;
    use crate::level::Level;
    use crate::stats::significance::Comparison;

    fn table(relative: Option<Estimate>, polarity: Polarity, suppressed_first: bool) -> GapTable {
        let meta = IndicatorMeta {
            id: "990002".into(),
            name: "Year 6 prevalence of overweight".into(),
            short_name: "Year 6 excess weight".into(),
            value_type: ValueType::Proportion,
            multiplier: 100.0,
            polarity,
            synthetic: true,
            level: Level::Msoa11,
            period: "2021/22 - 23/24".into(),
            sex: "Persons".into(),
            age: "10-11 yrs".into(),
            source_id: "s".into(),
            unit: "%".into(),
            standardisation: None,
            age_standard: None,
        };
        let group = |key: &str, value: f64, suppressed: bool| GapGroup {
            key: key.into(),
            label: format!("Local quintile {key}"),
            order: key.parse().unwrap(),
            areas: 13,
            population: Some(50_000),
            count: (!suppressed).then_some(1000.0),
            denominator: Some(2500.0),
            value: (!suppressed).then_some(value),
            lower95: (!suppressed).then_some(value - 1.5),
            upper95: (!suppressed).then_some(value + 1.5),
            lower998: None,
            upper998: None,
            suppressed,
            vs_england: Comparison::NOT_COMPARED,
            vs_county: Comparison::NOT_COMPARED,
            share: None,
            rank_midpoint: None,
        };
        GapTable {
            indicator: meta.clone(),
            by: GroupBy::LocalQuintile,
            level: Level::Msoa11,
            edition: None,
            locality: None,
            synthetic: true,
            groups: vec![group("1", 41.5, suppressed_first), group("5", 34.5, false)],
            summary: GapSummary {
                absolute_gap: relative.map(|_| Estimate {
                    value: 6.94,
                    lower95: 4.7,
                    upper95: 9.2,
                }),
                relative_gap: relative,
                sii: None,
                rii: None,
                sii_line: None,
                most_deprived: "Local quintile 1 (most deprived)".into(),
                least_deprived: "Local quintile 5 (least deprived)".into(),
                reliability: None,
                notes: vec![],
            },
            england: None,
            county: None,
            not_recomputed: vec![],
            method_notes: vec![],
            suppression_note: String::new(),
            reps: 1000,
            seed: 1,
        }
    }

    #[test]
    fn a_significant_ratio_reads_as_times_as_common() {
        let t = table(
            Some(Estimate {
                value: 1.2012,
                lower95: 1.1311,
                upper95: 1.2794,
            }),
            Polarity::HigherIsWorse,
            false,
        );
        assert_eq!(
            reading(&t, "County Durham", 4),
            "Year 6 excess weight is 1.2 times as common in the most deprived fifth of County Durham as in the least deprived fifth (95% CI 1.13 to 1.28)."
        );
    }

    #[test]
    fn an_interval_spanning_one_is_not_significant() {
        let t = table(
            Some(Estimate {
                value: 1.04,
                lower95: 0.97,
                upper95: 1.12,
            }),
            Polarity::HigherIsWorse,
            false,
        );
        assert_eq!(
            reading(&t, "County Durham", 4),
            "Year 6 excess weight: no significant difference between the most and least deprived fifths of County Durham (ratio 1.04, 95% CI 0.97 to 1.12)."
        );
    }

    #[test]
    fn a_withheld_gap_says_so_and_shows_no_figure() {
        let t = table(None, Polarity::HigherIsWorse, true);
        let r = reading(&t, "County Durham", 4);
        assert!(r.contains("is withheld") && r.contains("1 to 4"), "{r}");
        assert!(
            !r.contains("41.5") && !r.contains('%') && !r.contains("CI"),
            "{r}"
        );
        let figures = key_figures(&t);
        assert_eq!(figures[0][1], "withheld");
        assert_eq!(figures[2][1], "withheld");
        let notes = speaker_notes(&t, "County Durham", 4).join("\n");
        assert!(
            !notes.contains("41.5"),
            "a suppressed value leaked into the notes"
        );
    }

    #[test]
    fn a_locality_without_the_least_deprived_fifth_names_the_group_it_has() {
        // East has no area in national quintile 5: its gap is quintile 1 against quintile 4.
        let mut t = table(
            Some(Estimate {
                value: 1.32,
                lower95: 1.06,
                upper95: 1.65,
            }),
            Polarity::HigherIsWorse,
            false,
        );
        t.by = GroupBy::ImdQuintile;
        t.locality = Some("East".into());
        if let Some(last) = t.groups.last_mut() {
            last.key = "4".into();
        }
        assert_eq!(
            reading(&t, "East", 4),
            "In East, Year 6 excess weight is 1.3 times as common in the most deprived fifth of areas in England as in quintile 4, the least deprived here (95% CI 1.06 to 1.65)."
        );
        let rows = key_figures(&t);
        assert_eq!(rows[0][0], "Most deprived fifth");
        assert_eq!(rows[1][0], "Least deprived here (Q4)");
        t.summary.relative_gap = Some(Estimate {
            value: 1.04,
            lower95: 0.97,
            upper95: 1.12,
        });
        assert!(reading(&t, "East", 4).contains(
            "no significant difference between the most deprived fifth of areas in England and quintile 4, the least deprived here"
        ));
    }

    #[test]
    fn a_ratio_below_one_keeps_two_decimals() {
        let t = table(
            Some(Estimate {
                value: 0.4998,
                lower95: 0.46,
                upper95: 0.54,
            }),
            Polarity::HigherIsBetter,
            false,
        );
        assert!(reading(&t, "County Durham", 4)
            .contains("is 0.50 times as common in the most deprived fifth"));
    }
}
