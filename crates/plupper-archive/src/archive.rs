//! Opening an archive, reading messages, and answering the API's filters.

use std::path::Path;

use plupper_index::{Freshness, UpdateProgress, UpdateReport, freshness, update};
use plupper_model::wire::MessageView;
use plupper_search::executor::{self, Answer, Route};
use plupper_store::{
    ArchiveId, ConversationId, DATABASE_FILE, QuarantineEntry, Store, StoredMessage,
};

use crate::{Error, Filter};

/// An archive directory: the SQLite store of every message (the truth) and the search
/// index derived from it.
///
/// An `Archive` is one connection to the archive: open one per thread or process. SQLite
/// lets many readers and one writer work at once, and every answer is read from one
/// consistent snapshot.
#[derive(Debug)]
pub struct Archive {
    pub(crate) store: Store,
}

/// `dir`, when it holds an archive; else [`Error::NoArchive`].
fn existing(dir: &Path) -> Result<&Path, Error> {
    if dir.join(DATABASE_FILE).is_file() {
        Ok(dir)
    } else {
        Err(Error::NoArchive {
            dir: dir.to_owned(),
        })
    }
}

impl Archive {
    /// Opens the archive in `dir`, which must exist: a directory without one is
    /// [`Error::NoArchive`], so that a mistyped path never looks like an empty archive.
    /// An archive this process cannot write is opened read-only
    /// ([`Archive::is_read_only`]).
    ///
    /// ```
    /// use plupper_archive::{Archive, Error};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let error = Archive::open(dir.path()).unwrap_err();
    /// assert!(matches!(error, Error::NoArchive { .. }));
    /// assert_eq!(error.to_string(), format!("no archive in {}", dir.path().display()));
    ///
    /// Archive::create(dir.path())?;
    /// let archive = Archive::open(dir.path())?;
    /// assert_eq!(archive.message_count()?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(dir: impl AsRef<Path>) -> Result<Archive, Error> {
        Ok(Archive {
            store: Store::open(existing(dir.as_ref())?)?,
        })
    }

    /// Opens the archive in `dir`, creating it (and the directory, with its parents,
    /// readable by its owner only) when there is none.
    ///
    /// ```
    /// use plupper_archive::Archive;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let archive = Archive::create(dir.path().join("a/new/archive"))?;
    /// assert!(archive.dir().join("archive.sqlite3").is_file());
    /// assert!(!archive.is_read_only());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create(dir: impl AsRef<Path>) -> Result<Archive, Error> {
        Ok(Archive {
            store: Store::open(dir.as_ref())?,
        })
    }

    /// Opens the archive in `dir` for reading only, also when this process could write
    /// it: it answers, and everything that would write fails
    /// ([`Error::Store`] holding `StoreError::ReadOnly`). Its schema must be current.
    ///
    /// ```
    /// use plupper_archive::{Archive, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// Archive::create(dir.path())?.import(&["../../data/seed.json"], &NoProgress)?;
    /// let mut archive = Archive::open_read_only(dir.path())?;
    /// assert!(archive.is_read_only());
    /// assert_eq!(archive.message_count()?, 5);
    /// assert!(archive.import(&["../../data/seed.json"], &NoProgress).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_read_only(dir: impl AsRef<Path>) -> Result<Archive, Error> {
        Ok(Archive {
            store: Store::open_read_only(existing(dir.as_ref())?)?,
        })
    }

    /// Opens the archive in `dir` to answer queries, as cheaply as it can: without write
    /// access when its schema is current (so a short-lived process neither checkpoints
    /// nor removes the database's WAL files when it ends), otherwise as [`Archive::open`]
    /// does. An archive
    /// opened so answers every query, but [`Archive::search`] cannot bring its index up
    /// to date and nothing can be added to it: open it with [`Archive::open`] for that.
    ///
    /// ```
    /// use plupper_archive::{Archive, Filter, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// Archive::create(dir.path())?.import(&["../../data/seed.json"], &NoProgress)?;
    /// let archive = Archive::open_to_read(dir.path())?;
    /// assert_eq!(archive.count(&Filter::default().operator("john"))?, 5);
    /// assert!(archive.is_read_only());
    /// assert!(Archive::open_to_read(dir.path().join("typo")).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_to_read(dir: impl AsRef<Path>) -> Result<Archive, Error> {
        Ok(Archive {
            store: Store::open_to_read(existing(dir.as_ref())?)?,
        })
    }

    /// How many messages match `filter`, counted by the search index alone without
    /// opening the archive in `dir`: when the index would count it ([`Archive::count`]
    /// takes the same route) and the database file says, in its header, that no write is
    /// in progress and that the index holds exactly the archived messages
    /// (`plupper_store::mark`). SQLite parses the archive's whole schema at every open,
    /// which costs a process that asks one count more than the count; a server, which
    /// keeps its archive open, has no use for this. `None`: open the archive and ask
    /// [`Archive::count`], which gives the same answer, or says why the index cannot.
    ///
    /// ```
    /// use plupper_archive::{Archive, Filter, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?; // indexes too
    /// let filter = Filter::default().contains("HELP");
    /// // While the archive is open to write, its database file does not say.
    /// assert_eq!(Archive::count_from_index(dir.path(), &filter), None);
    /// drop(archive);
    /// assert_eq!(Archive::count_from_index(dir.path(), &filter), Some(1));
    /// // A visitor's messages are the store's to count.
    /// assert_eq!(Archive::count_from_index(dir.path(), &Filter::default().visitor_id(5)), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count_from_index(dir: impl AsRef<Path>, filter: &Filter) -> Option<u64> {
        executor::count_from_index(dir.as_ref(), filter)
    }

    /// Ends this handle in a process that is about to exit: opened without write access,
    /// its connection is left for the exit to free, at less cost than closing it; a
    /// writer is closed as when dropped ([`Store::close_at_exit`]). Not for a process
    /// that goes on.
    pub fn close_at_exit(self) {
        self.store.close_at_exit();
    }

    /// The archive directory.
    pub fn dir(&self) -> &Path {
        self.store.dir()
    }

    /// Whether the archive is opened without write access.
    pub fn is_read_only(&self) -> bool {
        self.store.is_read_only()
    }

    /// The number of archived messages.
    pub fn message_count(&self) -> Result<u64, Error> {
        Ok(self.store.message_count()?)
    }

    /// The archive's uuid: made when the archive was created, never changed.
    pub fn uuid(&self) -> Result<String, Error> {
        Ok(self.store.info()?.uuid)
    }

    /// One message by its archive id; `None` when no message has that id.
    ///
    /// ```
    /// use plupper_archive::{Archive, ArchiveId, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let second = archive.message(ArchiveId(2))?.expect("archived");
    /// assert_eq!(second.message.content, "Hi");
    /// assert!(archive.message(ArchiveId(99))?.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn message(&self, id: ArchiveId) -> Result<Option<StoredMessage>, Error> {
        Ok(self.store.message(id)?)
    }

    /// The elements that could not be archived, kept verbatim with the reason and where
    /// they came from, in the order they were met.
    ///
    /// ```
    /// use plupper_archive::{Archive, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let file = dir.path().join("one-bad.json");
    /// std::fs::write(&file, r#"[{"content":"Hi","created":"Wed Apr 31 17:16:13 CEST 2009","type":"VO"}]"#)?;
    /// let mut archive = Archive::create(dir.path().join("archive"))?;
    /// assert_eq!(archive.import(&[file], &NoProgress)?.quarantined(), 1);
    /// let entries = archive.quarantine()?;
    /// assert_eq!(entries.len(), 1);
    /// assert!(entries[0].reason.contains("Apr 31"), "{}", entries[0].reason);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn quarantine(&self) -> Result<Vec<QuarantineEntry>, Error> {
        Ok(self.store.quarantine()?)
    }

    /// How many entries the quarantine holds (without reading their texts).
    ///
    /// ```
    /// use plupper_archive::{Archive, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let file = dir.path().join("bad.json");
    /// std::fs::write(&file, "[42, \"not an object\", 42]")?;
    /// let mut archive = Archive::create(dir.path().join("archive"))?;
    /// archive.import(&[file], &NoProgress)?;
    /// // Each exact text is kept once.
    /// assert_eq!(archive.quarantine_count()?, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn quarantine_count(&self) -> Result<u64, Error> {
        Ok(self.store.quarantine_count()?)
    }

    /// The conversation message `id` belongs to; `None` when no message has that id.
    ///
    /// ```
    /// use plupper_archive::{Archive, ArchiveId, ConversationId, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// // Two chats a day apart: messages 1 to 3, then 4 and 5.
    /// assert_eq!(archive.conversation_of(ArchiveId(2))?, Some(ConversationId(1)));
    /// assert_eq!(archive.conversation_of(ArchiveId(5))?, Some(ConversationId(4)));
    /// assert_eq!(archive.conversation_of(ArchiveId(6))?, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn conversation_of(&self, id: ArchiveId) -> Result<Option<ConversationId>, Error> {
        Ok(self.store.conversation_of(id)?)
    }

    /// The messages matching `filter`, streamed in the API's order (instant ascending,
    /// unknown instants by wall clock as UTC, ties in archive order). A filter with
    /// `contains` is answered from the search index when it is current and from the
    /// store otherwise; the answer is the same ([`Messages::route`] says which).
    ///
    /// ```
    /// use plupper_archive::{Archive, Filter, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let filter = Filter::default().operator("john").contains("help");
    /// let contents: Vec<String> = archive
    ///     .query(&filter)?
    ///     .map(|stored| stored.map(|stored| stored.message.content))
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(contents, ["Hi, how can i help you ?"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn query(&self, filter: &Filter) -> Result<Messages<'_>, Error> {
        self.query_first(filter, None)
    }

    /// [`Archive::query`], at most the first `limit` messages of the answer (the index
    /// then reads no more than it needs).
    ///
    /// ```
    /// use plupper_archive::{Archive, Filter, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let first_two = archive.query_first(&Filter::default(), Some(2))?.count();
    /// assert_eq!(first_two, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn query_first(&self, filter: &Filter, limit: Option<u64>) -> Result<Messages<'_>, Error> {
        let (route, answer) = executor::messages(&self.store, filter, limit)?;
        Ok(Messages { route, answer })
    }

    /// How many messages match `filter`: the length of [`Archive::query`]'s answer,
    /// counted without reading the messages.
    ///
    /// ```
    /// use plupper_archive::{Archive, Filter, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// assert_eq!(archive.count(&Filter::default())?, 5);
    /// assert_eq!(archive.count(&Filter::default().contains("HELP"))?, 1); // any case
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count(&self, filter: &Filter) -> Result<u64, Error> {
        self.count_routed(filter).map(|(count, _)| count)
    }

    /// [`Archive::count`], and which path answered: the index for a `contains` filter,
    /// or an operator or customer id, when it is current; the store otherwise.
    ///
    /// ```
    /// use plupper_archive::{Archive, Filter, NoProgress, Route};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// assert_eq!(archive.count_routed(&Filter::default().contains("help"))?, (1, Route::Index));
    /// // A needle of one or two characters is the store's (its content blocks).
    /// assert_eq!(archive.count_routed(&Filter::default().contains("hi"))?, (3, Route::Store));
    /// assert_eq!(archive.count_routed(&Filter::default().operator("john"))?, (5, Route::Index));
    /// // A visitor's messages are the store's (its B-tree index gives them in order).
    /// assert_eq!(archive.count_routed(&Filter::default().visitor_id(5))?.1, Route::Store);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count_routed(&self, filter: &Filter) -> Result<(u64, Route), Error> {
        let (route, count) = executor::count(&self.store, filter)?;
        Ok((count, route))
    }

    /// How the search index stands against the archive.
    ///
    /// ```
    /// use plupper_archive::{Archive, Freshness, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// assert_eq!(archive.index_freshness()?, Freshness::Missing);
    /// archive.import(&["../../data/seed.json"], &NoProgress)?; // brings it up to date
    /// assert_eq!(archive.index_freshness()?, Freshness::Current);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn index_freshness(&self) -> Result<Freshness, Error> {
        Ok(freshness(&self.store)?)
    }

    /// Brings the search index up to date with the archive (adds what it lacks), or
    /// rebuilds it from the archive when `rebuild` is set or it cannot be used as it is.
    /// Waits for another process that is updating it.
    ///
    /// ```
    /// use plupper_archive::{Archive, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let report = archive.update_index(true, &NoProgress)?;
    /// assert!(report.rebuilt);
    /// assert_eq!((report.indexed, report.last_id), (5, 5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn update_index(
        &self,
        rebuild: bool,
        progress: &dyn UpdateProgress,
    ) -> Result<UpdateReport, Error> {
        Ok(update(&self.store, rebuild, progress)?)
    }
}

