//! `gapmap gaps`: a public gap table for one indicator, in a terminal table or a download
//! format — the same table `/api/gaps` serves (the CLI is another adapter of the public face).
//!
//! ```text
//! gapmap gaps --indicator 990003 --by local-quintile [--level msoa11] [--imd 2019]
//!             [--locality "North Durham"] [--period "2019/20 - 21/22"] [--format table|csv|json|xlsx|parquet] [--out FILE]
//!             [--reps N] [--seed N]
//! ```

use super::args::{ConfigArgs, GapSelection};
use super::error::Error;
use crate::dataset::Dataset;
use crate::export::{render_table, write_csv, write_parquet, write_xlsx};
use crate::gaps::GapRequest;
use crate::public::PublicDataset;
use crate::slides::reading::GapTableJson;
use std::io::Write;
use std::path::PathBuf;

/// Output format of `gapmap gaps`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GapsFormat {
    /// Aligned text table for a terminal.
    Table,
    Csv,
    Json,
    /// Excel workbook (needs --out).
    Xlsx,
    /// Apache Parquet (needs --out).
    Parquet,
}

/// `gapmap gaps`: a gap table for one indicator.
#[derive(Debug, Clone, clap::Args)]
pub struct GapsArgs {
    #[command(flatten)]
    pub selection: GapSelection,
    /// Period label, e.g. "2019/20 - 21/22" (default: the indicator's latest period).
    #[arg(long)]
    pub period: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GapsFormat::Table)]
    pub format: GapsFormat,
    /// Write to this file (atomically) instead of standard output; required for xlsx/parquet.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `gapmap gaps` with the options that choose the dataset.
#[derive(Debug, clap::Args)]
pub struct GapsCommand {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Load this dataset snapshot instead of the config's snapshot path.
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub gaps: GapsArgs,
}

impl GapsArgs {
    /// The request these arguments describe.
    pub fn request(&self, dataset: &Dataset) -> GapRequest {
        GapRequest {
            period: self.period.clone(),
            ..self.selection.request(dataset)
        }
    }
}

/// Run `gapmap gaps`: ask the public face for the table and write it in the chosen format.
pub fn run(args: &GapsArgs, public: &PublicDataset, stdout: &mut dyn Write) -> Result<(), Error> {
    if matches!(args.format, GapsFormat::Xlsx | GapsFormat::Parquet) && args.out.is_none() {
        return Err(Error::Usage(format!(
            "--format {} writes a binary file; give --out FILE",
            format!("{:?}", args.format).to_lowercase()
        )));
    }
    let table = public.gap_table(&args.request(public.dataset()))?;
    let bytes: Vec<u8> = match args.format {
        GapsFormat::Table => render_table(&table).into_bytes(),
        GapsFormat::Json => {
            let json = GapTableJson::new(public.dataset(), &table);
            let mut s =
                serde_json::to_string_pretty(&json).map_err(|e| Error::Internal(e.to_string()))?;
            s.push('\n');
            s.into_bytes()
        }
        GapsFormat::Csv => {
            let mut buf = Vec::new();
            write_csv(&table, &mut buf)?;
            buf
        }
        GapsFormat::Parquet => {
            let mut buf = Vec::new();
            write_parquet(&table, &mut buf)?;
            buf
        }
        GapsFormat::Xlsx => write_xlsx(&table)?,
    };
    super::args::write_output(args.out.as_deref(), &bytes, stdout)
}
