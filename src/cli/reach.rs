//! `gapmap reach`: are a service's contacts reaching the children who need them? Service-use
//! records are aggregated (never stored), then the public reach table by deprivation, locality
//! or area — contacts per 1,000 children of the age band, 95% limits, SII/RII (positive: the
//! most deprived are reached more) — is written like a gap table.
//!
//! ```text
//! gapmap reach --records R.csv --service "Family Hub" --by imd-quintile [--ages 0-4]
//!              [--level msoa11] [--locality NAME] [--format table|csv|json|xlsx] [--out FILE]
//! ```

use super::args::ConfigArgs;
use super::error::Error;
use crate::export::{render_table, write_csv, write_xlsx};
use crate::gaps::GroupBy;
use crate::ingest::reach::{load_reach, parse_ages, ReachSpec};
use crate::level::Level;
use crate::public::PublicDataset;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// Output format of `gapmap reach`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReachFormat {
    /// Aligned text table, then how the records were placed.
    Table,
    Csv,
    /// The table and the load summary.
    Json,
    /// Excel workbook (needs --out).
    Xlsx,
}

/// `gapmap reach`: reach of one service against need.
#[derive(Debug, clap::Args)]
pub struct ReachCommand {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Load this dataset snapshot instead of the config's snapshot path.
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    /// Service-use records: CSV postcode,date,service[,age_band][,count] (personal data: read,
    /// aggregated, never written anywhere).
    #[arg(long)]
    pub records: PathBuf,
    /// The service to count (the `service` column's value), e.g. "Family Hub".
    #[arg(long)]
    pub service: String,
    /// Age band of the children the service is for, in years (the rate's denominator).
    #[arg(long, default_value = "0-4")]
    pub ages: String,
    /// Level to count at: msoa11 or lsoa11.
    #[arg(long, default_value = "msoa11")]
    pub level: Level,
    /// Grouping: imd-decile, imd-quintile, local-quintile, locality or area.
    #[arg(long, default_value = "imd-quintile")]
    pub by: GroupBy,
    /// Only the areas of this locality (name or LOC- code).
    #[arg(long)]
    pub locality: Option<String>,
    /// Mark the records as synthetic demonstration data (labels every output).
    #[arg(long)]
    pub synthetic: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReachFormat::Table)]
    pub format: ReachFormat,
    /// Write to this file (atomically) instead of standard output; required for xlsx.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Monte Carlo replicates for the SII/RII intervals.
    #[arg(long, default_value_t = 100_000)]
    pub reps: u32,
}

/// Run `gapmap reach`.
pub fn run(args: &ReachCommand, quiet: bool, stdout: &mut dyn Write) -> Result<(), Error> {
    if args.format == ReachFormat::Xlsx && args.out.is_none() {
        return Err(Error::Usage(
            "--format xlsx writes a binary file; give --out FILE".into(),
        ));
    }
    let ages = parse_ages(&args.ages).ok_or_else(|| {
        Error::Usage(format!(
            "--ages {:?} is not an age band such as 0-4 (years, at most 19)",
            args.ages
        ))
    })?;
    let mut dataset = args.config.load_dataset(args.snapshot.as_deref(), quiet)?;
    let spec = ReachSpec {
        service: args.service.clone(),
        ages,
        level: args.level,
        synthetic: args.synthetic,
        source_id: args.records.display().to_string(),
    };
    let (indicator, summary) = load_reach(&args.records, &spec, &dataset)?;
    dataset.add_reach(indicator, summary);
    let public = PublicDataset::new(Arc::new(dataset));
    let report = public.reach(&args.service, args.by, args.locality.clone(), args.reps)?;
    let bytes: Vec<u8> = match args.format {
        ReachFormat::Table => {
            let mut text = render_table(&report.table);
            for note in &report.notes {
                text.push_str(note);
                text.push('\n');
            }
            text.into_bytes()
        }
        ReachFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report)
                .map_err(|e| Error::Internal(e.to_string()))?;
            s.push('\n');
            s.into_bytes()
        }
        ReachFormat::Csv => {
            let mut buf = Vec::new();
            write_csv(&report.table, &mut buf)?;
            buf
        }
        ReachFormat::Xlsx => write_xlsx(&report.table)?,
    };
    super::args::write_output(args.out.as_deref(), &bytes, stdout)
}
