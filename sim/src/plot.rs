//! `--plot`: requests per second over time, with the rate limit, as SVG.

use plotters::prelude::*;

use crate::fleet::Report;

/// Draws the run start requests per second (in 100 ms buckets) and all requests per second
/// of `report` into an SVG file at `path`, with the start rate limit as a line.
pub fn draw(report: &Report, title: &str, path: &std::path::Path) -> Result<(), String> {
    let starts = &report.api.start_buckets;
    let all = &report.api.all_buckets;
    let limit = report.setup.api.start_limit_per_s as f64;
    let end_s = all.len().max(1) as f64 / 10.0;
    let top = starts.iter().chain(all).copied().max().unwrap_or(0) as f64 * 10.0;
    let top = top.max(limit * 1.2);
    let root = SVGBackend::new(path, (960, 480)).into_drawing_area();
    let error = |e: &dyn std::fmt::Display| format!("cannot draw {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| error(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..end_s, (1f64..top).log_scale())
        .map_err(|e| error(&e))?;
    chart
        .configure_mesh()
        .x_desc("virtual time (s)")
        .y_desc("requests per second (100 ms buckets)")
        .draw()
        .map_err(|e| error(&e))?;
    let series = |buckets: &[u32]| -> Vec<(f64, f64)> {
        buckets.iter().enumerate().map(|(i, &n)| (i as f64 / 10.0, (n as f64 * 10.0).max(1.0))).collect()
    };
    chart
        .draw_series(LineSeries::new(series(all), &RGBColor(150, 150, 150)))
        .map_err(|e| error(&e))?
        .label("all requests")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], RGBColor(150, 150, 150)));
    chart
        .draw_series(LineSeries::new(series(starts), &BLUE))
        .map_err(|e| error(&e))?
        .label("run starts")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLUE));
    chart
        .draw_series(LineSeries::new([(0.0, limit), (end_s, limit)], RED.stroke_width(2)))
        .map_err(|e| error(&e))?
        .label("start rate limit (400/s)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], RED));
    chart
        .draw_series(LineSeries::new([(0.0, 2.0 * limit), (end_s, 2.0 * limit)], RED.mix(0.4)))
        .map_err(|e| error(&e))?
        .label("2 x the limit")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], RED.mix(0.4)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| error(&e))?;
    root.present().map_err(|e| error(&e))
}
