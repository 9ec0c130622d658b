//! What a locality deck says: per locality a title slide and one slide per indicator (map,
//! chart, reading, key figures, notes), then the placement proposal when one is given
//! ([`super::placement`]), then one sources-and-methods slide. Builds the
//! [`Deck`] model from the Dataset's public view; the writers only draw it.

use super::error::SlidesError;
use super::layout::{self, check_table, check_text, Overflow, MARGIN, SLIDE_W};
use super::model::{
    Align, Content, Deck, Layout, Paragraph, Rect, Run, Shape, Slide, Table, TextBox,
};
use super::parts::{
    cell, date_text, fitted_text, footer_box, header_cell, picture, pixel_ratio, reading_box, MAP,
};
use super::placement::placement_slide;
use super::reading::{key_figures, speaker_notes, table_reading};
use crate::dataset::{Area, Dataset, Indicator};
use crate::figures::chart::chart_spec;
use crate::figures::map::{render_map_png, MapLayer, MapRequest};
use crate::figures::{find_locality, localities};
use crate::gaps::{GapRequest, GapTable, GroupBy};
use crate::place::report::PlacementReport;
use crate::public::PublicDataset;
use crate::render::chart::render_chart;
use crate::render::text::num;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Which localities a deck covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalityChoice {
    /// Every locality, one section each.
    All,
    /// One locality by name or code.
    One(String),
}

/// What deck to build.
#[derive(Debug, Clone, PartialEq)]
pub struct DeckRequest {
    pub localities: LocalityChoice,
    /// Indicator ids in slide order; empty = every indicator in load order.
    pub indicators: Vec<String>,
    /// Monte Carlo replicates behind the SII/RII intervals (the API's default: 100,000).
    pub reps: u32,
    pub seed: u64,
    /// A placement report (`gapmap place` / `/api/place` for the same options) to present on
    /// a proposal slide after the localities' slides.
    pub placement: Option<Arc<PlacementReport>>,
}

impl Default for DeckRequest {
    fn default() -> Self {
        let gap = GapRequest::default();
        DeckRequest {
            localities: LocalityChoice::All,
            indicators: Vec::new(),
            reps: gap.reps,
            seed: gap.seed,
            placement: None,
        }
    }
}

// Frames on an indicator slide beside the map (points); the reading, map and footer frames
// are shared with the placement slide ([`super::parts`]).
const CHART: Rect = Rect::new(604.0, 128.0, 328.0, 232.0);
const FIGURES: Rect = Rect::new(604.0, 368.0, 328.0, 145.0);
// Frames on a title slide.
const TITLE_MAP: Rect = Rect::new(478.0, 40.0, 454.0, 312.3);
const SUBTITLE: Rect = Rect::new(48.0, 216.0, 420.0, 190.0);
const ABOUT: Rect = Rect::new(48.0, 420.0, 884.0, 100.0);

/// One indicator's slide for one locality: its public gap table within the locality and the
/// chart drawn from it.
struct IndicatorData<'a> {
    indicator: &'a Indicator,
    /// The public gap table by national IMD quintile within the locality (`/api/gaps` with
    /// `locality=`; see [`gap_table_for`]).
    table: Arc<GapTable>,
    chart_png: Arc<Vec<u8>>,
}

/// The grouping of every slide's gap figures: national IMD quintiles (`/api/gaps`' default).
pub const DECK_GROUPING: GroupBy = GroupBy::ImdQuintile;

/// The public gap table a locality's slide quotes: exactly what `/api/gaps?indicator=&locality=`
/// returns (national IMD quintiles of the locality's areas, suppression applied).
fn gap_table_for(
    public: &PublicDataset,
    indicator: &Indicator,
    locality: &Area,
    request: &DeckRequest,
) -> Result<Arc<GapTable>, SlidesError> {
    let mut req = GapRequest::for_indicator(public.dataset(), &indicator.meta.id, DECK_GROUPING);
    req.locality = Some(locality.name.clone());
    req.reps = request.reps;
    req.seed = request.seed;
    Ok(public.gap_table(&req)?)
}

