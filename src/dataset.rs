//! The immutable, joined [`Dataset`]: every level's areas with geometry, IMD, population and
//! locality, the loaded indicators, and the indexes used to query them.
//!
//! A `Dataset` is built once by [`crate::build`], written as a snapshot with an atomic
//! rename, loaded by `gapmap serve` and shared read-only (`Arc<Dataset>`).

use crate::imd::{AreaImd, ImdEdition};
use crate::level::Level;
use geo::{MultiPolygon, Point};
use rstar::{RTree, RTreeObject, AABB};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Version of the snapshot layout; bump when a field changes so old snapshots are rebuilt.
pub const SNAPSHOT_VERSION: u32 = 3;

/// Everything gapmap knows about one area of interest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dataset {
    pub meta: DatasetMeta,
    /// One layer per loaded level, in display order.
    pub layers: Vec<Layer>,
    /// Indicators, in load order.
    pub indicators: Vec<Indicator>,
    /// Real national rows broken down by deprivation decile/quintile (Fingertips), used as
    /// England reference lines and to check the CI methods.
    pub national_by_deprivation: Vec<NationalDeprivationRow>,
    /// Sites (Family Hubs, centres, outreach points).
    pub sites: Vec<Site>,
    /// Live postcodes in the area of interest, for search and geocoding, sorted by postcode.
    pub postcodes: Vec<Postcode>,
    /// What was loaded of each service's use records (their reach indicators are in
    /// `indicators`). Aggregates only: no record is kept.
    pub reach: Vec<ReachSummary>,
}

/// The load report of one service's use records: counts, never rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReachSummary {
    /// The reach indicator's id, e.g. `reach-family-hub`.
    pub indicator_id: String,
    pub service: String,
    /// Age band of the denominator, e.g. `0-4`.
    pub ages: String,
    /// Rows of this service read.
    pub rows: u64,
    /// Contacts placed in an area of the area of interest.
    pub contacts: f64,
    /// First and last month of the rows (`YYYY-MM`).
    pub first_month: String,
    pub last_month: String,
    /// Rows whose postcode is not a postcode at all.
    pub unknown_postcode: u64,
    /// Rows with a well-formed postcode that is not a live postcode of the area of interest.
    pub outside_area: u64,
    /// The first lines (1-based, header = 1) of the rows not placed, so they can be fixed.
    pub unplaced_lines: Vec<usize>,
    pub synthetic: bool,
}

/// A live postcode unit (OS Code-Point Open location, ONS LSOA/MSOA 2011 lookup).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Postcode {
    /// Single-space form, upper case, e.g. "DH1 1AB".
    pub postcode: String,
    pub lon: f64,
    pub lat: f64,
    pub easting: f64,
    pub northing: f64,
    pub lsoa11: Option<String>,
    pub msoa11: Option<String>,
}

/// Provenance and settings of a build.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatasetMeta {
    pub snapshot_version: u32,
    /// e.g. "County Durham".
    pub name: String,
    /// Local authority codes that make up the area of interest, e.g. `["E06000047"]`.
    pub area_of_interest: Vec<String>,
    /// Level shown first in the map and used by default in the API.
    pub default_level: Level,
    /// Counts from 1 up to this value (inclusive) are suppressed in public outputs.
    pub suppress_max_count: u32,
    /// When the snapshot was built (RFC 3339, UTC).
    pub built_at: String,
    /// sha256 of the config file text, so a snapshot can be matched to its config.
    pub config_sha256: String,
    /// Every input used, with its source and attribution.
    pub sources: Vec<SourceRecord>,
    /// Name of the locality scheme, and whether it is illustrative.
    pub locality_scheme: Option<LocalityScheme>,
}

impl DatasetMeta {
    /// The attribution statements of every input, each once, in source order: the one list
    /// the API, TileJSON, the style, PMTiles metadata and downloads show.
    pub fn attribution(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for s in &self.sources {
            if !s.attribution.is_empty() && !seen.contains(&s.attribution) {
                seen.push(s.attribution.clone());
            }
        }
        seen
    }
}

/// One input file and where it officially comes from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceRecord {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub licence: String,
    pub attribution: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocalityScheme {
    pub name: String,
    /// True for the shipped Durham grouping: it is an illustration, not the council's own.
    pub illustrative: bool,
    pub note: String,
}

