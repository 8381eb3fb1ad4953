//! Point clouds: the streaming reader agrees with `serde_json::Value`, reports problems with
//! their JSON pointers, and reads a million points in constant memory.

use std::io::Read;
use std::ops::ControlFlow;

use nucleus_model::pointcloud::{
    Point, PointCloud, check_pointcloud, check_pointcloud_slice, for_each_point,
};
use nucleus_model::{Code, Severity};
use proptest::prelude::*;

fn point_json(point: &Point) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    map.insert("x".into(), point.x.into());
    map.insert("y".into(), point.y.into());
    map.insert("z".into(), point.z.into());
    if let Some(i) = point.i {
        map.insert("i".into(), i.into());
    }
    if let Some(d) = point.d {
        map.insert("d".into(), d.into());
    }
    if let Some(t) = point.t {
        map.insert("t".into(), t.into());
    }
    if let Some(g) = point.is_ground {
        map.insert("is_ground".into(), g.into());
    }
    serde_json::Value::Object(map)
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e6..1e6,
        any::<f64>().prop_filter("finite", |v| v.is_finite())
    ]
}

prop_compose! {
    fn any_point()(
        x in finite(), y in finite(), z in finite(),
        i in proptest::option::of(0.0..=1.0f64),
        d in proptest::option::of(any::<i64>()),
        t in proptest::option::of(any::<i64>()),
        is_ground in proptest::option::of(any::<bool>()),
    ) -> Point {
        Point { x, y, z, i, d, t, is_ground }
    }
}

proptest! {
    /// Whatever points are written, the streaming reader returns exactly them, from a slice and
    /// from a reader, and agrees with the value `serde_json::Value` holds.
    #[test]
    fn reads_back_what_was_written(points in proptest::collection::vec(any_point(), 0..40)) {
        let text = serde_json::json!({
            "device_position": {"x": 1},
            "points": points.iter().map(point_json).collect::<Vec<_>>(),
        })
        .to_string();
        let cloud = PointCloud::from_slice(text.as_bytes()).unwrap();
        prop_assert_eq!(&cloud.points, &points);
        let mut streamed = Vec::new();
        let read = for_each_point(text.as_bytes(), |p| {
            streamed.push(p);
            ControlFlow::Continue(())
        })
        .unwrap();
        prop_assert_eq!(&streamed, &points);
        prop_assert!(read.issues.is_empty());
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        for (idx, point) in points.iter().enumerate() {
            prop_assert_eq!(value["points"][idx]["x"].as_f64(), Some(point.x));
        }
    }
}

#[test]
fn check_reports_issues_and_unknown_keys_with_pointers() {
    let report = check_pointcloud_slice(
        br#"{"points": [{"x": 1, "y": 2, "z": 3, "i": 2}, {"x": 1, "y": 2, "z": 3, "intensity": 0.3, "t": "now"}]}"#,
    );
    let findings: Vec<(Severity, Code, &str)> = report
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.code, d.path.as_str()))
        .collect();
    assert_eq!(
        findings,
        [
            (Severity::Error, Code::InvalidPointcloud, "/points/0/i"),
            (Severity::Error, Code::InvalidPointcloud, "/points/1/t"),
            (Severity::Warning, Code::UnknownField, "/points/1/intensity"),
        ]
    );
    assert_eq!(report.stats.count, 2);

    let report = check_pointcloud(&b"{\"points\": [{\"x\": 1, \"y\": 2}]}"[..]);
    assert_eq!(report.diagnostics.len(), 1);
    assert_eq!(report.diagnostics[0].path, "/points/0");
    assert!(report.diagnostics[0].message.contains("has no z"));
}

/// Writes `{"points": [...]}` with `n_points` points on the fly, a few hundred bytes at a time:
/// the whole text never exists in memory.
struct GeneratedCloud {
    n_points: u64,
    next: u64,
    pending: Vec<u8>,
    offset: usize,
    finished: bool,
    bytes: u64,
}

impl GeneratedCloud {
    fn new(n_points: u64) -> GeneratedCloud {
        GeneratedCloud {
            n_points,
            next: 0,
            pending: b"{\"points\": [".to_vec(),
            offset: 0,
            finished: false,
            bytes: 0,
        }
    }

    fn refill(&mut self) {
        self.pending.clear();
        self.offset = 0;
        if self.next == self.n_points {
            if !self.finished {
                self.pending.extend_from_slice(b"]}");
                self.finished = true;
            }
            return;
        }
        let idx = self.next;
        self.next += 1;
        let separator = if idx == 0 { "" } else { ", " };
        let x = (idx % 1000) as f64 * 0.125 - 60.0;
        let y = (idx / 1000) as f64 * 0.0625 - 30.0;
        let text = format!(
            "{separator}{{\"x\": {x}, \"y\": {y}, \"z\": -1.75, \"i\": {}, \"t\": {}}}",
            (idx % 11) as f64 / 10.0,
            1_700_000_000_000_000_000u64 + idx
        );
        self.pending.extend_from_slice(text.as_bytes());
    }
}

impl Read for GeneratedCloud {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.offset == self.pending.len() {
            self.refill();
        }
        let available = &self.pending[self.offset..];
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.offset += n;
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Peak resident memory of this process, in KiB (Linux), to show the stream holds nothing.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Set in the child process that streams a million points alone, so its peak memory is its own.
const CHILD_ENV: &str = "NUCLEUS_MODEL_STREAM_CHILD";

#[test]
fn a_million_points_stream_in_constant_memory() {
    // Other tests of this binary run on other threads and would blur the peak memory of this
    // process, so the million-point read runs in a child process that runs only it.
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "pointcloud::stream_points_and_measure",
            "--exact",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(CHILD_ENV, "1000000")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("streamed 1000000 points"), "{stdout}");
}

/// Streams `$NUCLEUS_MODEL_STREAM_CHILD` points (10,000 when unset, as a plain test) and checks
/// that peak memory did not grow with them.
#[test]
fn stream_points_and_measure() {
    let n: u64 = std::env::var(CHILD_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let before = peak_rss_kib();
    let mut cloud = GeneratedCloud::new(n);
    let mut n_seen = 0u64;
    let mut sum_x = 0.0;
    let read = for_each_point(&mut cloud, |point| {
        n_seen += 1;
        sum_x += point.x;
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!((read.n_points, n_seen), (n, n));
    assert!(read.issues.is_empty());
    let expected_sum: f64 = (0..n).map(|idx| (idx % 1000) as f64 * 0.125 - 60.0).sum();
    assert_eq!(sum_x, expected_sum);
    if std::env::var(CHILD_ENV).is_ok() {
        // About 70 MB of text went through; as `Vec<Point>` the points alone would take 72 MB
        // and as `serde_json::Value` several hundred. Streaming keeps a 64 KiB buffer.
        assert!(cloud.bytes > 60 * n, "{} bytes", cloud.bytes);
        if let (Some(before), Some(after)) = (before, peak_rss_kib()) {
            let grown = after.saturating_sub(before);
            assert!(
                grown < 8 * 1024,
                "peak memory grew by {grown} KiB while streaming"
            );
            println!(
                "streamed {n} points, {} bytes; peak memory grew by {grown} KiB",
                cloud.bytes
            );
        } else {
            println!("streamed {n} points, {} bytes", cloud.bytes);
        }
    }
}
