//! `gapmap slides`: arguments and runner.
//!
//! ```text
//! gapmap slides --locality North|all [--indicator 990001,990002,reach-family-hub] [--no-reach]
//!               [--format pptx|pdf] --out FILE [--place --k 3 [--model equity] [--radius 3000] …]
//! ```
//! A dataset with service-use records gets a service reach slide per locality (a reach id in
//! `--indicator` picks its headline service; `--no-reach` leaves it out). With `--place`, the
//! deck gains a placement proposal slide; the placement options are
//! `gapmap place`'s own ([`PlaceOptions`], flattened), and the report is computed by the same
//! function ([`PlaceOptions::report`]), so the slide's numbers are `gapmap place --format json`'s.

use crate::cli::place::PlaceOptions;
use crate::cli::{ConfigArgs, Error};
use crate::public::PublicDataset;
use crate::slides::{build_deck, write_deck, DeckFormat, DeckRequest, LocalityChoice, SlidesError};
use crate::stats::sii::DEFAULT_SEED;
use std::path::PathBuf;
use std::sync::Arc;

/// `gapmap slides`: a deck for locality forums.
#[derive(Debug, clap::Args)]
pub struct SlidesArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Load this dataset snapshot instead of the config's snapshot path.
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    /// Locality name or code (e.g. North), or "all" for one deck with a section per locality.
    #[arg(long)]
    pub locality: String,
    /// Indicator ids in slide order (repeat the flag or separate with commas); default: every
    /// health indicator in the dataset. A service's reach id (e.g. reach-family-hub) makes that
    /// service the headline of the service reach slide (its map and reading).
    #[arg(long, value_delimiter = ',')]
    pub indicator: Vec<String>,
    /// Leave out the service reach slide (one per locality: who the loaded services reach, by
    /// national IMD quintile, with the SII; shown whenever the dataset has `[[reach]]` records).
    #[arg(long)]
    pub no_reach: bool,
    /// Deck format; default: from the --out file name (.pptx or .pdf).
    #[arg(long, value_enum)]
    pub format: Option<DeckFormat>,
    /// Write the deck to this file (atomically: a failed run leaves any old file in place).
    #[arg(long)]
    pub out: PathBuf,
    /// Monte Carlo replicates for the SII/RII confidence intervals (as `gapmap gaps`).
    #[arg(long, default_value_t = 100_000)]
    pub reps: u32,
    /// Random seed for the SII/RII simulation (fixed by default, so decks are reproducible).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Add a placement proposal slide: where new sites would go (--k N or --sites …, and any
    /// other option of `gapmap place` below), with coverage by IMD quintile before and after.
    #[arg(long)]
    pub place: bool,
    #[command(flatten)]
    pub placement: PlaceOptions,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlidesSummary {
    pub slides: usize,
    pub bytes: usize,
    pub format: DeckFormat,
}

impl SlidesArgs {
    /// The deck these arguments ask for.
    pub fn request(&self) -> DeckRequest {
        DeckRequest {
            localities: if self.locality.trim().eq_ignore_ascii_case("all") {
                LocalityChoice::All
            } else {
                LocalityChoice::One(self.locality.clone())
            },
            indicators: self
                .indicator
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            reps: self.reps,
            seed: self.seed,
            placement: None,
            reach: !self.no_reach,
        }
    }

    /// The output format: --format, else the --out extension.
    pub fn format(&self) -> Result<DeckFormat, SlidesError> {
        self.format
            .or_else(|| DeckFormat::from_path(&self.out))
            .ok_or_else(|| SlidesError::UnknownFormat {
                path: self.out.clone(),
            })
    }
}

/// Build the deck (with the placement report when `--place` is given) and write it
/// atomically to `--out`.
pub fn run(
    args: &SlidesArgs,
    public: Arc<PublicDataset>,
    quiet: bool,
) -> Result<SlidesSummary, Error> {
    let format = args.format()?;
    let mut request = args.request();
    if args.place {
        let dataset = || Ok(Arc::clone(&public));
        request.placement = Some(Arc::new(args.placement.report(&dataset, quiet)?));
    } else if args.placement.any_given() {
        return Err(Error::Usage(
            "placement options (--k, --sites, --model, --radius, …) need --place".into(),
        ));
    }
    let deck = build_deck(&public, &request)?;
    let bytes = write_deck(&deck, format)?;
    crate::fsutil::write_atomic(&args.out, &bytes).map_err(SlidesError::from)?;
    Ok(SlidesSummary {
        slides: deck.slides.len(),
        bytes: bytes.len(),
        format,
    })
}