/// All areas of one level inside the area of interest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Layer {
    pub level: Level,
    pub areas: Vec<Area>,
    /// Which IMD editions are available on this layer.
    pub imd_editions: Vec<ImdEdition>,
    #[serde(skip)]
    index: LayerIndex,
}

#[derive(Debug, Clone, Default)]
struct LayerIndex {
    by_code: HashMap<String, usize>,
    tree: RTree<AreaEnvelope>,
}

/// Bounding box of one area, for the R-tree.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaEnvelope {
    pub area_index: usize,
    pub envelope: AABB<[f64; 2]>,
}

impl RTreeObject for AreaEnvelope {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.envelope
    }
}

impl Layer {
    pub fn new(level: Level, areas: Vec<Area>, imd_editions: Vec<ImdEdition>) -> Self {
        let mut layer = Layer {
            level,
            areas,
            imd_editions,
            index: LayerIndex::default(),
        };
        layer.rebuild_index();
        layer
    }

    /// Rebuild the lookup indexes (they are not stored in the snapshot).
    pub fn rebuild_index(&mut self) {
        let by_code = self
            .areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.clone(), i))
            .collect();
        let envelopes = self
            .areas
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                use geo::BoundingRect;
                a.geometry.bounding_rect().map(|r| AreaEnvelope {
                    area_index: i,
                    envelope: AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                })
            })
            .collect();
        self.index = LayerIndex {
            by_code,
            tree: RTree::bulk_load(envelopes),
        };
    }

    pub fn get(&self, code: &str) -> Option<&Area> {
        self.index.by_code.get(code).map(|&i| &self.areas[i])
    }

    pub fn position(&self, code: &str) -> Option<usize> {
        self.index.by_code.get(code).copied()
    }

    /// The area containing a lon/lat point, if any.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<&Area> {
        use geo::Contains;
        let point = Point::new(lon, lat);
        self.index
            .tree
            .locate_in_envelope_intersecting(&AABB::from_point([lon, lat]))
            .map(|e| &self.areas[e.area_index])
            .find(|a| a.geometry.contains(&point))
    }

    /// Bounding box of the whole layer as `[west, south, east, north]`.
    pub fn bounds(&self) -> Option<[f64; 4]> {
        let env = self.index.tree.root().envelope();
        if self.areas.is_empty() {
            return None;
        }
        Some([
            env.lower()[0],
            env.lower()[1],
            env.upper()[0],
            env.upper()[1],
        ])
    }
}

/// One small area.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Area {
    /// ONS/GSS code, e.g. `E02004290`.
    pub code: String,
    /// Readable name (House of Commons Library name for MSOAs), e.g. "Ouston & Beamish".
    pub name: String,
    /// Official ONS name, e.g. "County Durham 002".
    pub ons_name: String,
    /// Boundary in WGS84 longitude/latitude (traditional GIS axis order).
    pub geometry: MultiPolygon<f64>,
    /// Area in square metres, computed in British National Grid (EPSG:27700).
    pub area_m2: f64,
    /// Representative point (lon, lat): the ONS centroid where published, else the
    /// polygon centroid.
    pub centroid: [f64; 2],
    /// Centroid in British National Grid (easting, northing), for distances.
    pub centroid_bng: [f64; 2],
    pub population: Option<Population>,
    /// Deprivation under each available edition (at most one entry per edition).
    pub imd: Vec<AreaImd>,
    /// Locality this area belongs to (id into the locality layer), if localities are loaded.
    pub locality: Option<String>,
    /// Codes of the areas this one is built from (e.g. an MSOA's LSOAs); empty for base levels.
    pub members: Vec<String>,
}

impl Area {
    /// An area with only code, name and boundary (no measures, population, IMD or locality),
    /// for tools and tests that work on geometry alone.
    pub fn outline(code: String, name: String, geometry: MultiPolygon<f64>) -> Area {
        Area {
            ons_name: name.clone(),
            code,
            name,
            geometry,
            area_m2: 0.0,
            centroid: [0.0, 0.0],
            centroid_bng: [0.0, 0.0],
            population: None,
            imd: Vec::new(),
            locality: None,
            members: Vec::new(),
        }
    }

    pub fn imd(&self, edition: ImdEdition) -> Option<&AreaImd> {
        self.imd.iter().find(|i| i.edition == edition)
    }
}

