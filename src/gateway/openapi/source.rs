//! Where the import gets a definition's text: [`DefinitionText`].
//!
//! A large export is imported without its text in memory while the model is built: the
//! import reads the text once, notes where each path item is (a byte range, for JSON), lets
//! the text go, and asks for each item again by its range. `gateway` does no I/O: the caller
//! implements the trait (a file re-read at the ranges, see `aws::file`), or lends text it
//! holds (`&str`).

use std::borrow::Cow;
use std::io;
use std::ops::Range;

/// A definition's text, which the import may ask for more than once.
pub trait DefinitionText {
    /// The whole text. Called once per import, and once more only when the import needs the
    /// whole document after all (a `$ref` into `paths`) or the line of an error. An error's
    /// text is one sentence saying what to do; the import reports it as the document's.
    fn whole(&mut self) -> io::Result<Cow<'_, str>>;

    /// The bytes `range` of the whole text: always a range the import found in it, on
    /// character boundaries. An error is one sentence saying what to do (a file that changed
    /// since it was read).
    fn range(&mut self, range: Range<usize>) -> io::Result<Cow<'_, str>>;
}

/// Text in memory, lent.
impl DefinitionText for &str {
    fn whole(&mut self) -> io::Result<Cow<'_, str>> {
        Ok(Cow::Borrowed(self))
    }

    fn range(&mut self, range: Range<usize>) -> io::Result<Cow<'_, str>> {
        let (start, end) = (range.start, range.end);
        self.get(range).map(Cow::Borrowed).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bytes {start}..{end} are not part of the text"),
            )
        })
    }
}
