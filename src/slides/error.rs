//! Why a deck could not be made.

use super::layout;

/// Why a deck could not be made; [`SlidesError::is_input_error`] says whose fault it is.
#[derive(Debug, thiserror::Error)]
pub enum SlidesError {
    #[error(transparent)]
    Figure(#[from] crate::figures::FigureError),
    #[error(transparent)]
    Public(#[from] crate::public::PublicError),
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
    #[error("the dataset has no indicators to put on slides")]
    NoIndicators,
    #[error("{id} is a service's reach, which goes on the deck's service reach slide, but reach was left out (--no-reach / reach=false); drop one of the two")]
    ReachLeftOut { id: String },
    #[error("the dataset has no service-use records (no [[reach]] block), so there is no reach slide to make")]
    NoReach,
    #[error("slide {slide}: {:?} needs {:.0} pt but has {:.0} pt (a layout defect: please report it)", overflow.shape, overflow.needed, overflow.available)]
    Layout {
        slide: usize,
        overflow: layout::Overflow,
    },
    #[error("could not write the PPTX package: {0}")]
    Pptx(#[from] zip::result::ZipError),
    #[error("could not write the PDF: {0}")]
    Pdf(String),
    #[error("could not write the deck: {0}")]
    Write(#[from] std::io::Error),
    #[error(transparent)]
    Output(#[from] crate::export::ExportError),
    #[error(transparent)]
    File(#[from] crate::fsutil::WriteError),
    #[error("cannot tell the deck format from {path:?}; give --format pptx or --format pdf (or an .pptx/.pdf file name)")]
    UnknownFormat { path: std::path::PathBuf },
}

impl SlidesError {
    /// True when the request is at fault (CLI exit 2).
    pub fn is_input_error(&self) -> bool {
        match self {
            SlidesError::Figure(e) => e.is_input_error(),
            SlidesError::Public(e) => e.is_input_error(),
            SlidesError::NoIndicators
            | SlidesError::ReachLeftOut { .. }
            | SlidesError::UnknownFormat { .. }
            | SlidesError::File(_) => true,
            _ => false,
        }
    }
}
