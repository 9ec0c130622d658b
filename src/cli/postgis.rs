//! `gapmap load-postgis`: write the dataset (snapshot plus its uploads) into PostGIS as a new
//! generation, atomically, for replicas started with `gapmap serve --postgis`.

use super::args::ConfigArgs;
use super::error::Error;
use std::path::PathBuf;

/// Write the dataset into PostGIS, atomically, for `gapmap serve --postgis` replicas.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadPostgisArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Load this dataset snapshot instead of the config's snapshot path (built if missing).
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    /// The database: a `postgresql://user@host:port/db` URL or a `key=value` connection string.
    /// The PostGIS extension is created if missing (needs the right to do so).
    #[arg(long, env = "GAPMAP_POSTGIS_URL", value_name = "URL")]
    pub url: String,
    /// Uploads overlay laid over the snapshot when the file exists (default: the snapshot's
    /// path with extension `.uploads`, as `gapmap serve` keeps it).
    #[arg(long, value_name = "PATH")]
    pub uploads: Option<PathBuf>,
}

/// Run `gapmap load-postgis`; prints the generation and rows written.
pub fn run(args: &LoadPostgisArgs, quiet: bool, out: &mut dyn std::io::Write) -> Result<(), Error> {
    let base = args.config.load_dataset(args.snapshot.as_deref(), quiet)?;
    let overlay = args
        .config
        .uploads_path(args.snapshot.as_deref(), args.uploads.as_deref())?;
    let uploads = crate::uploads::Uploads::load(&overlay)?;
    uploads.check_against(&base, &overlay)?;
    let dataset = uploads.apply(&base);
    let started = std::time::Instant::now();
    let report = crate::postgis::load(&args.url, &dataset)?;
    if !quiet {
        let rows = report
            .rows
            .iter()
            .map(|(table, n)| format!("{table} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(
            out,
            "gapmap: loaded {} into {} as generation {} (schema {}) in {:.1} s: {rows}",
            dataset.meta.name,
            crate::postgis::redact(&args.url),
            report.generation,
            report.schema,
            started.elapsed().as_secs_f64()
        )
        .map_err(|source| Error::Io {
            context: "cannot write to standard output".into(),
            source,
        })?;
    }
    Ok(())
}
