//! The gap chart image: an indicator by deprivation group as bars whose widths are the groups'
//! population shares, 95% CI whiskers, England and county reference lines and the fitted line
//! of the slope index of inequality, drawn the way `web/js/chart.js` draws it.
//!
//! The renderer fits nothing: it takes each group's rank midpoint and share and the fitted
//! line's values at rank 0 (most deprived) and rank 1 (least deprived) as given (the adapter
//! is [`crate::figures::chart`]), so the picture and the published SII cannot disagree.

use crate::render::canvas::{Canvas, Line};
use crate::render::colour::Colour;
use crate::render::legend::SUPPRESSED_HATCH;
use crate::render::text::{self, num, Anchor, TextStyle, Weight};
use crate::render::RenderError;

/// England reference line (Fingertips red, dashed).
pub const ENGLAND: Colour = Colour::hex("#c00000");
/// County reference line (blue, dotted).
pub const COUNTY: Colour = Colour::hex("#0b5cad");
/// The SII's fitted line.
pub const SII_LINE: Colour = Colour::hex("#d95f02");
/// Bars of a grouping without deprivation order (localities).
pub const UNORDERED_BAR: Colour = Colour::hex("#4a6fa5");

/// What the renderer needs to draw one gap chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    pub width: f32,
    pub height: f32,
    pub pixel_ratio: f32,
    /// In order along the x axis (most deprived first for deprivation groupings).
    pub bars: Vec<ChartBar>,
    /// The fitted SII line, if published.
    pub sii_line: Option<SiiLine>,
    pub england: Option<f64>,
    pub county: Option<f64>,
    /// e.g. "County Durham", for the key.
    pub county_label: String,
    /// "%" adds a percent sign to the axis ticks.
    pub unit: String,
    /// Under the axis, e.g. "Local deprivation quintile; bar width = share of people".
    pub axis_title: String,
    /// Deprivation order: label the ends "more deprived" and "less deprived".
    pub ordered: bool,
    /// The short block of a group with no value, and of a withheld group (under the hatch):
    /// the map legend's no-data and suppressed colours.
    pub no_data_colour: Colour,
    pub suppressed_colour: Colour,
}

/// One group's bar: where it sits on the cumulative population rank (0 = most deprived end)
/// and what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartBar {
    /// Short label under the bar, e.g. "1".
    pub label: String,
    /// Rank midpoint of the group, 0–1.
    pub midpoint: f64,
    /// Share of the population, 0–1 (the bar's width).
    pub share: f64,
    pub value: BarValue,
    pub colour: Colour,
}

/// A bar's value, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BarValue {
    Shown {
        value: f64,
        lower95: Option<f64>,
        upper95: Option<f64>,
    },
    /// Withheld to protect small numbers: a short hatched block, no value.
    Suppressed,
    NoData,
}

/// The SII's fitted line: its values at rank 0 (most deprived) and rank 1 (least deprived).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiiLine {
    pub at_most_deprived: f64,
    pub at_least_deprived: f64,
}

/// "Nice" 0-based axis maximum and tick step (`niceAxis` in `web/js/chart.js`).
pub fn nice_axis(max: f64, ticks: u32) -> (f64, f64) {
    if max.is_nan() || max <= 0.0 {
        return (1.0, 0.2);
    }
    let raw = max / f64::from(ticks);
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * mag);
    ((max / step).ceil() * step, step)
}

