//! A search loop: each query given as an argument, or else each line of stdin, answered
//! with its five best hits and their snippets (the matched words between `[` and `]`).
//!
//! ```text
//! cargo run -p plupper-archive --example search_loop -- ARCHIVE_DIR 'refund OR money' '"account settings"'
//! printf 'octavia\nrefund -spam\n' | cargo run -p plupper-archive --example search_loop -- ARCHIVE_DIR
//! ```
//!
//! The first search brings the index up to date when it is behind the archive.

use std::io::BufRead;
use std::process::ExitCode;

use plupper_archive::{Archive, Error, Filter, Hit};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: search_loop ARCHIVE_DIR [QUERY...]  (no QUERY: one a line on stdin)");
        return ExitCode::from(2);
    };
    let queries: Vec<String> = args.collect();
    match run(&dir, queries) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &str, queries: Vec<String>) -> Result<(), Box<dyn std::error::Error>> {
    let archive = Archive::open(dir)?;
    if !queries.is_empty() {
        for query in &queries {
            answer(&archive, query)?;
        }
        return Ok(());
    }
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if !line.trim().is_empty() {
            answer(&archive, line.trim())?;
        }
    }
    Ok(())
}

fn answer(archive: &Archive, query: &str) -> Result<(), Error> {
    let hits = archive.search(query, &Filter::default(), Some(5))?;
    println!("{query}: {} hits", hits.len());
    for hit in &hits {
        println!(
            "  #{} {:.2} conversation {}: {}",
            hit.message.id,
            hit.score,
            hit.conversation.map_or("-".into(), |c| c.0.to_string()),
            marked(hit)
        );
    }
    Ok(())
}

/// The snippet on one line, the matched words between `[` and `]`.
fn marked(hit: &Hit) -> String {
    let mut out = String::new();
    for (i, c) in hit.snippet.chars().enumerate() {
        if hit.highlights.iter().any(|&(_, end)| end == i) {
            out.push(']');
        }
        if hit.highlights.iter().any(|&(start, _)| start == i) {
            out.push('[');
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    if hit
        .highlights
        .iter()
        .any(|&(_, end)| end == hit.snippet.chars().count())
    {
        out.push(']');
    }
    out
}
