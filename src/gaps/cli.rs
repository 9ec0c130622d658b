//! Arguments and runner for `gapmap gaps` (the lead wires the subcommand into `src/cli/`).
//!
//! ```text
//! gapmap gaps --indicator 990003 --by local-quintile [--level msoa11] [--imd 2019]
//!             [--format table|csv|json|xlsx|parquet] [--out FILE] [--reps N] [--seed N]
//! ```

use super::{GapError, GapRequest, GapTable, GroupBy};
use crate::dataset::Dataset;
use crate::export::{write_atomic, write_csv, write_parquet, write_xlsx};
use crate::imd::ImdEdition;
use crate::level::Level;
use crate::stats::sii::DEFAULT_SEED;
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

pub(crate) fn parse_imd(s: &str) -> Result<ImdEdition, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "2019" | "imd2019" => Ok(ImdEdition::Imd2019),
        "2025" | "imd2025" => Ok(ImdEdition::Imd2025),
        other => Err(format!(
            "unknown IMD edition {other:?}; expected 2019 or 2025"
        )),
    }
}

/// `gapmap gaps`: a gap table for one indicator.
#[derive(Debug, Clone, clap::Args)]
pub struct GapsArgs {
    /// Indicator id, e.g. 990001.
    #[arg(long)]
    pub indicator: String,
    /// Grouping: imd-decile, imd-quintile, local-quintile, locality or area.
    #[arg(long, default_value = "local-quintile")]
    pub by: GroupBy,
    /// Geography level; defaults to the indicator's own level (msoa11 for the demo set).
    #[arg(long)]
    pub level: Option<Level>,
    /// IMD edition for deprivation groups: 2019 or 2025 (default: the level's native one).
    #[arg(long, value_parser = parse_imd)]
    pub imd: Option<ImdEdition>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GapsFormat::Table)]
    pub format: GapsFormat,
    /// Write to this file (atomically) instead of standard output; required for xlsx/parquet.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Monte Carlo replicates for the SII/RII confidence intervals.
    #[arg(long, default_value_t = 100_000)]
    pub reps: u32,
    /// Random seed for the SII/RII simulation (fixed by default, so output is reproducible).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
}

impl GapsArgs {
    /// The request these arguments describe.
    pub fn request(&self, dataset: &Dataset) -> GapRequest {
        let mut req = GapRequest::for_indicator(dataset, &self.indicator, self.by);
        if let Some(level) = self.level {
            req.level = level;
        }
        req.edition = self.imd;
        req.reps = self.reps;
        req.seed = self.seed;
        req
    }
}

/// Run `gapmap gaps`: compute the table and write it in the chosen format.
pub fn run(args: &GapsArgs, dataset: &Dataset, stdout: &mut dyn Write) -> Result<(), GapError> {
    if matches!(args.format, GapsFormat::Xlsx | GapsFormat::Parquet) && args.out.is_none() {
        return Err(GapError::OutRequired {
            format: format!("{:?}", args.format).to_lowercase(),
        });
    }
    // The same public view as the server's downloads (exact disclosure audit across tables).
    let table = crate::disclosure::public_gap_table(dataset, &args.request(dataset))?;
    let bytes: Vec<u8> = match args.format {
        GapsFormat::Table => render_table(&table).into_bytes(),
        GapsFormat::Json => {
            let mut s = serde_json::to_string_pretty(&table)
                .map_err(|e| GapError::Write(std::io::Error::other(e)))?;
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
    match &args.out {
        Some(path) => write_atomic(path, &bytes)?,
        None => stdout.write_all(&bytes)?,
    }
    Ok(())
}

fn fmt_opt(x: Option<f64>, decimals: usize) -> String {
    x.map(|v| format!("{v:.decimals$}")).unwrap_or_default()
}

fn fmt_estimate(e: Option<crate::stats::Estimate>, decimals: usize) -> String {
    e.map(|e| {
        format!(
            "{:.d$} ({:.d$} to {:.d$})",
            e.value,
            e.lower95,
            e.upper95,
            d = decimals
        )
    })
    .unwrap_or_else(|| "not available".to_string())
}

/// A plain aligned text table for a terminal.
pub fn render_table(table: &GapTable) -> String {
    let mut out = String::new();
    if table.synthetic {
        out.push_str("*** SYNTHETIC DEMONSTRATION DATA - NOT OFFICIAL STATISTICS ***\n");
    }
    out.push_str(&format!(
        "{} ({})\n{} {} {} | {} by {}{}\n\n",
        table.indicator.name,
        table.indicator.id,
        table.indicator.period,
        table.indicator.sex,
        table.indicator.age,
        table.level.label(),
        table.by.label().to_lowercase(),
        table
            .edition
            .map(|e| format!(", {}", e.label()))
            .unwrap_or_default()
    ));
    let headers = [
        "Group",
        "Areas",
        "Count",
        "Denominator",
        "Value",
        "95% CI",
        "vs England",
        "vs county",
    ];
    let rows: Vec<[String; 8]> = table
        .groups
        .iter()
        .map(|g| {
            [
                g.label.clone(),
                g.areas.to_string(),
                if g.suppressed {
                    "*".to_string()
                } else {
                    fmt_opt(g.count, 0)
                },
                fmt_opt(g.denominator, 0),
                if g.suppressed {
                    "*".to_string()
                } else {
                    fmt_opt(g.value, 1)
                },
                match (g.lower95, g.upper95) {
                    (Some(l), Some(u)) => format!("{l:.1} to {u:.1}"),
                    _ => String::new(),
                },
                g.vs_england.at95.label().to_string(),
                g.vs_county.at95.label().to_string(),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
            + "\n"
    };
    out.push_str(&line(&headers.map(str::to_string)));
    out.push_str(&line(&widths.map(|w| "-".repeat(w))));
    for r in &rows {
        out.push_str(&line(r));
    }
    let s = &table.summary;
    out.push_str(&format!(
        "\nAbsolute gap ({} minus {}): {}\n",
        s.most_deprived,
        s.least_deprived,
        fmt_estimate(s.absolute_gap, 2)
    ));
    out.push_str(&format!(
        "Relative gap: {}\n",
        fmt_estimate(s.relative_gap, 3)
    ));
    out.push_str(&format!("SII: {}\n", fmt_estimate(s.sii, 2)));
    out.push_str(&format!("RII: {}\n", fmt_estimate(s.rii, 3)));
    if let Some(r) = &s.reliability {
        out.push_str(&format!("Reliability: {r}\n"));
    }
    for n in &s.notes {
        out.push_str(&format!("Note: {n}\n"));
    }
    if let Some(e) = table.england.as_ref().and_then(|e| e.value) {
        out.push_str(&format!("England: {e:.1}\n"));
    }
    if table.groups.iter().any(|g| g.suppressed) {
        out.push_str("* suppressed (small count)\n");
    }
    out
}
