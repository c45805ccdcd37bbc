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
        /// What it names: `conversation`.
        what: &'static str,
        /// The id as written.
        text: String,
    },
    /// No conversation has this id.
    #[error("no conversation with id {0}")]
    NoConversation(String),
    /// The archive could not answer, or (a message id that is not one, no message with
    /// the id) said why not.
    #[error(transparent)]
    Archive(#[from] plupper_archive::Error),
}

impl Error {
    /// The HTTP status of the page that shows this error: 400 for invalid input, 404
    /// for an id that names nothing, 500 when the archive fails.
    ///
    /// ```
    /// use plupper_archive::Error as ArchiveError;
    ///
    /// assert_eq!(plupper_web::Error::NoConversation("7".into()).status(), 404);
    /// assert_eq!(plupper_web::Error::Duplicate("q").status(), 400);
    /// let gone = ArchiveError::NoMessage { id: "7".into() };
    /// assert_eq!(plupper_web::Error::Archive(gone).status(), 404);
    /// let bad = ArchiveError::InvalidId { written: "x".into() };
    /// assert_eq!(plupper_web::Error::Archive(bad).status(), 400);
    /// ```
    pub fn status(&self) -> u16 {
        match self {
            Error::Filter(_)
            | Error::Duplicate(_)
            | Error::PageNumber(_)
            | Error::PageTooFar { .. }
            | Error::Id { .. } => 400,
            Error::NoConversation(_) => 404,
            Error::Archive(plupper_archive::Error::NoMessage { .. }) => 404,
            Error::Archive(error) if error.is_invalid_input() => 400,
            Error::Archive(_) => 500,
        }
    }
}