/// Mid-year population estimate by age.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Population {
    /// Year of the estimate, e.g. 2020.
    pub year: u16,
    pub total: u32,
    /// Persons aged 0, 1, …, 19 (single years).
    pub ages_0_19: [u32; 20],
}

impl Population {
    /// No one, for the `year` of the estimates being summed.
    pub fn zero(year: u16) -> Population {
        Population {
            year,
            total: 0,
            ages_0_19: [0; 20],
        }
    }

    /// Add `part`, divided equally among `shares` areas (1: the whole of it). Used both to sum
    /// areas into their parent and to bridge an area split into several (each gets its share).
    pub fn add(&mut self, part: &Population, shares: u32) {
        let shares = shares.max(1);
        self.total += part.total / shares;
        for (a, b) in self.ages_0_19.iter_mut().zip(part.ages_0_19) {
            *a += b / shares;
        }
    }

    /// The sum of several populations (`None` when any is unknown: a partial sum would
    /// understate the total).
    pub fn sum<'a>(
        parts: impl IntoIterator<Item = Option<&'a Population>>,
        year: u16,
    ) -> Option<Population> {
        let mut total = Population::zero(year);
        for p in parts {
            total.add(p?, 1);
        }
        Some(total)
    }

    /// Persons aged `from..=to` (both at most 19).
    pub fn ages(&self, from: usize, to: usize) -> u32 {
        self.ages_0_19[from.min(19)..=to.min(19)].iter().sum()
    }
}

/// How an indicator's value relates to its count and denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    /// count / denominator × multiplier (usually 100: a percentage). Wilson score CIs.
    Proportion,
    /// count / denominator × multiplier (e.g. per 1,000 or 100,000). Byar / exact Poisson CIs.
    Rate,
    /// A mean; CIs from the standard error.
    Mean,
}

/// Whether a higher value is better or worse, as Fingertips sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    HigherIsWorse,
    HigherIsBetter,
    /// Not judged: compare as higher/lower only.
    NotApplicable,
}

/// Description of an indicator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndicatorMeta {
    /// Stable identifier, e.g. "990001" (Fingertips ID) or a user id.
    pub id: String,
    pub name: String,
    /// Short name for legends, e.g. "Excess weight, Reception".
    pub short_name: String,
    pub value_type: ValueType,
    /// 100 for percentages, 1000 for per 1,000, …
    pub multiplier: f64,
    pub polarity: Polarity,
    /// Synthetic demonstration data: must be labelled as such wherever it is shown.
    pub synthetic: bool,
    /// Level of the area values.
    pub level: Level,
    pub period: String,
    pub sex: String,
    pub age: String,
    /// Where the numbers come from (source record id).
    pub source_id: String,
    pub unit: String,
    /// Whether the published values are age-standardised (`None`: crude, value = count /
    /// denominator × multiplier). Standardised values cannot be pooled from counts and
    /// denominators; the gap table recomputes a group only where the method allows
    /// ([`Standardisation`]).
    #[serde(default)]
    pub standardisation: Option<Standardisation>,
    /// The standard population a directly standardised indicator loaded from age-band counts
    /// uses; each value's `bands` follow its band order. `None` for every other indicator.
    #[serde(default)]
    pub age_standard: Option<AgeStandard>,
}

/// The standard population of a directly standardised indicator (the bands the file gave).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgeStandard {
    /// `esp2013` or `esp1976`.
    pub name: String,
    /// Band labels as the standard names them, in order.
    pub bands: Vec<String>,
    /// The standard's population of each band.
    pub weights: Vec<f64>,
}

/// One age band of one area: events and population (loaded from an age-band file).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BandCount {
    pub count: f64,
    pub population: f64,
}

/// How a standardised indicator's published values were made (Fingertips' "Value type").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standardisation {
    /// Directly age-standardised rate (Dobson et al. 1991 limits, [`crate::stats::dsr`]): a
    /// group's value needs its age-band counts and populations, which an export does not carry.
    Direct,
    /// Indirectly standardised ratio or rate, observed / expected × reference
    /// ([`crate::stats::isr`]): each area's expected count is recovered as O × R / value, with
    /// R England's value, so a group is ΣO / ΣE × R wherever every area has events.
    Indirect,
    /// Not count / denominator × multiplier, for a reason the data cannot name: a directly
    /// standardised rate, a weighted survey estimate or a modelled value (found from the data,
    /// `ingest::standardisation`). Kept as published; treated like [`Standardisation::Direct`].
    Adjusted,
}

