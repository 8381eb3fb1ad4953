//! The line reader on any bytes with a chunk size and line limit from the first two bytes:
//! no panic or hang, and the same lines whatever the chunk size.
#![no_main]

use std::ops::ControlFlow;

use libfuzzer_sys::fuzz_target;
use nucleus_lines::{Event, StreamConfig, for_each_line};

fn lines(input: &[u8], chunk_bytes: usize, max_line_bytes: usize) -> Vec<(u64, String)> {
    let config = StreamConfig::default()
        .jobs(1)
        .chunk_bytes(chunk_bytes)
        .max_line_bytes(max_line_bytes);
    let mut out = Vec::new();
    for_each_line(
        input,
        &config,
        |_, text| text.to_owned(),
        |event| {
            if let Event::Line { line, result } = event {
                out.push((line, result.unwrap_or_else(|d| d.message)));
            }
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    out
}

fuzz_target!(|data: &[u8]| {
    let [chunk, limit, input @ ..] = data else {
        return;
    };
    let max_line_bytes = usize::from(*limit) + 1;
    let small = lines(input, usize::from(*chunk % 16) + 1, max_line_bytes);
    let large = lines(input, 1 << 16, max_line_bytes);
    assert_eq!(small, large);
});
