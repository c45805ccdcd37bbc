//! The error of one request: a status and a message, answered as `{"error": "..."}`
//! (contract §6), with the command line's message where it has one.

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

/// What went wrong with one request, as its client is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    /// The client went away: nobody is told.
    gone: bool,
}

impl ApiError {
    /// An error with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            gone: false,
        }
    }

    /// 400: the request's input is invalid.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 500: the server failed (the message is logged too).
    pub fn internal(message: String) -> ApiError {
        tracing::error!("{message}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// 503: the server is stopping.
    pub fn unavailable() -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping")
    }

    /// The client went away (or stopped reading): the work stops, nobody is answered.
    pub fn gone() -> ApiError {
        ApiError {
            gone: true,
            ..ApiError::new(StatusCode::REQUEST_TIMEOUT, "the client went away")
        }
    }

    /// Whether the client went away.
    pub fn is_gone(&self) -> bool {
        self.gone
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The JSON body of an error: `{"error":"..."}`.
pub(crate) fn error_body(message: &str) -> String {
    serde_json::json!({ "error": message }).to_string()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            [(CONTENT_TYPE, "application/json;charset=UTF-8")],
            error_body(&self.message),
        )
            .into_response()
    }
}

impl From<plupper_archive::Error> for ApiError {
    fn from(error: plupper_archive::Error) -> Self {
        match error {
            plupper_archive::Error::NoMessage { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, error.to_string())
            }
            error if error.is_invalid_input() => ApiError::bad_request(error.to_string()),
            error => ApiError::internal(error.to_string()),
        }
    }
}

impl From<std::io::Error> for ApiError {
    fn from(error: std::io::Error) -> Self {
        ApiError::internal(format!("cannot write the answer: {error}"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn archive_errors_take_the_status_of_their_kind() {
        let not_found = ApiError::from(plupper_archive::Error::NoMessage { id: "9".into() });
        assert_eq!(not_found.status(), StatusCode::NOT_FOUND);
        assert_eq!(not_found.message(), "no message with id 9");
        let invalid = ApiError::from(plupper_archive::Error::InvalidId {
            written: "x".into(),
        });
        assert_eq!(invalid.status(), StatusCode::BAD_REQUEST);
        let failed = ApiError::from(plupper_archive::Error::NoArchive {
            dir: "/nowhere".into(),
        });
        assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            error_body("a \"quoted\" word"),
            r#"{"error":"a \"quoted\" word"}"#
        );
    }
}
