//! Camera parameters and projection for Scale AI Nucleus 3D data.
//!
//! This crate will hold `CameraParams` (pose and intrinsics as stored under
//! `metadata.camera_params`), the Brown–Conrady and fisheye distortion models, and the projection
//! of world points and cuboids to pixels, matching OpenCV. It is filled by the cameras issue.
