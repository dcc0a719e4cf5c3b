//! Grouped bar charts (lessons on the x axis, one bar per flavour), drawn
//! by plotters into an SVG string that the HTML report inlines.

use demos::Flavor;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Colour of a flavour in every chart: mini_runtime in blues, Tokio in
/// oranges; the multi-thread flavour is the darker shade.
pub fn flavor_color(flavor: Flavor) -> RGBColor {
    match flavor {
        Flavor::MiniCt => RGBColor(125, 175, 230),
        Flavor::MiniMt => RGBColor(30, 90, 170),
        Flavor::TokioCt => RGBColor(250, 180, 100),
        Flavor::TokioMt => RGBColor(205, 95, 20),
    }
}

/// The same colour as a CSS `#rrggbb` string.
pub fn flavor_css(flavor: Flavor) -> String {
    let RGBColor(r, g, b) = flavor_color(flavor);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// What a bar chart shows.
#[derive(Debug, Clone)]
pub struct BarChart<'a> {
    /// Title above the chart.
    pub title: &'a str,
    /// Label of the y axis (with its unit).
    pub y_label: &'a str,
    /// The groups on the x axis, in order: (lesson number, lesson name).
    pub groups: &'a [(u32, String)],
    /// The bars of each group, in order.
    pub flavors: &'a [Flavor],
    /// Logarithmic y axis (for values spanning orders of magnitude).
    pub log_scale: bool,
}

/// Width and height of the bar charts, in pixels.
const BAR_CHART_SIZE: (u32, u32) = (1300, 600);

/// Draws a grouped bar chart; `value(group index, flavour)` gives the bar's
/// height (`None`: no bar). Returns the SVG document as a string.
///
/// # Errors
///
/// A message when plotters fails to draw (it does not, into a string,
/// unless the chart is degenerate).
pub fn bar_chart_svg(
    chart: &BarChart<'_>,
    value: impl Fn(usize, Flavor) -> Option<f64>,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, BAR_CHART_SIZE).into_drawing_area();
        draw_bars(&root, chart, &value).map_err(|e| format!("drawing {}: {e}", chart.title))?;
        root.present()
            .map_err(|e| format!("drawing {}: {e}", chart.title))?;
    }
    Ok(svg)
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Height of the strip above the plot that holds the title and the legend.
const HEADER: u32 = 64;

fn draw_bars(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    chart: &BarChart<'_>,
    value: &dyn Fn(usize, Flavor) -> Option<f64>,
) -> DrawResult {
    root.fill(&WHITE)?;
    let (header, body) = root.split_vertically(HEADER);
    header_strip(&header, chart.title, chart.flavors)?;
    let n = chart.groups.len().max(1);
    let values: Vec<f64> = (0..chart.groups.len())
        .flat_map(|g| chart.flavors.iter().filter_map(move |&f| value(g, f)))
        .filter(|v| v.is_finite())
        .collect();
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    let x_range = -0.5..(n as f64 - 0.5);
    let longest = chart
        .groups
        .iter()
        .map(|(num, name)| format!("{num} {name}").len())
        .max()
        .unwrap_or(4) as u32;
    let mut builder = ChartBuilder::on(&body);
    builder
        .margin(12)
        .margin_right(24)
        .x_label_area_size(14 + 6 * longest)
        .y_label_area_size(80);
    let slots = chart.flavors.len().max(1) as f64;
    let width = 0.84 / slots;
    let bar = |g: usize, k: usize| {
        let x0 = g as f64 - 0.42 + k as f64 * width;
        (x0, x0 + width * 0.92)
    };
    let grid = RGBColor(236, 236, 236);
    if chart.log_scale {
        // Bars start at the bottom of the axis; values below it are drawn
        // at its height (the tables give the exact numbers).
        let floor = values
            .iter()
            .copied()
            .filter(|v| *v > 0.0)
            .fold(f64::INFINITY, f64::min)
            .clamp(0.01, 1.0);
        let top = (max * 1.6).max(floor * 10.0);
        let base = floor / 1.5;
        let mut ctx = builder.build_cartesian_2d(x_range, (base..top).log_scale())?;
        ctx.configure_mesh()
            .disable_x_mesh()
            .light_line_style(grid)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 16))
            .x_labels(0)
            .y_desc(chart.y_label)
            .y_label_formatter(&|v| short_number(*v))
            .draw()?;
        for (k, &flavor) in chart.flavors.iter().enumerate() {
            let color = flavor_color(flavor);
            ctx.draw_series((0..chart.groups.len()).filter_map(|g| {
                let v = value(g, flavor)?.max(base);
                let (x0, x1) = bar(g, k);
                Some(Rectangle::new([(x0, base), (x1, v)], color.filled()))
            }))?;
        }
        let bottom = base;
        group_labels(root, chart, |g| ctx.backend_coord(&(g as f64, bottom)))?;
    } else {
        let top = if max > 0.0 { max * 1.12 } else { 1.0 };
        let mut ctx = builder.build_cartesian_2d(x_range, 0.0..top)?;
        ctx.configure_mesh()
            .disable_x_mesh()
            .light_line_style(grid)
            .y_max_light_lines(1)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 16))
            .x_labels(0)
            .y_desc(chart.y_label)
            .y_label_formatter(&|v| short_number(*v))
            .draw()?;
        for (k, &flavor) in chart.flavors.iter().enumerate() {
            let color = flavor_color(flavor);
            ctx.draw_series((0..chart.groups.len()).filter_map(|g| {
                let v = value(g, flavor)?;
                let (x0, x1) = bar(g, k);
                Some(Rectangle::new([(x0, 0.0), (x1, v)], color.filled()))
            }))?;
        }
        group_labels(root, chart, |g| ctx.backend_coord(&(g as f64, 0.0)))?;
    }
    Ok(())
}

