//! A file as a stream of chunks, for streamed request bodies and server downloads (feature
//! `stream`).

use bytes::{Bytes, BytesMut};
use futures::Stream;

/// The size of the chunks [`file_chunks`] reads.
const CHUNK: usize = 64 * 1024;

/// `file` from its current position to its end, as chunks of at most 64 KiB, read only as
/// the stream is polled.
pub(crate) fn file_chunks(
    file: tokio::fs::File,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    futures::stream::try_unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt as _;
        let mut buffer = BytesMut::with_capacity(CHUNK);
        let read = file.read_buf(&mut buffer).await?;
        Ok((read > 0).then(|| (buffer.freeze(), file)))
    })
}
