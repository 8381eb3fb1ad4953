//! The camera reader on any JSON: no panic; accepted cameras round-trip and project.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nucleus_camera::{CameraParams, Point3D};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(camera) = CameraParams::from_json(&value) {
        assert_eq!(
            CameraParams::from_json(&camera.to_json()).ok(),
            Some(camera.clone())
        );
        let _ = camera.project(Point3D::new(10.0, 0.0, 1.5));
        let _ = camera.monotonic_radius();
    }
});
