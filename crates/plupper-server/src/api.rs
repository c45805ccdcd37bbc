//! The API's own URLs (contract §6): `GET /resources/message?QUERY` and
//! `GET /resources/message/{id}`, answered byte for byte as `query --params 'QUERY'
//! --format api` and `show {id} --format api` print them (both write through
//! [`plupper_archive::api`]). Handlers only extract, call the facade, and map its error.

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use plupper_archive::api::{self, ApiList, parse_message_id};
use plupper_archive::{Error, Filter};

use crate::state::{Answer, CHUNK};
use crate::{ApiError, AppState};

/// The API's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/resources/message", get(messages))
        .route("/resources/message/{id}", get(message))
}

fn json(body: Body) -> Response {
    ([(CONTENT_TYPE, api::CONTENT_TYPE)], body).into_response()
}

/// `GET /resources/message?QUERY`: the matching messages, streamed.
async fn messages(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let filter = Filter::from_query_string(query.as_deref().unwrap_or_default(), state.today())
        .map_err(Error::from)?;
    let answer = state
        .stream(move |archive, sink| {
            let mut list = ApiList::begin(Vec::with_capacity(CHUNK + 4096))?;
            for stored in archive.query(&filter)? {
                list.push(&stored?)?;
                if list.get_mut().len() >= CHUNK {
                    let chunk = std::mem::replace(list.get_mut(), Vec::with_capacity(CHUNK + 4096));
                    sink.send(chunk)?;
                }
            }
            sink.send(list.finish()?)
        })
        .await?;
    Ok(json(match answer {
        Answer::Whole(bytes) => Body::from(bytes),
        Answer::Streamed { first, receiver } => {
            let rest = futures_util::stream::unfold(receiver, |mut receiver| async move {
                receiver.recv().await.map(|chunk| (chunk, receiver))
            });
            let first =
                futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(first) });
            Body::from_stream(futures_util::StreamExt::chain(first, rest))
        }
    }))
}

/// `GET /resources/message/{id}`: one message's object text.
async fn message(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(written) = id.map_err(|rejection| {
        ApiError::bad_request(format!(
            "invalid message id: {}",
            rejection.body_text().to_lowercase()
        ))
    })?;
    let id = parse_message_id(&written)?;
    let stored = state
        .blocking(move |archive| archive.message(id))
        .await??
        .ok_or_else(|| Error::NoMessage { id: id.to_string() })?;
    Ok(json(Body::from(api::single(&stored))))
}
