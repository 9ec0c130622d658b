//! Placement on the public face: the one path from a placement request on the dataset to its
//! report, shared by `gapmap place` and `/api/place` (the engine in [`crate::place`] stays
//! pure; this adapter only gathers its inputs).
//!
//! - **Demand**: [`crate::place::demand::dataset_demand`], whose indicator-based need reads
//!   public values only ([`super::PublicIndicator`]), so a withheld value adds no need and the
//!   placement output cannot reveal it.
//! - **Sites**: the dataset's existing sites (fixed open), the request's existing sites, the
//!   dataset's other sites and the request's candidates, then generated candidates (area
//!   centres), merged by id ([`crate::place::candidates::merge_sites`]).
//! - **What-if places**: in a site list, `@LON:LAT` is a new place (WGS84), read like a row of
//!   a sites file (same checks: in Great Britain's lon/lat range, then within England's
//!   extent); its id is the text as given, so a shared link names the same site.
//!
//! The request's options are parsed once, by the caller's own front end (clap flags or query
//! parameters), into [`PlacementRequest`]; from there, [`PublicDataset::placement_parts`] and
//! [`crate::place::run::run`] are the same code for both.

use super::dataset::PublicDataset;
use crate::ingest::placement::site_points_from_rows;
use crate::ingest::IngestError;
use crate::level::Level;
use crate::place::candidates::{dataset_sites, generated_candidates, merge_sites, Sample};
use crate::place::demand::{dataset_demand, DemandSpec, Need};
use crate::place::report::{PlacementReport, ReportContext};
use crate::place::run::{run, Task};
use crate::place::{Access, Control, DemandPoint, Instance, PlaceError, Progress, SitePoint};

/// Default coverage radius in metres when no travel-time matrix is given.
pub const DEFAULT_RADIUS_METRES: f64 = 3000.0;

/// Where generated candidates go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Generate {
    /// No generated candidates (only the dataset's and the request's sites).
    None,
    /// The population-weighted centre of every MSOA (2011).
    Msoa,
    /// The population-weighted centre of every LSOA (2011).
    Lsoa,
}

/// A placement on the dataset, its options already parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacementRequest {
    pub demand: DemandSpec,
    pub generate: Generate,
    /// Keep only this many generated candidates, by a fixed rule.
    pub sample: Option<Sample>,
    /// Existing sites beyond the dataset's (always open; not counted in k).
    pub existing: Vec<SitePoint>,
    /// Candidates beyond the dataset's.
    pub candidates: Vec<SitePoint>,
    /// Solve, or evaluate a given site set (whose `@LON:LAT` entries become candidates).
    pub task: Task,
}

/// Why a placement on the dataset cannot be computed.
#[derive(Debug, thiserror::Error)]
pub enum PlacementError {
    #[error(transparent)]
    Place(#[from] PlaceError),
    /// A site given inline (request body, what-if place) is not a valid site.
    #[error(transparent)]
    Input(#[from] IngestError),
}

impl PlacementError {
    /// True when the request is at fault (HTTP 400, CLI exit 2).
    pub fn is_input_error(&self) -> bool {
        match self {
            PlacementError::Place(e) => !matches!(e, PlaceError::Solver(_)),
            PlacementError::Input(e) => !matches!(e, IngestError::Gdal { .. }),
        }
    }
}

/// The parts of an instance, before access is decided (a travel-time matrix needs the ids).
#[derive(Debug, Clone)]
pub struct PlacementParts {
    pub demand: Vec<DemandPoint>,
    pub sites: Vec<SitePoint>,
    pub context: ReportContext,
}

/// The new places (`@LON:LAT`) of a what-if site list, as candidate sites.
pub fn what_if_places(sites: &[String]) -> Result<Vec<SitePoint>, PlacementError> {
    let mut rows = Vec::new();
    for item in sites {
        let Some(place) = item.strip_prefix('@') else {
            continue;
        };
        let Some((lon, lat)) = place.split_once(':') else {
            return Err(PlaceError::Spec(format!(
                "sites: {item:?} is not a new place; write @LON:LAT (WGS84), e.g. @-1.5741:54.7761"
            ))
            .into());
        };
        rows.push(vec![
            item.clone(),
            format!("new site at {}, {}", lat.trim(), lon.trim()),
            lon.to_string(),
            lat.to_string(),
        ]);
    }
    Ok(site_points_from_rows(
        "sites",
        &["id", "name", "lon", "lat"],
        &rows,
        false,
        None,
    )?)
}

impl PublicDataset {
    /// Demand, sites and the report's context for `request` (see the module doc).
    pub fn placement_parts(
        &self,
        request: &PlacementRequest,
    ) -> Result<PlacementParts, PlacementError> {
        let ds = self.dataset();
        let (demand, info) = dataset_demand(ds, &request.demand)?;
        let (existing, others): (Vec<SitePoint>, Vec<SitePoint>) =
            dataset_sites(ds).into_iter().partition(|s| s.existing);
        let mut groups = vec![
            existing,
            request.existing.clone(),
            others,
            request.candidates.clone(),
        ];
        if let Task::Evaluate { sites, .. } = &request.task {
            groups.push(what_if_places(sites)?);
        }
        match request.generate {
            Generate::None => {}
            Generate::Msoa => groups.push(generated_candidates(ds, Level::Msoa11, request.sample)?),
            Generate::Lsoa => groups.push(generated_candidates(ds, Level::Lsoa11, request.sample)?),
        }
        let context = ReportContext {
            area_name: ds.meta.name.clone(),
            demand: info,
            suppress_max_count: ds.meta.suppress_max_count,
            weights_are_counts: request.demand.need == Need::Children,
        };
        Ok(PlacementParts {
            demand,
            sites: merge_sites(groups),
            context,
        })
    }

    /// Solve or evaluate `request` with straight-line access within `radius_metres`.
    pub fn place(
        &self,
        request: &PlacementRequest,
        radius_metres: f64,
        progress: &mut dyn FnMut(&Progress) -> Control,
    ) -> Result<PlacementReport, PlacementError> {
        let parts = self.placement_parts(request)?;
        let access = Access::Distance {
            radius: radius_metres,
        };
        let instance = Instance::new(parts.demand, parts.sites, access)?;
        Ok(run(&instance, &request.task, &parts.context, progress)?)
    }
}
