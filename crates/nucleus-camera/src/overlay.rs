//! Drawing projections onto an RGB image: lidar points coloured by depth and cuboid wireframes.
//!
//! Pure math on a pixel buffer ([`Canvas`], 8-bit RGB, row-major); decoding and encoding image
//! files is the caller's business. Pixel `(u, v)` from a projection falls in the cell
//! `(floor(u), floor(v))`, consistent with the crate's continuous pixel convention.
//!
//! Two rules keep overlays honest:
//! - A point behind the camera (camera-frame z ≤ 0) is never drawn, and neither is a point
//!   beyond [`CameraParams::monotonic_radius`], where a distortion polynomial folds back and
//!   would paint a far-off point inside the image.
//! - A cuboid edge that crosses the camera plane is clipped at the near plane
//!   ([`NEAR_PLANE`] metres in front of the camera) rather than dropped, so a box the camera sits
//!   next to still shows the part in view. With lens distortion a straight edge is a curve in
//!   the image; edges are drawn as [`EDGE_STEPS`] projected pieces.

use crate::{CameraModel, CameraParams, Cuboid, Error, Pixel, Point3D, Vector3};

/// An 8-bit RGB colour.
pub type Rgb = [u8; 3];

/// Where edges are cut when they cross behind the camera: camera-frame z of 1 mm.
pub const NEAR_PLANE: f64 = 1e-3;

/// Pieces each cuboid edge is split into when the lens distorts (pinhole edges are one piece).
pub const EDGE_STEPS: usize = 24;

/// The twelve edges of a cuboid as pairs of [`Cuboid::corners`] indices: bottom face, top face,
/// then the four verticals.
pub const CUBOID_EDGES: [(usize, usize); 12] = [
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 0),
    (4, 5),
    (5, 6),
    (6, 7),
    (7, 4),
    (0, 4),
    (1, 5),
    (2, 6),
    (3, 7),
];

/// An RGB image being drawn on: `width × height` pixels, 3 bytes each, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canvas {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

/// How [`CameraParams::draw_points`] draws points.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct PointStyle {
    /// Each point is a square of `2·radius + 1` pixels on a side.
    pub radius: u32,
    /// Camera-frame depths mapped to the ends of the colour scale (near → red, far → blue, on
    /// a logarithmic scale); `None` takes the nearest and farthest drawable point.
    pub depth_range: Option<(f64, f64)>,
}

impl Default for PointStyle {
    fn default() -> Self {
        PointStyle {
            radius: 1,
            depth_range: None,
        }
    }
}

impl PointStyle {
    /// The same style with another radius.
    #[must_use]
    pub fn with_radius(mut self, radius: u32) -> Self {
        self.radius = radius;
        self
    }

    /// The same style with a fixed depth range.
    #[must_use]
    pub fn with_depth_range(mut self, near: f64, far: f64) -> Self {
        self.depth_range = Some((near, far));
        self
    }
}

impl Canvas {
    /// A canvas filled with `background`.
    ///
    /// # Errors
    /// [`Error::CanvasSize`] when a side is 0 or the buffer would not fit in memory.
    pub fn new(width: u32, height: u32, background: Rgb) -> Result<Canvas, Error> {
        let n_bytes = byte_len(width, height)?;
        let mut data = Vec::new();
        data.try_reserve_exact(n_bytes)
            .map_err(|error| size_error(width, height, error.to_string()))?;
        for _ in 0..n_bytes / 3 {
            data.extend_from_slice(&background);
        }
        Ok(Canvas {
            width,
            height,
            data,
        })
    }

    /// A canvas over existing RGB bytes (row-major, 3 bytes a pixel).
    ///
    /// # Errors
    /// [`Error::CanvasSize`] when a side is 0 or `data` is not `width · height · 3` bytes.
    pub fn from_rgb(width: u32, height: u32, data: Vec<u8>) -> Result<Canvas, Error> {
        let n_bytes = byte_len(width, height)?;
        if data.len() != n_bytes {
            return Err(size_error(
                width,
                height,
                format!("expected {n_bytes} bytes of RGB, found {}", data.len()),
            ));
        }
        Ok(Canvas {
            width,
            height,
            data,
        })
    }

    /// Width in pixels.
    #[must_use]
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    #[must_use]
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The RGB bytes, row by row.
    #[must_use]
    pub fn as_rgb(&self) -> &[u8] {
        &self.data
    }

    /// The RGB bytes, row by row.
    #[must_use]
    pub fn into_rgb(self) -> Vec<u8> {
        self.data
    }

