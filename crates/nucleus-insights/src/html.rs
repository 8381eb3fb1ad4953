//! The self-contained HTML report of a [`Profile`]: one file, inline CSS and inline SVG, no
//! script, no font or image fetched from anywhere, so it opens offline and can be mailed.
//!
//! Layout: a header with the totals, the lat/lon map (an equirectangular projection of the
//! bounding box with a faint graticule; the horizontal scale is multiplied by the cosine of the
//! middle latitude so that shapes keep their proportions), a table of every key, then one card
//! per key: a histogram for numbers, a bar chart for categorical strings, the most frequent
//! values for free text. Hovering a bar or a point shows its exact numbers (SVG `<title>`).
//! Every key and value is user data and is HTML-escaped.

use std::fmt::Write as _;

use nucleus_model::display::escape_controls;

use nucleus_model::Kind;

use crate::profile::{
    Histogram, KeyProfile, MapProfile, NumberProfile, Profile, StringProfile, format_number,
};

/// Categorical values drawn per bar chart; the rest are summed into one "other values" bar.
const CHART_VALUES: usize = 15;
/// Longest label drawn in a chart before it is cut (the tooltip has it all).
const LABEL_CHARS: usize = 26;

const STYLE: &str = r#"
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --bg: #f5f7fa; --card: #ffffff;
  --number: #3e63dd; --string: #12a594; --other: #8e4ec6; --point: #e5484d; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 17px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 0; overflow-wrap: anywhere; }