impl Standardisation {
    /// Plain-English name, as Fingertips' "Value type" names it.
    pub fn label(self) -> &'static str {
        match self {
            Standardisation::Direct => "directly standardised rate",
            Standardisation::Indirect => "indirectly standardised ratio or rate",
            Standardisation::Adjusted => {
                "published value that is not count / denominator × multiplier"
            }
        }
    }
}

/// One area's value for an indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorValue {
    pub area_code: String,
    /// Count of events (numerator). Fractional counts occur in apportioned Fingertips data.
    pub count: Option<f64>,
    pub denominator: Option<f64>,
    /// Value as published (or count/denominator × multiplier where not given).
    pub value: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
    pub lower998: Option<f64>,
    pub upper998: Option<f64>,
    /// Events and population by age band, in the order of the indicator's
    /// [`IndicatorMeta::age_standard`] (empty unless loaded from an age-band file). Kept for
    /// pooling areas into groups by Dobson's method; never published.
    #[serde(default)]
    pub bands: Vec<BandCount>,
}

/// A reference value (England or the county) with its interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparator {
    pub area_code: String,
    pub area_name: String,
    pub value: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
    pub count: Option<f64>,
    pub denominator: Option<f64>,
    /// Provenance note, e.g. "approximate: mean of published annual values".
    pub note: String,
}

impl Comparator {
    /// The comparator as it may be published: its value, interval and count are withheld when
    /// its own count is small ([`crate::stats::suppress::is_small`]), e.g. the county row of a
    /// tiny survey. The one rule for England and county rows in every output.
    pub fn published(&self, max_count: u32) -> Comparator {
        if !crate::stats::suppress::is_small(self.count, max_count) {
            return self.clone();
        }
        Comparator {
            value: None,
            lower95: None,
            upper95: None,
            count: None,
            note: format!("{} Suppressed: small count.", self.note)
                .trim()
                .to_string(),
            ..self.clone()
        }
    }
}

/// An indicator with its area values and comparators.
///
/// `values`, `england` and `county` are the latest period (`meta.period`): everything that does
/// not ask for a period gets it. Earlier periods are in `earlier`, oldest first; ask for one
/// with [`Indicator::in_period`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Indicator {
    pub meta: IndicatorMeta,
    /// Values keyed by area, sorted by area code (the latest period).
    pub values: Vec<IndicatorValue>,
    pub england: Option<Comparator>,
    /// The whole area of interest, as published (for synthetic data: the file's own row).
    pub county: Option<Comparator>,
    /// Earlier periods, oldest first (in time order, [`crate::period::Period`]).
    pub earlier: Vec<PeriodValues>,
}

/// One earlier period of an indicator: the same fields as the latest period's.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeriodValues {
    /// The period's label as published, e.g. `2019/20 - 21/22`.
    pub period: String,
    /// Values keyed by area, sorted by area code.
    pub values: Vec<IndicatorValue>,
    pub england: Option<Comparator>,
    pub county: Option<Comparator>,
}

impl Indicator {
    /// Every period's label, oldest first; the last is `meta.period`.
    pub fn periods(&self) -> Vec<&str> {
        self.earlier
            .iter()
            .map(|p| p.period.as_str())
            .chain(std::iter::once(self.meta.period.as_str()))
            .collect()
    }

    /// The indicator as it was in `period` (`None`: the latest), with that period's values,
    /// comparators and `meta.period`, and no other periods; `None` when it has no such period.
    pub fn in_period(&self, period: Option<&str>) -> Option<std::borrow::Cow<'_, Indicator>> {
        use std::borrow::Cow;
        let wanted = match period.map(str::trim) {
            None => return Some(Cow::Borrowed(self)),
            Some(p) if p == self.meta.period => return Some(Cow::Borrowed(self)),
            Some(p) => p,
        };
        let found = self.earlier.iter().find(|p| p.period == wanted)?;
        Some(Cow::Owned(Indicator {
            meta: IndicatorMeta {
                period: found.period.clone(),
                ..self.meta.clone()
            },
            values: found.values.clone(),
            england: found.england.clone(),
            county: found.county.clone(),
            earlier: Vec::new(),
        }))
    }

    pub fn value_for(&self, area_code: &str) -> Option<&IndicatorValue> {
        self.values
            .binary_search_by(|v| v.area_code.as_str().cmp(area_code))
            .ok()
            .map(|i| &self.values[i])
    }
}

