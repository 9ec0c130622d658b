//! Public reach against need: a service's reach indicator (contacts per 1,000 children of its
//! age band, [`crate::ingest::reach`]) as a public gap table — by IMD decile or quintile, local
//! quintile, locality or area, with suppression and the disclosure audit applied as for any
//! indicator — together with the load summary (rows read, contacts placed, rows whose postcode
//! could not be placed and their first lines). A positive SII means the most deprived areas
//! are reached more, and the report says so in words (`reading`).

use super::dataset::PublicDataset;
use super::error::PublicError;
use crate::dataset::ReachSummary;
use crate::gaps::{GapRequest, GapTable, GroupBy};
use serde::Serialize;
use std::sync::Arc;

/// A service's reach table and how its records were placed.
#[derive(Debug, Clone, Serialize)]
pub struct ReachReport {
    pub summary: ReachSummary,
    #[serde(serialize_with = "serialize_table")]
    pub table: Arc<GapTable>,
    /// The SII in words: whether the most deprived areas are reached significantly more, less,
    /// or no differently from the least deprived (decided by the SII's 95% interval), or why
    /// that cannot be said.
    pub reading: String,
    /// How to read the table, in words.
    pub notes: Vec<String>,
}

impl ReachReport {
    /// The table as downloads carry it (CSV, XLSX): the reach notes and the reading first in
    /// its method notes, then the gap table's own.
    pub fn download_table(&self) -> GapTable {
        let mut table = self.table.as_ref().clone();
        let mut notes = self.notes.clone();
        notes.push(self.reading.clone());
        notes.append(&mut table.method_notes);
        table.method_notes = notes;
        table
    }
}

/// The SII of a reach table in words (positive: the most deprived are reached more).
fn reading(table: &GapTable) -> String {
    let Some(sii) = table.summary.sii else {
        return "The SII is not available for this grouping or was withheld (see the notes), so whether the most deprived areas are reached more cannot be said.".into();
    };
    let figures = format!(
        "SII {:+.0} {} (95% CI {:.0} to {:.0})",
        sii.value, table.indicator.unit, sii.lower95, sii.upper95
    );
    if sii.lower95 > 0.0 {
        format!("The most deprived areas are reached significantly more than the least deprived: {figures}.")
    } else if sii.upper95 < 0.0 {
        format!("The most deprived areas are reached significantly less than the least deprived: {figures}.")
    } else {
        format!("No significant difference in reach between the most and least deprived areas: {figures}.")
    }
}

fn serialize_table<S: serde::Serializer>(table: &Arc<GapTable>, s: S) -> Result<S::Ok, S::Error> {
    table.as_ref().serialize(s)
}

impl PublicDataset {
    /// The loaded services (their names), for pickers and errors.
    pub fn reach_services(&self) -> Vec<&ReachSummary> {
        self.dataset().reach.iter().collect()
    }

    /// The reach of `service` (its name or its indicator id) grouped `by`, optionally within
    /// one locality, with the SII's Monte Carlo interval from the fixed default seed (what
    /// `/api/reach` returns).
    pub fn reach(
        &self,
        service: &str,
        by: GroupBy,
        locality: Option<String>,
        reps: u32,
    ) -> Result<ReachReport, PublicError> {
        self.reach_seeded(service, by, locality, reps, crate::stats::sii::DEFAULT_SEED)
    }

    /// [`PublicDataset::reach`] with the SII simulation's `seed` given (a deck's `--seed`).
    pub fn reach_seeded(
        &self,
        service: &str,
        by: GroupBy,
        locality: Option<String>,
        reps: u32,
        seed: u64,
    ) -> Result<ReachReport, PublicError> {
        let d = self.dataset();
        let wanted = service.trim();
        let summary = d
            .reach
            .iter()
            .find(|r| r.service.eq_ignore_ascii_case(wanted) || r.indicator_id == wanted)
            .ok_or_else(|| PublicError::UnknownService {
                given: wanted.to_string(),
                available: if d.reach.is_empty() {
                    "none (no service-use records are loaded)".into()
                } else {
                    d.reach
                        .iter()
                        .map(|r| r.service.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            })?;
        let request = GapRequest {
            locality,
            reps,
            seed,
            ..GapRequest::for_indicator(d, &summary.indicator_id, by)
        };
        let table = self.gap_table(&request)?;
        let mut notes = vec![
            format!(
                "Reach of {}: contacts per 1,000 children aged {} (mid-year population of each area), {} to {}. Records carry no child identifier, so these are contacts, not distinct children.",
                summary.service, summary.ages, summary.first_month, summary.last_month
            ),
            "A positive SII means the most deprived areas are reached more (proportionate universalism); a negative one that the least deprived are.".into(),
            format!(
                "{} rows read, {} contacts placed; {} rows with an unknown postcode and {} with a postcode outside the area of interest were not placed{}.",
                summary.rows,
                summary.contacts,
                summary.unknown_postcode,
                summary.outside_area,
                if summary.unplaced_lines.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (first lines: {})",
                        summary
                            .unplaced_lines
                            .iter()
                            .map(usize::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
        ];
        if summary.synthetic {
            notes.insert(
                0,
                "SYNTHETIC DEMONSTRATION DATA, NOT OFFICIAL STATISTICS: the service-use records were generated, not collected.".into(),
            );
        }
        Ok(ReachReport {
            summary: summary.clone(),
            reading: reading(&table),
            table,
            notes,
        })
    }
}
