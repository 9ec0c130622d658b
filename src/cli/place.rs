//! `gapmap place`: where k new Family Hubs or outreach sites should go (arguments and runner).
//!
//! ```text
//! gapmap place [--config …] --model mclp|p-median|equity --k N
//!              [--radius METRES | --matrix M.csv --radius MINUTES]
//!              [--demand D.csv --candidates C.csv [--existing E.csv]]
//!              [--format table|csv|json|geojson|xlsx] [--out FILE]
//! ```
//! Without `--demand` the instance comes from the dataset: one demand point per LSOA
//! (`--level`, `--ages`, `--need`, `--quintiles`), the dataset's sites (existing ones fixed
//! open), `--existing`/`--candidates` files, and generated candidates (`--generate`).
//!
//! The options of the placement itself are [`PlaceOptions`] (everything but where the report
//! goes), flattened here and into `gapmap slides` (`--place`); [`PlaceOptions::report`] is the
//! one path from them to the report.

use super::ConfigArgs;
use super::Error;
use crate::export::placement::{encode_placement, PlacementFormat};
use crate::fsutil::write_atomic;
use crate::imd::ImdEdition;
use crate::ingest::placement::{load_demand, load_matrix, load_site_points};
use crate::level::Level;
use crate::place::candidates::{merge_sites, Sample, SampleRule};
use crate::place::demand::{AgeBand, DemandInfo, DemandSpec, Need, Quintiles};
use crate::place::report::{PlacementReport, ReportContext};
use crate::place::run::{run as run_task, Task};
use crate::place::{Access, Control, Instance, Model, SolveOptions};
use crate::public::placement::{
    what_if_places, Generate, PlacementParts, PlacementRequest, DEFAULT_RADIUS_METRES,
};
use crate::public::PublicDataset;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// `gapmap place`: solve a placement exactly and report the gap it closes.
#[derive(Debug, Clone, clap::Args)]
pub struct PlaceArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Load this dataset snapshot instead of the config's snapshot path.
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub options: PlaceOptions,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlacementFormat::Table)]
    pub format: PlacementFormat,
    /// Write to this file (atomically) instead of standard output; required for xlsx.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write the instance to this directory as demand.csv (id,x,y,weight,imd_quintile),
    /// candidates.csv and existing.csv (id,x,y), to solve it with other tools
    /// (scripts/compare-spopt). Weights are derived from public ONS population estimates.
    #[arg(long)]
    pub write_instance: Option<PathBuf>,
}

/// What to place and how: every option of `gapmap place` except where the report goes. Also
/// flattened into `gapmap slides` (its `--place` slide), so both commands take the same flags
/// and reach the same report through [`PlaceOptions::report`].
#[derive(Debug, Clone, PartialEq, clap::Args)]
pub struct PlaceOptions {
    /// Model: mclp (maximise need-weighted coverage), p-median (minimise need-weighted
    /// distance), equity (maximise quintile 1 coverage, then total coverage).
    #[arg(long, value_enum, default_value_t = Model::Mclp)]
    pub model: Model,
    /// Number of new sites to open (existing sites stay open and do not count); give this or
    /// --sites.
    #[arg(long)]
    pub k: Option<usize>,
    /// What-if: evaluate exactly these new sites instead of solving (comma-separated site ids,
    /// or @LON:LAT for a new place); k is then their number and --k is not needed.
    #[arg(long, value_delimiter = ',', conflicts_with = "k")]
    pub sites: Option<Vec<String>>,
    /// Coverage radius: metres of straight-line distance (default 3000), or minutes with --matrix.
    #[arg(long)]
    pub radius: Option<f64>,
    /// Travel-time matrix CSV (origin,site,minutes) instead of straight-line distance;
    /// --radius is then in minutes. Pairs not listed are unreachable.
    #[arg(long)]
    pub matrix: Option<PathBuf>,
    /// Your own demand CSV: id, x,y (EPSG:27700 metres) or lon,lat, weight, optional
    /// imd_quintile (1 = most deprived). Needs --candidates; the dataset is not used.
    #[arg(long, requires = "candidates")]
    pub demand: Option<PathBuf>,
    /// Candidate sites CSV: id and x,y or lon,lat (with the dataset also postcode); optional name.
    #[arg(long)]
    pub candidates: Option<PathBuf>,
    /// Existing sites CSV (always open; not counted in k), same columns as --candidates.
    /// A candidate with the same id is that existing site.
    #[arg(long)]
    pub existing: Option<PathBuf>,
    /// Dataset demand: LSOA geography of the demand points, lsoa11 or lsoa21.
    #[arg(long, default_value = "lsoa11")]
    pub level: Level,
    /// Dataset demand: children of this age band, FROM-TO within 0-19.
    #[arg(long, default_value = "0-4")]
    pub ages: AgeBand,
    /// Dataset demand: need multiplying the children: children, imd-score, imd-decile
    /// (11 − national decile), indicator:ID (excess over England), or unmet:SERVICE[:NEED]
    /// (unmet need: NEED, default children, × (1 − min(1, the service's contacts per child)),
    /// SERVICE a loaded reach indicator id or service name, e.g. unmet:reach-family-hub:imd-score).
    #[arg(long, default_value = "imd-score")]
    pub need: Need,
    /// IMD edition for need and quintiles: 2019 or 2025 (default: the level's native edition).
    #[arg(long)]
    pub imd: Option<ImdEdition>,
    /// Dataset demand: which IMD quintiles the tables and the equity model use.
    #[arg(long, value_enum, default_value_t = Quintiles::National)]
    pub quintiles: Quintiles,
    /// Dataset candidates generated at area centres: none, msoa or lsoa.
    #[arg(long, value_enum, default_value_t = Generate::Msoa)]
    pub generate: Generate,
    /// Keep only N generated candidates, by --sample-rule.
    #[arg(long)]
    pub sample: Option<usize>,
    /// How --sample keeps N candidates: systematic (every ⌊n/N⌋-th area in code order, so
    /// proportional to population) or grid (one per cell of the coarsest BNG grid with at least
    /// N occupied cells: the area with the most children aged 0-4).
    #[arg(long, value_enum, default_value_t = SampleRule::Systematic)]
    pub sample_rule: SampleRule,
    /// Stop the exact search after this many seconds and report the best solution found
    /// (clearly marked as not proven optimal).
    #[arg(long, default_value_t = 300)]
    pub time_limit: u64,
    /// Count a solve as optimal once the proven relative gap is at most this. The default 1e-9
    /// means optimal; HiGHS' own default is 1e-4 (0.01%).
    #[arg(long, default_value_t = crate::place::milp::MIP_REL_GAP)]
    pub gap_tolerance: f64,
}