/// A real national row by deprivation group (Fingertips England breakdown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NationalDeprivationRow {
    pub indicator_id: String,
    pub indicator_name: String,
    pub sex: String,
    pub age: String,
    /// Empty for the England total row.
    pub category_type: String,
    pub category: String,
    pub period: String,
    pub value: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
    pub count: Option<f64>,
    pub denominator: Option<f64>,
    /// 1-based line in the source file (header = line 1).
    pub line: usize,
}

/// A service site (Family Hub, One Point centre, outreach point, candidate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    pub id: String,
    pub name: String,
    /// e.g. "family_hub", "outreach", "candidate".
    pub kind: String,
    pub postcode: Option<String>,
    pub lon: f64,
    pub lat: f64,
    pub easting: f64,
    pub northing: f64,
    /// Existing sites are fixed in placement.
    pub existing: bool,
    /// True where the site list is illustrative rather than the council's own.
    pub illustrative: bool,
}

/// A postcode in the published form: upper case, spaces removed, then one space before the
/// last three characters ("dh11ab" → "DH1 1AB"); shorter than five characters, no space.
/// Splits by characters, not bytes: a search may hold any Unicode (found by fuzzing: a
/// byte-order mark inside "DH86\u{feff}DE" made a byte split panic).
pub fn normalise_postcode(raw: &str) -> String {
    let compact: Vec<char> = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.len() < 5 {
        return compact.into_iter().collect();
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    format!(
        "{} {}",
        outward.iter().collect::<String>(),
        inward.iter().collect::<String>()
    )
}

impl Dataset {
    pub fn layer(&self, level: Level) -> Option<&Layer> {
        self.layers.iter().find(|l| l.level == level)
    }

    pub fn levels(&self) -> Vec<Level> {
        self.layers.iter().map(|l| l.level).collect()
    }

    /// The loaded levels as "msoa11, lsoa11, …", for errors that list what is there.
    pub fn levels_list(&self) -> String {
        self.layers
            .iter()
            .map(|l| l.level.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.meta.id == id)
    }

    /// Indicator ids, for error messages that list what is allowed.
    pub fn indicator_ids(&self) -> Vec<&str> {
        self.indicators.iter().map(|i| i.meta.id.as_str()).collect()
    }

    /// True when any loaded indicator is synthetic (the UI must show a banner).
    pub fn has_synthetic(&self) -> bool {
        self.indicators.iter().any(|i| i.meta.synthetic)
    }

    /// Find a postcode, ignoring case and spacing ("dh11ab" finds "DH1 1AB").
    pub fn postcode(&self, query: &str) -> Option<&Postcode> {
        let key = normalise_postcode(query);
        if !key.contains(' ') {
            return None;
        }
        self.postcodes
            .binary_search_by(|p| p.postcode.as_str().cmp(&key))
            .ok()
            .map(|i| &self.postcodes[i])
    }

    /// Add (or replace) a service's reach indicator and its load summary.
    pub fn add_reach(&mut self, indicator: Indicator, summary: ReachSummary) {
        self.indicators.retain(|i| i.meta.id != indicator.meta.id);
        self.indicators.push(indicator);
        self.reach
            .retain(|r| r.indicator_id != summary.indicator_id);
        self.reach.push(summary);
    }

    /// Rebuild indexes after deserialising a snapshot.
    pub fn rebuild_indexes(&mut self) {
        for layer in &mut self.layers {
            layer.rebuild_index();
        }
    }

    /// Counts per level, used by `gapmap check` and tests.
    pub fn level_counts(&self) -> BTreeMap<Level, usize> {
        self.layers
            .iter()
            .map(|l| (l.level, l.areas.len()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::normalise_postcode;

    #[test]
    fn postcodes_are_normalised_by_characters_not_bytes() {
        assert_eq!(normalise_postcode(" dh1 1ab "), "DH1 1AB");
        assert_eq!(normalise_postcode("DH8 6DE"), "DH8 6DE");
        assert_eq!(normalise_postcode("DH86\u{feff}DE"), "DH86 \u{feff}DE");
        assert_eq!(normalise_postcode("e\u{feff}sh"), "E\u{feff}SH");
    }
}