/// Build the deck.
pub fn build_deck(public: &PublicDataset, request: &DeckRequest) -> Result<Deck, SlidesError> {
    let dataset: &Dataset = public.dataset();
    let chosen: Vec<&Area> = match &request.localities {
        LocalityChoice::All => {
            let all = localities(dataset);
            if all.is_empty() {
                return Err(crate::figures::FigureError::NoLocalities.into());
            }
            all
        }
        LocalityChoice::One(name) => vec![find_locality(dataset, name)?],
    };
    // A service's reach is not a health gap and has no slide layout of its own yet (its
    // figures, e.g. "747.3 per 1,000", do not fit the key-figures table): decks show the
    // health indicators.
    let is_reach = |i: &Indicator| dataset.reach.iter().any(|r| r.indicator_id == i.meta.id);
    let indicators: Vec<&Indicator> = if request.indicators.is_empty() {
        dataset.indicators.iter().filter(|i| !is_reach(i)).collect()
    } else {
        let chosen = request
            .indicators
            .iter()
            .map(|id| crate::figures::find_indicator(dataset, id))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(reach) = chosen.iter().find(|i| is_reach(i)) {
            return Err(SlidesError::ReachNotOnSlides {
                id: reach.meta.id.clone(),
            });
        }
        chosen
    };
    if indicators.is_empty() {
        return Err(SlidesError::NoIndicators);
    }
    // Every (locality, indicator) table, chart and map is independent: compute them in
    // parallel, keep the order.
    let pairs: Vec<(usize, usize)> = (0..chosen.len())
        .flat_map(|l| (0..indicators.len()).map(move |i| (l, i)))
        .collect();
    let data: Vec<IndicatorData> = pairs
        .par_iter()
        .map(|&(l, i)| {
            let indicator = indicators[i];
            let table = gap_table_for(public, indicator, chosen[l], request)?;
            // The reference lines are England's and the county's values (the table's comparators).
            let spec = chart_spec(
                &table,
                &dataset.meta.name,
                CHART.w,
                CHART.h,
                pixel_ratio(CHART),
            );
            let chart_png = Arc::new(render_chart(&spec)?.png()?);
            Ok(IndicatorData {
                indicator,
                table,
                chart_png,
            })
        })
        .collect::<Result<_, SlidesError>>()?;
    let per_locality: Vec<&[IndicatorData]> = data.chunks(indicators.len()).collect();

    let mut jobs: Vec<(usize, Option<usize>)> = Vec::new();
    for (l, _) in chosen.iter().enumerate() {
        jobs.push((l, None));
        jobs.extend((0..indicators.len()).map(|i| (l, Some(i))));
    }
    let mut slides: Vec<Slide> = jobs
        .par_iter()
        .map(|&(l, indicator)| match indicator {
            None => title_slide(public, chosen[l], per_locality[l]),
            Some(i) => indicator_slide(public, chosen[l], &per_locality[l][i]),
        })
        .collect::<Result<_, SlidesError>>()?;
    if let Some(report) = &request.placement {
        slides.push(placement_slide(public, report)?);
    }
    slides.push(sources_slide(dataset, &data, request.placement.as_deref()));
    for (n, slide) in slides.iter().enumerate() {
        check_slide(slide).map_err(|o| SlidesError::Layout {
            slide: n + 1,
            overflow: o,
        })?;
    }

    let title = match &request.localities {
        LocalityChoice::One(_) => format!("{} locality: children's health gaps", chosen[0].name),
        LocalityChoice::All => format!("{} localities: children's health gaps", dataset.meta.name),
    };
    let mut id = Sha256::new();
    id.update(dataset.meta.config_sha256.as_bytes());
    id.update(dataset.meta.built_at.as_bytes());
    id.update(title.as_bytes());
    for ind in &indicators {
        id.update(ind.meta.id.as_bytes());
    }
    if let Some(report) = &request.placement {
        id.update(report.title.as_bytes());
        for site in &report.chosen {
            id.update(site.as_bytes());
        }
    }
    Ok(Deck {
        title,
        created: dataset.meta.built_at.clone(),
        document_id: hex::encode(&id.finalize()[..16]),
        slides,
    })
}