/// Where the dataset comes from when the options need it (not with `--demand`): loaded on
/// demand, so a file instance never reads a snapshot.
pub type DatasetSource<'a> = &'a dyn Fn() -> Result<Arc<PublicDataset>, Error>;

impl PlaceOptions {
    /// The placement report these options ask for: the task, the instance (from the files or
    /// the dataset), then the solve or evaluation, exactly as `gapmap place` reports it.
    pub fn report(&self, dataset: DatasetSource, quiet: bool) -> Result<PlacementReport, Error> {
        let task = self.task()?;
        let (instance, context) = self.instance(&task, dataset)?;
        solve(&instance, &task, &context, quiet)
    }

    /// True when any option differs from its default (so `gapmap slides` can refuse placement
    /// options given without `--place`).
    pub fn any_given(&self) -> bool {
        #[derive(clap::Parser)]
        struct Defaults {
            #[command(flatten)]
            options: PlaceOptions,
        }
        use clap::Parser;
        Defaults::try_parse_from(["gapmap"]).map_or(true, |d| d.options != *self)
    }

    fn task(&self) -> Result<Task, Error> {
        if let Some(sites) = &self.sites {
            return Ok(Task::Evaluate {
                model: self.model,
                sites: sites.clone(),
            });
        }
        let k = self
            .k
            .ok_or_else(|| Error::Usage("give --k N (new sites to open) or --sites ID,…".into()))?;
        if !(self.gap_tolerance >= 0.0 && self.gap_tolerance < 1.0) {
            return Err(Error::Usage(format!(
                "--gap-tolerance {} must be at least 0 and below 1 (e.g. 1e-4 for 0.01%)",
                self.gap_tolerance
            )));
        }
        let mut options = SolveOptions::new(self.model, k);
        options.time_limit = Duration::from_secs(self.time_limit);
        options.rel_gap = self.gap_tolerance;
        Ok(Task::Solve(options))
    }

    fn parts_from_files(&self, demand_path: &Path, task: &Task) -> Result<PlacementParts, Error> {
        let candidates_path = self
            .candidates
            .as_deref()
            .ok_or_else(|| Error::Usage("--demand needs --candidates C.csv".into()))?;
        let (demand, _) = load_demand(demand_path)?;
        let mut groups = Vec::new();
        if let Some(path) = &self.existing {
            groups.push(load_site_points(path, true, None)?);
        }
        groups.push(load_site_points(candidates_path, false, None)?);
        if let Task::Evaluate { sites, .. } = task {
            groups.push(what_if_places(sites)?);
        }
        let quintiles = demand.iter().any(|d| d.quintile.is_some());
        let info = DemandInfo {
            source: demand_path.display().to_string(),
            level: None,
            points: demand.len(),
            ages: None,
            need: "weight".into(),
            weight_label: format!("the weight column of {}, as given", demand_path.display()),
            quintiles: quintiles
                .then(|| format!("the imd_quintile column of {}", demand_path.display())),
            centres: "positions given in the file".into(),
            synthetic: false,
            notes: Vec::new(),
        };
        Ok(PlacementParts {
            demand,
            sites: merge_sites(groups),
            context: ReportContext {
                area_name: "your instance".to_string(),
                demand: info,
                suppress_max_count: 4,
                weights_are_counts: false,
            },
        })
    }

