//! What can go wrong rendering a page, and the HTTP status each gives.

use plupper_archive::FilterError;

/// Why a page shows an error instead of its content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A filter parameter is invalid (a date, a visitor id, a parameter given twice).
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// A page parameter other than the filters' (`q`, `page`) is given more than once.
    #[error("parameter `{0}` is given more than once")]
    Duplicate(&'static str),
    /// `page` is not a positive integer.
    #[error("invalid `page`: `{0}` is not a positive integer")]
    PageNumber(String),
    /// `page` asks for hits beyond those a page may list.
    #[error("page {page} is beyond the first {max} pages: narrow the search with the filters")]
    PageTooFar {
        /// The page asked for.
        page: u64,
        /// The last page shown.
        max: u64,
    },
    /// An id in the path is not a positive integer.
    #[error("invalid {what} id `{text}`: expected a positive integer")]
    Id {
        /// `message` or `conversation`.
        what: &'static str,
        /// The id as written.
        text: String,
    },
    /// No conversation has this id.
    #[error("no conversation with id {0}")]
    NoConversation(String),
    /// No message has this id.
    #[error("no message with id {0}")]
    NoMessage(String),
    /// The archive could not answer.
    #[error(transparent)]
    Archive(#[from] plupper_archive::Error),
}

impl Error {
    /// The HTTP status of the page that shows this error: 400 for invalid input, 404
    /// for an id that names nothing, 500 when the archive fails.
    ///
    /// ```
    /// assert_eq!(plupper_web::Error::NoMessage("7".into()).status(), 404);
    /// assert_eq!(plupper_web::Error::Duplicate("q").status(), 400);
    /// ```
    pub fn status(&self) -> u16 {
        match self {
            Error::Filter(_)
            | Error::Duplicate(_)
            | Error::PageNumber(_)
            | Error::PageTooFar { .. }
            | Error::Id { .. } => 400,
            Error::NoConversation(_) | Error::NoMessage(_) => 404,
            Error::Archive(_) => 500,
        }
    }
}
