//! Profiles a JSON Lines file with this crate alone (items as the model reads them, without the
//! reserved-key rules of `nucleus check`; `nucleus profile` applies those):
//! `cargo run -p nucleus-insights --example profile -- FILE [text|json|html|schema]`.

use std::fs::File;
use std::io::{self, Write};

use nucleus_insights::{profile_reader, render_html};
use nucleus_lines::StreamConfig;
use nucleus_model::read_line;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: profile FILE [text|json|html|schema]")?;
    let format = args.next().unwrap_or_else(|| "text".to_owned());
    let run = profile_reader(File::open(&path)?, &StreamConfig::default(), read_line)?;
    let output = match format.as_str() {
        "json" => run.profile.to_json(),
        "html" => render_html(&run.profile),
        "schema" => run.profile.kind_schema().to_json_pretty(),
        _ => run.profile.render_text(),
    };
    io::stdout().lock().write_all(output.as_bytes())?;
    Ok(())
}