    /// The colour of the pixel in column `x`, row `y`; `None` outside the canvas.
    #[must_use]
    pub fn get(&self, x: u32, y: u32) -> Option<Rgb> {
        let offset = self.offset(i64::from(x), i64::from(y))?;
        match self.data.get(offset..offset + 3) {
            Some(&[r, g, b]) => Some([r, g, b]),
            _ => None,
        }
    }

    /// Sets one pixel; does nothing outside the canvas. Returns whether it was inside.
    pub fn set(&mut self, x: i64, y: i64, color: Rgb) -> bool {
        let Some(offset) = self.offset(x, y) else {
            return false;
        };
        match self.data.get_mut(offset..offset + 3) {
            Some(slot) => {
                slot.copy_from_slice(&color);
                true
            }
            None => false,
        }
    }

    /// The pixel cell of a continuous position: `(floor(u), floor(v))`, saturating far outside.
    #[must_use]
    pub fn cell(pixel: Pixel) -> (i64, i64) {
        // `as` saturates (and maps NaN to 0); callers only pass finite pixels.
        (pixel.x.floor() as i64, pixel.y.floor() as i64)
    }

    /// Fills the square of `2·radius + 1` pixels centred on the cell of `centre`.
    pub fn fill_square(&mut self, centre: Pixel, radius: u32, color: Rgb) {
        if !centre.is_finite() {
            return;
        }
        let (cx, cy) = Canvas::cell(centre);
        let r = i64::from(radius);
        for y in cy.saturating_sub(r)..=cy.saturating_add(r) {
            for x in cx.saturating_sub(r)..=cx.saturating_add(r) {
                self.set(x, y, color);
            }
        }
    }

    /// Draws the segment from `from` to `to`, `thickness` pixels wide (1 is a thin line).
    ///
    /// The segment is clipped to the canvas first, so endpoints far outside (a projection near
    /// the camera plane) cost nothing extra. Non-finite endpoints draw nothing.
    pub fn draw_line(&mut self, from: Pixel, to: Pixel, color: Rgb, thickness: u32) {
        let margin = f64::from(thickness) + 1.0;
        let Some((from, to)) = clip_segment(
            from,
            to,
            -margin,
            -margin,
            f64::from(self.width) + margin,
            f64::from(self.height) + margin,
        ) else {
            return;
        };
        let radius = thickness.saturating_sub(1) / 2;
        let (mut x, mut y) = Canvas::cell(from);
        let (x1, y1) = Canvas::cell(to);
        // Bresenham on integer cells; both ends are within the canvas plus a margin, so the
        // loop is bounded by the canvas size.
        let dx = (x1 - x).abs();
        let dy = -(y1 - y).abs();
        let sx = if x < x1 { 1 } else { -1 };
        let sy = if y < y1 { 1 } else { -1 };
        let mut error = dx + dy;
        loop {
            if radius == 0 {
                self.set(x, y, color);
            } else {
                let r = i64::from(radius);
                for yy in y - r..=y + r {
                    for xx in x - r..=x + r {
                        self.set(xx, yy, color);
                    }
                }
            }
            if x == x1 && y == y1 {
                break;
            }
            let doubled = 2 * error;
            if doubled >= dy {
                error += dy;
                x += sx;
            }
            if doubled <= dx {
                error += dx;
                y += sy;
            }
        }
    }

    fn offset(&self, x: i64, y: i64) -> Option<usize> {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return None;
        }
        let x = usize::try_from(x).ok()?;
        let y = usize::try_from(y).ok()?;
        let width = usize::try_from(self.width).ok()?;
        Some((y * width + x) * 3)
    }
}

