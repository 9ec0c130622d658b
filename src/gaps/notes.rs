//! The method notes and the suppression note every gap table carries (for downloads, the XLSX
//! "Method notes" sheet and slides): one sentence per method, with its source.

use super::request::GapRequest;
use crate::dataset::{Dataset, IndicatorMeta, Polarity, Standardisation, ValueType};
use crate::imd::ImdEdition;
use crate::stats::poisson_exact::EXACT_BELOW;

pub(super) fn method_notes(
    dataset: &Dataset,
    meta: &IndicatorMeta,
    req: &GapRequest,
    edition: Option<ImdEdition>,
    locality: Option<&str>,
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
    if let Some(locality) = locality {
        notes.push(format!(
            "Only the areas of the locality {locality} are included; deprivation groups are the areas' own (national or county) groups."
        ));
    }
    notes.push(match meta.standardisation {
        None => "Group values are the sum of the areas' counts divided by the sum of their denominators (never an average of area rates).".to_string(),
        Some(Standardisation::Indirect) => format!(
            "Indirectly standardised ({}): each area's expected count is recovered from its published value as E = O × R / value, R = England's value (the reference); a group's value is the sum of observed over the sum of expected counts × R, with exact Poisson limits below {EXACT_BELOW} events and Byar's otherwise (Breslow & Day 1987; PHEindicatormethods calculate_ISRatio; Fingertips technical guidance). A group with an area of no events, or no count, is not recomputed (see not_recomputed).",
            meta.unit
        ),
        Some(Standardisation::Adjusted) => "The published area values are not count / denominator × multiplier (a directly standardised rate, a weighted survey estimate or a modelled value; the file does not say which), so a group of several areas is not recomputed from counts (see not_recomputed); a group of one area shows that area's published value and limits. Set `standardisation` for the indicator in the config to say which.".to_string(),
        Some(Standardisation::Direct) => "Directly age-standardised rates (Dobson et al. 1991 limits, as PHEindicatormethods calculate_dsr): a group of several areas needs their age-band counts and populations, which the file does not carry, so such groups are not recomputed (see not_recomputed); a group of one area shows that area's published value and limits.".to_string(),
    });
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
    if let Some(reach) = dataset.reach.iter().find(|r| r.indicator_id == meta.id) {
        notes.push(format!(
            "Reach of {}: service-use contacts geocoded by postcode (ONS postcode lookup) and counted per area, per 1,000 children aged {} (ONS mid-year estimates). \
             Reach has no better or worse direction, so its SII is most minus least deprived: a positive SII means the most deprived areas are reached more \
             (proportionate universalism, Marmot 2010 \"Fair Society, Healthy Lives\"), a negative one that the least deprived are. \
             Records carry no child identifier, so these are contacts, not distinct children; only the per-area counts are kept, never the records.",
            reach.service, reach.ages
        ));
    }
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

/// What the suppression rule withholds, in words.
pub(super) fn suppression_note(max: u32) -> String {
    format!(
        "Counts from 1 to {max} are suppressed, with the row's value and confidence limits (which would reveal the count). \
         Where a single row is suppressed, the row with the next-smallest count is suppressed as well, so the hidden count \
         cannot be recovered from the published total. Gaps and SII/RII that would reveal a suppressed row are withheld. \
         Suppressed cells are blank and marked suppressed = true."
    )
}
