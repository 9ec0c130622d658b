//! `gapmap stats`: the arguments and the runner around [`crate::analyst::run`] — read the
//! CSV (a file or standard input), run, write CSV/XLSX/Parquet atomically with the method
//! notes. Needs no dataset or config.

use super::Error;
use crate::analyst::{run as run_stats, OutputTable, StatsRequest};
use crate::export::table::{
    notes_text, write_table_csv, write_table_parquet, write_table_xlsx, CsvNotes,
};
use crate::fsutil::write_atomic;
use clap::Args;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Output format of `gapmap stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatsFormat {
    Csv,
    Xlsx,
    Parquet,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Input CSV with a header row ("-" reads standard input).
    #[arg(long, short = 'i')]
    pub input: PathBuf,
    /// Output file; .csv, .xlsx or .parquet picks the format. Default: CSV on standard output.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Output format, when --out has no telling extension.
    #[arg(long, value_enum)]
    pub format: Option<StatsFormat>,
    /// Where a CSV's method notes go: a sidecar <out>.notes.txt (standard error for standard output), or leading "# " comment lines.
    #[arg(long = "csv-notes", value_enum, default_value = "sidecar")]
    pub csv_notes: CsvNotes,
    #[command(flatten)]
    pub request: StatsRequest,
}

fn format_of(args: &StatsArgs) -> StatsFormat {
    if let Some(f) = args.format {
        return f;
    }
    match args
        .out
        .as_deref()
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("xlsx") => StatsFormat::Xlsx,
        Some("parquet") => StatsFormat::Parquet,
        _ => StatsFormat::Csv,
    }
}

fn read_input(path: &Path) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    let result = if path == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    result.map_err(|e| {
        Error::Usage(format!(
            "cannot read the input CSV {}: {e}; check the path given to --input",
            path.display()
        ))
    })?;
    Ok(bytes)
}

fn encode(table: &OutputTable, format: StatsFormat, notes: CsvNotes) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    match format {
        StatsFormat::Csv => write_table_csv(table, notes, &mut bytes)?,
        StatsFormat::Xlsx => bytes = write_table_xlsx(table)?,
        StatsFormat::Parquet => write_table_parquet(table, &mut bytes)?,
    }
    Ok(bytes)
}

/// Run `gapmap stats`: `stdout` gets the table when there is no --out, `stderr` the notes.
pub fn run(args: &StatsArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<(), Error> {
    let csv = read_input(&args.input)?;
    let table = run_stats(&args.request, &csv)?;
    let format = format_of(args);
    let bytes = encode(&table, format, args.csv_notes)?;
    let sidecar = format == StatsFormat::Csv && args.csv_notes == CsvNotes::Sidecar;
    let io = |context: String| move |source| Error::Io { context, source };
    match &args.out {
        Some(path) => {
            write_atomic(path, &bytes)?;
            if sidecar {
                let mut notes_path = path.clone().into_os_string();
                notes_path.push(".notes.txt");
                write_atomic(Path::new(&notes_path), notes_text(&table).as_bytes())?;
            }
        }
        None => {
            stdout
                .write_all(&bytes)
                .map_err(io("writing the table to standard output".into()))?;
            if sidecar {
                for note in &table.notes {
                    writeln!(stderr, "# {note}").map_err(io("writing the notes".into()))?;
                }
            }
        }
    }
    Ok(())
}