/// Nothing clipped or overlapping: every frame is on the page, below the banner and clear of
/// every other frame, and every text box and table fits its frame.
pub fn check_slide(slide: &Slide) -> Result<(), Overflow> {
    let title = TextBox {
        paragraphs: vec![layout::title_paragraph(&slide.title, slide.title_size)],
        fill: None,
    };
    let title_frame = layout::title_frame(slide.layout);
    check_text("title", &title, title_frame)?;
    let frames: Vec<(&str, Rect)> = std::iter::once(("title", title_frame))
        .chain(slide.shapes.iter().map(|s| (s.name.as_str(), s.frame)))
        .collect();
    for (i, (name, a)) in frames.iter().enumerate() {
        let on_page = a.x >= 0.0
            && a.y >= layout::BANNER.h
            && a.x + a.w <= layout::SLIDE_W
            && a.y + a.h <= layout::SLIDE_H;
        if !on_page {
            return Err(Overflow {
                shape: format!("{name} is off the page or under the banner"),
                needed: a.y + a.h,
                available: layout::SLIDE_H,
            });
        }
        for (other, b) in &frames[i + 1..] {
            let overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
            if overlap {
                return Err(Overflow {
                    shape: format!("{name} overlaps {other}"),
                    needed: 0.0,
                    available: 0.0,
                });
            }
        }
    }
    for shape in &slide.shapes {
        match &shape.content {
            Content::Text(tb) => check_text(&shape.name, tb, shape.frame)?,
            Content::Table(t) => check_table(&shape.name, t, shape.frame)?,
            Content::Image(_) => {}
        }
    }
    Ok(())
}

/// The map of one indicator (or IMD) for a locality, at `frame`'s size.
fn map_png(
    public: &PublicDataset,
    layer: MapLayer,
    locality: &Area,
    frame: Rect,
) -> Result<Vec<u8>, SlidesError> {
    let ratio = pixel_ratio(frame);
    let request = MapRequest {
        layer,
        level: None,
        locality: Some(locality.code.clone()),
        width: (frame.w * ratio).round() as u32,
        height: (frame.h * ratio).round() as u32,
        pixel_ratio: ratio,
    };
    Ok(render_map_png(public, &request)?)
}

