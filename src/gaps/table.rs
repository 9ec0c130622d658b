//! Building a [`GapTable`] from the [`Dataset`]: grouping, aggregation, intervals,
//! comparisons, suppression, gaps and SII/RII.

use super::{AreaComparison, GapError, GapGroup, GapRequest, GapSummary, GapTable, GroupBy};
use crate::dataset::{Area, Comparator, Dataset, Indicator, IndicatorMeta, Polarity, ValueType};
use crate::imd::ImdEdition;
use crate::stats::aggregate::Totals;
use crate::stats::gap::{self, GroupEstimate};
use crate::stats::mean::{pooled_mean, se_from_interval95, WeightedMean};
use crate::stats::poisson_exact::{rate_interval, EXACT_BELOW};
use crate::stats::significance::{compare, Comparison};
use crate::stats::sii::{slope_index, Orientation, SiiGroup, SiiOptions, Transform};
use crate::stats::suppress::{is_small, suppress_groups};
use crate::stats::wilson::wilson_interval;
use crate::stats::{Confidence, StatsError};
use std::collections::{BTreeMap, HashSet};

/// A value with its intervals on the display scale.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Computed {
    value: f64,
    lower95: f64,
    upper95: f64,
    lower998: f64,
    upper998: f64,
    log_se: Option<f64>,
}

/// Value and intervals of a count/denominator pair by the indicator's method.
fn from_counts(meta: &IndicatorMeta, count: f64, denominator: f64) -> Result<Computed, StatsError> {
    let m = meta.multiplier;
    match meta.value_type {
        ValueType::Proportion => {
            let ci95 = wilson_interval(count, denominator, Confidence::P95)?.scaled(m);
            let ci998 = wilson_interval(count, denominator, Confidence::P998)?.scaled(m);
            Ok(Computed {
                value: count / denominator * m,
                lower95: ci95.lower,
                upper95: ci95.upper,
                lower998: ci998.lower,
                upper998: ci998.upper,
                log_se: gap::log_se_proportion(count, denominator),
            })
        }
        ValueType::Rate | ValueType::Mean => {
            // A mean with a count and denominator is not meaningful; treat as a rate.
            let ci95 = rate_interval(count, denominator, m, Confidence::P95)?;
            let ci998 = rate_interval(count, denominator, m, Confidence::P998)?;
            Ok(Computed {
                value: count / denominator * m,
                lower95: ci95.lower,
                upper95: ci95.upper,
                lower998: ci998.lower,
                upper998: ci998.upper,
                log_se: gap::log_se_rate(count),
            })
        }
    }
}

/// Whether the indicator's values are computed from counts (proportions, rates).
fn uses_counts(meta: &IndicatorMeta) -> bool {
    meta.value_type != ValueType::Mean
}

struct GroupAcc {
    key: String,
    label: String,
    /// Smaller = more deprived; used to order rows.
    deprivation_rank: f64,
    totals: Totals,
    population: Option<u64>,
    means: Vec<WeightedMean>,
    imd_score_weighted: f64,
    imd_weight: f64,
}

fn ordinal_label(kind: &str, n: u8, last: u8) -> String {
    match n {
        1 => format!("{kind} 1 (most deprived)"),
        x if x == last => format!("{kind} {x} (least deprived)"),
        x => format!("{kind} {x}"),
    }
}

fn find_indicator<'a>(dataset: &'a Dataset, id: &str) -> Result<&'a Indicator, GapError> {
    dataset
        .indicator(id)
        .ok_or_else(|| GapError::UnknownIndicator {
            id: id.to_string(),
            available: dataset.indicator_ids().join(", "),
        })
}

/// Areas of the indicator's level whose values are suppressed in public outputs (primary and
/// secondary suppression over all areas, which partition the published county total). Tiles,
/// the area profile and the by-area table all use this one set, so no output undoes another.
pub fn suppressed_areas(dataset: &Dataset, indicator: &Indicator) -> HashSet<String> {
    if !uses_counts(&indicator.meta) {
        return HashSet::new();
    }
    let Some(layer) = dataset.layer(indicator.meta.level) else {
        return HashSet::new();
    };
    let counts: Vec<Option<f64>> = layer
        .areas
        .iter()
        .map(|a| indicator.value_for(&a.code).and_then(|v| v.count))
        .collect();
    let flags = suppress_groups(&counts, dataset.meta.suppress_max_count, true);
    layer
        .areas
        .iter()
        .zip(flags)
        .filter(|(_, hidden)| *hidden)
        .map(|(a, _)| a.code.clone())
        .collect()
}

