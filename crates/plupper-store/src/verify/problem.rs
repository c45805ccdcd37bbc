//! What `verify` finds: each [`Problem`] names the message, link, conversation or
//! content block and says what differs.

/// Something in the archive that is not as plupper-archive wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// SQLite's `integrity_check` reports damage to the file.
    Database(String),
    /// A column of a message holds a value plupper-archive never writes.
    Column {
        /// The message.
        id: i64,
        /// The column.
        column: &'static str,
        /// What it holds.
        found: String,
    },
    /// A message's original text does not parse any more.
    Unparsable {
        /// The message.
        id: i64,
        /// Why.
        reason: String,
    },
    /// A message's stored field differs from the value its original text gives.
    Field {
        /// The message.
        id: i64,
        /// The field (its API name, or the column for the date columns).
        field: &'static str,
        /// The value in the table.
        stored: String,
        /// The value read from the original text.
        derived: String,
    },
    /// A link's `previous_hash` is not the hash of the link before it.
    LinkBroken {
        /// The link.
        link: i64,
        /// The link before it (`None`: it is the first, which must follow the genesis hash).
        previous: Option<i64>,
    },
    /// A link's range cannot have been written: empty, overlapping the link before, or
    /// not as long as its count.
    LinkRange {
        /// The link.
        link: i64,
        /// Its first id.
        first: i64,
        /// Its last id.
        last: i64,
        /// Its count.
        added: u64,
    },
    /// The hash over a link's messages is not the hash it recorded.
    LinkHash {
        /// The link.
        link: i64,
        /// Its first id.
        first: i64,
        /// Its last id.
        last: i64,
    },
    /// Messages a link covers are not in the archive.
    Missing {
        /// The link that covers them.
        link: i64,
        /// The first missing id.
        first: i64,
        /// The last missing id of this run.
        last: i64,
    },
    /// A message no link covers.
    Unchained {
        /// The message.
        id: i64,
    },
    /// Archive ids were assigned after the last message and the last link.
    ChainCut {
        /// The last id the chain covers or the archive holds (0: none).
        chained: i64,
        /// The last id assigned.
        assigned: i64,
    },
    /// A message is not stored in the conversation the rule puts it in.
    Conversation {
        /// The message.
        message: i64,
        /// Where it is stored (`None`: in none).
        stored: Option<i64>,
        /// Where it belongs.
        derived: i64,
    },
    /// A conversation's row is not what its messages make.
    ConversationRow {
        /// The conversation.
        conversation: i64,
        /// What differs.
        reason: String,
    },
    /// An export's record and its chain link do not agree.
    Export {
        /// The chain link (the export's number).
        link: i64,
        /// What differs.
        reason: &'static str,
    },
    /// A content block is not what the messages of its ids make, or is missing.
    ContentBlock {
        /// The first message id it covers (of a run of missing blocks, the first's).
        first: i64,
        /// The last message id it covers.
        last: i64,
        /// What differs.
        reason: &'static str,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Database(line) => {
                write!(f, "database file: SQLite integrity_check says: {line}")
            }
            Problem::Column { id, column, found } => write!(
                f,
                "message {id}: column `{column}` holds {found}, which plupper-archive never writes"
            ),
            Problem::Unparsable { id, reason } => {
                write!(
                    f,
                    "message {id}: its original text no longer parses ({reason})"
                )
            }
            Problem::Field {
                id,
                field,
                stored,
                derived,
            } => write!(
                f,
                "message {id}: `{field}` is {stored} in the table but {derived} in its original text"
            ),
            Problem::LinkBroken {
                link,
                previous: Some(previous),
            } => write!(
                f,
                "chain link {link}: its previous hash is not the hash of link {previous} (a link was changed, removed or inserted)"
            ),
            Problem::LinkBroken {
                link,
                previous: None,
            } => write!(
                f,
                "chain link {link}: it is the first link but does not follow the genesis hash (links before it were removed)"
            ),
            Problem::LinkRange {
                link,
                first,
                last,
                added,
            } => {
                let s = if *added == 1 { "" } else { "s" };
                write!(
                    f,
                    "chain link {link}: records {added} message{s} with ids {first} to {last}, which no writer records"
                )
            }
            Problem::LinkHash { link, first, last } => write!(
                f,
                "chain link {link} (messages {first} to {last}): the hash of the messages is not the recorded hash (a message or the link was changed)"
            ),
            Problem::Missing { link, first, last } if first == last => write!(
                f,
                "message {first} is missing (chain link {link} records it)"
            ),
            Problem::Missing { link, first, last } => write!(
                f,
                "messages {first} to {last} are missing (chain link {link} records them)"
            ),
            Problem::Export { link, reason } => write!(f, "export {link}: {reason}"),
            Problem::Unchained { id } => write!(
                f,
                "message {id}: no chain link records it (it was added outside plupper-archive)"
            ),
            Problem::ChainCut { chained, assigned } => write!(
                f,
                "archive ids up to {assigned} were assigned, but the archive and its chain end at {chained} (the newest messages were removed with their links)"
            ),
            Problem::Conversation {
                message,
                stored: Some(stored),
                derived,
            } => write!(
                f,
                "message {message}: stored in conversation {stored}, but its messages put it in conversation {derived}"
            ),
            Problem::Conversation {
                message,
                stored: None,
                derived,
            } => write!(
                f,
                "message {message}: in no conversation, but its messages put it in conversation {derived}"
            ),
            Problem::ConversationRow {
                conversation,
                reason,
            } => {
                write!(f, "conversation {conversation}: {reason}")
            }
            Problem::ContentBlock {
                first,
                last,
                reason,
            } => write!(f, "content block of messages {first} to {last}: {reason}"),
        }
    }
}
