//! Ranked full-text search ([`Hit`]: message, score, snippet, highlights, conversation).

use plupper_index::{Freshness, NoProgress, update};
use plupper_search::ranked::{self, Hit, Ranked};

use crate::{Archive, Error, Filter};

impl Archive {
    /// Searches the messages' content: the messages matching the `search` query `words`
    /// and `filter`, best first (ties in archive order), at most `limit`.
    ///
    /// The query language: words (all must match, ranked by BM25), `"quoted phrases"`,
    /// `-word` to exclude, `OR` between two items; nothing is a syntax error. A ranked
    /// search needs a current index: when the index is behind (or missing, or damaged)
    /// and the archive is writable, it is brought up to date first; on an archive
    /// opened read-only that is [`Error::IndexNotCurrent`].
    ///
    /// ```
    /// use plupper_archive::{Archive, Filter, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let hits = archive.search("account settings", &Filter::default(), Some(10))?;
    /// assert_eq!(hits.len(), 1);
    /// assert_eq!(hits[0].message.message.content, "Sure, just go to the account settings ...");
    /// let (start, end) = hits[0].highlights[0];
    /// let marked: String = hits[0].snippet.chars().skip(start).take(end - start).collect();
    /// assert_eq!(marked, "account");
    /// assert!(hits[0].score > 0.0);
    /// assert!(hits[0].conversation.is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn search(
        &self,
        words: &str,
        filter: &Filter,
        limit: Option<usize>,
    ) -> Result<Vec<Hit>, Error> {
        Ok(self.search_counted(words, filter, limit)?.hits)
    }

    /// [`Archive::search`], with the number of every hit beside the first `limit` (for
    /// "20 of 23 shown", or a count alone with a limit of 0).
    ///
    /// ```
    /// use plupper_archive::{Archive, Filter, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let ranked = archive.search_counted("hi OR sure", &Filter::default(), Some(1))?;
    /// assert_eq!((ranked.hits.len(), ranked.total), (1, 3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn search_counted(
        &self,
        words: &str,
        filter: &Filter,
        limit: Option<usize>,
    ) -> Result<Ranked, Error> {
        self.search_page(words, filter, 0, limit)
    }

    /// [`Archive::search_counted`] from rank `offset` on: one page of the hits (only
    /// its messages are read and given snippets), and the number of every hit.
    ///
    /// ```
    /// use plupper_archive::{Archive, Filter, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let first = archive.search_page("hi OR sure", &Filter::default(), 0, Some(2))?;
    /// let second = archive.search_page("hi OR sure", &Filter::default(), 2, Some(2))?;
    /// assert_eq!((first.hits.len(), second.hits.len(), second.total), (2, 1, 3));
    /// assert!(first.hits.iter().all(|hit| hit.message.id != second.hits[0].message.id));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn search_page(
        &self,
        words: &str,
        filter: &Filter,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<Ranked, Error> {
        let query = ranked::parse(words);
        match ranked::search_page(&self.store, &query, filter, offset, limit)? {
            Ok(ranked) => Ok(ranked),
            Err(why) if self.store.is_read_only() => Err(self.not_current(why)),
            Err(_) => {
                update(&self.store, false, &NoProgress)?;
                ranked::search_page(&self.store, &query, filter, offset, limit)?
                    .map_err(|why| self.not_current(why))
            }
        }
    }

    fn not_current(&self, why: Freshness) -> Error {
        Error::IndexNotCurrent {
            dir: self.store.dir().to_owned(),
            why,
            read_only: self.store.is_read_only(),
        }
    }
}
