//! Content blocks: the contents of every [`BLOCK_MESSAGES`] consecutive messages in one
//! row, for scans that test every content (a `contains` count without the search index).
//!
//! SQLite's work per row, not the bytes it reads, sets the cost of such a scan: at 1M
//! messages, stepping through the message table costs more than testing the contents it
//! hands out. A block holds the contents of the messages with archive ids
//! `first_id ..= first_id + BLOCK_MESSAGES - 1` in id order, so a scan reads one
//! row for 4,096 messages.
//!
//! Blocks are derived from the messages, like the chain and the conversations, and
//! written in the same transaction as the messages they hold. A block is written only
//! once its whole id range is assigned: ids only grow and archived messages are never
//! changed or removed, so a written block never changes. The messages after the last
//! block (fewer than [`BLOCK_MESSAGES`]) are read from the message table. Blocks start at
//! id 1 and follow each other without gaps; a scan that finds them otherwise does not
//! use them, and [`Store::verify`](crate::Store::verify) reports every block that is
//! not what the messages make.
//!
//! A block's `lengths` are the byte lengths of its contents as LEB128 numbers, and its
//! `contents` are the contents' UTF-8 bytes one after another.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, params};

use crate::StoreError;

/// How many messages' ids a block covers. Fixed by the schema: changing it needs a
/// migration that writes the blocks again.
pub const BLOCK_MESSAGES: i64 = 4_096;

/// One block, as written: its contents and their lengths.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub(crate) lengths: Vec<u8>,
    pub(crate) contents: Vec<u8>,
}

impl Block {
    fn push(&mut self, content: &[u8]) {
        let mut length = content.len() as u64;
        loop {
            let low = (length & 0x7f) as u8;
            length >>= 7;
            if length == 0 {
                self.lengths.push(low);
                break;
            }
            self.lengths.push(low | 0x80);
        }
        self.contents.extend_from_slice(content);
    }

    fn clear(&mut self) {
        self.lengths.clear();
        self.contents.clear();
    }
}

/// The contents of a stored block, one by one; an error names what is wrong with it.
pub(crate) fn contents<'b>(
    lengths: &'b [u8],
    contents: &'b [u8],
) -> impl Iterator<Item = Result<&'b [u8], &'static str>> + 'b {
    let mut at_length = 0;
    let mut at_content = 0;
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed {
            return None;
        }
        if at_length == lengths.len() {
            if at_content != contents.len() {
                failed = true;
                return Some(Err("its contents are longer than its lengths say"));
            }
            return None;
        }
        let mut length: u64 = 0;
        let mut shift = 0;
        loop {
            let Some(&byte) = lengths.get(at_length) else {
                failed = true;
                return Some(Err("its last length is cut off"));
            };
            at_length += 1;
            if shift > 56 {
                failed = true;
                return Some(Err("a length is too large"));
            }
            length |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let end = usize::try_from(length)
            .ok()
            .and_then(|length| at_content.checked_add(length))
            .filter(|&end| end <= contents.len());
        let Some(end) = end else {
            failed = true;
            return Some(Err("its contents are shorter than its lengths say"));
        };
        let content = &contents[at_content..end];
        at_content = end;
        Some(Ok(content))
    })
}

/// The end of the blocks a scan may use: the last id they cover, 0 when there are none
/// or when they do not follow each other from id 1 (then a scan reads the rows).
pub(crate) fn blocks_end(conn: &Connection) -> Result<i64, StoreError> {
    let (count, last): (i64, Option<i64>) = conn.query_row(
        "SELECT count(*), max(first_id) FROM content_block",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let end = count * BLOCK_MESSAGES;
    Ok(match last {
        Some(last) if last + BLOCK_MESSAGES - 1 == end => end,
        _ => 0,
    })
}

/// The block of ids `first ..= first + BLOCK_MESSAGES - 1`, made from the messages now.
/// A content that is not text is taken as its bytes (it makes `verify` report the row).
pub(crate) fn derive(conn: &Connection, first: i64) -> Result<Block, StoreError> {
    let mut block = Block::default();
    derive_into(conn, first, &mut block)?;
    Ok(block)
}

fn derive_into(conn: &Connection, first: i64, block: &mut Block) -> Result<(), StoreError> {
    block.clear();
    let mut statement = conn.prepare_cached(
        "SELECT CAST(content AS BLOB) FROM message WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
    )?;
    let mut rows = statement.query(params![first, first + BLOCK_MESSAGES - 1])?;
    while let Some(row) = rows.next()? {
        match row.get_ref(0)? {
            ValueRef::Blob(bytes) | ValueRef::Text(bytes) => block.push(bytes),
            // NOT NULL: only a changed schema holds one; `verify` reports the row.
            _ => block.push(b""),
        }
    }
    Ok(())
}

/// Writes the blocks whose ids are all assigned and that are not written yet, in the
/// caller's transaction (the one that added the messages, or a migration's).
pub(crate) fn extend(conn: &Connection) -> Result<(), StoreError> {
    let assigned = crate::assigned_ids(conn)?;
    let written: Option<i64> =
        conn.query_row("SELECT max(first_id) FROM content_block", [], |row| {
            row.get(0)
        })?;
    let mut first = written.map_or(1, |last| last + BLOCK_MESSAGES);
    if first + BLOCK_MESSAGES - 1 > assigned {
        return Ok(());
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO content_block (first_id, lengths, contents) VALUES (?1, ?2, ?3)",
    )?;
    let mut block = Block::default();
    while first + BLOCK_MESSAGES - 1 <= assigned {
        derive_into(conn, first, &mut block)?;
        insert.execute(params![first, block.lengths, block.contents])?;
        first += BLOCK_MESSAGES;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests: a failure is a panic

    use super::*;

    fn read(block: &Block) -> Result<Vec<Vec<u8>>, &'static str> {
        contents(&block.lengths, &block.contents)
            .map(|content| content.map(<[u8]>::to_vec))
            .collect()
    }

    #[test]
    fn a_block_gives_back_its_contents() {
        let texts: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"hi".to_vec(),
            vec![b'x'; 127],
            vec![b'y'; 128],
            vec![b'z'; 70_000],
            "Ďakujem\0ſ".as_bytes().to_vec(),
        ];
        let mut block = Block::default();
        for text in &texts {
            block.push(text);
        }
        assert_eq!(&block.lengths[..5], &[0, 2, 127, 0x80, 1]);
        assert_eq!(read(&block).unwrap(), texts);
        assert_eq!(read(&Block::default()).unwrap(), Vec::<Vec<u8>>::new());
    }

    #[test]
    fn a_damaged_block_is_an_error_not_a_panic() {
        let mut block = Block::default();
        block.push(b"hello");
        block.push(b"world");
        let mut longer = block.clone();
        longer.contents.push(b'!');
        assert_eq!(
            read(&longer),
            Err("its contents are longer than its lengths say")
        );
        let mut shorter = block.clone();
        shorter.contents.pop();
        assert_eq!(
            read(&shorter),
            Err("its contents are shorter than its lengths say")
        );
        let cut = Block {
            lengths: vec![0x85],
            contents: Vec::new(),
        };
        assert_eq!(read(&cut), Err("its last length is cut off"));
        let huge = Block {
            lengths: vec![0xff; 12],
            contents: Vec::new(),
        };
        assert_eq!(read(&huge), Err("a length is too large"));
        let too_long = Block {
            lengths: vec![0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
            contents: Vec::new(),
        };
        assert_eq!(
            read(&too_long),
            Err("its contents are shorter than its lengths say")
        );
    }
}
