//! The terminal rendering of a [`Profile`].

use std::fmt::Write as _;

use nucleus_model::display::escape_controls;

use super::{Bin, KeyProfile, Profile, format_number};

/// Widest value shown before it is cut with `…`.
const VALUE_WIDTH: usize = 32;
/// Width of the longest text bar.
const BAR_WIDTH: usize = 30;
/// Categorical values listed per key in text (the JSON has them all).
const TEXT_TOP: usize = 10;
/// Most histogram rows in text: neighbouring bins are merged beyond that.
const TEXT_BINS: usize = 16;

pub(super) fn render(profile: &Profile) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} items: {} images, {} point clouds; {} metadata keys",
        profile.n_items,
        profile.n_images,
        profile.n_pointclouds,
        profile.keys.len()
    );
    let map = &profile.map;
    match map.bounds {
        Some(b) => {
            let _ = writeln!(
                out,
                "map: {} items with lat/lon, lat {} to {}, lon {} to {}",
                map.n_mappable,
                format_number(b.lat_min),
                format_number(b.lat_max),
                format_number(b.lon_min),
                format_number(b.lon_max)
            );
        }
        None => out.push_str("map: no items with lat/lon\n"),
    }
    if profile.keys.is_empty() {
        return out;
    }
    out.push('\n');
    let key_width = profile
        .keys
        .iter()
        .map(|k| clean(&k.key, VALUE_WIDTH).chars().count())
        .max()
        .unwrap_or(3)
        .max(3);
    let _ = writeln!(
        out,
        "{:<key_width$}  {:<7}  {:>9}  {:>7}  summary",
        "key", "kind", "items", "null"
    );
    for key in &profile.keys {
        let _ = writeln!(
            out,
            "{:<key_width$}  {:<7}  {:>9}  {:>7}  {}",
            clean(&key.key, VALUE_WIDTH),
            key.kind.as_str(),
            key.n_items,
            key.n_null,
            summary(key)
        );
    }
    for key in &profile.keys {
        details(&mut out, key);
    }
    out
}

fn summary(key: &KeyProfile) -> String {
    let mut parts = Vec::new();
    if key.kinds.len() > 1 {
        let mix: Vec<String> = key
            .kinds
            .iter()
            .map(|c| format!("{} {}", c.count, c.kind))
            .collect();
        parts.push(format!("mixed: {}", mix.join(", ")));
    }
    if let Some(strings) = &key.strings {
        let approx = if strings.distinct_exact { "" } else { "~" };
        let class = if strings.categorical {
            "categorical"
        } else {
            "free text"
        };
        parts.push(format!("{approx}{} distinct, {class}", strings.distinct));
    }
    if let Some(numbers) = &key.numbers {
        let mean = numbers
            .mean
            .map_or_else(|| "overflow".to_owned(), format_number);
        let integers = if numbers.integer_only {
            ", integers"
        } else {
            ""
        };
        parts.push(format!(
            "min {} max {} mean {mean}{integers}",
            numbers.min, numbers.max
        ));
    }
    parts.join("; ")
}

fn details(out: &mut String, key: &KeyProfile) {
    // Free text where no value repeats has nothing worth listing.
    if let Some(strings) = &key.strings
        && strings
            .top
            .first()
            .is_some_and(|v| strings.categorical || v.count > 1)
    {
        let title = if strings.top_exact {
            "values"
        } else {
            "most frequent values (approximate)"
        };
        let _ = writeln!(out, "\n{} ({title}):", clean(&key.key, VALUE_WIDTH));
        let shown: Vec<(String, u64)> = strings
            .top
            .iter()
            .take(TEXT_TOP)
            .map(|v| (clean(&v.value, VALUE_WIDTH), v.count))
            .collect();
        let width = shown.iter().map(|v| v.0.chars().count()).max().unwrap_or(0);
        let largest = shown.iter().map(|v| v.1).max().unwrap_or(1);
        for (value, count) in &shown {
            let _ = writeln!(
                out,
                "  {value:<width$}  {count:>9}  {}",
                bar(*count, largest)
            );
        }
        let rest = strings.top.len().saturating_sub(TEXT_TOP);
        if rest > 0 {
            let _ = writeln!(out, "  … and {rest} more");
        }
        if strings.count_error_bound > 0 {
            let _ = writeln!(
                out,
                "  (counts are lower bounds, at most {} below the truth)",
                strings.count_error_bound
            );
        }
    }
    if let Some(numbers) = &key.numbers {
        let histogram = &numbers.histogram;
        let approx = if histogram.exact {
            ""
        } else {
            ", approximate: values within 2 % of an edge may fall in the next bin"
        };
        let _ = writeln!(
            out,
            "\n{} (histogram{approx}):",
            clean(&key.key, VALUE_WIDTH),
        );
        let group = histogram.bins.len().div_ceil(TEXT_BINS).max(1);
        let bins: Vec<Bin> = histogram
            .bins
            .chunks(group)
            .filter_map(|chunk| {
                let (first, last) = (chunk.first()?, chunk.last()?);
                Some(Bin {
                    start: first.start,
                    end: last.end,
                    count: chunk.iter().map(|b| b.count).sum(),
                })
            })
            .collect();
        let labels: Vec<String> = bins
            .iter()
            .map(|bin| {
                if (histogram.method == "integers" && group == 1) || histogram.method == "single" {
                    format_number(bin.start)
                } else {
                    format!("[{}, {})", format_number(bin.start), format_number(bin.end))
                }
            })
            .collect();
        let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let largest = bins.iter().map(|b| b.count).max().unwrap_or(1);
        for (label, bin) in labels.iter().zip(&bins) {
            let _ = writeln!(
                out,
                "  {label:>width$}  {:>9}  {}",
                bin.count,
                bar(bin.count, largest)
            );
        }
    }
}

/// A bar of `█` proportional to `count / largest`; at least one block for a non-zero count.
fn bar(count: u64, largest: u64) -> String {
    if count == 0 || largest == 0 {
        return String::new();
    }
    let len = (count as f64 / largest as f64 * BAR_WIDTH as f64).round() as usize;
    "█".repeat(len.clamp(1, BAR_WIDTH))
}

/// `text` with control characters escaped (a value must not drive the terminal), cut to
/// `width` characters.
pub(crate) fn clean(text: &str, width: usize) -> String {
    match text.char_indices().nth(width) {
        Some((end, _)) => escape_controls(text.get(..end).unwrap_or_default()) + "…",
        None => escape_controls(text),
    }
}