    fn parts_from_dataset(
        &self,
        public: &PublicDataset,
        task: Task,
    ) -> Result<PlacementParts, Error> {
        let ds = public.dataset();
        let geocode = |pc: &str| ds.postcode(pc).cloned();
        let existing = match &self.existing {
            Some(path) => load_site_points(path, true, Some(&geocode))?,
            None => Vec::new(),
        };
        let candidates = match &self.candidates {
            Some(path) => load_site_points(path, false, Some(&geocode))?,
            None => Vec::new(),
        };
        let request = PlacementRequest {
            demand: DemandSpec {
                level: self.level,
                ages: self.ages,
                need: self.need.clone(),
                edition: self.imd,
                quintiles: self.quintiles,
            },
            generate: self.generate,
            sample: self.sample.map(|size| Sample {
                size,
                rule: self.sample_rule,
            }),
            existing,
            candidates,
            task,
        };
        Ok(public.placement_parts(&request)?)
    }

    /// The instance and the report's context.
    fn instance(
        &self,
        task: &Task,
        dataset: DatasetSource,
    ) -> Result<(Instance, ReportContext), Error> {
        let parts = match &self.demand {
            Some(path) => self.parts_from_files(path, task)?,
            None => self.parts_from_dataset(&*dataset()?, task.clone())?,
        };
        let access = match &self.matrix {
            Some(path) => {
                let radius = self.radius.ok_or_else(|| {
                    Error::Usage("--matrix needs --radius in minutes (e.g. --radius 15)".into())
                })?;
                let demand_ids: Vec<&str> = parts.demand.iter().map(|d| d.id.as_str()).collect();
                let site_ids: Vec<&str> = parts.sites.iter().map(|s| s.id.as_str()).collect();
                Access::Matrix(load_matrix(path, radius, &demand_ids, &site_ids)?)
            }
            None => Access::Distance {
                radius: self.radius.unwrap_or(DEFAULT_RADIUS_METRES),
            },
        };
        let instance = Instance::new(parts.demand, parts.sites, access)?;
        Ok((instance, parts.context))
    }
}

/// Write the instance as three CSVs (shortest round-trip number formatting, so another tool
/// reads exactly the same coordinates and weights).
fn write_instance(dir: &Path, instance: &Instance) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        context: format!("creating {}", dir.display()),
        source,
    })?;
    let mut demand = String::from("id,x,y,weight,imd_quintile\n");
    for d in &instance.demand {
        let q = d.quintile.map(|q| q.to_string()).unwrap_or_default();
        demand.push_str(&format!("{},{},{},{},{q}\n", d.id, d.x, d.y, d.weight));
    }
    let sites = |existing: bool| {
        let mut s = String::from("id,x,y\n");
        for site in instance.sites.iter().filter(|s| s.existing == existing) {
            s.push_str(&format!("{},{},{}\n", site.id, site.x, site.y));
        }
        s
    };
    write_atomic(&dir.join("demand.csv"), demand.as_bytes())?;
    write_atomic(&dir.join("candidates.csv"), sites(false).as_bytes())?;
    write_atomic(&dir.join("existing.csv"), sites(true).as_bytes())?;
    Ok(())
}

/// Solve or evaluate with a progress spinner (on a terminal) and per-second log lines.
fn solve(
    instance: &Instance,
    task: &Task,
    context: &ReportContext,
    quiet: bool,
) -> Result<PlacementReport, Error> {
    let spinner = crate::progress::spinner("solving", quiet);
    let mut last_log = std::time::Instant::now();
    let report = run_task(instance, task, context, &mut |p| {
        let mut message = p.stage.clone();
        if let (Some(incumbent), Some(bound)) = (p.incumbent, p.bound) {
            message.push_str(&format!(
                ": best {incumbent:.1}, bound {bound:.1}, gap {:.4}%",
                p.gap.unwrap_or(0.0) * 100.0
            ));
        }
        spinner.set_message(message.clone());
        if last_log.elapsed() >= Duration::from_secs(1) {
            last_log = std::time::Instant::now();
            tracing::info!("{:.1} s {message}", p.elapsed);
        }
        Control::Continue
    })?;
    spinner.finish_and_clear();
    Ok(report)
}

/// Run `gapmap place`.
pub fn run(args: &PlaceArgs, quiet: bool, stdout: &mut dyn Write) -> Result<(), Error> {
    if args.format == PlacementFormat::Xlsx && args.out.is_none() {
        return Err(Error::Usage("--format xlsx needs --out FILE.xlsx".into()));
    }
    let options = &args.options;
    let task = options.task()?;
    let dataset = || {
        let ds = args.config.load_dataset(args.snapshot.as_deref(), quiet)?;
        Ok(Arc::new(PublicDataset::new(Arc::new(ds))))
    };
    let (instance, context) = options.instance(&task, &dataset)?;
    if let Some(dir) = &args.write_instance {
        write_instance(dir, &instance)?;
    }
    let report = solve(&instance, &task, &context, quiet)?;
    let bytes = encode_placement(&report, args.format)?;
    match &args.out {
        Some(path) => write_atomic(path, &bytes)?,
        None => stdout.write_all(&bytes).map_err(|source| Error::Io {
            context: "writing to standard output".into(),
            source,
        })?,
    }
    Ok(())
}