.subtitle { color: var(--muted); margin: 0 0 20px; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin-bottom: 20px; }
.stat, .card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; }
.stat { padding: 12px 16px; }
.stat .value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.stat .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.card { padding: 16px 18px; margin-bottom: 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; align-items: start; }
.grid .card { margin-bottom: 0; }
.card-head { display: flex; align-items: baseline; gap: 10px; margin-bottom: 4px; flex-wrap: wrap; }
.facts { color: var(--muted); font-size: 13px; margin: 0 0 10px; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; font-size: 11px; font-weight: 600; padding: 1px 8px; border-radius: 999px;
  color: #fff; text-transform: uppercase; letter-spacing: 0.04em; }
.kind-number { background: var(--number); } .kind-string { background: var(--string); }
.kind-boolean, .kind-list, .kind-object { background: var(--other); }
.tag { font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 999px; padding: 0 8px; }
.warn { color: #b54708; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; font-weight: 600; }
td.num, th.num { text-align: right; }
td.key { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
svg { display: block; width: 100%; height: auto; }
svg text { font-family: inherit; fill: var(--muted); font-size: 11px; }
svg .axis { stroke: #9aa5b1; stroke-width: 1; }
svg .grid-line { stroke: var(--line); stroke-width: 1; }
svg .bar-number { fill: var(--number); } svg .bar-string { fill: var(--string); }
svg .bar-rest { fill: #cbd2d9; }
svg rect:hover, svg circle:hover { opacity: 0.75; }
svg .point { fill: var(--point); fill-opacity: 0.55; stroke: #fff; stroke-width: 0.6; }
svg .graticule { stroke: #d9dee4; stroke-width: 0.8; stroke-dasharray: 3 3; fill: none; }
svg .frame { fill: #fbfcfd; stroke: var(--line); }
.values { columns: 2; column-gap: 24px; margin: 0; padding: 0; list-style: none; font-size: 13px; }
.values li { display: flex; justify-content: space-between; gap: 12px; border-bottom: 1px dotted var(--line); padding: 2px 0; break-inside: avoid; }
.values .v { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.note { color: var(--muted); font-size: 12px; margin: 8px 0 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
"#;

/// Renders `profile` as one self-contained HTML page (see the module docs).
#[must_use]
pub fn render_html(profile: &Profile) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>Dataset profile</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<main>\n");
    header(&mut out, profile);
    map_section(&mut out, &profile.map);
    key_table(&mut out, profile);
    out.push_str("<h2>Keys</h2>\n<div class=\"grid\">\n");
    for key in &profile.keys {
        key_card(&mut out, key);
    }
    out.push_str("</div>\n<footer>Generated by nucleus profile. Counts are exact unless marked approximate; ");
    out.push_str(
        "categorical means fewer than 250 distinct values.</footer>\n</main>\n</body>\n</html>\n",
    );
    out
}

fn header(out: &mut String, profile: &Profile) {
    out.push_str("<h1>Dataset profile</h1>\n<p class=\"subtitle\">Metadata insights: kinds, values, distributions and locations.</p>\n");
    out.push_str("<div class=\"stats\">\n");
    let stats = [
        ("items", profile.n_items),
        ("images", profile.n_images),
        ("point clouds", profile.n_pointclouds),
        ("metadata keys", profile.keys.len() as u64),
        ("on the map", profile.map.n_mappable),
    ];
    for (label, value) in stats {
        let _ = writeln!(
            out,
            "<div class=\"stat\"><div class=\"value\">{}</div><div class=\"label\">{label}</div></div>",
            thousands(value)
        );
    }
    out.push_str("</div>\n");
}

fn key_table(out: &mut String, profile: &Profile) {
    if profile.keys.is_empty() {
        out.push_str("<div class=\"card\"><p class=\"facts\">No metadata keys.</p></div>\n");
        return;
    }
    out.push_str("<div class=\"card\">\n<h2>Overview</h2>\n<table>\n<thead><tr><th>key</th><th>kind</th><th class=\"num\">items</th><th class=\"num\">null</th><th>summary</th></tr></thead>\n<tbody>\n");
    for key in &profile.keys {
        let _ = writeln!(
            out,
            "<tr><td class=\"key\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&key.key),
            badge(key.kind),
            thousands(key.n_items),
            thousands(key.n_null),
            summary(key)
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

fn badge(kind: Kind) -> String {
    format!("<span class=\"badge kind-{0}\">{0}</span>", kind.as_str())
}

/// One line for the overview table (already escaped).
fn summary(key: &KeyProfile) -> String {
    let mut parts = Vec::new();
    if key.kinds.len() > 1 {
        let mix: Vec<String> = key
            .kinds
            .iter()
            .map(|c| format!("{} {}", thousands(c.count), c.kind))
            .collect();
        parts.push(format!(
            "<span class=\"warn\">mixed kinds: {}</span>",
            mix.join(", ")
        ));
    }
    if let Some(strings) = &key.strings {
        parts.push(format!(
            "{}{} distinct, {}",
            if strings.distinct_exact { "" } else { "≈" },
            thousands(strings.distinct),
            if strings.categorical {
                "categorical"
            } else {
                "free text"
            }
        ));
    }
    if let Some(numbers) = &key.numbers {
        parts.push(format!(
            "{} to {}, mean {}{}",
            escape(&numbers.min.to_string()),
            escape(&numbers.max.to_string()),
            numbers
                .mean
                .map_or_else(|| "overflows".to_owned(), format_number),
            if numbers.integer_only {
                ", integers"
            } else {
                ""
            }
        ));
    }
    parts.join("; ")
}

fn key_card(out: &mut String, key: &KeyProfile) {
    let _ = write!(
        out,
        "<section class=\"card\">\n<div class=\"card-head\"><h3>{}</h3>{}",
        escape(&key.key),
        badge(key.kind)
    );
    if let Some(strings) = &key.strings {
        let tag = if strings.categorical {
            "categorical"
        } else {
            "free text"
        };
        let _ = write!(out, "<span class=\"tag\">{tag}</span>");
    }
    out.push_str("</div>\n");
    let mut facts = vec![format!(
        "{} items with a value, {} null, first on line {}",
        thousands(key.n_items),
        thousands(key.n_null),
        key.first_line
    )];
    if key.kinds.len() > 1 {
        facts.push(format!(
            "<span class=\"warn\">{}</span>",
            summary_kinds(key)
        ));
    }
    let _ = writeln!(out, "<p class=\"facts\">{}</p>", facts.join(" · "));
    if let Some(numbers) = &key.numbers {
        number_block(out, &key.key, numbers);
    }
    if let Some(strings) = &key.strings {
        string_block(out, &key.key, strings);
    }
    if key.numbers.is_none() && key.strings.is_none() {
        out.push_str("<p class=\"note\">Booleans, lists and objects are counted only: Nucleus cannot search them.</p>\n");
    }
    out.push_str("</section>\n");
}

fn summary_kinds(key: &KeyProfile) -> String {
    let mix: Vec<String> = key
        .kinds
        .iter()
        .map(|c| {
            format!(
                "{} {} (first on line {})",
                thousands(c.count),
                c.kind,
                c.first_line
            )
        })
        .collect();
    format!("mixed kinds: {}", mix.join(", "))
}

fn number_block(out: &mut String, key: &str, numbers: &NumberProfile) {
    let _ = writeln!(
        out,
        "<p class=\"facts\">min <b>{}</b> · max <b>{}</b> · mean <b>{}</b> · {} values{}</p>",
        escape(&numbers.min.to_string()),
        escape(&numbers.max.to_string()),
        numbers
            .mean
            .map_or_else(|| "overflows".to_owned(), format_number),
        thousands(numbers.n_values),
        if numbers.integer_only {
            " · integers only"
        } else {
            ""
        }
    );
    histogram_svg(out, key, &numbers.histogram);
    if !numbers.histogram.exact {
        out.push_str("<p class=\"note\">Approximate bins (more than 256 distinct values): a value within 2 % of a bin edge may be counted, in part, in the neighbouring bin.</p>\n");
    }
}

fn histogram_svg(out: &mut String, key: &str, histogram: &Histogram) {
    const WIDTH: f64 = 520.0;
    const HEIGHT: f64 = 210.0;
    const LEFT: f64 = 52.0;
    const RIGHT: f64 = 28.0;
    const TOP: f64 = 10.0;
    const BOTTOM: f64 = 42.0;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let bins = &histogram.bins;
    let n_bins = bins.len().max(1);
    let largest = bins.iter().map(|b| b.count).max().unwrap_or(0);
    let (y_max, y_ticks) = nice_ticks(largest);
    let _ = writeln!(
        out,
        "<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"histogram of {}\">",
        escape(key)
    );
    for tick in &y_ticks {
        let y = TOP + plot_h - *tick as f64 / y_max as f64 * plot_h;
        let _ = writeln!(
            out,
            "<line class=\"grid-line\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 3.5,
            compact(*tick)
        );
    }
    let slot = plot_w / n_bins as f64;
    let gap = if slot > 6.0 { 1.5 } else { 0.5 };
    for (idx, bin) in bins.iter().enumerate() {
        let h = bin.count as f64 / y_max as f64 * plot_h;
        let x = LEFT + idx as f64 * slot;
        let range = if histogram.method == "integers" {
            format_number(bin.start)
        } else if histogram.method == "single" {
            format!("{} (every value)", format_number(bin.start))
        } else {
            format!("[{}, {})", format_number(bin.start), format_number(bin.end))
        };
        let _ = writeln!(
            out,
            "<rect class=\"bar-number\" x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" rx=\"1.5\"><title>{}: {} values</title></rect>",
            x + gap / 2.0,
            TOP + plot_h - h,
            (slot - gap).max(0.5),
            h.max(if bin.count > 0 { 1.0 } else { 0.0 }),
            escape(&range),
            thousands(bin.count)
        );
    }
    let base = TOP + plot_h;
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{base}\" y2=\"{base}\"/>",
        WIDTH - RIGHT
    );
    // X ticks at round values (about six), placed by value: the bins have equal widths.
    let (first, last) = match (bins.first(), bins.last()) {
        (Some(first), Some(last)) => (first.start, last.end),
        _ => (0.0, 1.0),
    };
    let centred = histogram.method == "integers" || histogram.method == "single";
    let span = if histogram.method == "single" {
        1.0
    } else {
        last - first
    };
    let offset = if histogram.method == "integers" {
        0.5
    } else {
        0.0
    };
    let tick_x = |value: f64| {
        if histogram.method == "single" {
            LEFT + plot_w / 2.0
        } else {
            LEFT + (value + offset - first) / span * plot_w
        }
    };
    let ticks: Vec<f64> = if histogram.method == "single" {
        vec![first]
    } else {
        let lo = first;
        let hi = if centred { last - 1.0 } else { last };
        axis_ticks(
            lo,
            hi,
            if histogram.method == "integers" {
                1.0
            } else {
                0.0
            },
        )
    };
    for value in ticks {
        let x = tick_x(value);
        if !(LEFT - 0.5..=LEFT + plot_w + 0.5).contains(&x) {
            continue;
        }
        let _ = writeln!(
            out,
            "<line class=\"axis\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{base}\" y2=\"{:.1}\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            base + 4.0,
            base + 15.0,
            format_number(value)
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        LEFT + plot_w / 2.0,
        HEIGHT - 6.0,
        escape(key)
    );
    let _ = writeln!(
        out,
        "<text transform=\"translate(12 {:.1}) rotate(-90)\" text-anchor=\"middle\">items</text>",
        TOP + plot_h / 2.0
    );
    out.push_str("</svg>\n");
}

fn string_block(out: &mut String, key: &str, strings: &StringProfile) {
    if strings.categorical {
        bar_chart_svg(out, key, strings);
        return;
    }
    let approx = if strings.distinct_exact { "" } else { "≈" };
    let _ = write!(
        out,
        "<p class=\"facts\">{approx}{} distinct values in {} strings",
        thousands(strings.distinct),
        thousands(strings.n_values)
    );
    let repeats = strings.top.first().is_some_and(|v| v.count > 1);
    if !repeats {
        out.push_str("; no value repeats.</p>\n");
        return;
    }
    out.push_str("; most frequent:</p>\n<ul class=\"values\">\n");
    for value in strings.top.iter().take(12) {
        let _ = writeln!(
            out,
            "<li><span class=\"v\" title=\"{0}\">{0}</span><span>{1}</span></li>",
            escape(&value.value),
            thousands(value.count)
        );
    }
    out.push_str("</ul>\n");
    if strings.count_error_bound > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">Approximate: each count may be up to {} below the truth.</p>",
            thousands(strings.count_error_bound)
        );
    }
}

fn bar_chart_svg(out: &mut String, key: &str, strings: &StringProfile) {
    const WIDTH: f64 = 520.0;
    const LABEL: f64 = 170.0;
    const ROW: f64 = 22.0;
    const COUNT: f64 = 64.0;
    let shown: Vec<(String, u64, bool)> = {
        let mut rows: Vec<(String, u64, bool)> = strings
            .top
            .iter()
            .take(CHART_VALUES)
            .map(|v| (v.value.clone(), v.count, false))
            .collect();
        let rest = strings.top.len().saturating_sub(CHART_VALUES);
        if rest > 0 {
            let count = strings.top.iter().skip(CHART_VALUES).map(|v| v.count).sum();
            rows.push((format!("{rest} other values"), count, true));
        }
        rows
    };
    let height = ROW * shown.len() as f64 + 8.0;
    let largest = shown.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let bar_w = WIDTH - LABEL - COUNT;
    let _ = writeln!(
        out,
        "<svg viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"values of {}\">",
        escape(key)
    );
    for (idx, (value, count, rest)) in shown.iter().enumerate() {
        let y = 4.0 + idx as f64 * ROW;
        let w = (*count as f64 / largest as f64 * bar_w).max(1.0);
        let share = *count as f64 / strings.n_values.max(1) as f64 * 100.0;
        let label = if *rest {
            escape(value)
        } else {
            escape(&cut(&display_string(value), LABEL_CHARS))
        };
        let class = if *rest { "bar-rest" } else { "bar-string" };
        let _ = writeln!(
            out,
            "<g><title>{}: {} items ({share:.1} %)</title><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text><rect class=\"{class}\" x=\"{LABEL}\" y=\"{:.1}\" width=\"{w:.2}\" height=\"{:.1}\" rx=\"2\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            escape(value),
            thousands(*count),
            LABEL - 8.0,
            y + ROW / 2.0 + 3.5,
            y + 3.0,
            ROW - 6.0,
            LABEL + w + 6.0,
            y + ROW / 2.0 + 3.5,
            thousands(*count)
        );
    }
    out.push_str("</svg>\n");
}

fn map_section(out: &mut String, map: &MapProfile) {
    out.push_str("<div class=\"card\">\n<h2>Map</h2>\n");
    let Some(bounds) = map.bounds else {
        out.push_str("<p class=\"facts\">No item has both <code>lat</code> and <code>lon</code>.</p>\n</div>\n");
        return;
    };
    let _ = writeln!(
        out,
        "<p class=\"facts\">{} items with lat/lon · latitude {} to {} · longitude {} to {}{}</p>",
        thousands(map.n_mappable),
        format_number(bounds.lat_min),
        format_number(bounds.lat_max),
        format_number(bounds.lon_min),
        format_number(bounds.lon_max),
        if map.points_complete {
            String::new()
        } else {
            format!(
                " · showing a uniform sample of {} distinct points",
                thousands(map.points.len() as u64)
            )
        }
    );
    // The bounding box padded by 5 % (at least 0.01°), clamped to the world.
    let pad_lat = ((bounds.lat_max - bounds.lat_min) * 0.05).max(0.01);
    let pad_lon = ((bounds.lon_max - bounds.lon_min) * 0.05).max(0.01);
    let mut lat0 = (bounds.lat_min - pad_lat).max(-90.0);
    let mut lat1 = (bounds.lat_max + pad_lat).min(90.0);
    let mut lon0 = (bounds.lon_min - pad_lon).max(-180.0);
    let mut lon1 = (bounds.lon_max + pad_lon).min(180.0);
    let mid_lat = (lat0 + lat1) / 2.0;
    let cos = mid_lat.to_radians().cos().max(0.2);
    const WIDTH: f64 = 1100.0;
    const MIN_H: f64 = 260.0;
    const MAX_H: f64 = 560.0;
    // Keep the aspect ratio: widen whichever span is too small for the frame.
    let aspect = (lat1 - lat0) / ((lon1 - lon0) * cos);
    let height = (WIDTH * aspect).clamp(MIN_H, MAX_H);
    let want_aspect = height / WIDTH;
    if aspect < want_aspect {
        let extra = ((lon1 - lon0) * cos * want_aspect - (lat1 - lat0)) / 2.0;
        lat0 = (lat0 - extra).max(-90.0);
        lat1 = (lat1 + extra).min(90.0);
    } else if aspect > want_aspect {
        let extra = ((lat1 - lat0) / want_aspect / cos - (lon1 - lon0)) / 2.0;
        lon0 = (lon0 - extra).max(-180.0);
        lon1 = (lon1 + extra).min(180.0);
    }
    const MARGIN: f64 = 36.0;
    let plot_w = WIDTH - 2.0 * MARGIN;
    let plot_h = height - 2.0 * MARGIN;
    let x = |lon: f64| MARGIN + (lon - lon0) / (lon1 - lon0).max(1e-9) * plot_w;
    let y = |lat: f64| MARGIN + (lat1 - lat) / (lat1 - lat0).max(1e-9) * plot_h;
    let _ = writeln!(
        out,
        "<svg viewBox=\"0 0 {WIDTH} {height:.0}\" role=\"img\" aria-label=\"map of item locations\">"
    );
    let _ = writeln!(
        out,
        "<rect class=\"frame\" x=\"{MARGIN}\" y=\"{MARGIN}\" width=\"{plot_w:.1}\" height=\"{plot_h:.1}\"/>"
    );
    let step = graticule_step((lat1 - lat0).max(lon1 - lon0));
    let mut lon = (lon0 / step).ceil() * step;
    while lon <= lon1 {
        let px = x(lon);
        let _ = writeln!(
            out,
            "<line class=\"graticule\" x1=\"{px:.1}\" x2=\"{px:.1}\" y1=\"{MARGIN}\" y2=\"{:.1}\"/><text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            MARGIN + plot_h,
            MARGIN + plot_h + 16.0,
            degrees(lon, 'E', 'W')
        );
        lon += step;
    }
    let mut lat = (lat0 / step).ceil() * step;
    while lat <= lat1 {
        let py = y(lat);
        let _ = writeln!(
            out,
            "<line class=\"graticule\" x1=\"{MARGIN}\" x2=\"{:.1}\" y1=\"{py:.1}\" y2=\"{py:.1}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            MARGIN + plot_w,
            MARGIN - 4.0,
            py + 3.5,
            degrees(lat, 'N', 'S')
        );
        lat += step;
    }
    let largest = map.points.iter().map(|p| p.count).max().unwrap_or(1).max(1) as f64;
    for point in &map.points {
        let radius = 3.0 + 6.0 * (point.count as f64 / largest).sqrt();
        let _ = writeln!(
            out,
            "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"{radius:.1}\"><title>{}, {}: {} items</title></circle>",
            x(point.lon),
            y(point.lat),
            format_number(point.lat),
            format_number(point.lon),
            thousands(point.count)
        );
    }
    out.push_str("</svg>\n</div>\n");
}

/// Round tick values from `lo` to `hi` (about six): multiples of 1, 2, 2.5 or 5 times a power of
/// ten, and of `min_step` when it is not 0 (1 for integers).
fn axis_ticks(lo: f64, hi: f64, min_step: f64) -> Vec<f64> {
    let raw = (hi - lo) / 6.0;
    if !raw.is_finite() || raw <= 0.0 {
        return vec![lo];
    }
    let scale = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * scale)
        .find(|&step| step >= raw)
        .unwrap_or(10.0 * scale)
        .max(min_step);
    let step = if min_step > 0.0 {
        step.round().max(min_step)
    } else {
        step
    };
    let first = (lo / step).ceil();
    let last = (hi / step).floor();
    if !(first.is_finite() && last.is_finite()) || last - first > 20.0 {
        return vec![lo, hi];
    }
    let mut ticks = Vec::new();
    let mut idx = first;
    while idx <= last {
        // Multiply, never accumulate, so ticks stay round.
        ticks.push(idx * step);
        idx += 1.0;
    }
    ticks
}

/// Graticule spacing in degrees: about four to eight lines across `span`.
fn graticule_step(span: f64) -> f64 {
    [
        0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0,
        45.0, 90.0,
    ]
    .into_iter()
    .find(|step| span / step <= 8.0)
    .unwrap_or(90.0)
}

fn degrees(value: f64, positive: char, negative: char) -> String {
    let hemisphere = if value > 0.0 {
        positive.to_string()
    } else if value < 0.0 {
        negative.to_string()
    } else {
        String::new()
    };
    // Round away the floating-point noise of repeated additions.
    let rounded = (value.abs() * 1000.0).round() / 1000.0;
    format!("{}°{hemisphere}", format_number(rounded))
}

/// A "nice" axis maximum and ticks (0, step, 2·step, ...) for counts up to `largest`.
fn nice_ticks(largest: u64) -> (u64, Vec<u64>) {
    let largest = largest.max(1);
    let raw = largest.div_ceil(4).max(1);
    let magnitude = 10u64.pow(raw.ilog10());
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|f| f * magnitude)
        .find(|&s| s >= raw)
        .unwrap_or(10 * magnitude);
    let top = largest.div_ceil(step) * step;
    let ticks = (0..=top / step).map(|i| i * step).collect();
    (top, ticks)
}

/// 12 345 678 → "12,345,678".
fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (idx, ch) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// 1234 → "1.2k", for axis labels.
fn compact(value: u64) -> String {
    match value {
        0..1_000 => value.to_string(),
        1_000..1_000_000 => format!("{}k", format_number(value as f64 / 1e3)),
        _ => format!("{}M", format_number(value as f64 / 1e6)),
    }
}

/// Control characters shown as escapes, so an invisible value is still visible.
fn display_string(text: &str) -> String {
    if text.is_empty() {
        return "(empty string)".to_owned();
    }
    escape_controls(text)
}

fn cut(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or_default()),
        None => text.to_owned(),
    }
}

/// Escapes text for HTML element content and double- or single-quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use nucleus_model::DatasetItem;
    use serde_json::{Value, json};

    use super::*;
    use crate::ProfileState;

    fn check(metadata: &[Value]) -> (Profile, String) {
        let mut state = ProfileState::new();
        for (idx, value) in metadata.iter().enumerate() {
            let item = DatasetItem::from_value(json!({
                "image_location": format!("s3://bucket/{idx}.jpg"),
                "reference_id": idx.to_string(),
                "metadata": value,
            }))
            .unwrap();
            state.observe(&item);
        }
        let profile = state.finish();
        let html = render_html(&profile);
        (profile, html)
    }

    #[test]
    fn one_svg_per_chart() {
        let metadata: Vec<Value> = (0..40)
            .map(|idx| {
                let weather = ["fog", "rain", "clear"][usize::try_from(idx % 3).unwrap()];
                json!({
                    "speed": f64::from(idx) * 1.5,
                    "n": idx % 5,
                    "weather": weather,
                    "id": format!("id-{idx}"),
                    "tags": ["a"],
                    "lat": 35.0 + f64::from(idx) * 0.01,
                    "lon": 139.0,
                })
            })
            .collect();
        let (profile, html) = check(&metadata);
        let numeric = profile.keys.iter().filter(|k| k.numbers.is_some()).count();
        let categorical = profile
            .keys
            .iter()
            .filter(|k| k.strings.as_ref().is_some_and(|s| s.categorical))
            .count();
        // speed, n, lat, lon; weather and id (40 distinct, still categorical); plus the map.
        assert_eq!((numeric, categorical), (4, 2));
        assert_eq!(html.matches("<svg").count(), numeric + categorical + 1);
        assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
        assert_eq!(html.matches("<section").count(), profile.keys.len());
        assert_eq!(html.matches("<circle").count(), 40);
        assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    }

    #[test]
    fn user_strings_are_escaped() {
        let (_, html) = check(&[
            json!({"<script>alert(1)</script>": "x", "k": "\"><img src=x onerror=alert(1)>"}),
            json!({"<script>alert(1)</script>": 2, "k": "a & b"}),
        ]);
        assert!(!html.contains("<script"), "a key became markup");
        assert!(!html.contains("<img"), "a value became markup");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("a &amp; b"));
    }

    #[test]
    fn self_contained() {
        let text = nucleus_testdata::EXAMPLE_ITEMS.as_str();
        let mut state = ProfileState::new();
        for line in text.lines() {
            state.observe(&DatasetItem::from_json(line).unwrap());
        }
        let html = render_html(&state.finish());
        // The example metadata holds no URL, so any would be the report's own reference.
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("@import"));
        assert!(!html.contains("url("));
        assert!(!html.contains("NaN") && !html.contains("inf"));
        // Every element opened is closed or self-closing.
        for tag in [
            "svg", "section", "table", "div", "g", "title", "text", "rect", "line", "circle",
        ] {
            let mut opened = 0;
            let mut self_closed = 0;
            for (start, _) in html.match_indices(&format!("<{tag}")) {
                let rest = &html[start + tag.len() + 1..];
                if !rest.starts_with([' ', '>']) {
                    continue;
                }
                opened += 1;
                if rest[..rest.find('>').unwrap()].ends_with('/') {
                    self_closed += 1;
                }
            }
            let closed = html.matches(&format!("</{tag}>")).count();
            assert!(opened > 0, "<{tag}> missing");
            assert_eq!(opened, closed + self_closed, "<{tag}>");
        }
    }

    #[test]
    fn empty_profile_renders() {
        let html = render_html(&ProfileState::new().finish());
        assert!(html.contains("No metadata keys") && html.contains("No item has both"));
        assert_eq!(html.matches("<svg").count(), 0);
    }

    #[test]
    fn helpers() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(nice_ticks(70), (80, vec![0, 20, 40, 60, 80]));
        assert_eq!(nice_ticks(0), (1, vec![0, 1]));
        assert_eq!(
            escape("<a href='x'>&</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(degrees(-33.5, 'N', 'S'), "33.5°S");
        assert_eq!(cut("abcdef", 3), "abc…");
        assert_eq!(axis_ticks(-34.0, 54.0, 0.0), [-20.0, 0.0, 20.0, 40.0]);
        assert_eq!(axis_ticks(0.0, 39.0, 1.0), [0.0, 10.0, 20.0, 30.0]);
        assert_eq!(axis_ticks(0.0, 5.0, 1.0), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    }
}
