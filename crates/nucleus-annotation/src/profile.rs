//! The profile of annotation files: how many annotations of each type, of each label, on each
//! item, and how large the boxes are (`nucleus profile --annotations`).
//!
//! [`ProfileState::observe`] takes the annotations in any order; [`ProfileState::finish`] gives
//! an [`AnnotationProfile`], which serialises to the JSON `nucleus profile --annotations
//! --format json` prints and renders as text ([`AnnotationProfile::render_text`]). Memory is one
//! counter per distinct label and per annotated item.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

use crate::types::{Annotation, AnnotationType, Shape};

/// Upper bounds (exclusive) of the box-size bins, in pixels of `sqrt(width · height)`; the
/// last bin holds every larger box. Powers of two: a box's scale, as detectors bin it.
pub const BOX_SIZE_BOUNDS: [f64; 10] = [
    4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0,
];

/// Accumulates the profile of annotations.
#[derive(Debug, Clone, Default)]
pub struct ProfileState {
    n_annotations: u64,
    types: BTreeMap<&'static str, u64>,
    labels: HashMap<String, u64>,
    items: HashMap<String, u64>,
    without_item: u64,
    boxes: BoxSizes,
}

/// Sizes of the boxes seen.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BoxSizes {
    /// Boxes.
    pub n_boxes: u64,
    /// Smallest and largest width, and the mean (0 without boxes).
    pub width: Range,
    /// Smallest and largest height, and the mean.
    pub height: Range,
    /// Boxes per bin of `sqrt(width · height)` ([`BOX_SIZE_BOUNDS`]).
    pub size_histogram: Vec<Bin>,
}

/// The smallest, largest and mean of some numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Range {
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
    #[serde(skip)]
    sum: f64,
}

impl Range {
    fn observe(&mut self, value: f64, n_before: u64) {
        if n_before == 0 {
            self.min = value;
            self.max = value;
        } else {
            self.min = self.min.min(value);
            self.max = self.max.max(value);
        }
        self.sum += value;
    }

    fn finish(&mut self, n: u64) {
        if n > 0 {
            self.mean = self.sum / n as f64;
        }
    }
}

/// One bin of a histogram: `[from, to)` (no `to` for the last bin) and its count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Bin {
    /// Lower bound (inclusive).
    pub from: f64,
    /// Upper bound (exclusive); `None` for the last bin.
    pub to: Option<f64>,
    /// How many values fall in it.
    pub count: u64,
}

/// A label and how many annotations carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LabelCount {
    /// The label, as written.
    pub label: String,
    /// Annotations (a multicategory counts once per label, a segmentation once per segment).
    pub count: u64,
}

/// Annotations per item.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PerItem {
    /// Items with at least one annotation (by `reference_id`, else `dataset_item_id`).
    pub n_items: u64,
    /// Annotations that name no item.
    pub without_item: u64,
    /// Most annotations on one item.
    pub max: u64,
    /// Mean annotations per annotated item.
    pub mean: f64,
    /// Items per number of annotations: `[1, 2)`, `[2, 4)`, `[4, 8)`, ...
    pub histogram: Vec<Bin>,
}

/// The profile of annotation files.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AnnotationProfile {
    /// Annotations read.
    pub n_annotations: u64,
    /// Annotations per type (`box`, `scene category`, `segmentation`, ...).
    pub types: BTreeMap<&'static str, u64>,
    /// Labels, most frequent first (then by label).
    pub labels: Vec<LabelCount>,
    /// Annotations per item.
    pub per_item: PerItem,
    /// Box sizes.
    pub boxes: BoxSizes,
}

fn float(number: &serde_json::Number) -> f64 {
    number.as_f64().unwrap_or(f64::NAN)
}

impl ProfileState {
    /// An empty profile.
    #[must_use]
    pub fn new() -> ProfileState {
        ProfileState::default()
    }

    /// Counts one annotation.
    pub fn observe(&mut self, annotation: &Annotation) {
        self.n_annotations += 1;
        *self
            .types
            .entry(annotation.annotation_type().as_str())
            .or_default() += 1;
        for (_, label) in annotation.shape.labels_with_pointers() {
            match self.labels.get_mut(label) {
                Some(count) => *count += 1,
                None => {
                    self.labels.insert(label.to_owned(), 1);
                }
            }
        }
        let item = annotation
            .reference_id
            .as_ref()
            .map(|id| id.as_str())
            .or(annotation.dataset_item_id.as_deref());
        match item {
            Some(item) => match self.items.get_mut(item) {
                Some(count) => *count += 1,
                None => {
                    self.items.insert(item.to_owned(), 1);
                }
            },
            None => self.without_item += 1,
        }
        if let Shape::Box { geometry, .. } = &annotation.shape {
            let (width, height) = (float(&geometry.width), float(&geometry.height));
            if width.is_finite() && height.is_finite() {
                let boxes = &mut self.boxes;
                boxes.width.observe(width, boxes.n_boxes);
                boxes.height.observe(height, boxes.n_boxes);
                boxes.n_boxes += 1;
                if boxes.size_histogram.is_empty() {
                    boxes.size_histogram = size_bins();
                }
                let size = (width * height).max(0.0).sqrt();
                let bin = BOX_SIZE_BOUNDS
                    .iter()
                    .position(|&bound| size < bound)
                    .unwrap_or(BOX_SIZE_BOUNDS.len());
                if let Some(bin) = boxes.size_histogram.get_mut(bin) {
                    bin.count += 1;
                }
            }
        }
    }