/// Render the chart to a canvas.
pub fn render_chart(spec: &ChartSpec) -> Result<Canvas, RenderError> {
    let mut canvas = Canvas::new(spec.width, spec.height, spec.pixel_ratio)?;
    let u = (spec.width / 330.0).clamp(0.6, 3.0);
    // Ticks and bar labels at 14 units: on a slide's 328-point chart that is 14 pt, as large
    // as the key figures beside it (12 pt read as small on a projector).
    let tick = TextStyle::new(14.0 * u, Weight::Regular, Colour::INK_2);
    let axis_style = TextStyle::new(11.5 * u, Weight::Regular, Colour::INK_2);
    let pct = if spec.unit == "%" { "%" } else { "" };

    // The key across the top.
    let key_h = draw_key(&mut canvas, spec, u);
    let top_values = spec.bars.iter().flat_map(|b| match b.value {
        BarValue::Shown { value, upper95, .. } => vec![Some(value), upper95],
        _ => vec![],
    });
    let top = top_values
        .chain([spec.england, spec.county])
        .flatten()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let (axis_max, step) = nice_axis(top * 1.05, 5);
    let decimals = if step < 1.0 { 1 } else { 0 };
    let widest_tick = text::text_width(
        &format!("{}{pct}", num(Some(axis_max), decimals)),
        tick.size,
        tick.weight,
    );
    let left = widest_tick + 10.0 * u;
    let right = 8.0 * u;
    let plot_top = key_h + 8.0 * u;
    let title_lines = text::wrap(
        &spec.axis_title,
        axis_style.size,
        axis_style.weight,
        spec.width - 8.0 * u,
    );
    let bottom = text::line_height(tick.size)
        + (1 + title_lines.len()) as f32 * text::line_height(axis_style.size)
        + 8.0 * u;
    let w = spec.width - left - right;
    let h = spec.height - plot_top - bottom;
    if w < 40.0 || h < 40.0 {
        return Err(RenderError::TooSmall {
            width: spec.width,
            height: spec.height,
        });
    }
    let y_of = |v: f64| plot_top + h - ((v.clamp(0.0, axis_max) / axis_max) as f32) * h;
    let x_of = |rank: f64| left + (rank.clamp(0.0, 1.0) as f32) * w;

    // Grid and y axis.
    let mut v = 0.0;
    while v <= axis_max + step / 2.0 {
        let y = y_of(v);
        let (colour, width) = if v == 0.0 {
            (Colour::hex("#8a939e"), 1.0 * u)
        } else {
            (Colour::hex("#e3e7eb"), 0.8 * u)
        };
        canvas.polyline(
            &[(left, y), (left + w, y)],
            Line::solid(colour, width),
            None,
        );
        canvas.text(
            &format!("{}{pct}", num(Some(v), decimals)),
            left - 6.0 * u,
            y + 4.0 * u,
            Anchor::End,
            &tick,
        );
        v += step;
    }

    // Bars with whiskers.
    let hatch = Line::solid(SUPPRESSED_HATCH, 1.0 * u);
    for bar in &spec.bars {
        let x0 = x_of(bar.midpoint - bar.share / 2.0);
        let x1 = x_of(bar.midpoint + bar.share / 2.0);
        let gap = (3.0 * u).min((x1 - x0) * 0.15);
        let (bx, bw) = (x0 + gap, (x1 - x0 - 2.0 * gap).max(1.0));
        let cx = (x0 + x1) / 2.0;
        match bar.value {
            BarValue::Shown {
                value,
                lower95,
                upper95,
            } => {
                canvas.fill_rect(bx, y_of(value), bw, y_of(0.0) - y_of(value), bar.colour);
                if let (Some(lo), Some(hi)) = (lower95, upper95) {
                    let cap = (bw / 3.0).clamp(2.0 * u, 8.0 * u);
                    let whisker = [
                        vec![(cx, y_of(lo)), (cx, y_of(hi))],
                        vec![(cx - cap, y_of(lo)), (cx + cap, y_of(lo))],
                        vec![(cx - cap, y_of(hi)), (cx + cap, y_of(hi))],
                    ];
                    for seg in &whisker {
                        canvas.polyline(seg, Line::solid(Colour::WHITE, 4.5 * u), None);
                    }
                    for seg in &whisker {
                        canvas.polyline(seg, Line::solid(Colour::INK, 1.8 * u), None);
                    }
                }
            }
            BarValue::Suppressed | BarValue::NoData => {
                let block_h = 18.0 * u;
                let y = y_of(0.0) - block_h;
                let fill = if bar.value == BarValue::Suppressed {
                    spec.suppressed_colour
                } else {
                    spec.no_data_colour
                };
                canvas.fill_rect(bx, y, bw, block_h, fill);
                if bar.value == BarValue::Suppressed {
                    if let Some(clip) = canvas.clip_rect(bx, y, bw, block_h) {
                        let mut k = -block_h;
                        while k < bw {
                            canvas.polyline(
                                &[(bx + k, y + block_h), (bx + k + block_h, y)],
                                hatch,
                                Some(&clip),
                            );
                            k += 5.0 * u;
                        }
                    }
                }
                let label = if bar.value == BarValue::Suppressed {
                    "withheld"
                } else {
                    "no data"
                };
                let style = TextStyle {
                    halo: Some((Colour::WHITE, 2.5 * u)),
                    ..TextStyle::new(10.5 * u, Weight::Bold, Colour::INK)
                };
                if text::text_width(label, style.size, style.weight) <= bw + 6.0 * u {
                    canvas.text(label, cx, y - 4.0 * u, Anchor::Middle, &style);
                }
            }
        }
    }
    // Every bar is labelled, the narrowest too (a locality's least deprived fifth is often a
    // sliver): labels sit under their bars, pushed apart where neighbours would touch.
    let centres: Vec<f32> = spec
        .bars
        .iter()
        .map(|b| (x_of(b.midpoint - b.share / 2.0) + x_of(b.midpoint + b.share / 2.0)) / 2.0)
        .collect();
    let widths: Vec<f32> = spec
        .bars
        .iter()
        .map(|b| text::text_width(&b.label, tick.size, tick.weight))
        .collect();
    let label_y = plot_top + h + text::ascent(tick.size) + 3.0 * u;
    for (bar, x) in
        spec.bars
            .iter()
            .zip(spread_labels(&centres, &widths, 4.0 * u, (left, left + w)))
    {
        canvas.text(&bar.label, x, label_y, Anchor::Middle, &tick);
    }

    // Reference lines and the SII line, clipped to the plot.
    let clip = canvas.clip_rect(left, plot_top, w, h);
    let dash_england = [6.0 * u, 3.0 * u];
    let dash_county = [2.0 * u, 3.0 * u];
    for (value, colour, dash) in [
        (spec.england, ENGLAND, &dash_england),
        (spec.county, COUNTY, &dash_county),
    ] {
        if let Some(v) = value.filter(|v| v.is_finite()) {
            canvas.polyline(
                &[(left, y_of(v)), (left + w, y_of(v))],
                Line {
                    colour,
                    width: 2.0 * u,
                    dash: Some(dash),
                },
                None,
            );
        }
    }
    if let Some(line) = spec.sii_line {
        // Unclamped ends: the clip trims a line that leaves the plot.
        let yr = |v: f64| plot_top + h - ((v / axis_max) as f32) * h;
        canvas.polyline(
            &[
                (x_of(0.0), yr(line.at_most_deprived)),
                (x_of(1.0), yr(line.at_least_deprived)),
            ],
            Line::solid(SII_LINE, 3.0 * u),
            clip.as_ref(),
        );
    }

    // X axis labels.
    let base = plot_top + h + text::line_height(tick.size) + 4.0 * u;
    if spec.ordered {
        canvas.text(
            "← more deprived",
            left,
            base + text::ascent(axis_style.size),
            Anchor::Start,
            &axis_style,
        );
        canvas.text(
            "less deprived →",
            left + w,
            base + text::ascent(axis_style.size),
            Anchor::End,
            &axis_style,
        );
    }
    for (i, line) in title_lines.iter().enumerate() {
        canvas.text(
            line,
            spec.width / 2.0,
            base + (1 + i) as f32 * text::line_height(axis_style.size)
                + text::ascent(axis_style.size),
            Anchor::Middle,
            &axis_style,
        );
    }
    Ok(canvas)
}

