//! The rows every download format writes, in order — one per group, then one per summary
//! measure — and the error every format returns.

use crate::gaps::{Estimate, GapTable};
use crate::stats::significance::Significance;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not build the table: {0}")]
    Polars(#[from] polars::prelude::PolarsError),
    #[error("could not build the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error(transparent)]
    File(#[from] crate::fsutil::WriteError),
    #[error("could not write the output: {0}")]
    Write(#[from] std::io::Error),
}

/// One exported row (a group or a summary measure).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    /// "group" or "summary".
    pub row_type: &'static str,
    pub key: String,
    pub label: String,
    pub order: Option<u32>,
    pub areas: Option<u32>,
    pub population: Option<u64>,
    pub count: Option<f64>,
    pub denominator: Option<f64>,
    pub value: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
    pub lower998: Option<f64>,
    pub upper998: Option<f64>,
    pub suppressed: bool,
    pub vs_england_95: Option<&'static str>,
    pub vs_england_998: Option<&'static str>,
    pub vs_county_95: Option<&'static str>,
    pub vs_county_998: Option<&'static str>,
    pub note: String,
}

fn sig(s: Significance) -> Option<&'static str> {
    (s != Significance::NotCompared).then(|| s.label())
}

/// The rows every format writes, in order.
pub fn rows(table: &GapTable) -> Vec<ExportRow> {
    let mut out: Vec<ExportRow> = table
        .groups
        .iter()
        .map(|g| ExportRow {
            row_type: "group",
            key: g.key.clone(),
            label: g.label.clone(),
            order: Some(g.order),
            areas: Some(g.areas),
            population: g.population,
            count: g.count,
            denominator: g.denominator,
            value: g.value,
            lower95: g.lower95,
            upper95: g.upper95,
            lower998: g.lower998,
            upper998: g.upper998,
            suppressed: g.suppressed,
            vs_england_95: sig(g.vs_england.at95),
            vs_england_998: sig(g.vs_england.at998),
            vs_county_95: sig(g.vs_county.at95),
            vs_county_998: sig(g.vs_county.at998),
            note: if g.suppressed {
                "suppressed: small count".to_string()
            } else if let Some(n) = table.not_recomputed.iter().find(|n| n.key == g.key) {
                format!("not recomputed: {}", n.reason)
            } else {
                String::new()
            },
        })
        .collect();
    let s = &table.summary;
    let withheld = s.notes.join(" ");
    let measures: [(&str, String, Option<Estimate>); 4] = [
        (
            "absolute_gap",
            format!(
                "Absolute gap: {} minus {}",
                s.most_deprived, s.least_deprived
            ),
            s.absolute_gap,
        ),
        (
            "relative_gap",
            format!("Relative gap: {} / {}", s.most_deprived, s.least_deprived),
            s.relative_gap,
        ),
        (
            "sii",
            "Slope index of inequality (positive = most deprived worse off)".to_string(),
            s.sii,
        ),
        (
            "rii",
            "Relative index of inequality (above 1 = most deprived worse off)".to_string(),
            s.rii,
        ),
    ];
    for (key, label, estimate) in measures {
        let note = match (estimate, key) {
            (None, _) => withheld.clone(),
            (Some(_), "sii" | "rii") => s
                .reliability
                .clone()
                .map(|r| format!("reliability: {r}"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        out.push(ExportRow {
            row_type: "summary",
            key: key.to_string(),
            label,
            order: None,
            areas: None,
            population: None,
            count: None,
            denominator: None,
            value: estimate.map(|e| e.value),
            lower95: estimate.map(|e| e.lower95),
            upper95: estimate.map(|e| e.upper95),
            lower998: None,
            upper998: None,
            suppressed: false,
            vs_england_95: None,
            vs_england_998: None,
            vs_county_95: None,
            vs_county_998: None,
            note,
        });
    }
    out
}
