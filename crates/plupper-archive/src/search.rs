//! Ranked full-text search.

use plupper_index::{Freshness, NoProgress, update};
use plupper_search::ranked;
use plupper_store::{ConversationId, StoredMessage};

use crate::{Archive, Error, Filter};

/// One ranked search result.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The message.
    pub message: StoredMessage,
    /// Its BM25 score: higher is better.
    pub score: f32,
    /// A part of its content around the matches, its characters as they are (a program
    /// that shows it to a person decides how to show control characters).
    pub snippet: String,
    /// The matched words in the snippet, as `[start, end)` character offsets.
    pub highlights: Vec<(usize, usize)>,
    /// The conversation the message belongs to.
    pub conversation: Option<ConversationId>,
}

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
        let query = ranked::parse(words);
        let hits = match ranked::search(&self.store, &query, filter, limit)? {
            Ok(hits) => hits,
            Err(why) if self.store.is_read_only() => return Err(self.not_current(why)),
            Err(_) => {
                update(&self.store, false, &NoProgress)?;
                ranked::search(&self.store, &query, filter, limit)?
                    .map_err(|why| self.not_current(why))?
            }
        };
        hits.into_iter()
            .map(|hit| {
                let conversation = self.store.conversation_of(hit.message.id)?;
                Ok(Hit {
                    message: hit.message,
                    score: hit.score,
                    snippet: hit.snippet,
                    highlights: hit.highlights,
                    conversation,
                })
            })
            .collect()
    }

    fn not_current(&self, why: Freshness) -> Error {
        Error::IndexNotCurrent {
            dir: self.store.dir().to_owned(),
            why,
            read_only: self.store.is_read_only(),
        }
    }
}