fn benchmark(comparator: &Option<Comparator>) -> Option<f64> {
    comparator.as_ref().and_then(|c| c.value)
}

/// Primary suppression of a comparator row (the county of a tiny indicator).
fn public_comparator(comparator: &Option<Comparator>, max: u32) -> Option<Comparator> {
    comparator.as_ref().map(|c| {
        if is_small(c.count, max) {
            Comparator {
                value: None,
                lower95: None,
                upper95: None,
                count: None,
                note: format!("{} Suppressed: small count.", c.note)
                    .trim()
                    .to_string(),
                ..c.clone()
            }
        } else {
            c.clone()
        }
    })
}

/// One area compared with England and the county, suppressed as in every public output.
pub fn compare_area(
    dataset: &Dataset,
    indicator: &str,
    area_code: &str,
) -> Result<AreaComparison, GapError> {
    let ind = find_indicator(dataset, indicator)?;
    let row = ind
        .value_for(area_code)
        .ok_or_else(|| GapError::UnknownArea {
            indicator: indicator.to_string(),
            area_code: area_code.to_string(),
        })?;
    let computed = match (row.count, row.denominator) {
        (Some(c), Some(d)) if uses_counts(&ind.meta) => Some(
            from_counts(&ind.meta, c, d).map_err(|source| GapError::BadInput {
                indicator: indicator.to_string(),
                place: format!("area {area_code}"),
                source,
            })?,
        ),
        _ => row.value.map(|value| Computed {
            value,
            lower95: row.lower95.unwrap_or(f64::NAN),
            upper95: row.upper95.unwrap_or(f64::NAN),
            lower998: row.lower998.unwrap_or(f64::NAN),
            upper998: row.upper998.unwrap_or(f64::NAN),
            log_se: None,
        }),
    };
    let suppressed = suppressed_areas(dataset, ind).contains(area_code);
    let finite = |x: f64| x.is_finite().then_some(x);
    let shown = computed.filter(|_| !suppressed);
    let lower95 = shown.and_then(|c| finite(c.lower95));
    let upper95 = shown.and_then(|c| finite(c.upper95));
    let lower998 = shown.and_then(|c| finite(c.lower998));
    let upper998 = shown.and_then(|c| finite(c.upper998));
    let polarity = ind.meta.polarity;
    Ok(AreaComparison {
        area_code: area_code.to_string(),
        indicator_id: ind.meta.id.clone(),
        synthetic: ind.meta.synthetic,
        count: if suppressed { None } else { row.count },
        denominator: row.denominator,
        value: shown.map(|c| c.value),
        lower95,
        upper95,
        lower998,
        upper998,
        suppressed,
        vs_england: compare(
            (lower95, upper95),
            (lower998, upper998),
            benchmark(&ind.england),
            polarity,
        ),
        vs_county: compare(
            (lower95, upper95),
            (lower998, upper998),
            benchmark(&ind.county),
            polarity,
        ),
    })
}

