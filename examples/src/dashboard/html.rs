//! The report page: one self-contained HTML file (inline CSS and SVG, no scripts, no network)
//! with the tables and plots managers ask for.

use std::fmt::Write;

use connect_core::log::format_iso8601;
use connect_core::model::Timestamp;
use connect_softphone::stats::{Band, Grade, StreamDirection, Thresholds};

use super::svg::{line_chart, Chart, Line};
use super::{CallRow, Dashboard, GroupBy, GroupRow, SeriesPoint};

const STYLE: &str =
    "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}\
h1{margin-bottom:4px}h2{margin-top:32px;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;font-size:14px;margin:8px 0}\
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f4f4f4}\
td.name,th.name{text-align:left}.good{background:#e6f4ea}.degraded{background:#fff4ce}\
.poor{background:#fde2e1}.muted{color:#777}.figures span{margin-right:24px}\
svg{display:block;margin:12px 0;font-size:11px}svg .axis{stroke:#444}svg .grid{stroke:#eee}\
svg .guide{stroke:#999;stroke-dasharray:4 3}svg .tick,svg .guide-label{fill:#555}\
svg .chart-title{font-weight:bold;font-size:13px}svg .empty{fill:#999;font-size:14px}";

const INPUT_COLOR: &str = "#1f77b4";
const OUTPUT_COLOR: &str = "#d62728";
const RTT_COLOR: &str = "#2ca02c";
const MOS_COLOR: &str = "#9467bd";

/// Most calls listed in the per-call table (the worst first).
const MAX_CALL_ROWS: usize = 500;

/// Escapes text for HTML and SVG.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn class(grade: Grade) -> &'static str {
    match grade {
        Grade::Good => "good",
        Grade::Degraded => "degraded",
        Grade::Poor => "poor",
    }
}

/// A numeric cell, graded when `grade` is given.
fn cell(value: Option<f64>, digits: usize, grade: impl Fn(f64) -> Grade) -> String {
    match value {
        Some(v) => format!(r#"<td class="{}">{v:.digits$}</td>"#, class(grade(v))),
        None => r#"<td class="muted">–</td>"#.to_owned(),
    }
}

fn plain(value: Option<f64>, digits: usize) -> String {
    match value {
        Some(v) => format!("<td>{v:.digits$}</td>"),
        None => r#"<td class="muted">–</td>"#.to_owned(),
    }
}

fn name(text: &str) -> String {
    format!(r#"<td class="name">{}</td>"#, escape(text))
}

fn header(out: &mut String, names: &[&str], left: usize) {
    out.push_str("<table><tr>");
    for (i, n) in names.iter().enumerate() {
        let class = if i < left { r#" class="name""# } else { "" };
        let _ = write!(out, "<th{class}>{}</th>", escape(n));
    }
    out.push_str("</tr>");
}

struct Graders<'a>(&'a Thresholds);

impl Graders<'_> {
    fn loss(&self) -> impl Fn(f64) -> Grade + '_ {
        |v| self.0.loss_pct.grade(v)
    }
    fn jitter(&self) -> impl Fn(f64) -> Grade + '_ {
        |v| self.0.jitter_ms.grade(v)
    }
    fn rtt(&self) -> impl Fn(f64) -> Grade + '_ {
        |v| self.0.rtt_ms.grade(v)
    }
    fn mos(&self) -> impl Fn(f64) -> Grade + '_ {
        |v| self.0.grade_mos(v)
    }
}

