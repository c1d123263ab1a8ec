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
/// until a page comes without a token (or with an empty one), yielding the items one by one.
/// An error ends the stream after it is yielded.
///
/// A service that sends back a token this stream has already followed (the one it just used,
/// or any earlier one: a cycle) would make the stream endless: the page's items are yielded,
/// then [`Error::Paging`] ends the stream instead of asking for that page again.
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
    let state = State {
        fetch,
        next: Next::Fetch(first),
        followed: Followed::default(),
        pages: 0,
    };
    futures::stream::try_unfold(state, next_page)
        .try_flatten()
        .boxed()
}

/// What the stream does next.
enum Next {
    /// Fetch the page of this token (`None`: the first page).
    Fetch(Option<String>),
    /// End with [`Error::Paging`] and this message.
    Fail(String),
    /// End.
    Done,
}

/// The tokens a stream has followed, as hashes keyed at random per stream (so that a
/// service cannot choose tokens that collide): a long listing costs 8 bytes per page, not a
/// copy of every token.
#[derive(Default)]
struct Followed {
    keys: std::hash::RandomState,
    hashes: std::collections::HashSet<u64>,
}

impl Followed {
    fn hash(&self, token: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.keys, token)
    }

    /// Records `token`; `false` when it was followed before.
    fn insert(&mut self, token: &str) -> bool {
        let hash = self.hash(token);
        self.hashes.insert(hash)
    }

    fn contains(&self, token: &str) -> bool {
        self.hashes.contains(&self.hash(token))
    }
}

/// The state of a [`paginate`] stream between pages.
struct State<F> {
    fetch: F,
    next: Next,
    followed: Followed,
    /// Pages fetched so far.
    pages: u64,
}

/// One step of [`paginate`]: fetches the page `state.next` names (if any) and decides what
/// follows it.
async fn next_page<T, E, F, Fut>(
    mut state: State<F>,
) -> Result<Option<(PageItems<T, E>, State<F>)>, Error<E>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error<E>>>,
{
    let token = match std::mem::replace(&mut state.next, Next::Done) {
        Next::Fetch(token) => token,
        Next::Fail(message) => return Err(Error::Paging(message)),
        Next::Done => return Ok(None),
    };
    if let Some(token) = &token {
        state.followed.insert(token);
    }
    let page = (state.fetch)(token.clone()).await?;
    state.pages += 1;
    let pages = state.pages;
    state.next = match page.continuation.filter(|c| !c.is_empty()) {
        None => Next::Done,
        Some(next) if Some(&next) == token.as_ref() => Next::Fail(format!(
            "page {pages} came with the continuation token it was asked with: following it \
             would return the same page forever"
        )),
        Some(next) if state.followed.contains(&next) => Next::Fail(format!(
            "page {pages} came with a continuation token this listing already followed: \
             following it would return the same pages forever"
        )),
        Some(next) => Next::Fetch(Some(next)),
    };
    let ok: fn(T) -> Result<T, Error<E>> = Ok;
    let items = futures::stream::iter(page.items.into_iter().map(ok));
    Ok(Some((items, state)))
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

    /// Pages that answer each token with the token `next` names, one item each (the token
    /// asked with), recording the tokens asked for.
    fn chain(
        next: fn(Option<&str>) -> Option<&'static str>,
        asked: Arc<Mutex<Vec<Option<String>>>>,
    ) -> impl FnMut(Option<String>) -> futures::future::Ready<Result<Page<String>, Error<()>>> {
        move |token: Option<String>| {
            asked.lock().expect("lock").push(token.clone());
            let continuation = next(token.as_deref()).map(str::to_owned);
            futures::future::ready(Ok(Page {
                items: vec![token.unwrap_or_else(|| "first".to_owned())],
                continuation,
            }))
        }
    }

    #[test]
    fn a_token_answered_with_itself_ends_the_stream_with_an_error() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        // first → "t" → "t" → "t"...
        let fetch = chain(|_| Some("t"), asked.clone());
        let results: Vec<Result<String, Error<()>>> = block_on(paginate(None, fetch).collect());
        let items: Vec<&str> = results
            .iter()
            .filter_map(|r| r.as_ref().ok().map(String::as_str))
            .collect();
        // Both pages' items come, then the error instead of asking for "t" again.
        assert_eq!(items, ["first", "t"]);
        assert_eq!(results.len(), 3);
        let Some(Err(Error::Paging(message))) = results.last() else {
            panic!("expected a paging error last: {results:?}");
        };
        assert!(message.contains("page 2"), "{message}");
        assert_eq!(*asked.lock().expect("lock"), [None, Some("t".to_owned())]);
    }

    #[test]
    fn a_resumed_stream_whose_token_comes_back_ends_with_an_error() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let fetch = chain(|_| Some("resume"), asked.clone());
        let results: Vec<Result<String, Error<()>>> =
            block_on(paginate(Some("resume".to_owned()), fetch).collect());
        assert_eq!(results.len(), 2);
        assert!(matches!(results[0], Ok(ref item) if item == "resume"));
        assert!(matches!(results[1], Err(Error::Paging(_))));
        assert_eq!(asked.lock().expect("lock").len(), 1);
    }

    #[test]
    fn a_cycle_of_several_tokens_ends_the_stream_with_an_error() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        // first → a → b → c → a → ...
        let fetch = chain(
            |token| match token {
                None | Some("c") => Some("a"),
                Some("a") => Some("b"),
                _ => Some("c"),
            },
            asked.clone(),
        );
        let results: Vec<Result<String, Error<()>>> = block_on(paginate(None, fetch).collect());
        assert_eq!(results.len(), 5, "{results:?}");
        assert!(matches!(results[4], Err(Error::Paging(ref m)) if m.contains("already followed")));
        assert_eq!(
            *asked.lock().expect("lock"),
            [
                None,
                Some("a".to_owned()),
                Some("b".to_owned()),
                Some("c".to_owned())
            ]
        );
    }

    #[test]
    fn distinct_tokens_are_followed_however_many() {
        let calls = Arc::new(Mutex::new(0u32));
        let counter = calls.clone();
        let fetch = move |_: Option<String>| {
            let mut n = counter.lock().expect("lock");
            *n += 1;
            let continuation = (*n < 1000).then(|| format!("token-{n}"));
            futures::future::ready(Ok::<_, Error<()>>(Page {
                items: vec![*n],
                continuation,
            }))
        };
        let items: Vec<u32> = block_on(paginate(None, fetch).try_collect()).expect("every page");
        assert_eq!(items.len(), 1000);
        assert_eq!(items.last(), Some(&1000));
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