/// Writes each group's label under its bars, turned to read downwards
/// (plotters centres rotated axis labels on the tick, across the axis, so
/// they are drawn here instead).
fn group_labels(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    chart: &BarChart<'_>,
    pixel: impl Fn(usize) -> (i32, i32),
) -> DrawResult {
    let style = ("sans-serif", 15)
        .into_font()
        .transform(FontTransform::Rotate90)
        .into_text_style(root)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (g, (num, name)) in chart.groups.iter().enumerate() {
        let (x, y) = pixel(g);
        root.draw(&Text::new(
            format!("{num} {name}"),
            (x, y + 8),
            style.clone(),
        ))?;
    }
    Ok(())
}

/// The title, and under it one swatch and label per flavour.
fn header_strip(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    title: &str,
    flavors: &[Flavor],
) -> DrawResult {
    area.draw(&Text::new(
        title.to_string(),
        (24, 10),
        ("sans-serif", 22).into_font().style(FontStyle::Bold),
    ))?;
    let mut x = 24;
    for &f in flavors {
        area.draw(&Rectangle::new(
            [(x, 40), (x + 16, 54)],
            flavor_color(f).filled(),
        ))?;
        area.draw(&Text::new(
            f.label().to_string(),
            (x + 22, 40),
            ("sans-serif", 17).into_font(),
        ))?;
        x += 120;
    }
    Ok(())
}

/// A number for an axis label: `0.1`, `5`, `250`, `12k`.
pub fn short_number(v: f64) -> String {
    let a = v.abs();
    if a >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if a >= 10.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        let s = format!("{v:.1}");
        s.trim_end_matches(".0").to_string()
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups() -> Vec<(u32, String)> {
        vec![
            (5, "spawn".to_string()),
            (8, "blocking_mistake".to_string()),
        ]
    }

    #[test]
    fn bar_chart_has_a_bar_per_value_labels_and_a_legend() {
        crate::testutil::watchdog(20, || {
            let groups = groups();
            for log_scale in [false, true] {
                let chart = BarChart {
                    title: "Wall time",
                    y_label: "ms",
                    groups: &groups,
                    flavors: &Flavor::ALL,
                    log_scale,
                };
                let svg = bar_chart_svg(&chart, |g, f| {
                    (f != Flavor::TokioMt).then_some((g + 1) as f64 * 100.0)
                })
                .unwrap();
                assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
                assert!(svg.trim_end().ends_with("</svg>"));
                assert!(svg.contains("Wall time"));
                assert!(svg.contains("5 spawn"));
                assert!(svg.contains("8 blocking_mistake"));
                for f in Flavor::ALL {
                    assert!(svg.contains(f.label()), "legend lacks {f}");
                }
                // 3 flavours x 2 lessons, each bar in its flavour's colour.
                for f in [Flavor::MiniCt, Flavor::MiniMt, Flavor::TokioCt] {
                    let RGBColor(r, g, b) = flavor_color(f);
                    let fill = format!("fill=\"#{r:02X}{g:02X}{b:02X}\"");
                    let n = svg.matches(&fill).count();
                    // Two bars plus the legend swatch.
                    assert_eq!(n, 3, "{f} ({fill}) in log={log_scale}");
                }
            }
        });
    }

    #[test]
    fn empty_chart_still_draws() {
        crate::testutil::watchdog(20, || {
            let chart = BarChart {
                title: "Nothing",
                y_label: "kB",
                groups: &[],
                flavors: &[Flavor::MiniCt],
                log_scale: true,
            };
            let svg = bar_chart_svg(&chart, |_, _| None).unwrap();
            assert!(svg.contains("Nothing"));
        });
    }

    #[test]
    fn short_numbers() {
        crate::testutil::watchdog(10, || {
            assert_eq!(short_number(0.0), "0");
            assert_eq!(short_number(0.25), "0.25");
            assert_eq!(short_number(2.0), "2");
            assert_eq!(short_number(2.5), "2.5");
            assert_eq!(short_number(250.0), "250");
            assert_eq!(short_number(12_000.0), "12k");
        });
    }
}