    /// The profile of every annotation observed.
    #[must_use]
    pub fn finish(&self) -> AnnotationProfile {
        let mut labels: Vec<LabelCount> = self
            .labels
            .iter()
            .map(|(label, &count)| LabelCount {
                label: label.clone(),
                count,
            })
            .collect();
        labels.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
        let mut histogram: Vec<Bin> = Vec::new();
        let mut total = 0u64;
        let mut max = 0u64;
        for &count in self.items.values() {
            total += count;
            max = max.max(count);
            // Bin k holds [2^k, 2^(k+1)).
            let k = usize::try_from(count.max(1).ilog2()).unwrap_or(0);
            while histogram.len() <= k {
                let from = 1u64 << histogram.len();
                histogram.push(Bin {
                    from: from as f64,
                    to: Some((from * 2) as f64),
                    count: 0,
                });
            }
            if let Some(bin) = histogram.get_mut(k) {
                bin.count += 1;
            }
        }
        let n_items = self.items.len() as u64;
        let mut boxes = self.boxes.clone();
        boxes.width.finish(boxes.n_boxes);
        boxes.height.finish(boxes.n_boxes);
        if boxes.size_histogram.is_empty() {
            boxes.size_histogram = size_bins();
        }
        AnnotationProfile {
            n_annotations: self.n_annotations,
            types: self.types.clone(),
            labels,
            per_item: PerItem {
                n_items,
                without_item: self.without_item,
                max,
                mean: if n_items > 0 {
                    total as f64 / n_items as f64
                } else {
                    0.0
                },
                histogram,
            },
            boxes,
        }
    }
}

fn size_bins() -> Vec<Bin> {
    let mut from = 0.0;
    let mut bins = Vec::with_capacity(BOX_SIZE_BOUNDS.len() + 1);
    for &to in &BOX_SIZE_BOUNDS {
        bins.push(Bin {
            from,
            to: Some(to),
            count: 0,
        });
        from = to;
    }
    bins.push(Bin {
        from,
        to: None,
        count: 0,
    });
    bins
}

impl AnnotationProfile {
    /// The profile as text for a terminal: counts per type, the labels, annotations per item
    /// and the box sizes.
    #[must_use]
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} annotations", self.n_annotations);
        let _ = writeln!(out, "\ntypes:");
        for annotation_type in AnnotationType::ALL {
            if let Some(count) = self.types.get(annotation_type.as_str()) {
                let _ = writeln!(out, "  {:<16} {count:>10}", annotation_type.as_str());
            }
        }
        let _ = writeln!(out, "\nlabels ({}):", self.labels.len());
        for label in &self.labels {
            let _ = writeln!(
                out,
                "  {:<24} {:>10}",
                serde_json::Value::String(label.label.clone()).to_string(),
                label.count
            );
        }
        let per_item = &self.per_item;
        let _ = writeln!(
            out,
            "\nper item: {} items, mean {:.2}, max {}{}",
            per_item.n_items,
            per_item.mean,
            per_item.max,
            if per_item.without_item > 0 {
                format!("; {} annotations name no item", per_item.without_item)
            } else {
                String::new()
            }
        );
        for bin in &per_item.histogram {
            let _ = writeln!(
                out,
                "  {:>6}–{:<6} {:>10}",
                bin.from,
                bin.to.map_or_else(String::new, |to| (to - 1.0).to_string()),
                bin.count
            );
        }
        let boxes = &self.boxes;
        if boxes.n_boxes > 0 {
            let _ = writeln!(
                out,
                "\nboxes: {}; width {}–{} (mean {:.1}), height {}–{} (mean {:.1})",
                boxes.n_boxes,
                boxes.width.min,
                boxes.width.max,
                boxes.width.mean,
                boxes.height.min,
                boxes.height.max,
                boxes.height.mean
            );
            let _ = writeln!(out, "  sqrt(width · height):");
            for bin in &boxes.size_histogram {
                let range = match bin.to {
                    Some(to) => format!("[{}, {to})", bin.from),
                    None => format!("≥ {}", bin.from),
                };
                let _ = writeln!(out, "  {range:>14} {:>10}", bin.count);
            }
        }
        out
    }
}
