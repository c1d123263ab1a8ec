//! Paging: [`Page`] and [`paginate`], a stream that follows continuation tokens.

use std::future::Future;

use futures::{Stream, StreamExt, TryStreamExt};

use crate::Error;

/// One page of a paged operation: its items and the token of the next page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The token for the next page; `None` on the last page.
    pub continuation: Option<String>,
}

/// Follows continuation tokens from `first` (usually `None`): calls `fetch` for each page
/// until a page comes without a token, yielding the items one by one. An error ends the
/// stream after it is yielded.
pub fn paginate<'a, T, E, F, Fut>(
    first: Option<String>,
    fetch: F,
) -> impl Stream<Item = Result<T, Error<E>>> + Send + 'a
where
    T: Send + 'a,
    E: Send + 'a,
    F: FnMut(Option<String>) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T>, Error<E>>> + Send + 'a,
{
    futures::stream::try_unfold((fetch, Some(first)), next_page)
        .try_flatten()
        .boxed()
}

/// One step of [`paginate`]: fetches the page for `next` (if any) and the state after it.
async fn next_page<T, E, F, Fut>(
    (mut fetch, next): (F, Option<Option<String>>),
) -> Result<Option<(PageItems<T, E>, (F, Option<Option<String>>))>, Error<E>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error<E>>>,
{
    let Some(token) = next else {
        return Ok(None);
    };
    let page = fetch(token).await?;
    let next = page.continuation.filter(|c| !c.is_empty()).map(Some);
    let ok: fn(T) -> Result<T, Error<E>> = Ok;
    let items = futures::stream::iter(page.items.into_iter().map(ok));
    Ok(Some((items, (fetch, next))))
}

/// The items of one page, as a stream.
type PageItems<T, E> =
    futures::stream::Iter<std::iter::Map<std::vec::IntoIter<T>, fn(T) -> Result<T, Error<E>>>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::block_on;
    use std::sync::{Arc, Mutex};

    /// Pages `a,b` → `c` → `d` (tokens `p2`, `p3`), recording the tokens asked for.
    fn fetcher(
        asked: Arc<Mutex<Vec<Option<String>>>>,
    ) -> impl FnMut(Option<String>) -> futures::future::Ready<Result<Page<&'static str>, Error<()>>>
    {
        move |token: Option<String>| {
            asked.lock().expect("lock").push(token.clone());
            let page = match token.as_deref() {
                None => Page {
                    items: vec!["a", "b"],
                    continuation: Some("p2".to_owned()),
                },
                Some("p2") => Page {
                    items: vec!["c"],
                    continuation: Some("p3".to_owned()),
                },
                Some("p3") => Page {
                    items: vec!["d"],
                    continuation: None,
                },
                Some(other) => {
                    return futures::future::ready(Err(Error::InvalidInput(other.to_owned())));
                }
            };
            futures::future::ready(Ok(page))
        }
    }

    #[test]
    fn items_come_one_by_one_across_pages_until_a_page_has_no_token() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let items: Vec<&str> =
            block_on(paginate(None, fetcher(asked.clone())).try_collect()).expect("every page");
        assert_eq!(items, ["a", "b", "c", "d"]);
        assert_eq!(
            *asked.lock().expect("lock"),
            [None, Some("p2".to_owned()), Some("p3".to_owned())]
        );
    }

    #[test]
    fn a_stream_can_resume_from_a_token() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let items: Vec<&str> =
            block_on(paginate(Some("p3".to_owned()), fetcher(asked)).try_collect())
                .expect("the last page");
        assert_eq!(items, ["d"]);
    }

    #[test]
    fn an_error_is_yielded_and_ends_the_stream() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let results: Vec<Result<&str, Error<()>>> =
            block_on(paginate(Some("bad".to_owned()), fetcher(asked)).collect());
        assert_eq!(results.len(), 1);
        assert!(matches!(&results[0], Err(Error::InvalidInput(token)) if token == "bad"));
    }

    #[test]
    fn an_empty_token_ends_paging() {
        let calls = Arc::new(Mutex::new(0));
        let counter = calls.clone();
        let fetch = move |_: Option<String>| {
            *counter.lock().expect("lock") += 1;
            futures::future::ready(Ok::<_, Error<()>>(Page {
                items: vec![1],
                continuation: Some(String::new()),
            }))
        };
        let items: Vec<i32> = block_on(paginate(None, fetch).try_collect()).expect("one page");
        assert_eq!(items, [1]);
        assert_eq!(*calls.lock().expect("lock"), 1);
    }
}