/// The answer of [`Archive::query`]: the matching messages in the API's order. Memory does
/// not grow with the answer.
pub struct Messages<'a> {
    route: Route,
    answer: Answer<'a>,
}

impl Messages<'_> {
    /// Which path answers: the index, the store (no `contains`), or the store because the
    /// index could not (and why).
    pub fn route(&self) -> &Route {
        &self.route
    }

    /// Calls `visit` with each message of the rest of the answer, in answer order,
    /// borrowed ([`MessageView`]): what a listing prints, read without building a
    /// [`StoredMessage`] where the index answered (the store's rows are read straight).
    /// Stops at `visit`'s first error.
    ///
    /// ```
    /// use plupper_archive::{Archive, Error, Filter, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let mut lines = Vec::new();
    /// let mut scratch = String::new();
    /// archive
    ///     .query(&Filter::default().contains("help"))?
    ///     .visit(|view| {
    ///         view.write_ndjson(&mut lines, &mut scratch);
    ///         Ok::<(), Error>(())
    ///     })?;
    /// assert_eq!(
    ///     String::from_utf8(lines)?,
    ///     concat!(
    ///         r#"{"id":3,"content":"Hi, how can i help you ?","customerId":null,"#,
    ///         r#""created":"Wed Apr 29 17:17:44 CEST 2009","visitorId":32751,"type":"VT","#,
    ///         r#""operator":"john","timestamp":"2009-04-29T17:17:44+02:00"}"#,
    ///         "\n"
    ///     )
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn visit<E: From<Error>>(
        self,
        mut visit: impl FnMut(&MessageView<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.answer
            .visit(|view| visit(view).map_err(Visited))
            .map_err(|Visited(error)| error)
    }
}

