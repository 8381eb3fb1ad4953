//! The example scene under examples/scene is clean: scene rules, item rules, point clouds.

use nucleus_metadata::ItemRules;
use nucleus_model::pointcloud::check_pointcloud_slice;
use nucleus_model::{DatasetItemType, Scene};
use nucleus_testdata::scene;

#[test]
fn the_example_scene_and_its_point_clouds_are_clean() {
    let text = scene::scene().unwrap();
    let mut n_scenes = 0;
    for line in text.lines() {
        let reading = ItemRules::new().check_scene_line(line);
        assert!(reading.diagnostics.is_empty(), "{:#?}", reading.diagnostics);
        let Some(Scene::Lidar(scene)) = reading.scene else {
            panic!("the example is a lidar scene");
        };
        n_scenes += 1;
        assert_eq!(scene.frames().len(), 2);
        assert_eq!(scene.sensors(), ["lidar", "front", "left", "rear"]);
        for frame in scene.frames() {
            let (_, cloud) = frame.pointcloud().unwrap();
            assert_eq!(cloud.item_type(), DatasetItemType::Pointcloud);
            // s3://nucleus-rs-examples/lidar/000.json is mirrored at media/lidar/000.json.
            let key = cloud.location().as_str().splitn(4, '/').nth(3).unwrap();
            let bytes = scene::media(key).unwrap();
            let report = check_pointcloud_slice(&bytes);
            assert!(
                report.diagnostics.is_empty(),
                "{key}: {:#?}",
                report.diagnostics
            );
            let stats = report.stats;
            assert!(
                (3000..6000).contains(&stats.count),
                "{key}: {} points",
                stats.count
            );
            assert_eq!(stats.n_intensity, stats.count);
            assert!(stats.n_ground > 0 && stats.n_ground < stats.count);
            let bounds = stats.bounds.unwrap();
            assert!(bounds.min.z > -0.1 && bounds.max.x < 60.0, "{bounds:?}");
        }
    }
    assert_eq!(n_scenes, 1);
}
