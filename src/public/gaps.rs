//! Public gap tables: the engine's table ([`crate::gaps`]) with what the disclosure audit
//! withholds applied — in a by-area table every hidden area, in a grouped table every group
//! total the audit lists (county-wide or within the requested locality) — cached by request.
//! A request for an earlier period is audited with that period's values.

use super::dataset::PublicDataset;
use super::disclosure::group_key;
use super::error::PublicError;
use super::values::PublicIndicator;
use crate::gaps::{GapRequest, GapTable, GroupBy};
use crate::lookup;
use crate::stats::significance::Comparison;
use std::sync::Arc;

impl PublicDataset {
    /// The public gap table for `request` (optionally within one locality), computed once and
    /// cached (tables are deterministic: fixed seed).
    pub fn gap_table(&self, request: &GapRequest) -> Result<Arc<GapTable>, PublicError> {
        if let Some(table) = self.gap_cache.get(request) {
            return Ok(table);
        }
        let compute = || -> Result<Arc<GapTable>, PublicError> {
            let dataset = self.dataset();
            let mut table = crate::gaps::gap_table(dataset, request)?;
            let indicator = lookup::indicator_in(
                dataset,
                &request.indicator,
                Some(request.level),
                request.period.as_deref(),
            )?;
            withhold(&mut table, &self.public_indicator(&indicator));
            Ok(Arc::new(table))
        };
        self.gap_cache
            .try_get_with(request.clone(), compute)
            .map_err(|e| (*e).clone())
    }
}

/// Withhold in a gap table what the public view withholds. Summary measures computed from a
/// newly withheld value are withheld too, as the engine does.
fn withhold(table: &mut GapTable, public: &PublicIndicator) {
    let mut withheld_more = false;
    for g in &mut table.groups {
        let hidden = match table.by {
            GroupBy::Area => public.value(&g.key).is_some_and(|v| v.figures.suppressed),
            by => group_key(by, table.edition, table.locality.as_deref(), &g.key)
                .is_some_and(|k| public.withheld_groups.contains(&k)),
        };
        if hidden && !g.suppressed {
            withheld_more = true;
            g.suppressed = true;
            g.count = None;
            g.value = None;
            g.lower95 = None;
            g.upper95 = None;
            g.lower998 = None;
            g.upper998 = None;
            g.vs_england = Comparison::NOT_COMPARED;
            g.vs_county = Comparison::NOT_COMPARED;
        }
    }
    if withheld_more {
        let s = &mut table.summary;
        s.absolute_gap = None;
        s.relative_gap = None;
        s.sii = None;
        s.rii = None;
        s.sii_line = None;
        s.notes.push(
            "Gaps and SII/RII are withheld: they would use values suppressed to protect small counts."
                .into(),
        );
    }
}