impl Messages<'_> {
    /// The rest of the answer as `ndjson` (one [`MessageView::write_ndjson`] line per
    /// message, in answer order), handed to `emit` some lines at a time with how many
    /// each piece holds; stops at `emit`'s first error. What [`Messages::visit`] gives,
    /// written out, but where the index answered, a long answer is read and written on
    /// two threads, each with its own connection to the archive, when the machine has
    /// two cores: the same bytes, sooner.
    ///
    /// ```
    /// use std::io::Write;
    /// use plupper_archive::{Archive, Error, Filter, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let (mut out, mut written) = (Vec::new(), 0);
    /// archive
    ///     .query(&Filter::default().contains("help"))?
    ///     .write_ndjson(|lines, count| {
    ///         out.write_all(lines).expect("a Vec takes every write");
    ///         written += count;
    ///         Ok::<(), Error>(())
    ///     })?;
    /// assert_eq!(written, 1);
    /// assert!(String::from_utf8(out)?.starts_with(r#"{"id":3,"content":"Hi, how can i help you ?""#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_ndjson<E: From<Error>>(
        self,
        mut emit: impl FnMut(&[u8], u64) -> Result<(), E>,
    ) -> Result<(), E> {
        self.answer
            .write_ndjson(|lines, count| emit(lines, count).map_err(Visited))
            .map_err(|Visited(error)| error)
    }
}

/// An error of a [`Messages::visit`] caller, or of the store as the caller's.
struct Visited<E>(E);

impl<E: From<Error>> From<plupper_store::StoreError> for Visited<E> {
    fn from(error: plupper_store::StoreError) -> Self {
        Visited(E::from(Error::from(error)))
    }
}

impl std::fmt::Debug for Messages<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messages")
            .field("route", &self.route)
            .finish_non_exhaustive()
    }
}

impl Iterator for Messages<'_> {
    type Item = Result<StoredMessage, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.answer.next().map(|item| item.map_err(Error::from))
    }
}