fn group_table(out: &mut String, d: &Dashboard, by: GroupBy) {
    let g = Graders(&d.config().thresholds);
    let high = format!("RTT > {} ms calls", d.config().high_rtt_ms);
    let short = format!("Calls < {} s", d.config().short_call_ms / 1000);
    let _ = write!(out, "<h2>Per {}</h2>", by.title().to_lowercase());
    let rows: Vec<GroupRow> = d.groups(by);
    if rows.is_empty() {
        out.push_str(r#"<p class="muted">No calls yet.</p>"#);
        return;
    }
    header(
        out,
        &[
            by.title(),
            "Calls",
            "MOS mean",
            "MOS min",
            "Loss in %",
            "Loss out %",
            "Jitter ms",
            "RTT ms",
            &high,
            "Failed",
            &short,
        ],
        1,
    );
    for r in rows {
        let q = &r.quality;
        out.push_str("<tr>");
        out.push_str(&name(&r.key));
        let _ = write!(out, "<td>{}</td>", r.calls);
        out.push_str(&cell(r.mos_mean, 2, g.mos()));
        out.push_str(&cell(r.mos_min, 2, g.mos()));
        out.push_str(&cell(q.loss_pct(StreamDirection::AudioInput), 2, g.loss()));
        out.push_str(&cell(q.loss_pct(StreamDirection::AudioOutput), 2, g.loss()));
        out.push_str(&cell(q.jitter_ms_both(), 1, g.jitter()));
        out.push_str(&cell(q.rtt_ms(), 0, g.rtt()));
        let _ = write!(
            out,
            "<td>{}</td><td>{}</td><td>{}</td></tr>",
            r.high_rtt_calls, r.failed_calls, r.short_calls
        );
    }
    out.push_str("</table>");
}

fn points<'a>(
    series: &'a [SeriesPoint],
    value: impl Fn(&SeriesPoint) -> Option<f64> + 'a,
) -> Vec<(i64, Option<f64>)> {
    series
        .iter()
        .map(|p| (p.start.as_millis(), value(p)))
        .collect()
}

fn plots(out: &mut String, d: &Dashboard) {
    let t = &d.config().thresholds;
    let (width, series) = d.series();
    let _ = write!(
        out,
        "<h2>Over time</h2><p>Every call's per-second records, aggregated per {width} s bucket (UTC).</p>"
    );
    let direction_lines = |f_in: fn(&SeriesPoint) -> Option<f64>,
                           f_out: fn(&SeriesPoint) -> Option<f64>| {
        vec![
            Line {
                name: "in (agent hears)",
                color: INPUT_COLOR,
                points: points(&series, f_in),
            },
            Line {
                name: "out (microphone)",
                color: OUTPUT_COLOR,
                points: points(&series, f_out),
            },
        ]
    };
    // A chart from zero with the band's degraded and poor lines.
    let graded = |title, band: &Band| Chart {
        title,
        guides: vec![(band.degraded_from, "degraded"), (band.poor_above, "poor")],
        y_min: 0.0,
        y_max: None,
    };
    let charts = [
        (
            graded("Packet loss (%)", &t.loss_pct),
            direction_lines(|p| p.loss_in_pct, |p| p.loss_out_pct),
        ),
        (
            graded("Jitter (ms)", &t.jitter_ms),
            direction_lines(|p| p.jitter_in_ms, |p| p.jitter_out_ms),
        ),
        (
            graded("Round-trip time (ms)", &t.rtt_ms),
            vec![Line {
                name: "RTT",
                color: RTT_COLOR,
                points: points(&series, |p| p.rtt_ms),
            }],
        ),
        (
            Chart {
                title: "MOS",
                guides: vec![
                    (t.mos_good_from, "good"),
                    (t.mos_degraded_from, "poor below"),
                ],
                y_min: 1.0,
                y_max: Some(4.5),
            },
            vec![Line {
                name: "MOS",
                color: MOS_COLOR,
                points: points(&series, |p| p.mos),
            }],
        ),
    ];
    for (chart, lines) in &charts {
        out.push_str(&line_chart(chart, lines));
    }
}

fn call_ids(out: &mut String, c: &CallRow) {
    out.push_str(&name(&c.info.contact_id));
    out.push_str(&name(&c.info.agent));
    out.push_str(&name(c.info.contact_queue.as_deref().unwrap_or("(none)")));
}

fn talk_secs(c: &CallRow) -> Option<f64> {
    c.talking_ms().map(|ms| ms as f64 / 1000.0)
}