fn title_slide(
    public: &PublicDataset,
    locality: &Area,
    data: &[IndicatorData],
) -> Result<Slide, SlidesError> {
    let dataset: &Dataset = public.dataset();
    let synthetic = data.iter().any(|d| d.indicator.meta.synthetic);
    let map = map_png(public, MapLayer::ImdDecile, locality, TITLE_MAP)?;
    let mut subtitle = vec![
        Paragraph::plain(
            format!(
                "{} · Prevention and Early Help forum pack",
                dataset.meta.name
            ),
            20.0,
        ),
        Paragraph {
            space_before: 10.0,
            ..Paragraph::plain(
                format!("Figures built {}", date_text(&dataset.meta.built_at)),
                18.0,
            )
        },
        Paragraph {
            space_before: 10.0,
            ..Paragraph::plain(
                format!(
                    "{} indicator{}: {}",
                    data.len(),
                    if data.len() == 1 { "" } else { "s" },
                    data.iter()
                        .map(|d| d.indicator.meta.short_name.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                14.0,
            )
        },
    ];
    if synthetic {
        subtitle.push(Paragraph {
            runs: vec![Run::bold(
                "The indicator values are synthetic demonstration data, not official statistics.",
            )],
            space_before: 10.0,
            ..Paragraph::plain("", 14.0)
        });
    }
    let mut about = vec![Paragraph::plain(
        format!(
            "For each indicator: a map of {name} (the rest of {county} in grey for context; the same colour classes as the web map) and the gap between {name}'s areas in England's most and least deprived fifths (national IMD quintiles). Areas with small numbers (counts of 1 to {max}) are withheld, and so is anything that would reveal them.",
            name = locality.name,
            county = dataset.meta.name,
            max = dataset.meta.suppress_max_count
        ),
        14.0,
    )];
    if let Some(scheme) = dataset
        .meta
        .locality_scheme
        .as_ref()
        .filter(|s| s.illustrative)
    {
        about.push(Paragraph {
            space_before: 6.0,
            ..Paragraph::plain(
                format!("Localities: {}. {}", scheme.name, scheme.note),
                12.0,
            )
        });
    }
    let title = format!("{} locality: children's health gaps", locality.name);
    Ok(Slide {
        layout: Layout::Title,
        title_size: layout::fit_title_size(Layout::Title, &title),
        title,
        shapes: vec![
            fitted_text("Subtitle", SUBTITLE, subtitle, 11.0),
            picture(
                "Locality map",
                TITLE_MAP,
                Arc::new(map),
                format!("Map of {} locality by national IMD decile, with the rest of {} in grey.", locality.name, dataset.meta.name),
            ),
            fitted_text("About this pack", ABOUT, about, 10.0),
        ],
        notes: vec![
            format!("{} locality: children's health gaps. {} indicators, figures built {}.", locality.name, data.len(), date_text(&dataset.meta.built_at)),
            "The map shows national IMD deciles (real MHCLG data); decile 1 is the most deprived 10% of areas in England. The black outline marks areas in the 30% most deprived nationally.".into(),
        ],
        synthetic_banner: synthetic,
    })
}

fn indicator_slide(
    public: &PublicDataset,
    locality: &Area,
    data: &IndicatorData,
) -> Result<Slide, SlidesError> {
    let dataset: &Dataset = public.dataset();
    let scope = locality.name.as_str();
    let meta = &data.indicator.meta;
    let max = dataset.meta.suppress_max_count;
    let map = map_png(public, MapLayer::Indicator(meta.id.clone()), locality, MAP)?;
    let reading_text = table_reading(dataset, &data.table);
    let mut rows = vec![vec![
        header_cell(&format!("In {scope}"), Align::Left),
        header_cell("Value", Align::Right),
        header_cell("95% CI", Align::Right),
    ]];
    for [measure, value, ci] in key_figures(&data.table) {
        rows.push(vec![
            cell(measure, false, Align::Left),
            cell(value, true, Align::Right),
            cell(ci, false, Align::Right),
        ]);
    }
    let source = dataset
        .meta
        .sources
        .iter()
        .find(|s| s.id == meta.source_id)
        .map(|s| format!("{} ({})", s.title, s.publisher))
        .unwrap_or_else(|| meta.name.clone());
    let footer = format!(
        "{}, {}. Gap figures: {scope}'s areas by national IMD quintile. Built {}.",
        source,
        meta.period,
        date_text(&dataset.meta.built_at)
    );
    let title = format!("{}: {}", meta.short_name, locality.name);
    Ok(Slide {
        layout: Layout::TitleOnly,
        title_size: layout::fit_title_size(Layout::TitleOnly, &title),
        title,
        shapes: vec![
            reading_box(&reading_text),
            picture(
                "Map",
                MAP,
                Arc::new(map),
                format!("Map of {} in {} locality by area, in five classes; {}", meta.short_name, locality.name, if meta.synthetic { "synthetic demonstration data." } else { "public values." }),
            ),
            picture(
                "Gap chart",
                CHART,
                Arc::clone(&data.chart_png),
                format!("Bar chart of {} by national IMD quintile within {scope}, with 95% confidence intervals and the slope index of inequality. {reading_text}", meta.short_name),
            ),
            Shape {
                name: "Key figures".into(),
                frame: FIGURES,
                content: Content::Table(Table {
                    columns: vec![150.0, 80.0, 98.0],
                    rows,
                    row_height: FIGURES.h / 6.0,
                    size: 13.0,
                }),
            },
            footer_box(footer),
        ],
        notes: speaker_notes(&data.table, scope, max),
        synthetic_banner: meta.synthetic,
    })
}

fn sources_slide(
    dataset: &Dataset,
    data: &[IndicatorData],
    placement: Option<&PlacementReport>,
) -> Slide {
    let synthetic = data.iter().any(|d| d.indicator.meta.synthetic);
    // Set large and shrunk to fit the column (see `fitted_text`).
    let bullet = |text: String| Paragraph {
        space_before: 6.0,
        bullet: true,
        ..Paragraph::plain(text, 16.0)
    };
    let heading = |text: &str| Paragraph {
        runs: vec![Run::bold(text)],
        space_before: 8.0,
        ..Paragraph::plain("", 18.0)
    };
    let max = dataset.meta.suppress_max_count;
    let reps = data.first().map_or(0, |d| d.table.reps);
    let mut methods = vec![heading("Methods")];
    if synthetic {
        methods.push(bullet("The indicator values are synthetic demonstration data: modelled from deprivation and population, not official statistics. They say nothing about the real health of any area.".into()));
    }
    methods.extend([
        bullet("Group values sum the areas' counts and denominators (never an average of area rates). 95% confidence intervals: Wilson score method for proportions, Byar's method (exact Poisson below 10 events) for rates, as Fingertips.".into()),
        bullet("Gap figures use each locality's own areas grouped by national IMD quintile (1 = the most deprived fifth of areas in England), as the web map's gap table for the locality. Gap = most minus least deprived fifth (Newcombe interval); ratio = most ÷ least (log method).".into()),
        bullet(format!("Slope and relative index of inequality (SII, RII): PHE method (Low & Low 2004), 95% limits from {} Monte Carlo replicates. A gap is called significant when its 95% interval excludes no difference.", num(Some(f64::from(reps)), 0))),
        bullet(format!("Small numbers: counts of 1 to {max} are withheld, with anything that would reveal them (other areas, group totals, gaps and SII), in every table, map and slide.")),
        bullet("Maps: five classes holding about equal numbers of areas across the county, darker = worse; hatched = withheld; black outline = 30% most deprived nationally.".into()),
    ]);
    if let Some(report) = placement {
        methods.push(bullet(format!(
            "Placement proposal: gapmap place ({} model, k = {}, {}), solved exactly with HiGHS; need = {}; coverage by national IMD quintile before and after, as /api/place reports it.",
            report.model.as_str(),
            report.k,
            report.access.label,
            report.demand.weight_label
        )));
    }
    let mut licences = vec![heading("Sources and licences")];
    let mut seen: Vec<&str> = Vec::new();
    for ind in data {
        if let Some(s) = dataset
            .meta
            .sources
            .iter()
            .find(|s| s.id == ind.indicator.meta.source_id)
        {
            if !seen.contains(&s.id.as_str()) {
                seen.push(&s.id);
                licences.push(bullet(format!(
                    "{}: {} ({}). {}",
                    s.title, s.publisher, s.licence, s.attribution
                )));
            }
        }
    }
    licences.extend([
        bullet("Boundaries and population: Office for National Statistics, Open Government Licence v3.0. Contains OS data © Crown copyright and database right.".into()),
        bullet("Index of Multiple Deprivation: MHCLG English Indices of Deprivation 2019 and 2025, Open Government Licence v3.0.".into()),
        bullet("Contains public sector information licensed under the Open Government Licence v3.0 (nationalarchives.gov.uk/doc/open-government-licence/version/3).".into()),
        bullet(format!("Built {} by gapmap from configuration {}.", date_text(&dataset.meta.built_at), dataset.meta.config_sha256.get(..12).unwrap_or(&dataset.meta.config_sha256))),
    ]);
    if let Some(scheme) = dataset
        .meta
        .locality_scheme
        .as_ref()
        .filter(|s| s.illustrative)
    {
        licences.push(bullet(format!(
            "Localities are illustrative: {}",
            scheme.note
        )));
    }
    let column = (SLIDE_W - 2.0 * MARGIN - 24.0) / 2.0;
    Slide {
        layout: Layout::TitleOnly,
        title: "Sources, methods and licences".into(),
        title_size: layout::title_size(Layout::TitleOnly),
        shapes: vec![
            fitted_text("Methods", Rect::new(MARGIN, 74.0, column, 446.0), methods, 9.0),
            fitted_text("Sources and licences", Rect::new(MARGIN + column + 24.0, 74.0, column, 446.0), licences, 9.0),
        ],
        notes: vec![format!("Sources and methods. Figures built {}. The full method notes are in every gap table download (CSV, XLSX) and in docs/gaps.md.", date_text(&dataset.meta.built_at))],
        synthetic_banner: synthetic,
    }
}
