//! Auditing: conversations, statistics, verification, evidence bundles.

use std::path::Path;

use plupper_audit::bundle::sign::SecretKey;
use plupper_audit::bundle::{self, BundleCheck, ExportInfo, Sealed};
use plupper_audit::check::{ArchiveCheck, verify_archive};
use plupper_audit::conversations::{Conversation, Selected, in_order, select};
use plupper_audit::stats::{GroupBy, Stats, StatsRow};
use plupper_audit::summary::ConversationSummary;
use plupper_search::executor;
use plupper_store::ConversationId;
use plupper_store::exports::ExportRecord;
use plupper_store::query::Snapshot;

use crate::{Archive, BundleProof, Error, Filter};

/// The conversations of [`Archive::conversations`], in the order they started.
pub struct Conversations<'a> {
    _snapshot: Snapshot<'a>,
    each: Box<dyn Iterator<Item = Result<Conversation, plupper_audit::AuditError>> + 'a>,
}

impl std::fmt::Debug for Conversations<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conversations").finish_non_exhaustive()
    }
}

impl Iterator for Conversations<'_> {
    type Item = Result<Conversation, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.each.next().map(|item| item.map_err(Error::from))
    }
}

impl Archive {
    /// The conversations in which at least one message matches `filter`, each whole, in
    /// the order they started, with their figures (visitor, customer, operators,
    /// first-response time). A conversation is a visitor's messages from the entry line
    /// or from more than 30 minutes of silence up to the next such point.
    ///
    /// ```
    /// use plupper_archive::{Archive, Filter, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// // "Sure, just go to the account settings" selects the second chat, all of it.
    /// let chats: Vec<_> = archive
    ///     .conversations(&Filter::default().contains("settings"))?
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(chats.len(), 1);
    /// assert_eq!(chats[0].messages.len(), 2);
    /// assert_eq!(chats[0].summary.first_response, Some(205)); // 15:54:16 → 15:57:41
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn conversations(&self, filter: &Filter) -> Result<Conversations<'_>, Error> {
        let snapshot = self.store.snapshot()?;
        let selected = select(&self.store, filter)?;
        Ok(Conversations {
            _snapshot: snapshot,
            each: Box::new(in_order(&self.store, selected)),
        })
    }

    /// How many conversations [`Archive::conversations`] gives for `filter`, without
    /// reading them.
    ///
    /// ```
    /// use plupper_archive::{Archive, Filter, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// assert_eq!(archive.conversation_count(&Filter::default())?, 2);
    /// assert_eq!(archive.conversation_count(&Filter::default().contains("settings"))?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn conversation_count(&self, filter: &Filter) -> Result<u64, Error> {
        let _snapshot = self.store.snapshot()?;
        Ok(match select(&self.store, filter)? {
            Selected::All => self.store.conversation_count()?,
            Selected::Only(ids) => ids.len() as u64,
        })
    }

    /// One conversation by its id (the smallest archive id among its messages); `None`
    /// when there is none with this id.
    ///
    /// ```
    /// use plupper_archive::{Archive, ConversationId, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let first = archive.conversation(ConversationId(1))?.expect("a conversation");
    /// assert_eq!(first.messages.len(), 3);
    /// assert!(archive.conversation(ConversationId(2))?.is_none()); // message 2 is in 1
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>, Error> {
        Ok(plupper_audit::conversations::load(&self.store, id)?)
    }

    /// The conversations of the same visitor (for messages without a visitor id: of the
    /// same customer) just before and just after conversation `id`, in the order they
    /// started; `None` on either side when there is none, both when `id` is no
    /// conversation.
    ///
    /// ```
    /// use plupper_archive::{Archive, ConversationId, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// // Visitor 32751's two chats: conversations 1 and 4.
    /// assert_eq!(archive.conversations_beside(ConversationId(1))?, (None, Some(ConversationId(4))));
    /// assert_eq!(archive.conversations_beside(ConversationId(4))?, (Some(ConversationId(1)), None));
    /// assert_eq!(archive.conversations_beside(ConversationId(2))?, (None, None));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn conversations_beside(
        &self,
        id: ConversationId,
    ) -> Result<(Option<ConversationId>, Option<ConversationId>), Error> {
        let _snapshot = self.store.snapshot()?;
        match self.store.conversation(id)? {
            Some(row) => Ok(self.store.conversations_beside(&row)?),
            None => Ok((None, None)),
        }
    }

    /// Statistics over the messages and conversations `filter` selects: messages,
    /// conversations, visitors, median and 90th-percentile first-response time
    /// (nearest rank) and unanswered conversations, overall or by `by` (then a total
    /// row follows the groups).
    ///
    /// ```
    /// use plupper_archive::{Archive, Filter, GroupBy, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let rows = archive.stats(&Filter::default(), Some(GroupBy::Operator))?;
    /// assert_eq!(rows[0].group.as_deref(), Some("john"));
    /// assert_eq!((rows[0].messages, rows[0].conversations), (5, 2));
    /// assert_eq!(rows[0].median_first_response, Some(91));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stats(&self, filter: &Filter, by: Option<GroupBy>) -> Result<Vec<StatsRow>, Error> {
        let mut rows = self.stats_grouped(filter, &[by], |_| {})?;
        Ok(rows.pop().unwrap_or_default())
    }

    /// [`Archive::stats`] for several groupings at once (one list of rows each, in the
    /// order asked), reading the messages and the conversations once for all of them;
    /// `each` sees every selected conversation's summary on the way (for figures of
    /// one's own, as the web pages' response-time chart).
    ///
    /// ```
    /// use plupper_archive::{Archive, Filter, GroupBy, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let mut answered = 0;
    /// let rows = archive.stats_grouped(
    ///     &Filter::default(),
    ///     &[Some(GroupBy::Month), Some(GroupBy::Operator)],
    ///     |summary| answered += u64::from(summary.first_response.is_some()),
    /// )?;
    /// assert_eq!(rows[0], archive.stats(&Filter::default(), Some(GroupBy::Month))?);
    /// assert_eq!(rows[1], archive.stats(&Filter::default(), Some(GroupBy::Operator))?);
    /// assert_eq!(answered, rows[0].last().unwrap().answered);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stats_grouped(
        &self,
        filter: &Filter,
        by: &[Option<GroupBy>],
        mut each: impl FnMut(&ConversationSummary),
    ) -> Result<Vec<Vec<StatsRow>>, Error> {
        let snapshot = self.store.snapshot()?;
        let store = snapshot.store();
        let mut stats: Vec<Stats> = by.iter().map(|&by| Stats::new(by)).collect();
        let (_, messages) = executor::messages(store, filter, None)?;
        for stored in messages {
            let stored = stored?;
            stats.iter_mut().for_each(|s| s.add_message(&stored));
        }
        let selected = select(store, filter)?;
        for conversation in in_order(store, selected) {
            let summary = conversation?.summary;
            stats.iter_mut().for_each(|s| s.add_conversation(&summary));
            each(&summary);
        }
        Ok(stats.into_iter().map(Stats::rows).collect())
    }

    /// Checks the whole archive: the database file, every message against its original
    /// text, the integrity chain, the conversations, the content blocks, and the search
    /// index against the store. Problems are in the answer, not errors.
    ///
    /// ```
    /// use plupper_archive::{Archive, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let check = archive.verify()?;
    /// assert!(check.problems().is_empty());
    /// assert_eq!(check.store.messages, 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify(&self) -> Result<ArchiveCheck, Error> {
        Ok(verify_archive(&self.store)?)
    }

    /// Exports an evidence bundle of the messages `filter` selects into `dir` (made here;
    /// one that exists must be empty): the API response of their original elements byte
    /// for byte, NDJSON, CSV, their conversations whole with their originals, transcripts
    /// and a page for browsers, and a manifest of SHA-256s, signed with `key` when given.
    /// The export is recorded in the archive's integrity chain (the archive must be
    /// writable). Keep the returned manifest SHA-256: it proves the bundle later
    /// ([`verify_bundle`](crate::verify_bundle)). A failed export leaves nothing behind.
    ///
    /// ```
    /// use plupper_archive::{Archive, BundleProof, ExportInfo, Filter, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path().join("archive"))?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let info = ExportInfo {
    ///     tool: "my-audit 1.0".into(),
    ///     exported_at: "2026-11-25T12:00:00Z".into(),
    ///     given: vec![("operator".into(), "john".into())],
    /// };
    /// let bundle = dir.path().join("bundle");
    /// let sealed = archive.export(&Filter::default().operator("john"), &bundle, info, None)?;
    /// assert_eq!(sealed.manifest.counts.messages, 5);
    /// let proof = BundleProof { manifest_sha256: Some(sealed.manifest_sha256.clone()), key: None };
    /// let check = archive.verify_bundle(&bundle, &proof)?;
    /// assert!(check.differences.is_empty());
    /// assert_eq!(check.export.expect("recorded").entry.manifest_sha256, sealed.manifest_sha256);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn export(
        &mut self,
        filter: &Filter,
        dir: &Path,
        info: ExportInfo,
        key: Option<&SecretKey>,
    ) -> Result<Sealed, Error> {
        Ok(bundle::export(&mut self.store, filter, dir, info, key)?)
    }

    /// Checks an evidence bundle as [`verify_bundle`](crate::verify_bundle) does, and
    /// against this archive: exported from it, and recorded by it
    /// ([`BundleCheck::export`] names the record).
    pub fn verify_bundle(&self, dir: &Path, proof: &BundleProof) -> Result<BundleCheck, Error> {
        Ok(bundle::verify_bundle(
            dir,
            &proof.expected(Some(&self.store)),
        )?)
    }

    /// The evidence bundles exported from this archive, as its chain records them.
    pub fn exports(&self) -> Result<Vec<ExportRecord>, Error> {
        Ok(self.store.exports()?)
    }
}
