//! The report's charts, drawn by plotters into SVG strings and then made
//! fit for an HTML page: the root element gets a `<title>`, a `<desc>` (the
//! text alternative) and a scalable size; the `xmlns` namespace URL is
//! dropped (inline SVG in HTML needs none, and the page references no
//! `http` address at all); and every bar, which plotters draws as a plain
//! `<rect>` in one of the [`PALETTE`] colours, gets its fill pattern
//! (`url(#fN)`, so bars are told apart without colour), its data
//! attributes and a `<title>` with the exact value, shown on hover.
//!
//! Text is drawn by plotters' SVG backend as `<text>` elements that the
//! browser sets in its own sans-serif font: without plotters' `ttf`
//! feature no font file is read or shipped, and plotters sizes label areas
//! from a rough estimate, so the label areas here are sized explicitly.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Fill colours (Okabe–Ito, readable with colour-blindness); fill `i`
/// pairs colour `i` with pattern `#fi` (see [`pattern_defs`]).
pub const PALETTE: [(u8, u8, u8); 8] = [
    (0x00, 0x72, 0xB2),
    (0xE6, 0x9F, 0x00),
    (0x00, 0x9E, 0x73),
    (0xCC, 0x79, 0xA7),
    (0x56, 0xB4, 0xE9),
    (0xD5, 0x5E, 0x00),
    (0xF0, 0xE4, 0x42),
    (0x99, 0x99, 0x99),
];

/// The fill colour with index `i` (cycling).
fn colour(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

fn hex(i: usize) -> String {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    format!("#{r:02X}{g:02X}{b:02X}")
}

/// The `<pattern>` definitions `f0`..`f7`: the palette colour with a
/// texture of its own (plain, stripes, dots, cross-hatch, ...), so that
/// bars stay distinct in greyscale print and for readers who do not see
/// the colour.
pub fn pattern_defs() -> String {
    let mut s = String::new();
    for i in 0..PALETTE.len() {
        let c = hex(i);
        let texture = match i {
            0 => String::new(),
            1 => "<path d=\"M0 8L8 0\" stroke=\"#fff\" stroke-width=\"2\"/>".into(),
            2 => "<circle cx=\"4\" cy=\"4\" r=\"1.6\" fill=\"#fff\"/>".into(),
            3 => "<path d=\"M0 0L8 8M8 0L0 8\" stroke=\"#fff\" stroke-width=\"1.5\"/>".into(),
            4 => "<path d=\"M0 4H8\" stroke=\"#fff\" stroke-width=\"2\"/>".into(),
            5 => "<path d=\"M0 0L8 8\" stroke=\"#fff\" stroke-width=\"2\"/>".into(),
            6 => "<path d=\"M4 0V8\" stroke=\"#000\" stroke-width=\"1.5\"/>".into(),
            _ => "<path d=\"M0 4H8M4 0V8\" stroke=\"#fff\" stroke-width=\"1\"/>".into(),
        };
        s.push_str(&format!(
            "<pattern id=\"f{i}\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\"><rect width=\"8\" height=\"8\" fill=\"{c}\"/>{texture}</pattern>"
        ));
    }
    s
}

/// A small swatch of fill `i` for legends and tables.
pub fn swatch(i: usize) -> String {
    format!(
        "<svg class=\"swatch\" width=\"14\" height=\"14\" viewBox=\"0 0 14 14\" aria-hidden=\"true\"><rect width=\"14\" height=\"14\" fill=\"url(#f{})\" stroke=\"#333\" stroke-width=\"1\"/></svg>",
        i % PALETTE.len()
    )
}

/// What a bar carries into the page: its exact value as a tooltip and
/// `data-` attributes (name, value) for tools and tests.
#[derive(Debug, Clone)]
pub struct BarMeta {
    /// The `<title>` text.
    pub title: String,
    /// `data-NAME="VALUE"` attributes.
    pub data: Vec<(&'static str, String)>,
}

/// Escapes text for an attribute or element content.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), String>;

const FONT: &str = "sans-serif";
/// A line plotters leaves out (its SVG backend skips transparent shapes).
const NO_LINE: RGBAColor = RGBAColor(0, 0, 0, 0.0);

/// Draws a `w`×`h` chart with `draw` and finishes it for the page (see the
/// module documentation). `bars` are the metadata of the palette-coloured
/// rectangles, in the order they are drawn.
fn chart(
    w: u32,
    h: u32,
    title: &str,
    desc: &str,
    bars: &[BarMeta],
    draw: impl FnOnce(&Area) -> DrawResult,
) -> String {
    let mut buf = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        let r = root
            .fill(&WHITE)
            .map_err(|e| e.to_string())
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(|e| e.to_string()));
        drop(root);
        r
    };
    if let Err(e) = drawn {
        // Not expected (the SVG backend writes to a string); the page
        // still holds every number in its tables.
        return format!(
            "<p class=\"note\">The chart “{}” could not be drawn: {}.</p>",
            esc(title),
            esc(&e)
        );
    }
    finish(&buf, w, h, title, desc, bars)
}