impl CameraParams {
    /// Draws every drawable point of `points` onto `canvas`, coloured by camera-frame depth
    /// (near red, far blue, logarithmic in depth; [`depth_color`]); a nearer point wins where two overlap. Returns
    /// how many points landed on the canvas.
    ///
    /// Points behind the camera, or beyond the lens model's [`CameraParams::monotonic_radius`],
    /// are skipped.
    pub fn draw_points(
        &self,
        canvas: &mut Canvas,
        points: &[Point3D],
        style: &PointStyle,
    ) -> usize {
        let max_radius = self.monotonic_radius();
        let (canvas_width, canvas_height) = (f64::from(canvas.width), f64::from(canvas.height));
        let visible = |camera: Vector3| -> Option<(Pixel, f64)> {
            if camera.z <= 0.0 || camera.x.hypot(camera.y) / camera.z > max_radius {
                return None;
            }
            let pixel = self.project_camera(camera)?;
            let inside = pixel.x >= 0.0
                && pixel.y >= 0.0
                && pixel.x < canvas_width
                && pixel.y < canvas_height;
            inside.then_some((pixel, camera.z))
        };
        let (near, far) = match style.depth_range {
            Some(range) => range,
            None => {
                let mut range = (f64::INFINITY, f64::NEG_INFINITY);
                for &point in points {
                    if let Some((_, depth)) = visible(self.world_to_camera(point)) {
                        range = (range.0.min(depth), range.1.max(depth));
                    }
                }
                range
            }
        };
        // A logarithmic scale: the few metres in front of the camera get as much of the colour
        // range as the tens of metres behind them, as a lidar's returns are spread.
        let near = near.max(NEAR_PLANE);
        let log_span = if far > near { (far / near).ln() } else { 1.0 };
        let width = usize::try_from(canvas.width).unwrap_or(0);
        let height = usize::try_from(canvas.height).unwrap_or(0);
        let mut depth_buffer = vec![f32::INFINITY; width.saturating_mul(height)];
        let r = i64::from(style.radius);
        let mut n_drawn = 0;
        for &point in points {
            let Some((pixel, depth)) = visible(self.world_to_camera(point)) else {
                continue;
            };
            n_drawn += 1;
            let color = depth_color((depth.max(near) / near).ln() / log_span);
            let depth = depth as f32;
            let (cx, cy) = Canvas::cell(pixel);
            for y in cy - r..=cy + r {
                for x in cx - r..=cx + r {
                    let Some(offset) = canvas.offset(x, y) else {
                        continue;
                    };
                    let Some(slot) = depth_buffer.get_mut(offset / 3) else {
                        continue;
                    };
                    if depth < *slot {
                        *slot = depth;
                        canvas.set(x, y, color);
                    }
                }
            }
        }
        n_drawn
    }

    /// The image segments of a cuboid's wireframe: each of the [`CUBOID_EDGES`] clipped at the
    /// near plane, cut into [`EDGE_STEPS`] pieces when the lens distorts, pieces beyond the
    /// lens model's monotonic radius left out. An edge entirely behind the camera gives nothing.
    #[must_use]
    pub fn cuboid_segments(&self, cuboid: &Cuboid) -> Vec<(Pixel, Pixel)> {
        let corners = cuboid.corners().map(|corner| self.world_to_camera(corner));
        let steps = match self.model() {
            CameraModel::Pinhole => 1,
            CameraModel::BrownConrady | CameraModel::Fisheye => EDGE_STEPS,
        };
        let max_radius = self.monotonic_radius();
        let mut segments = Vec::new();
        for (a, b) in CUBOID_EDGES {
            let (Some(&a), Some(&b)) = (corners.get(a), corners.get(b)) else {
                continue;
            };
            let Some((a, b)) = clip_near(a, b) else {
                continue;
            };
            let project = |t: f64| -> Option<Pixel> {
                let camera = a + (b - a) * t;
                if camera.x.hypot(camera.y) / camera.z > max_radius {
                    return None;
                }
                self.project_camera(camera)
            };
            let mut previous = project(0.0);
            for step in 1..=steps {
                let t = step as f64 / steps as f64;
                let next = project(t);
                if let (Some(p), Some(q)) = (previous, next) {
                    segments.push((p, q));
                }
                previous = next;
            }
        }
        segments
    }

    /// Draws a cuboid's wireframe ([`CameraParams::cuboid_segments`]); returns the number of
    /// segments drawn (0 when the cuboid is entirely behind the camera).
    pub fn draw_cuboid(
        &self,
        canvas: &mut Canvas,
        cuboid: &Cuboid,
        color: Rgb,
        thickness: u32,
    ) -> usize {
        let segments = self.cuboid_segments(cuboid);
        for &(from, to) in &segments {
            canvas.draw_line(from, to, color, thickness);
        }
        segments.len()
    }
}

/// The colour of a normalised depth `t` (0 near, 1 far; clamped): Google's Turbo colour map
/// reversed, so near points are red and far points blue.
#[must_use]
pub fn depth_color(t: f64) -> Rgb {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    // Turbo's ends are dark; keep to its bright part, 0.95 (red) down to 0.1 (blue).
    let t = 0.95 - 0.85 * t;
    // Polynomial approximation of Turbo (Mikhailov, 2019).
    let r = 0.135_721_38
        + t * (4.615_392_6
            + t * (-42.660_322_6 + t * (132.131_082_9 + t * (-152.942_393_9 + t * 59.286_379_5))));
    let g = 0.091_402_61
        + t * (2.194_188_39
            + t * (4.842_966_58 + t * (-14.185_033_33 + t * (4.277_298_57 + t * 2.829_566_04))));
    let b = 0.106_673_3
        + t * (12.641_946_9
            + t * (-60.582_048_4 + t * (110.362_767_7 + t * (-89.903_109_1 + t * 27.348_249_3))));
    [channel(r), channel(g), channel(b)]
}