/// Centres for labels of `widths` wanted at `centres` (in order along the axis) so that no two
/// are closer than `gap` and all stay within `bounds`: each label moves as little as needed,
/// first pushed right past its left neighbour, then the row pulled back left from the right
/// bound. Labels that cannot all fit keep the pushed positions.
pub fn spread_labels(centres: &[f32], widths: &[f32], gap: f32, bounds: (f32, f32)) -> Vec<f32> {
    let mut out: Vec<f32> = Vec::with_capacity(centres.len());
    for (i, (&c, &w)) in centres.iter().zip(widths).enumerate() {
        let min = match i {
            0 => bounds.0 + w / 2.0,
            _ => out[i - 1] + widths[i - 1] / 2.0 + gap + w / 2.0,
        };
        out.push(c.max(min));
    }
    for i in (0..out.len()).rev() {
        let max = match out.get(i + 1) {
            Some(&next) => next - widths[i + 1] / 2.0 - gap - widths[i] / 2.0,
            None => bounds.1 - widths[i] / 2.0,
        };
        let floor = if i == 0 {
            bounds.0 + widths[0] / 2.0
        } else {
            f32::NEG_INFINITY
        };
        out[i] = out[i].min(max).max(floor);
    }
    out
}

/// The line key along the top (England, county, SII, 95% CI); returns its height.
fn draw_key(canvas: &mut Canvas, spec: &ChartSpec, u: f32) -> f32 {
    let style = TextStyle::new(11.5 * u, Weight::Regular, Colour::INK_2);
    let dash_england = [6.0 * u, 3.0 * u];
    let dash_county = [2.0 * u, 3.0 * u];
    let mut items: Vec<(Line, &str)> = Vec::new();
    if spec.england.is_some_and(f64::is_finite) {
        items.push((
            Line {
                colour: ENGLAND,
                width: 2.0 * u,
                dash: Some(&dash_england),
            },
            "England",
        ));
    }
    if spec.county.is_some_and(f64::is_finite) {
        items.push((
            Line {
                colour: COUNTY,
                width: 2.0 * u,
                dash: Some(&dash_county),
            },
            spec.county_label.as_str(),
        ));
    }
    if spec.sii_line.is_some() {
        items.push((Line::solid(SII_LINE, 3.0 * u), "SII fitted line"));
    }
    let row_h = text::line_height(style.size) + 2.0 * u;
    let (mut x, mut y) = (4.0 * u, 2.0 * u);
    let key_w = 20.0 * u;
    let mut place = |width: f32| {
        if x + width > spec.width - 4.0 * u && x > 4.0 * u {
            x = 4.0 * u;
            y += row_h;
        }
        let at = (x, y);
        x += width + 14.0 * u;
        at
    };
    for (line, label) in items {
        let width = key_w + 5.0 * u + text::text_width(label, style.size, style.weight);
        let (kx, ky) = place(width);
        let mid = ky + row_h / 2.0;
        canvas.polyline(&[(kx, mid), (kx + key_w, mid)], line, None);
        canvas.text(
            label,
            kx + key_w + 5.0 * u,
            mid + 4.0 * u,
            Anchor::Start,
            &style,
        );
    }
    let label = "95% confidence interval";
    let width = 10.0 * u + text::text_width(label, style.size, style.weight);
    let (kx, ky) = place(width);
    let mid = ky + row_h / 2.0;
    canvas.polyline(
        &[(kx + 3.0 * u, mid - 6.0 * u), (kx + 3.0 * u, mid + 6.0 * u)],
        Line::solid(Colour::INK, 1.8 * u),
        None,
    );
    canvas.text(label, kx + 10.0 * u, mid + 4.0 * u, Anchor::Start, &style);
    y + row_h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_narrow_bars_are_pushed_apart_and_kept_inside() {
        // Quintiles 4 and 5 as slivers at the right end of the axis.
        let placed = spread_labels(
            &[20.0, 60.0, 90.0, 97.0, 99.5],
            &[7.0; 5],
            4.0,
            (0.0, 100.0),
        );
        for pair in placed.windows(2) {
            assert!(pair[1] - pair[0] >= 7.0 + 4.0 - 1e-4, "{placed:?}");
        }
        assert!(placed[4] + 3.5 <= 100.0 + 1e-4, "{placed:?}");
        assert_eq!(placed[0], 20.0, "a label with room stays under its bar");
        // Wide bars: every label stays where it is.
        let wide = [10.0, 30.0, 50.0, 70.0, 90.0];
        assert_eq!(spread_labels(&wide, &[7.0; 5], 4.0, (0.0, 100.0)), wide);
    }

    #[test]
    fn nice_axis_matches_the_web() {
        // niceAxis(43.6): raw 8.72, magnitude 1 → step 10, max 50.
        assert_eq!(nice_axis(43.6, 5), (50.0, 10.0));
        assert_eq!(nice_axis(0.0, 5), (1.0, 0.2));
        let (max, step) = nice_axis(4.2, 5);
        assert!((step - 1.0).abs() < 1e-12 && (max - 5.0).abs() < 1e-12);
    }
}
