//! Profiles a JSON Lines file with the library alone (until `nucleus profile` is wired):
//! `cargo run -p nucleus-metadata --example profile -- FILE [text|json|html|schema]`.

use std::fs::File;
use std::io::{self, Write};

use nucleus_lines::StreamConfig;
use nucleus_metadata::{ItemRules, profile_reader, render_html};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: profile FILE [text|json|html|schema]")?;
    let format = args.next().unwrap_or_else(|| "text".to_owned());
    let run = profile_reader(
        File::open(&path)?,
        &StreamConfig::default(),
        &ItemRules::new(),
    )?;
    let output = match format.as_str() {
        "json" => run.profile.to_json(),
        "html" => render_html(&run.profile),
        "schema" => run.profile.kind_schema().to_json_pretty(),
        _ => run.profile.render_text(),
    };
    io::stdout().lock().write_all(output.as_bytes())?;
    Ok(())
}
