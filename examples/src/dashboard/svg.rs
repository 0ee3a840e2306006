//! Inline SVG line charts: time on x, one or more series on y, dashed guide lines at the
//! grading thresholds. No scripts, no external resources.

use std::fmt::Write;

use connect_core::log::format_iso8601;
use connect_core::model::Timestamp;

use super::html::escape;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 36.0;

/// One series: `(epoch ms, value)`, a `None` value breaks the line.
#[derive(Clone, Debug)]
pub(crate) struct Line<'a> {
    pub(crate) name: &'a str,
    pub(crate) color: &'a str,
    pub(crate) points: Vec<(i64, Option<f64>)>,
}

/// A chart's labels and scale.
#[derive(Clone, Debug)]
pub(crate) struct Chart<'a> {
    /// The title, also the SVG's accessible name.
    pub(crate) title: &'a str,
    /// Dashed horizontal guides: value and label.
    pub(crate) guides: Vec<(f64, &'a str)>,
    /// The bottom of the y axis.
    pub(crate) y_min: f64,
    /// A fixed top of the y axis (else the data's maximum, guides included, plus 10 %).
    pub(crate) y_max: Option<f64>,
}

struct Scale {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Scale {
    fn x(&self, ms: i64) -> f64 {
        LEFT + (ms as f64 - self.x0) / (self.x1 - self.x0) * (WIDTH - LEFT - RIGHT)
    }

    fn y(&self, v: f64) -> f64 {
        let v = v.clamp(self.y0, self.y1);
        HEIGHT - BOTTOM - (v - self.y0) / (self.y1 - self.y0) * (HEIGHT - TOP - BOTTOM)
    }
}

fn scale(chart: &Chart<'_>, lines: &[Line<'_>]) -> Option<Scale> {
    let known = lines
        .iter()
        .flat_map(|l| l.points.iter())
        .filter_map(|(t, v)| v.filter(|v| v.is_finite()).map(|v| (*t, v)));
    let (mut x0, mut x1, mut top) = (i64::MAX, i64::MIN, f64::MIN);
    let mut any = false;
    for (t, v) in known {
        any = true;
        x0 = x0.min(t);
        x1 = x1.max(t);
        top = top.max(v);
    }
    if !any {
        return None;
    }
    let (mut x0, mut x1) = (x0 as f64, x1 as f64);
    if x1 - x0 < 1.0 {
        x0 -= 500.0;
        x1 += 500.0;
    }
    let y1 = chart.y_max.unwrap_or_else(|| {
        let guides = chart.guides.iter().map(|g| g.0).fold(top, f64::max);
        (guides * 1.1).max(chart.y_min + 1.0)
    });
    Some(Scale {
        x0,
        x1,
        y0: chart.y_min,
        y1,
    })
}

fn clock(ms: f64) -> String {
    let iso = format_iso8601(Timestamp::from_millis(ms.round() as i64));
    iso.get(11..19).unwrap_or(&iso).to_owned()
}

fn axes(out: &mut String, s: &Scale) {
    let bottom = HEIGHT - BOTTOM;
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" class="axis"/><line x1="{LEFT}" y1="{bottom}" x2="{}" y2="{bottom}" class="axis"/>"##,
        WIDTH - RIGHT
    );
    for k in 0..=4 {
        let v = s.y0 + (s.y1 - s.y0) * f64::from(k) / 4.0;
        let y = s.y(v);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" class="grid"/><text x="{}" y="{:.1}" class="tick" text-anchor="end">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            format_value(v)
        );
    }
    for k in 0..=4 {
        let ms = s.x0 + (s.x1 - s.x0) * f64::from(k) / 4.0;
        let x = LEFT + (WIDTH - LEFT - RIGHT) * f64::from(k) / 4.0;
        let anchor = match k {
            0 => "start",
            4 => "end",
            _ => "middle",
        };
        let _ = write!(
            out,
            r##"<text x="{x:.1}" y="{:.1}" class="tick" text-anchor="{anchor}">{}</text>"##,
            bottom + 16.0,
            clock(ms)
        );
    }
}