fn channel(value: f64) -> u8 {
    // Clamped to [0, 255] first, so the conversion is exact up to rounding.
    (value.clamp(0.0, 1.0) * 255.0).round() as u8
}

fn byte_len(width: u32, height: u32) -> Result<usize, Error> {
    if width == 0 || height == 0 {
        return Err(size_error(width, height, "a side is 0".to_owned()));
    }
    usize::try_from(u64::from(width) * u64::from(height) * 3)
        .map_err(|_| size_error(width, height, "too large for this platform".to_owned()))
}

fn size_error(width: u32, height: u32, reason: String) -> Error {
    Error::CanvasSize {
        width,
        height,
        reason,
    }
}

/// The part of the camera-frame segment `a → b` with z ≥ [`NEAR_PLANE`], or `None`.
fn clip_near(a: Vector3, b: Vector3) -> Option<(Vector3, Vector3)> {
    match (a.z >= NEAR_PLANE, b.z >= NEAR_PLANE) {
        (true, true) => Some((a, b)),
        (false, false) => None,
        (a_in, _) => {
            let t = (NEAR_PLANE - a.z) / (b.z - a.z);
            let mut cut = a + (b - a) * t;
            cut.z = NEAR_PLANE;
            Some(if a_in { (a, cut) } else { (cut, b) })
        }
    }
}

/// Liang–Barsky: the part of `p → q` inside `[x0, x1] × [y0, y1]`, or `None`.
fn clip_segment(p: Pixel, q: Pixel, x0: f64, y0: f64, x1: f64, y1: f64) -> Option<(Pixel, Pixel)> {
    if !p.is_finite() || !q.is_finite() {
        return None;
    }
    let dx = q.x - p.x;
    let dy = q.y - p.y;
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (denominator, numerator) in [
        (-dx, p.x - x0),
        (dx, x1 - p.x),
        (-dy, p.y - y0),
        (dy, y1 - p.y),
    ] {
        if denominator == 0.0 {
            if numerator < 0.0 {
                return None;
            }
        } else {
            let t = numerator / denominator;
            if denominator < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    (t0 <= t1).then(|| {
        (
            Pixel::new(p.x + t0 * dx, p.y + t0 * dy),
            Pixel::new(p.x + t1 * dx, p.y + t1 * dy),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_segment_keeps_the_inside() {
        let clipped = clip_segment(
            Pixel::new(-10.0, 5.0),
            Pixel::new(30.0, 5.0),
            0.0,
            0.0,
            20.0,
            10.0,
        );
        assert_eq!(clipped, Some((Pixel::new(0.0, 5.0), Pixel::new(20.0, 5.0))));
        assert_eq!(
            clip_segment(
                Pixel::new(-10.0, -5.0),
                Pixel::new(-1.0, -50.0),
                0.0,
                0.0,
                20.0,
                10.0
            ),
            None
        );
    }

    #[test]
    fn clip_near_cuts_at_the_plane() {
        let (a, b) = clip_near(Vector3::new(0.0, 0.0, -1.0), Vector3::new(2.0, 0.0, 1.0)).unwrap();
        assert_eq!(a.z, NEAR_PLANE);
        assert!((a.x - 1.0 - NEAR_PLANE).abs() < 1e-12);
        assert_eq!(b, Vector3::new(2.0, 0.0, 1.0));
        assert_eq!(
            clip_near(Vector3::new(0.0, 0.0, -1.0), Vector3::new(0.0, 0.0, 0.0)),
            None
        );
    }

    #[test]
    fn lines_reach_both_ends() {
        let mut canvas = Canvas::new(10, 10, [0, 0, 0]).unwrap();
        canvas.draw_line(Pixel::new(1.5, 1.5), Pixel::new(8.5, 6.5), [255, 0, 0], 1);
        assert_eq!(canvas.get(1, 1), Some([255, 0, 0]));
        assert_eq!(canvas.get(8, 6), Some([255, 0, 0]));
        assert_eq!(canvas.get(8, 1), Some([0, 0, 0]));
    }

    #[test]
    fn turbo_ends() {
        let near = depth_color(0.0);
        let far = depth_color(1.0);
        assert!(near[0] > 100 && near[2] < 50, "{near:?}");
        assert!(far[2] > 50 && far[0] < 80, "{far:?}");
    }
}
