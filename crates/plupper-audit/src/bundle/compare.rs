//! Comparing a file of a bundle with the file rebuilt from the bundle's messages, as the
//! rebuilt bytes are written: nothing is held but the current line (shortened).

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;

/// How much of a differing line a difference quotes.
const QUOTED: usize = 120;

/// A [`Write`] that compares what is written with a file's bytes, and remembers the first
/// line where they differ.
pub(super) struct Comparer {
    path: String,
    file: Option<BufReader<File>>,
    /// The line being compared, 1-based.
    line: u64,
    /// The end of the current line up to here (at most [`QUOTED`] bytes), the same in
    /// both, and whether its start was cut off.
    common: Vec<u8>,
    cut: bool,
    buffer: Vec<u8>,
    difference: Option<String>,
    /// Once a line differs: the file's line as quoted, and the rebuilt line so far (the
    /// writes after the difference finish it).
    differing: Option<(String, Vec<u8>, Vec<u8>)>,
}

impl Comparer {
    /// Compares with the file at `dir`/`path`; a missing file differs at once.
    pub(super) fn open(dir: &Path, path: &str) -> Comparer {
        let file = File::open(dir.join(path)).ok().map(BufReader::new);
        let difference = file.is_none().then(|| {
            format!(
                "{path}: missing, though the bundle's messages make it (it is rebuilt from them)"
            )
        });
        Comparer {
            path: path.to_owned(),
            file,
            line: 1,
            common: Vec::new(),
            cut: false,
            buffer: Vec::new(),
            difference,
            differing: None,
        }
    }

    /// Ends the comparison: the first difference, if any (a file with more bytes than
    /// rebuilt differs at its first extra line).
    pub(super) fn finish(mut self) -> Option<String> {
        if let Some((found, common, rest)) = self.differing.take() {
            let rebuilt = quote(&common, self.cut, &rest);
            self.difference = Some(self.differs(&found, &rebuilt));
        }
        if self.difference.is_none()
            && let Some(file) = &mut self.file
        {
            let mut rest = Vec::new();
            let _ = file.by_ref().take(QUOTED as u64).read_to_end(&mut rest);
            if !rest.is_empty() {
                let found = quote(&self.common, self.cut, &rest);
                self.difference = Some(self.differs(&found, &quote(&self.common, self.cut, b"")));
            }
        }
        self.difference
    }

    fn differs(&self, found: &str, rebuilt: &str) -> String {
        format!(
            "{}: line {} is not what the bundle's messages make: it reads `{found}`, rebuilt `{rebuilt}`",
            self.path, self.line
        )
    }

    fn compare(&mut self, expected: &[u8]) -> io::Result<()> {
        let Some(file) = &mut self.file else {
            return Ok(());
        };
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        file.by_ref()
            .take(expected.len() as u64)
            .read_to_end(&mut buffer)?;
        let same = expected
            .iter()
            .zip(&buffer)
            .take_while(|(a, b)| a == b)
            .count();
        if same < expected.len() {
            // Read on to quote the file's line to its end.
            file.by_ref().take(QUOTED as u64).read_to_end(&mut buffer)?;
        }
        self.advance(&expected[..same]);
        if same < expected.len() {
            let found = quote(&self.common, self.cut, &buffer[same..]);
            let rest = expected[same..].to_vec();
            self.differing = Some((found, self.common.clone(), rest));
        }
        self.buffer = buffer;
        Ok(())
    }

    /// Moves past bytes that are the same in both.
    fn advance(&mut self, same: &[u8]) {
        let mut lines = same.split(|&b| b == b'\n');
        let first = lines.next().unwrap_or_default();
        let mut last = first;
        let mut newlines = 0;
        for line in lines {
            newlines += 1;
            last = line;
        }
        if newlines > 0 {
            self.line += newlines;
            self.common.clear();
            self.cut = false;
        }
        self.common.extend_from_slice(last);
        if self.common.len() > QUOTED {
            self.common.drain(..self.common.len() - QUOTED);
            self.cut = true;
        }
    }
}

/// The line around where it differs: the end of the common part, then the rest up to the
/// line's end or [`QUOTED`] bytes, as text.
fn quote(common: &[u8], cut: bool, rest: &[u8]) -> String {
    let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let mut line = common.to_vec();
    line.extend_from_slice(&rest[..end.min(QUOTED)]);
    let mut text = String::new();
    if cut {
        text.push('…');
    }
    text.push_str(&String::from_utf8_lossy(&line));
    if end > QUOTED {
        text.push('…');
    }
    text
}

impl Write for Comparer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if let Some((_, _, rebuilt)) = &mut self.differing {
            if rebuilt.len() <= 2 * QUOTED && !rebuilt.contains(&b'\n') {
                rebuilt.extend_from_slice(&data[..data.len().min(2 * QUOTED)]);
            }
        } else if self.difference.is_none() {
            self.compare(data)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn compare(file: &str, writes: &[&str]) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f.txt"), file).unwrap();
        let mut comparer = Comparer::open(dir.path(), "f.txt");
        for write in writes {
            comparer.write_all(write.as_bytes()).unwrap();
        }
        comparer.finish()
    }

    #[test]
    fn the_first_differing_line_is_named_whatever_the_writes() {
        assert_eq!(compare("a\nbc\nd\n", &["a\nb", "c\n", "d\n"]), None);
        assert_eq!(
            compare("a\nbc\nPay me first.\n", &["a\nb", "c\nHi the", "re\n"]),
            Some(
                "f.txt: line 3 is not what the bundle's messages make: it reads `Pay me first.`, rebuilt `Hi there`"
                    .into()
            )
        );
        assert_eq!(
            compare("a\nb\n", &["a\n"]),
            Some(
                "f.txt: line 2 is not what the bundle's messages make: it reads `b`, rebuilt ``"
                    .into()
            )
        );
        assert_eq!(
            compare("a\n", &["a\nb\n"]),
            Some(
                "f.txt: line 2 is not what the bundle's messages make: it reads ``, rebuilt `b`"
                    .into()
            )
        );
    }

    #[test]
    fn a_missing_file_differs_and_a_long_line_is_shortened() {
        let dir = tempfile::tempdir().unwrap();
        let comparer = Comparer::open(dir.path(), "gone.txt");
        assert_eq!(
            comparer.finish().unwrap(),
            "gone.txt: missing, though the bundle's messages make it (it is rebuilt from them)"
        );
        let long = "x".repeat(300);
        let difference = compare(&format!("{long}y"), &[&format!("{long}z")]).unwrap();
        assert!(
            difference.ends_with(&format!(
                "reads `…{x}y`, rebuilt `…{x}z`",
                x = "x".repeat(QUOTED)
            )),
            "{difference}"
        );
    }
}
