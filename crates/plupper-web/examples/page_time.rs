//! How long a page takes to render on an archive, as the server renders it (the archive
//! opened read-only; no HTTP): `page_time ARCHIVE PATH [QUERY] [RUNS]`, for example
//! `page_time ~/archive /search 'q=quokka' 20`. Prints the page's status and size, and
//! the fastest, median and slowest of the runs in milliseconds.

use std::time::Instant;

use plupper_archive::Archive;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [archive, path, rest @ ..] = args.as_slice() else {
        return Err("usage: page_time ARCHIVE PATH [QUERY] [RUNS]".into());
    };
    let query = rest.first().map(String::as_str);
    let runs: usize = rest.get(1).map_or(Ok(10), |runs| runs.parse())?;
    let archive = Archive::open_read_only(archive)?;
    let today = chrono::Local::now().date_naive();
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let page = plupper_web::render(&archive, path, query, today)
            .ok_or_else(|| format!("{path} is no page"))?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        last = Some(page);
    }
    times.sort_by(f64::total_cmp);
    if let Some(page) = last {
        println!(
            "{path}?{} status {} {} bytes: min {:.1} ms, median {:.1} ms, max {:.1} ms ({} runs)",
            query.unwrap_or(""),
            page.status,
            page.body.len(),
            times[0],
            times[times.len() / 2],
            times[times.len() - 1],
            times.len()
        );
    }
    Ok(())
}
