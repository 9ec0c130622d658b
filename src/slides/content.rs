//! What a locality deck says: per locality a title slide, one slide per indicator (map,
//! chart, reading, key figures, notes) and, when the dataset has service-use records, a
//! service reach slide ([`super::reach`]); then the placement proposal when one is given
//! ([`super::placement`]), then one sources-and-methods slide. Builds the [`Deck`] model from
//! the Dataset's public view; the writers only draw it.
//!
//! A reach indicator named in the request's indicators is not an indicator slide: it picks
//! that service as the reach slide's headline (its map and reading).

use super::error::SlidesError;
use super::layout::{self, check_table, check_text, Overflow, MARGIN, SLIDE_W};
use super::model::{
    Align, Content, Deck, Layout, Paragraph, Rect, Run, Shape, Slide, Table, TextBox,
};
pub use super::parts::DECK_GROUPING;
use super::parts::{
    cell, date_text, fitted_text, footer_box, header_cell, map_png, picture, pixel_ratio,
    reading_box, MAP,
};
use super::placement::placement_slide;
use super::reach::{locality_reach, reach_slide};
use super::reading::{key_figures, speaker_notes, table_reading};
use crate::dataset::{Area, Dataset, Indicator, ReachSummary};
use crate::figures::chart::chart_spec;
use crate::figures::map::MapLayer;
use crate::figures::{find_locality, localities};
use crate::gaps::{GapRequest, GapTable};
use crate::place::report::PlacementReport;
use crate::public::{PublicDataset, ReachReport};
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
    /// Indicator ids in slide order; empty = every health indicator in load order. A service's
    /// reach indicator here (e.g. `reach-family-hub`) gets no indicator slide: it makes that
    /// service the reach slide's headline.
    pub indicators: Vec<String>,
    /// Monte Carlo replicates behind the SII/RII intervals (the API's default: 100,000).
    pub reps: u32,
    pub seed: u64,
    /// A placement report (`gapmap place` / `/api/place` for the same options) to present on
    /// a proposal slide after the localities' slides.
    pub placement: Option<Arc<PlacementReport>>,
    /// A "Service reach" slide per locality when the dataset has service-use records
    /// (`[[reach]]`); `false` leaves reach out (`--no-reach`, `reach=false`).
    pub reach: bool,
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
            reach: true,
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
    let (indicators, services, headline) = deck_contents(dataset, request)?;
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
    let per_locality: Vec<&[IndicatorData]> = if indicators.is_empty() {
        vec![&data[..0]; chosen.len()]
    } else {
        data.chunks(indicators.len()).collect()
    };
    // Each locality's reach: every service's public report within it (`/api/reach`).
    let reach: Vec<Vec<ReachReport>> = chosen
        .par_iter()
        .map(|l| locality_reach(public, l, &services, request.reps, request.seed))
        .collect::<Result<_, SlidesError>>()?;

    let mut jobs: Vec<Job> = Vec::new();
    for (l, _) in chosen.iter().enumerate() {
        jobs.push(Job::Title(l));
        jobs.extend((0..indicators.len()).map(|i| Job::Indicator(l, i)));
        if !services.is_empty() {
            jobs.push(Job::Reach(l));
        }
    }
    let mut slides: Vec<Slide> = jobs
        .par_iter()
        .map(|&job| match job {
            Job::Title(l) => title_slide(public, chosen[l], per_locality[l], &reach[l]),
            Job::Indicator(l, i) => indicator_slide(public, chosen[l], &per_locality[l][i]),
            Job::Reach(l) => reach_slide(public, chosen[l], &reach[l], headline),
        })
        .collect::<Result<_, SlidesError>>()?;
    if let Some(report) = &request.placement {
        slides.push(placement_slide(public, report)?);
    }
    let shown: Vec<&ReachSummary> = reach
        .first()
        .map(|r| r.iter().map(|r| &r.summary).collect())
        .unwrap_or_default();
    slides.push(sources_slide(
        dataset,
        &data,
        &shown,
        request.placement.as_deref(),
        request.reps,
    ));
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
    for (k, service) in services.iter().enumerate() {
        id.update(if k == headline { "headline:" } else { "reach:" }.as_bytes());
        id.update(service.as_bytes());
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

/// One slide to build: a locality's title, one of its indicators, its reach.
#[derive(Debug, Clone, Copy)]
enum Job {
    Title(usize),
    Indicator(usize, usize),
    Reach(usize),
}

/// What the deck shows: the health indicators in slide order, the reach services (indicator
/// ids, dataset order; none with `reach: false`) and which service leads the reach slide (the
/// first reach indicator named in the request, else the first service).
fn deck_contents<'a>(
    dataset: &'a Dataset,
    request: &DeckRequest,
) -> Result<(Vec<&'a Indicator>, Vec<String>, usize), SlidesError> {
    let is_reach = |i: &Indicator| dataset.reach.iter().any(|r| r.indicator_id == i.meta.id);
    let chosen: Vec<&Indicator> = if request.indicators.is_empty() {
        dataset.indicators.iter().filter(|i| !is_reach(i)).collect()
    } else {
        request
            .indicators
            .iter()
            .map(|id| crate::figures::find_indicator(dataset, id))
            .collect::<Result<Vec<_>, _>>()?
    };
    let (named_reach, indicators): (Vec<&Indicator>, Vec<&Indicator>) =
        chosen.into_iter().partition(|i| is_reach(i));
    let services: Vec<String> = if request.reach {
        dataset
            .reach
            .iter()
            .map(|r| r.indicator_id.clone())
            .collect()
    } else if let Some(reach) = named_reach.first() {
        return Err(SlidesError::ReachLeftOut {
            id: reach.meta.id.clone(),
        });
    } else {
        Vec::new()
    };
    if indicators.is_empty() && services.is_empty() {
        return Err(SlidesError::NoIndicators);
    }
    let headline = named_reach
        .first()
        .and_then(|i| services.iter().position(|s| *s == i.meta.id))
        .unwrap_or(0);
    Ok((indicators, services, headline))
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

/// "Family Hub" or "Family Hub and School nurse": the services a deck's reach slide shows.
fn service_names(reach: &[ReachReport]) -> String {
    let names: Vec<&str> = reach.iter().map(|r| r.summary.service.as_str()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// What the title slide says is synthetic, if anything.
fn synthetic_words(data: &[IndicatorData], reach: &[ReachReport]) -> Option<&'static str> {
    let indicators = data.iter().any(|d| d.indicator.meta.synthetic);
    let records = reach.iter().any(|r| r.summary.synthetic);
    match (indicators, records) {
        (true, true) => Some("The indicator values and the service records are synthetic demonstration data, not official statistics."),
        (true, false) => Some("The indicator values are synthetic demonstration data, not official statistics."),
        (false, true) => Some("The service records are synthetic demonstration data, not official statistics."),
        (false, false) => None,
    }
}

fn title_slide(
    public: &PublicDataset,
    locality: &Area,
    data: &[IndicatorData],
    reach: &[ReachReport],
) -> Result<Slide, SlidesError> {
    let dataset: &Dataset = public.dataset();
    let synthetic = synthetic_words(data, reach);
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
    ];
    if !data.is_empty() {
        subtitle.push(Paragraph {
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
        });
    }
    if !reach.is_empty() {
        subtitle.push(Paragraph {
            space_before: 6.0,
            ..Paragraph::plain(format!("Service reach: {}", service_names(reach)), 14.0)
        });
    }
    if let Some(words) = synthetic {
        subtitle.push(Paragraph {
            runs: vec![Run::bold(words)],
            space_before: 10.0,
            ..Paragraph::plain("", 14.0)
        });
    }
    let mut about_text = format!(
        "For each indicator: a map of {name} (the rest of {county} in grey for context; the same colour classes as the web map) and the gap between {name}'s areas in England's most and least deprived fifths (national IMD quintiles).",
        name = locality.name,
        county = dataset.meta.name,
    );
    if !reach.is_empty() {
        about_text.push_str(&format!(
            " Then the reach of {} in each fifth: contacts per 1,000 children, from the service records.",
            service_names(reach)
        ));
    }
    about_text.push_str(&format!(
        " Areas with small numbers (counts of 1 to {}) are withheld, and so is anything that would reveal them.",
        dataset.meta.suppress_max_count
    ));
    let mut about = vec![Paragraph::plain(about_text, 14.0)];
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
            format!(
                "{} locality: children's health gaps. {} indicators{}, figures built {}.",
                locality.name,
                data.len(),
                if reach.is_empty() {
                    String::new()
                } else {
                    format!(" and the reach of {}", service_names(reach))
                },
                date_text(&dataset.meta.built_at)
            ),
            "The map shows national IMD deciles (real MHCLG data); decile 1 is the most deprived 10% of areas in England. The black outline marks areas in the 30% most deprived nationally.".into(),
        ],
        synthetic_banner: synthetic.is_some(),
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

/// The methods bullets of service reach: what reach is, how it is withheld, and that
/// synthetic records are synthetic.
fn reach_methods(dataset: &Dataset, reach: &[&ReachSummary]) -> Vec<String> {
    if reach.is_empty() {
        return Vec::new();
    }
    let max = dataset.meta.suppress_max_count;
    let mut out = vec![format!(
        "Service reach ({}): contacts per 1,000 children of the service's age band living in the locality's areas, counted from the service's own records (each contact placed in its area by its postcode; records carry no child identifier, so contacts, not distinct children), by national IMD quintile as /api/reach. SII positive = the most deprived are reached more. Reach from 1 to {max} contacts is withheld, with anything that would reveal it.",
        reach.iter().map(|r| r.service.as_str()).collect::<Vec<_>>().join(", ")
    )];
    for r in reach.iter().filter(|r| r.synthetic) {
        out.push(format!(
            "The {} contact records are synthetic demonstration data: generated for the demonstration, not collected, not official statistics. They say nothing about whom the real service reaches.",
            r.service
        ));
    }
    out
}

/// Where each service's records come from: the file, the months, what was read and placed.
fn reach_sources(dataset: &Dataset, reach: &[&ReachSummary]) -> Vec<String> {
    reach
        .iter()
        .map(|r| {
            let file = dataset
                .indicator(&r.indicator_id)
                .map(|i| i.meta.source_id.as_str())
                .map(|path| {
                    std::path::Path::new(path)
                        .file_name()
                        .and_then(|f| f.to_str())
                        .unwrap_or(path)
                })
                .unwrap_or("the service's records");
            format!(
                "{} contacts: {file}, {} to {} ({} rows read, {} contacts placed){}.",
                r.service,
                r.first_month,
                r.last_month,
                num(Some(r.rows as f64), 0),
                num(Some(r.contacts), 0),
                if r.synthetic {
                    "; SYNTHETIC demonstration records"
                } else {
                    ""
                }
            )
        })
        .collect()
}

fn sources_slide(
    dataset: &Dataset,
    data: &[IndicatorData],
    reach: &[&ReachSummary],
    placement: Option<&PlacementReport>,
    reps: u32,
) -> Slide {
    let synthetic =
        data.iter().any(|d| d.indicator.meta.synthetic) || reach.iter().any(|r| r.synthetic);
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
    let mut methods = vec![heading("Methods")];
    if data.iter().any(|d| d.indicator.meta.synthetic) {
        methods.push(bullet("The indicator values are synthetic demonstration data: modelled from deprivation and population, not official statistics. They say nothing about the real health of any area.".into()));
    }
    methods.extend([
        bullet("Group values sum the areas' counts and denominators (never an average of area rates). 95% confidence intervals: Wilson score method for proportions, Byar's method (exact Poisson below 10 events) for rates, as Fingertips.".into()),
        bullet("Gap figures use each locality's own areas grouped by national IMD quintile (1 = the most deprived fifth of areas in England), as the web map's gap table for the locality. Gap = most minus least deprived fifth (Newcombe interval); ratio = most ÷ least (log method).".into()),
        bullet(format!("Slope and relative index of inequality (SII, RII): PHE method (Low & Low 2004), 95% limits from {} Monte Carlo replicates. A gap is called significant when its 95% interval excludes no difference.", num(Some(f64::from(reps)), 0))),
        bullet(format!("Small numbers: counts of 1 to {max} are withheld, with anything that would reveal them (other areas, group totals, gaps and SII), in every table, map and slide.")),
        bullet("Maps: five classes holding about equal numbers of areas across the county, darker = worse; hatched = withheld; black outline = 30% most deprived nationally.".into()),
    ]);
    methods.extend(reach_methods(dataset, reach).into_iter().map(bullet));
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
    licences.extend(reach_sources(dataset, reach).into_iter().map(bullet));
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