/// The gap table for a request; public-safe (suppressed) when returned.
pub fn gap_table(dataset: &Dataset, req: &GapRequest) -> Result<GapTable, GapError> {
    let ind = find_indicator(dataset, &req.indicator)?;
    let meta = &ind.meta;
    if req.level != meta.level {
        return Err(GapError::LevelNotAvailable {
            indicator: meta.id.clone(),
            requested: req.level,
            available: meta.level,
        });
    }
    let layer = dataset
        .layer(req.level)
        .ok_or_else(|| GapError::LevelNotLoaded {
            level: req.level,
            loaded: dataset.level_ids(),
        })?;
    let wanted_edition = req.edition.unwrap_or(req.level.native_imd());
    let edition_loaded = layer.imd_editions.contains(&wanted_edition);
    let needs_imd = matches!(
        req.by,
        GroupBy::ImdDecile | GroupBy::ImdQuintile | GroupBy::LocalQuintile
    );
    if needs_imd && !edition_loaded {
        return Err(GapError::EditionNotAvailable {
            edition: wanted_edition.label().to_string(),
            level: req.level,
            available: layer
                .imd_editions
                .iter()
                .map(|e| e.label())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let edition: Option<ImdEdition> = edition_loaded.then_some(wanted_edition);
    let max = dataset.meta.suppress_max_count;
    let mut notes = Vec::new();

    // 1. Group the areas.
    let locality_names: BTreeMap<&str, &str> = dataset
        .layer(crate::level::Level::Locality)
        .map(|l| {
            l.areas
                .iter()
                .map(|a| (a.code.as_str(), a.name.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let mut groups: BTreeMap<GroupKey, GroupAcc> = BTreeMap::new();
    let mut skipped_no_group = 0u32;
    // Values and areas are both usually sorted by code: walk them together and fall back to
    // a binary search when they are not aligned.
    let mut cursor = 0usize;
    for area in &layer.areas {
        let imd = edition.and_then(|e| area.imd(e));
        let Some((group_key, rank)) = group_of(req.by, area, imd) else {
            skipped_no_group += 1;
            continue;
        };
        let value = match ind.values.get(cursor) {
            Some(v) if v.area_code == area.code => {
                cursor += 1;
                Some(v)
            }
            _ => {
                let found = ind
                    .values
                    .binary_search_by(|v| v.area_code.as_str().cmp(&area.code));
                if let Ok(i) = found {
                    cursor = i + 1;
                }
                found.ok().map(|i| &ind.values[i])
            }
        };
        let acc = groups.entry(group_key).or_insert_with(|| {
            let (key, label) = group_label(req.by, group_key, area, &locality_names);
            GroupAcc {
                key,
                label,
                deprivation_rank: rank,
                totals: Totals::default(),
                population: None,
                means: Vec::new(),
                imd_score_weighted: 0.0,
                imd_weight: 0.0,
            }
        });
        acc.totals.add(
            value.and_then(|v| v.count),
            value.and_then(|v| v.denominator),
        );
        if let Some(p) = &area.population {
            *acc.population.get_or_insert(0) += u64::from(p.total);
        }
        if let Some(v) = value {
            if let (Some(mean), Some(lo), Some(up)) = (v.value, v.lower95, v.upper95) {
                acc.means.push(WeightedMean {
                    mean,
                    se: se_from_interval95(lo, up),
                    weight: v.denominator.unwrap_or(1.0),
                });
            }
        }
        if let Some(imd) = imd {
            let w = value
                .and_then(|v| v.denominator)
                .or(area.population.as_ref().map(|p| f64::from(p.total)))
                .unwrap_or(1.0);
            acc.imd_score_weighted += imd.score * w;
            acc.imd_weight += w;
        }
    }
    if skipped_no_group > 0 {
        notes.push(format!(
            "{skipped_no_group} areas have no {} and are left out of the table.",
            match req.by {
                GroupBy::Locality => "locality".to_string(),
                _ => format!("{} value", edition.map(|e| e.label()).unwrap_or("IMD")),
            }
        ));
    }

    // 2. Order rows: deciles/quintiles by number; areas/localities by IMD score, most
    //    deprived first (by code where no IMD is loaded).
    let mut rows: Vec<GroupAcc> = groups.into_values().collect();
    if matches!(req.by, GroupBy::Area | GroupBy::Locality) {
        for r in &mut rows {
            r.deprivation_rank = if r.imd_weight > 0.0 {
                -(r.imd_score_weighted / r.imd_weight)
            } else {
                0.0
            };
        }
    }
    rows.sort_by(|a, b| {
        a.deprivation_rank
            .total_cmp(&b.deprivation_rank)
            .then_with(|| a.key.cmp(&b.key))
    });
    let deprivation_ordered = needs_imd || edition.is_some();

    // 3. Values and intervals.
    let mut computed: Vec<Option<Computed>> = Vec::with_capacity(rows.len());
    for r in &rows {
        let c = if uses_counts(meta) {
            if r.totals.areas > 0 {
                Some(
                    from_counts(meta, r.totals.count, r.totals.denominator).map_err(|source| {
                        GapError::BadInput {
                            indicator: meta.id.clone(),
                            place: r.label.clone(),
                            source,
                        }
                    })?,
                )
            } else {
                None
            }
        } else {
            pooled_mean(&r.means).map(|e| {
                let se = se_from_interval95(e.lower95, e.upper95);
                let z998 = Confidence::P998.z();
                Computed {
                    value: e.value,
                    lower95: e.lower95,
                    upper95: e.upper95,
                    lower998: e.value - z998 * se,
                    upper998: e.value + z998 * se,
                    log_se: gap::log_se_mean(e.value, se),
                }
            })
        };
        computed.push(c);
    }

    // 4. Suppression (the groups partition the county total, which is published).
    let suppressed: Vec<bool> = if req.by == GroupBy::Area {
        let hidden = suppressed_areas(dataset, ind);
        rows.iter().map(|r| hidden.contains(&r.key)).collect()
    } else if uses_counts(meta) {
        let counts: Vec<Option<f64>> = rows
            .iter()
            .map(|r| (r.totals.areas > 0).then_some(r.totals.count))
            .collect();
        suppress_groups(&counts, max, true)
    } else {
        vec![false; rows.len()]
    };

    // 5. Public rows.
    let england_value = benchmark(&ind.england);
    let county_value = benchmark(&ind.county);
    let groups_out: Vec<GapGroup> = rows
        .iter()
        .zip(&computed)
        .zip(&suppressed)
        .enumerate()
        .map(|(i, ((r, c), &hidden))| {
            let shown = c.filter(|_| !hidden);
            let i95 = (shown.map(|c| c.lower95), shown.map(|c| c.upper95));
            let i998 = (shown.map(|c| c.lower998), shown.map(|c| c.upper998));
            let has_counts = uses_counts(meta) && r.totals.areas > 0;
            GapGroup {
                key: r.key.clone(),
                label: r.label.clone(),
                order: u32::try_from(i + 1).unwrap_or(u32::MAX),
                areas: r.totals.areas + r.totals.areas_missing,
                population: r.population,
                count: (has_counts && !hidden).then_some(r.totals.count),
                denominator: (r.totals.areas > 0).then_some(r.totals.denominator),
                value: shown.map(|c| c.value),
                lower95: i95.0,
                upper95: i95.1,
                lower998: i998.0,
                upper998: i998.1,
                suppressed: hidden,
                vs_england: if hidden {
                    Comparison::NOT_COMPARED
                } else {
                    compare(i95, i998, england_value, meta.polarity)
                },
                vs_county: if hidden {
                    Comparison::NOT_COMPARED
                } else {
                    compare(i95, i998, county_value, meta.polarity)
                },
            }
        })
        .collect();

    // 6. Gaps between the first (most deprived) and last (least deprived) rows.
    let estimate = |i: usize| {
        computed[i].map(|c| GroupEstimate {
            value: c.value,
            lower95: c.lower95,
            upper95: c.upper95,
            log_se: c.log_se,
        })
    };
    let mut summary = GapSummary {
        absolute_gap: None,
        relative_gap: None,
        sii: None,
        rii: None,
        most_deprived: rows.first().map(|r| r.label.clone()).unwrap_or_default(),
        least_deprived: rows.last().map(|r| r.label.clone()).unwrap_or_default(),
        reliability: None,
        notes: Vec::new(),
    };
    let any_suppressed = suppressed.iter().any(|s| *s);
    if !deprivation_ordered {
        summary.notes.push(format!(
            "No IMD loaded on level {}: rows are not in deprivation order, so no gap or SII is given.",
            req.level
        ));
    } else if rows.len() < 2 {
        summary
            .notes
            .push("Fewer than 2 groups: no gap can be computed.".to_string());
    } else {
        let last = rows.len() - 1;
        if suppressed[0] || suppressed[last] {
            summary.notes.push(
                "Gap withheld: the most or least deprived group is suppressed (small count), and the gap would reveal it."
                    .to_string(),
            );
        } else if let (Some(most), Some(least)) = (estimate(0), estimate(last)) {
            summary.absolute_gap = Some(gap::absolute_gap(&most, &least));
            summary.relative_gap = gap::relative_gap(&most, &least);
            if summary.relative_gap.is_none() {
                summary
                    .notes
                    .push("Relative gap undefined: a group has no events.".to_string());
            }
        } else {
            summary.notes.push(
                "Gap not computed: the most or least deprived group has no data.".to_string(),
            );
        }
    }

    // 7. SII/RII.
    if deprivation_ordered && rows.len() >= 2 {
        if any_suppressed {
            summary.notes.push(
                "SII/RII withheld: a group is suppressed, and with the other groups published the SII and RII would reveal its value."
                    .to_string(),
            );
        } else {
            let scale = if meta.value_type == ValueType::Mean {
                1.0
            } else {
                meta.multiplier
            };
            let sii_groups: Option<Vec<SiiGroup>> = rows
                .iter()
                .zip(&computed)
                .map(|(r, c)| {
                    c.map(|c| SiiGroup {
                        label: r.label.clone(),
                        population: if uses_counts(meta) {
                            r.totals.denominator
                        } else {
                            r.means.iter().map(|m| m.weight).sum()
                        },
                        value: c.value / scale,
                        lower95: c.lower95 / scale,
                        upper95: c.upper95 / scale,
                        events: uses_counts(meta).then_some(r.totals.count),
                    })
                })
                .collect();
            match sii_groups {
                None => summary
                    .notes
                    .push("SII/RII not computed: a group has no data.".to_string()),
                Some(groups) => {
                    let options = SiiOptions {
                        transform: match meta.value_type {
                            ValueType::Proportion => Transform::Logit,
                            ValueType::Rate => Transform::Log,
                            ValueType::Mean => Transform::Identity,
                        },
                        multiplier: scale,
                        orientation: if meta.polarity == Polarity::HigherIsBetter {
                            Orientation::LeastMinusMost
                        } else {
                            Orientation::MostMinusLeast
                        },
                        reps: req.reps,
                        seed: req.seed,
                        min_events: EXACT_BELOW,
                    };
                    match slope_index(&groups, &options) {
                        Ok(result) => {
                            summary.sii = Some(result.sii);
                            summary.rii = Some(result.rii);
                            if !result.warnings.is_empty() {
                                summary.reliability = Some(result.warnings.join("; "));
                            }
                        }
                        Err(e) => summary.notes.push(format!("SII/RII not computed: {e}.")),
                    }
                }
            }
        }
    }
    if !notes.is_empty() {
        summary.notes.extend(notes);
    }

    let method_notes = method_notes(dataset, meta, req, edition);
    Ok(GapTable {
        indicator: meta.clone(),
        by: req.by,
        level: req.level,
        edition,
        synthetic: meta.synthetic,
        groups: groups_out,
        summary,
        england: public_comparator(&ind.england, max),
        county: public_comparator(&ind.county, max),
        method_notes,
        suppression_note: format!(
            "Counts from 1 to {max} are suppressed, with the row's value and confidence limits (which would reveal the count). \
             Where a single row is suppressed, the row with the next-smallest count is suppressed as well, so the hidden count \
             cannot be recovered from the published total. Gaps and SII/RII that would reveal a suppressed row are withheld. \
             Suppressed cells are blank and marked suppressed = true."
        ),
        reps: req.reps,
        seed: req.seed,
    })
}

/// Grouping key of one area, borrowed from the area (no allocation per area).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey<'a> {
    Number(u8),
    Code(&'a str),
}

/// Group key and deprivation rank of one area, or `None` when it has no group.
fn group_of<'a>(
    by: GroupBy,
    area: &'a Area,
    imd: Option<&crate::imd::AreaImd>,
) -> Option<(GroupKey<'a>, f64)> {
    let number = |n: u8| (GroupKey::Number(n), f64::from(n));
    match by {
        GroupBy::ImdDecile => imd.map(|i| number(i.decile)),
        GroupBy::ImdQuintile => imd.map(|i| number(i.quintile)),
        GroupBy::LocalQuintile => imd.map(|i| number(i.local_quintile)),
        GroupBy::Locality => area.locality.as_deref().map(|l| (GroupKey::Code(l), 0.0)),
        GroupBy::Area => Some((GroupKey::Code(&area.code), 0.0)),
    }
}

/// Published key and label of a group (made once per group).
fn group_label(
    by: GroupBy,
    key: GroupKey,
    area: &Area,
    locality_names: &BTreeMap<&str, &str>,
) -> (String, String) {
    match (by, key) {
        (GroupBy::ImdDecile, GroupKey::Number(n)) => {
            (n.to_string(), ordinal_label("Decile", n, 10))
        }
        (GroupBy::ImdQuintile, GroupKey::Number(n)) => {
            (n.to_string(), ordinal_label("Quintile", n, 5))
        }
        (GroupBy::LocalQuintile, GroupKey::Number(n)) => {
            (n.to_string(), ordinal_label("Local quintile", n, 5))
        }
        (GroupBy::Locality, GroupKey::Code(l)) => (
            l.to_string(),
            locality_names
                .get(l)
                .map_or_else(|| l.to_string(), |n| n.to_string()),
        ),
        (_, GroupKey::Code(c)) => (c.to_string(), format!("{} ({})", area.name, c)),
        (_, GroupKey::Number(n)) => (n.to_string(), n.to_string()),
    }
}

fn method_notes(
    dataset: &Dataset,
    meta: &IndicatorMeta,
    req: &GapRequest,
    edition: Option<ImdEdition>,
) -> Vec<String> {
    let mut notes = Vec::new();
    if meta.synthetic {
        notes.push(
            "SYNTHETIC DEMONSTRATION DATA, NOT OFFICIAL STATISTICS: the area values were modelled from deprivation and population. \
             They say nothing about the real health of any area."
                .to_string(),
        );
    }
    notes.push(format!(
        "Indicator {} \"{}\", {} {} {}, level {}, grouped by {}{}.",
        meta.id,
        meta.name,
        meta.period,
        meta.sex,
        meta.age,
        meta.level.label(),
        req.by.label().to_lowercase(),
        edition
            .map(|e| format!(" ({})", e.label()))
            .unwrap_or_default()
    ));
    notes.push(
        "Group values are the sum of the areas' counts divided by the sum of their denominators (never an average of area rates)."
            .to_string(),
    );
    notes.push(match meta.value_type {
        ValueType::Proportion => "Confidence intervals (95% and 99.8%): Wilson score method for proportions (Wilson 1927; Newcombe & Altman 2000), as PHEindicatormethods phe_proportion and Fingertips.".to_string(),
        ValueType::Rate => format!(
            "Confidence intervals (95% and 99.8%): exact Poisson (chi-square) limits for counts below {EXACT_BELOW}, Byar's method otherwise (Breslow & Day 1987; Armitage & Berry 2002), as PHEindicatormethods phe_rate and Fingertips."
        ),
        ValueType::Mean => "Confidence intervals: denominator-weighted mean of area means, standard error from each area's 95% interval, normal approximation.".to_string(),
    });
    notes.push(
        "Comparisons with England and the county: Fingertips method \"confidence intervals overlapping reference value\" at 95% and 99.8% — similar if the interval contains the benchmark value, otherwise better/worse by the indicator's polarity (higher/lower where polarity is not set)."
            .to_string(),
    );
    notes.push(
        "Absolute gap: most deprived minus least deprived group, 95% interval by the MOVER/Newcombe method from each group's interval (Newcombe 1998; Zou & Donner 2008). Relative gap: most / least deprived, 95% interval by the log method (Katz 1978 for proportions; Poisson for rates)."
            .to_string(),
    );
    notes.push(format!(
        "SII and RII: PHE method (Low & Low 2004; PHEindicatormethods phe_sii) — regression of group values on the population-weighted cumulative rank midpoint (most deprived = 0), square-root population weights; SII × {} oriented so a positive SII means the most deprived are worse off{}; RII = fitted value of the worse-off end / the other end. 95% limits from {} Monte Carlo replicates (seed {}) on the {} scale. Flagged unreliable when a group has fewer than {EXACT_BELOW} events or there are more than 10 groups.",
        if meta.value_type == ValueType::Mean { 1.0 } else { meta.multiplier },
        if meta.polarity == Polarity::HigherIsBetter { " (higher is better: least minus most deprived)" } else { " (most minus least deprived)" },
        req.reps,
        req.seed,
        match meta.value_type {
            ValueType::Proportion => "logit",
            ValueType::Rate => "log",
            ValueType::Mean => "natural",
        }
    ));
    if let Some(source) = dataset.meta.sources.iter().find(|s| s.id == meta.source_id) {
        notes.push(format!(
            "Source: {} ({}). {}",
            source.title, source.publisher, source.attribution
        ));
    }
    notes.push(
        "Contains public sector information licensed under the Open Government Licence v3.0. Index of Multiple Deprivation: MHCLG English Indices of Deprivation (OGL v3.0); population: ONS (OGL v3.0)."
            .to_string(),
    );
    notes
}