/// Turns plotters' SVG document into an inline, accessible SVG element.
fn finish(svg: &str, w: u32, h: u32, title: &str, desc: &str, bars: &[BarMeta]) -> String {
    let mut out = String::with_capacity(svg.len() + bars.len() * 80);
    out.push_str(&format!(
        "<svg class=\"chart\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\"><title>{}</title><desc>{}</desc>\n",
        esc(title),
        esc(desc)
    ));
    let fills: Vec<String> = (0..PALETTE.len())
        .map(|i| format!(" fill=\"{}\" ", hex(i)))
        .collect();
    let mut bars = bars.iter();
    // plotters writes one element per line; the root element is the first.
    for line in svg.lines().skip(1) {
        let fill = if line.starts_with("<rect ") {
            fills.iter().position(|f| line.contains(f.as_str()))
        } else {
            None
        };
        match fill {
            Some(i) => {
                let body = line.trim_end_matches("/>").replacen(
                    fills[i].as_str(),
                    &format!(" fill=\"url(#f{i})\" "),
                    1,
                );
                let meta = bars.next();
                out.push_str(&body);
                if let Some(m) = meta {
                    out.push_str(" class=\"bar\"");
                    for (k, v) in &m.data {
                        out.push_str(&format!(" data-{k}=\"{}\"", esc(v)));
                    }
                    out.push_str(&format!("><title>{}</title></rect>\n", esc(&m.title)));
                } else {
                    out.push_str("/>\n");
                }
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// One horizontal bar: a label left of it, a value in [0, `max`], a fill.
#[derive(Debug, Clone)]
pub struct HBar {
    /// The label on the axis.
    pub label: String,
    /// The bar's length.
    pub value: f64,
    /// The palette index.
    pub fill: usize,
    /// The text at the bar's end.
    pub text: String,
    /// Tooltip and data attributes.
    pub meta: BarMeta,
}

/// Horizontal bars, the first on top, on an axis from 0 to `max` whose
/// ticks `tick` formats. (The bar axis is a plain number axis with the
/// labels written beside it, since plotters' discrete axes add a segment.)
pub fn hbars(
    bars: &[HBar],
    max: f64,
    axis: &str,
    tick: &dyn Fn(f64) -> String,
    title: &str,
    desc: &str,
) -> String {
    let n = bars.len().max(1);
    let row = 24u32;
    let label_px = bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 40) as u32
        * 7
        + 14;
    let w = 760u32;
    let h = 50 + row * n as u32;
    let max = if max > 0.0 { max } else { 1.0 };
    let metas: Vec<BarMeta> = bars.iter().map(|b| b.meta.clone()).collect();
    chart(w, h, title, desc, &metas, |root| {
        let top = n as f64;
        let mut c = ChartBuilder::on(root)
            .margin_top(8)
            .margin_right(70)
            .margin_left(4)
            .x_label_area_size(42)
            .y_label_area_size(label_px)
            .build_cartesian_2d(0f64..max, 0f64..top)
            .map_err(|e| e.to_string())?;
        let xlab = |x: &f64| tick(*x);
        c.configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&xlab)
            .x_desc(axis)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 16))
            .light_line_style(NO_LINE)
            .bold_line_style(RGBColor(0xD0, 0xD0, 0xD0))
            .draw()
            .map_err(|e| e.to_string())?;
        // Row i (0 on top) spans [n - i - 1, n - i].
        for (i, b) in bars.iter().enumerate() {
            let y = top - i as f64;
            let r = Rectangle::new(
                [(0.0, y - 0.18), (b.value.clamp(0.0, max), y - 0.82)],
                colour(b.fill).filled(),
            );
            c.draw_series(std::iter::once(r))
                .map_err(|e| e.to_string())?;
        }
        let value = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        let label =
            TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
        for (i, b) in bars.iter().enumerate() {
            let y = top - i as f64 - 0.5;
            let (px, py) = c.backend_coord(&(b.value.clamp(0.0, max), y));
            root.draw(&Text::new(b.text.clone(), (px + 5, py), value.clone()))
                .map_err(|e| e.to_string())?;
            let (px, py) = c.backend_coord(&(0.0, y));
            root.draw(&Text::new(b.label.clone(), (px - 6, py), label.clone()))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// A group of vertical bars: one group per category, one bar per series.
#[derive(Debug, Clone)]
pub struct Groups {
    /// Category labels (x axis).
    pub categories: Vec<String>,
    /// Series: their values per category, bar metadata per category.
    pub series: Vec<(Vec<f64>, Vec<BarMeta>)>,
}

/// Grouped vertical bars with their values written above them.
pub fn grouped(g: &Groups, axis: &str, title: &str, desc: &str) -> String {
    let cats = g.categories.len().max(1);
    let nser = g.series.len().max(1);
    let w = (120 + cats * (nser * 50 + 40)).clamp(480, 900) as u32;
    let h = 320u32;
    let max = g
        .series
        .iter()
        .flat_map(|(v, _)| v.iter().copied())
        .fold(0.0f64, f64::max);
    let top = if max > 0.0 { max * 1.15 } else { 1.0 };
    // Bars are drawn category by category, series by series.
    let mut metas = Vec::new();
    for k in 0..g.categories.len() {
        for (_, m) in &g.series {
            if let Some(m) = m.get(k) {
                metas.push(m.clone());
            }
        }
    }
    chart(w, h, title, desc, &metas, |root| {
        let mut c = ChartBuilder::on(root)
            .margin(10)
            .margin_top(24)
            .x_label_area_size(36)
            .y_label_area_size(80)
            .build_cartesian_2d(0f64..cats as f64, 0f64..top)
            .map_err(|e| e.to_string())?;
        let ylab = |y: &f64| crate::report::num(*y);
        c.configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&ylab)
            .y_desc(axis)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 16))
            .light_line_style(NO_LINE)
            .bold_line_style(RGBColor(0xD0, 0xD0, 0xD0))
            .draw()
            .map_err(|e| e.to_string())?;
        let width = 0.8 / nser as f64;
        let value =
            TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
        let label = TextStyle::from((FONT, 16).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
        for (k, name) in g.categories.iter().enumerate() {
            for (s, (values, _)) in g.series.iter().enumerate() {
                let v = values.get(k).copied().unwrap_or(0.0).max(0.0);
                let x0 = k as f64 + 0.1 + width * s as f64;
                let r = Rectangle::new(
                    [(x0 + width * 0.06, 0.0), (x0 + width * 0.94, v)],
                    colour(s).filled(),
                );
                c.draw_series(std::iter::once(r))
                    .map_err(|e| e.to_string())?;
                let (px, py) = c.backend_coord(&(x0 + width / 2.0, v));
                root.draw(&Text::new(
                    crate::report::num(v),
                    (px, py - 3),
                    value.clone(),
                ))
                .map_err(|e| e.to_string())?;
            }
            let (px, py) = c.backend_coord(&(k as f64 + 0.5, 0.0));
            root.draw(&Text::new(name.clone(), (px, py + 8), label.clone()))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// One line of a line chart.
#[derive(Debug, Clone)]
pub struct Line {
    /// A value per period.
    pub values: Vec<f64>,
    /// Marker: 0 circle, 1 triangle, 2 cross with a dashed line.
    pub marker: usize,
    /// The palette colour.
    pub fill: usize,
}

/// Lines over periods 1..=T, each with its own marker (and the last one
/// dashed) so that they are told apart without colour.
pub fn lines(lines: &[Line], periods: usize, axis: &str, title: &str, desc: &str) -> String {
    let t = periods.max(1);
    let max = lines
        .iter()
        .flat_map(|l| l.values.iter().copied())
        .fold(0.0f64, f64::max);
    let top = if max > 0.0 { max * 1.1 } else { 1.0 };
    chart(420, 260, title, desc, &[], |root| {
        let mut c = ChartBuilder::on(root)
            .margin(8)
            .margin_right(16)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(0.5f64..t as f64 + 0.5, 0f64..top)
            .map_err(|e| e.to_string())?;
        let xlab = |x: &f64| {
            if (x - x.round()).abs() < 1e-9 && *x >= 1.0 {
                format!("{}", x.round() as i64)
            } else {
                String::new()
            }
        };
        let ylab = |y: &f64| crate::report::num(*y);
        c.configure_mesh()
            .x_labels(t.min(12))
            .x_label_formatter(&xlab)
            .y_labels(5)
            .y_label_formatter(&ylab)
            .x_desc(axis)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 16))
            .light_line_style(NO_LINE)
            .bold_line_style(RGBColor(0xD8, 0xD8, 0xD8))
            .draw()
            .map_err(|e| e.to_string())?;
        for l in lines {
            let col = colour(l.fill);
            let pts: Vec<(f64, f64)> = l
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| ((i + 1) as f64, *v))
                .collect();
            let e = |e: DrawingAreaErrorKind<_>| e.to_string();
            match l.marker {
                0 => {
                    c.draw_series(LineSeries::new(pts.clone(), col.stroke_width(2)))
                        .map_err(e)?;
                    c.draw_series(pts.iter().map(|p| Circle::new(*p, 4, col.filled())))
                        .map_err(|e| e.to_string())?;
                }
                1 => {
                    c.draw_series(LineSeries::new(pts.clone(), col.stroke_width(2)))
                        .map_err(e)?;
                    c.draw_series(pts.iter().map(|p| TriangleMarker::new(*p, 5, col.filled())))
                        .map_err(|e| e.to_string())?;
                }
                _ => {
                    c.draw_series(DashedLineSeries::new(
                        pts.clone(),
                        6,
                        4,
                        col.stroke_width(2),
                    ))
                    .map_err(e)?;
                    c.draw_series(pts.iter().map(|p| Cross::new(*p, 4, col.stroke_width(2))))
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        Ok(())
    })
}
