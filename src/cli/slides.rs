//! `gapmap slides`: arguments and runner.
//!
//! ```text
//! gapmap slides --locality North|all [--indicator 990001,990002] [--format pptx|pdf] --out FILE
//! ```

use crate::cli::ConfigArgs;
use crate::public::PublicDataset;
use crate::slides::{build_deck, write_deck, DeckFormat, DeckRequest, LocalityChoice, SlidesError};
use crate::stats::sii::DEFAULT_SEED;
use std::path::PathBuf;

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
    /// indicator in the dataset.
    #[arg(long, value_delimiter = ',')]
    pub indicator: Vec<String>,
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

/// Build the deck and write it atomically to `--out`.
pub fn run(args: &SlidesArgs, public: &PublicDataset) -> Result<SlidesSummary, SlidesError> {
    let format = args.format()?;
    let deck = build_deck(public, &args.request())?;
    let bytes = write_deck(&deck, format)?;
    crate::fsutil::write_atomic(&args.out, &bytes)?;
    Ok(SlidesSummary {
        slides: deck.slides.len(),
        bytes: bytes.len(),
        format,
    })
}
