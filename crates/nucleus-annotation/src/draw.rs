//! Drawing 2D annotations on an image: boxes, polygons, lines, and keypoints with their
//! skeleton, on a [`Canvas`] (`nucleus render --annotations`).
//!
//! Coordinates are the annotation's own, in image pixels: a vertex at `(x, y)` falls in the
//! pixel cell `(floor(x), floor(y))`, the canvas's convention. Edges are drawn with
//! [`Canvas::draw_line`] (clipped to the canvas), keypoints as squares.

use nucleus_camera::{Canvas, Pixel, Rgb};
use serde_json::Number;

use crate::types::{Annotation, Point, Shape};

fn float(number: &Number) -> f64 {
    number.as_f64().unwrap_or(f64::NAN)
}

fn pixel(point: &Point) -> Pixel {
    Pixel::new(float(&point.x), float(&point.y))
}

/// Draws `annotation` on `canvas` in `color`, edges `thickness` pixels wide: a box as its
/// rectangle, a polygon closed, a line open, keypoints as squares of `2·thickness + 1` pixels
/// (visible ones only) joined by their skeleton's edges. Returns whether the annotation is
/// one of those four types (other types have no 2D outline and draw nothing).
pub fn draw_2d(canvas: &mut Canvas, annotation: &Annotation, color: Rgb, thickness: u32) -> bool {
    let polyline = |canvas: &mut Canvas, points: &[Pixel], closed: bool| {
        for pair in points.windows(2) {
            if let [from, to] = pair {
                canvas.draw_line(*from, *to, color, thickness);
            }
        }
        if let (true, [first, .., last]) = (closed, points) {
            canvas.draw_line(*last, *first, color, thickness);
        }
    };
    match &annotation.shape {
        Shape::Box { geometry, .. } => {
            let (x, y) = (float(&geometry.x), float(&geometry.y));
            let (right, bottom) = (x + float(&geometry.width), y + float(&geometry.height));
            let corners = [
                Pixel::new(x, y),
                Pixel::new(right, y),
                Pixel::new(right, bottom),
                Pixel::new(x, bottom),
            ];
            polyline(canvas, &corners, true);
            true
        }
        Shape::Polygon { vertices, .. } => {
            let points: Vec<Pixel> = vertices.iter().map(pixel).collect();
            polyline(canvas, &points, true);
            true
        }
        Shape::Line { vertices, .. } => {
            let points: Vec<Pixel> = vertices.iter().map(pixel).collect();
            polyline(canvas, &points, false);
            true
        }
        Shape::Keypoints { geometry, .. } => {
            let points: Vec<Option<Pixel>> = geometry
                .keypoints
                .iter()
                .map(|keypoint| match (&keypoint.x, &keypoint.y) {
                    (Some(x), Some(y)) if keypoint.visible => Some(Pixel::new(float(x), float(y))),
                    _ => None,
                })
                .collect();
            let at = |idx: u64| {
                usize::try_from(idx)
                    .ok()
                    .and_then(|idx| points.get(idx).copied().flatten())
            };
            for &[from, to] in geometry.skeleton.iter().flatten() {
                if let (Some(from), Some(to)) = (at(from), at(to)) {
                    canvas.draw_line(from, to, color, thickness);
                }
            }
            for point in points.iter().flatten() {
                canvas.fill_square(*point, thickness, color);
            }
            true
        }
        _ => false,
    }
}