fn failed_table(out: &mut String, d: &Dashboard) {
    let failed = d.failed_calls();
    let _ = write!(out, "<h2>Failed calls ({})</h2>", failed.len());
    if failed.is_empty() {
        out.push_str(r#"<p class="muted">No call report has a failure flag set.</p>"#);
        return;
    }
    header(
        out,
        &[
            "Contact",
            "Agent",
            "Queue",
            "Failures",
            "End reason",
            "Talk s",
        ],
        5,
    );
    for c in failed {
        let outcome = c.outcome.as_ref();
        out.push_str("<tr>");
        call_ids(out, c);
        let failures = outcome.map(|o| o.failures().join(", ")).unwrap_or_default();
        out.push_str(&name(&failures));
        out.push_str(&name(
            outcome.and_then(|o| o.end_reason.as_deref()).unwrap_or(""),
        ));
        out.push_str(&plain(talk_secs(c), 1));
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

fn short_table(out: &mut String, d: &Dashboard) {
    let g = Graders(&d.config().thresholds);
    let short = d.short_calls();
    let limit = d.config().short_call_ms;
    let _ = write!(
        out,
        "<h2>Short calls ({} under {} s)</h2><p class=\"figures\">",
        short.len(),
        limit / 1000
    );
    for secs in [10, 30, 60] {
        let _ = write!(
            out,
            "<span>under {secs} s: <b>{}</b></span>",
            d.short_call_count(secs * 1000)
        );
    }
    out.push_str("</p>");
    if short.is_empty() {
        return;
    }
    header(
        out,
        &["Contact", "Agent", "Queue", "Talk s", "MOS", "Loss in %"],
        3,
    );
    for c in short {
        out.push_str("<tr>");
        call_ids(out, c);
        out.push_str(&plain(talk_secs(c), 1));
        out.push_str(&cell(c.quality.mos(), 2, g.mos()));
        out.push_str(&cell(
            c.quality.loss_pct(StreamDirection::AudioInput),
            2,
            g.loss(),
        ));
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

fn api_table(out: &mut String, d: &Dashboard) {
    let t = &d.config().thresholds;
    let rows = d.api();
    out.push_str("<h2>API latency</h2>");
    if rows.is_empty() {
        out.push_str(r#"<p class="muted">No API latency samples received.</p>"#);
        return;
    }
    out.push_str("<p>Long polls (<code>getAgentSnapshot</code>) are counted but left out of the latency figures.</p>");
    header(
        out,
        &[
            "API",
            "Calls",
            "Errors",
            "5xx",
            "Error %",
            "Mean ms",
            "p50 ms",
            "p95 ms",
            "Max ms",
            "Long polls",
        ],
        1,
    );
    for r in rows {
        let grade = t.grade_api(r.mean_ms.unwrap_or(0.0), r.error_pct());
        let _ = write!(
            out,
            r#"<tr class="{}">{}<td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td>"#,
            class(grade),
            name(&r.name),
            r.count,
            r.errors,
            r.errors_5xx,
            r.error_pct()
        );
        out.push_str(&plain(r.mean_ms, 1));
        for v in [r.p50_ms, r.p95_ms, r.max_ms] {
            out.push_str(&plain(v.map(|v| v as f64), 0));
        }
        let _ = write!(out, "<td>{}</td></tr>", r.long_polls);
    }
    out.push_str("</table>");
}

fn calls_table(out: &mut String, d: &Dashboard) {
    let g = Graders(&d.config().thresholds);
    let mut calls: Vec<&CallRow> = d.calls().collect();
    calls.sort_by(|a, b| {
        let key = |c: &CallRow| c.quality.mos().unwrap_or(f64::INFINITY);
        key(a).total_cmp(&key(b))
    });
    let _ = write!(
        out,
        "<h2>Calls ({}, worst MOS first{})</h2>",
        calls.len(),
        if calls.len() > MAX_CALL_ROWS {
            format!(", first {MAX_CALL_ROWS}")
        } else {
            String::new()
        }
    );
    if calls.is_empty() {
        return;
    }
    header(
        out,
        &[
            "Contact",
            "Agent",
            "Queue",
            "Routing profile",
            "Records",
            "MOS",
            "Loss in %",
            "Loss out %",
            "Jitter ms",
            "RTT ms",
            "RTT max ms",
            "Talk s",
            "Status",
        ],
        4,
    );
    for c in calls.into_iter().take(MAX_CALL_ROWS) {
        let q = &c.quality;
        out.push_str("<tr>");
        call_ids(out, c);
        out.push_str(&name(
            c.info.agent_routing_profile.as_deref().unwrap_or("(none)"),
        ));
        let _ = write!(out, "<td>{}</td>", q.records());
        out.push_str(&cell(q.mos(), 2, g.mos()));
        out.push_str(&cell(q.loss_pct(StreamDirection::AudioInput), 2, g.loss()));
        out.push_str(&cell(q.loss_pct(StreamDirection::AudioOutput), 2, g.loss()));
        out.push_str(&cell(q.jitter_ms_both(), 1, g.jitter()));
        out.push_str(&cell(q.rtt_ms(), 0, g.rtt()));
        out.push_str(&plain(q.rtt_max_ms().map(|v| v as f64), 0));
        out.push_str(&plain(talk_secs(c), 1));
        let status = match &c.outcome {
            None => "in progress",
            Some(o) if o.failed() => "failed",
            Some(_) => "ended",
        };
        out.push_str(&name(status));
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

fn summary(out: &mut String, d: &Dashboard, generated: Timestamp) {
    let t = d.totals();
    let (mos, loss) = d.headline();
    let fmt = |v: Option<f64>, digits: usize| {
        v.map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"))
    };
    let _ = write!(
        out,
        "<h1>Call quality report</h1><p class=\"muted\">Generated {} (UTC) from the stats sink's batches.</p>\
         <p class=\"figures\"><span>Calls: <b>{}</b></span><span>Call reports: <b>{}</b></span>\
         <span>Mean MOS: <b>{}</b></span><span>Loss in: <b>{} %</b></span>\
         <span>Stream records: <b>{}</b></span><span>API samples: <b>{}</b></span>\
         <span>Batches: <b>{}</b> accepted, <b>{}</b> refused</span></p>",
        escape(&format_iso8601(generated)),
        t.calls,
        t.call_reports,
        fmt(mos, 2),
        fmt(loss, 2),
        t.stream_records,
        t.api_samples,
        t.batches,
        t.rejected
    );
}

/// The report of `dashboard` as one self-contained HTML page, stamped `generated`.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_examples::dashboard::{render_html, Dashboard};
///
/// let html = render_html(&Dashboard::default(), Timestamp::from_millis(0));
/// assert!(html.starts_with("<!DOCTYPE html>"));
/// assert_eq!(html.matches("<svg").count(), 4);
/// assert!(!html.contains("<script"));
/// ```
pub fn render_html(dashboard: &Dashboard, generated: Timestamp) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Call quality report</title><style>{STYLE}</style></head><body>"
    );
    summary(&mut out, dashboard, generated);
    for by in [GroupBy::Queue, GroupBy::Agent, GroupBy::RoutingProfile] {
        group_table(&mut out, dashboard, by);
    }
    plots(&mut out, dashboard);
    failed_table(&mut out, dashboard);
    short_table(&mut out, dashboard);
    api_table(&mut out, dashboard);
    calls_table(&mut out, dashboard);
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn cells_are_graded() {
        let t = Thresholds::default();
        let g = Graders(&t);
        assert_eq!(
            cell(Some(2.5), 2, g.loss()),
            r#"<td class="poor">2.50</td>"#
        );
        assert_eq!(cell(None, 2, g.loss()), r#"<td class="muted">–</td>"#);
        assert_eq!(cell(Some(4.1), 2, g.mos()), r#"<td class="good">4.10</td>"#);
    }
}
