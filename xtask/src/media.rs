//! The inputs of the `probe` benchmark group (issue 16): `cargo xtask gen-media` writes small
//! valid PNG and JPEG files with a few broken ones, and the items that point at them as remote
//! locations mirrored in the output directory (`check --probe-media --media-dir DIR`). The
//! remote case serves DIR over loopback HTTP (`scripts/bench/python_side.py serve-media DIR`).

use std::fs;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use serde_json::json;

/// The bucket of the items' locations; the mirror rule drops it (`s3://BUCKET/a/b.jpg` is read
/// from `DIR/a/b.jpg`), and so does the bench's loopback server (`http://127.0.0.1:PORT/a/b.jpg`).
pub const BUCKET_PREFIX: &str = "s3://bench-media/";

/// One item in this many points at a broken file (or carries a wrong size).
const BROKEN_EVERY: u64 = 1000;

/// How item `index`'s file is broken, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Broken {
    /// Only the first 12 bytes of the file: an unreadable header.
    Truncated,
    /// A PNG named `.jpg`.
    WrongExtension,
    /// No file at all.
    Missing,
    /// The item's `width` is one more than the header's.
    SizeMismatch,
    /// A text file named `.png`.
    NotAnImage,
}

const BROKEN: [Broken; 5] = [
    Broken::Truncated,
    Broken::WrongExtension,
    Broken::Missing,
    Broken::SizeMismatch,
    Broken::NotAnImage,
];

fn broken(index: u64) -> Option<Broken> {
    (index % BROKEN_EVERY == BROKEN_EVERY - 1)
        .then(|| BROKEN[usize::try_from(index / BROKEN_EVERY).unwrap_or(0) % BROKEN.len()])
}

/// The pixel size of image `index`: 16 to 63 pixels a side (small files; probing reads the
/// header only, whose layout does not depend on the size).
fn size(index: u64) -> (u32, u32) {
    let side = |salt: u64| 16 + u32::try_from((index * salt + 3) % 48).unwrap_or(0);
    (side(7), side(13))
}

/// `cargo xtask gen-media --images N --out-dir DIR --items FILE`.
pub fn gen_media(args: &[String]) -> Result<()> {
    let (mut n_images, mut out_dir, mut items) = (None, None, None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("`{arg}` needs a value"))
        };
        match arg.as_str() {
            "--images" => {
                let text = value()?;
                n_images = Some(
                    text.replace('_', "")
                        .parse::<u64>()
                        .with_context(|| format!("`--images {text}`: expected a whole number"))?,
                );
            }
            "--out-dir" => out_dir = Some(PathBuf::from(value()?)),
            "--items" => items = Some(PathBuf::from(value()?)),
            other => bail!(
                "gen-media: unknown argument `{other}`; usage: cargo xtask gen-media --images N \
                 --out-dir DIR --items FILE"
            ),
        }
    }
    let n_images = n_images.context("gen-media needs `--images N`")?;
    let out_dir = out_dir.context("gen-media needs `--out-dir DIR`")?;
    let items = items.context("gen-media needs `--items FILE`")?;
    if let Some(dir) = items.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let file = fs::File::create(&items).with_context(|| format!("creating {}", items.display()))?;
    let mut out = BufWriter::new(file);
    let mut n_broken = 0u64;
    for index in 0..n_images {
        let (width, height) = size(index);
        let broken = broken(index);
        n_broken += u64::from(broken.is_some());
        let png = index % 2 == 0 || broken == Some(Broken::WrongExtension);
        let name_png =
            png && broken != Some(Broken::WrongExtension) || broken == Some(Broken::NotAnImage);
        let relative = format!(
            "img/{:03}/{index:06}.{}",
            index / 1000,
            if name_png { "png" } else { "jpg" }
        );
        let bytes = encode(index, width, height, png)?;
        let path = out_dir.join(&relative);
        let written: Option<&[u8]> = match broken {
            Some(Broken::Missing) => None,
            Some(Broken::Truncated) => Some(bytes.get(..12).unwrap_or(&bytes)),
            Some(Broken::NotAnImage) => Some(b"not an image\n"),
            _ => Some(&bytes),
        };
        if let Some(written) = written {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            fs::write(&path, written).with_context(|| format!("writing {}", path.display()))?;
        }
        let camera = if index % 2 == 0 { "front" } else { "rear" };
        let item = json!({
            "image_location": format!("{BUCKET_PREFIX}{relative}"),
            "reference_id": format!("img-{index:06}"),
            "width": width + u32::from(broken == Some(Broken::SizeMismatch)),
            "height": height,
            "metadata": {"camera": camera, "frame": index},
        });
        serde_json::to_writer(&mut out, &item)?;
        out.write_all(b"\n")?;
    }
    out.flush()
        .with_context(|| format!("writing {}", items.display()))?;
    println!(
        "wrote {n_images} items to {} and their images under {} ({n_broken} broken)",
        items.display(),
        out_dir.display()
    );
    Ok(())
}

/// A `width`×`height` RGB image with a gradient that depends on `index`, as PNG or JPEG.
fn encode(index: u64, width: u32, height: u32, png: bool) -> Result<Vec<u8>> {
    let shade = u8::try_from(index % 251).unwrap_or(0);
    let mut pixels = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height {
        for x in 0..width {
            let x_byte = u8::try_from(x * 4 % 256).unwrap_or(0);
            let y_byte = u8::try_from(y * 4 % 256).unwrap_or(0);
            pixels.extend_from_slice(&[x_byte, y_byte, shade]);
        }
    }
    let mut bytes = Vec::new();
    if png {
        PngEncoder::new(&mut bytes).write_image(&pixels, width, height, ExtendedColorType::Rgb8)?;
    } else {
        JpegEncoder::new_with_quality(&mut bytes, 85).write_image(
            &pixels,
            width,
            height,
            ExtendedColorType::Rgb8,
        )?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_item_in_a_thousand_is_broken_each_way_in_turn() {
        let broken: Vec<_> = (0..5_000).filter_map(broken).collect();
        assert_eq!(broken, BROKEN);
    }

    #[test]
    fn images_have_the_size_the_items_say() {
        for (index, png) in [(0, true), (1, false), (46, true)] {
            let (width, height) = size(index);
            let bytes = encode(index, width, height, png).unwrap();
            let read = imagesize::blob_size(&bytes).unwrap();
            assert_eq!((read.width, read.height), (width as usize, height as usize));
        }
    }
}
