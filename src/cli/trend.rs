//! `gapmap trend`: is an indicator's deprivation gap narrowing or widening? The gap table of
//! every period, the SII and RII per period with 95% intervals, the change between the first
//! and latest period and the slope, with the verdict in words — what `/api/trend` serves (the
//! CLI is another adapter of the public face, [`crate::public::PublicDataset::trend`]).
//!
//! ```text
//! gapmap trend --indicator 990003 --by local-quintile [--level msoa11] [--imd 2019]
//!              [--locality "North Durham"] [--format table|csv|json|xlsx] [--out FILE]
//! ```

use super::args::{ConfigArgs, GapSelection};
use super::error::Error;
use crate::export::table::{write_table_csv, write_table_xlsx, CsvNotes};
use crate::export::trend::trend_table;
use crate::gaps::GapRequest;
use crate::public::{GapTrend, PublicDataset};
use std::io::Write;
use std::path::PathBuf;

/// Output format of `gapmap trend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TrendFormat {
    /// The SII per period and the verdict, for a terminal.
    Table,
    /// Every period's groups and summary measures, with the verdict and method notes as
    /// leading `# ` lines.
    Csv,
    Json,
    /// Excel workbook with "Data" and "Method notes" sheets (needs --out).
    Xlsx,
}

/// `gapmap trend`: the gap trend of one indicator across its periods.
#[derive(Debug, Clone, clap::Args)]
pub struct TrendArgs {
    #[command(flatten)]
    pub selection: GapSelection,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TrendFormat::Table)]
    pub format: TrendFormat,
    /// Write to this file (atomically) instead of standard output; required for xlsx.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `gapmap trend` with the options that choose the dataset.
#[derive(Debug, clap::Args)]
pub struct TrendCommand {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Load this dataset snapshot instead of the config's snapshot path.
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub trend: TrendArgs,
}

impl TrendArgs {
    /// The request these arguments describe (every period is computed).
    pub fn request(&self, public: &PublicDataset) -> GapRequest {
        self.selection.request(public.dataset())
    }
}

/// Run `gapmap trend`: ask the public face for the trend and write it in the chosen format.
pub fn run(args: &TrendArgs, public: &PublicDataset, stdout: &mut dyn Write) -> Result<(), Error> {
    if args.format == TrendFormat::Xlsx && args.out.is_none() {
        return Err(Error::Usage(
            "--format xlsx writes a binary file; give --out FILE".into(),
        ));
    }
    let trend = public.trend(&args.request(public))?;
    let bytes: Vec<u8> = match args.format {
        TrendFormat::Table => render(&trend).into_bytes(),
        TrendFormat::Json => {
            let mut s =
                serde_json::to_string_pretty(&trend).map_err(|e| Error::Internal(e.to_string()))?;
            s.push('\n');
            s.into_bytes()
        }
        TrendFormat::Csv => {
            let mut buf = Vec::new();
            write_table_csv(&trend_table(&trend), CsvNotes::Comment, &mut buf)?;
            buf
        }
        TrendFormat::Xlsx => write_table_xlsx(&trend_table(&trend))?,
    };
    super::args::write_output(args.out.as_deref(), &bytes, stdout)
}

/// The SII and RII per period and the verdict, aligned for a terminal.
fn render(trend: &GapTrend) -> String {
    let estimate = |e: Option<crate::stats::Estimate>| {
        e.map_or_else(
            || "withheld / not computed".to_string(),
            |e| format!("{:8.2} ({:.2} to {:.2})", e.value, e.lower95, e.upper95),
        )
    };
    let mut out = String::new();
    if trend.synthetic {
        out.push_str("SYNTHETIC DEMONSTRATION DATA, NOT OFFICIAL STATISTICS\n");
    }
    out.push_str(&format!(
        "{} {} by {}\n\n{:<18} {:<32} {}\n",
        trend.indicator.id,
        trend.indicator.name,
        trend.by.label().to_lowercase(),
        "period",
        "SII (95% CI)",
        "RII (95% CI)"
    ));
    for p in &trend.periods {
        out.push_str(&format!(
            "{:<18} {:<32} {}\n",
            p.period,
            estimate(p.sii),
            estimate(p.rii)
        ));
    }
    out.push('\n');
    out.push_str(&trend.verdict);
    out.push('\n');
    out
}