fn format_value(v: f64) -> String {
    if v.abs() >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn series(out: &mut String, s: &Scale, line: &Line<'_>) {
    let color = escape(line.color);
    let mut segment: Vec<String> = Vec::new();
    let flush = |out: &mut String, segment: &mut Vec<String>| {
        if segment.len() > 1 {
            let _ = write!(
                out,
                r##"<polyline fill="none" stroke="{color}" stroke-width="1.8" points="{}"/>"##,
                segment.join(" ")
            );
        }
        segment.clear();
    };
    for (t, v) in &line.points {
        match v.filter(|v| v.is_finite()) {
            Some(v) => {
                let (x, y) = (s.x(*t), s.y(v));
                segment.push(format!("{x:.1},{y:.1}"));
                let _ = write!(
                    out,
                    r##"<circle cx="{x:.1}" cy="{y:.1}" r="2" fill="{color}"><title>{} {}: {}</title></circle>"##,
                    escape(line.name),
                    clock(*t as f64),
                    format_value(v)
                );
            }
            None => flush(out, &mut segment),
        }
    }
    flush(out, &mut segment);
}

fn legend(out: &mut String, lines: &[Line<'_>]) {
    let mut x = WIDTH - RIGHT;
    for line in lines.iter().rev() {
        let label = escape(line.name);
        x -= 14.0 + 7.0 * line.name.chars().count() as f64;
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="8" width="10" height="10" fill="{}"/><text x="{:.1}" y="17" class="legend">{label}</text>"##,
            escape(line.color),
            x + 13.0
        );
        x -= 8.0;
    }
}

/// The chart as an `<svg>` element.
pub(crate) fn line_chart(chart: &Chart<'_>, lines: &[Line<'_>]) -> String {
    let title = escape(chart.title);
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{title}"><title>{title}</title><text x="{LEFT}" y="17" class="chart-title">{title}</text>"##
    );
    match scale(chart, lines) {
        None => {
            let _ = write!(
                out,
                r##"<text x="{}" y="{}" class="empty" text-anchor="middle">no data</text>"##,
                WIDTH / 2.0,
                HEIGHT / 2.0
            );
        }
        Some(s) => {
            axes(&mut out, &s);
            for (value, label) in &chart.guides {
                let y = s.y(*value);
                let _ = write!(
                    out,
                    r##"<line x1="{LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" class="guide"/><text x="{}" y="{:.1}" class="guide-label" text-anchor="end">{}</text>"##,
                    WIDTH - RIGHT,
                    WIDTH - RIGHT - 2.0,
                    y - 3.0,
                    escape(label)
                );
            }
            for line in lines {
                series(&mut out, &s, line);
            }
            legend(&mut out, lines);
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart<'static> {
        Chart {
            title: "RTT (ms)",
            guides: vec![(500.0, "poor")],
            y_min: 0.0,
            y_max: None,
        }
    }

    #[test]
    fn a_gap_breaks_the_line() {
        let line = Line {
            name: "RTT",
            color: "#1f77b4",
            points: vec![
                (0, Some(100.0)),
                (1000, Some(120.0)),
                (2000, None),
                (3000, Some(90.0)),
                (4000, Some(80.0)),
            ],
        };
        let svg = line_chart(&chart(), &[line]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 4);
        assert!(svg.contains(r#"aria-label="RTT (ms)""#));
        assert!(svg.contains("00:00:01"));
    }

    #[test]
    fn no_data_says_so() {
        let line = Line {
            name: "RTT",
            color: "red",
            points: vec![(0, None)],
        };
        let svg = line_chart(&chart(), &[line]);
        assert!(svg.contains("no data"));
        assert!(!svg.contains("<polyline"));
    }

    #[test]
    fn values_stay_inside_the_plot() {
        let s = Scale {
            x0: 0.0,
            x1: 10.0,
            y0: 1.0,
            y1: 4.5,
        };
        assert_eq!(s.y(9.0), s.y(4.5));
        assert_eq!(s.y(4.5), TOP);
        assert_eq!(s.y(1.0), HEIGHT - BOTTOM);
        assert_eq!(s.x(0), LEFT);
    }
}
