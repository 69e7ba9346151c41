//! Reading a file the user named (`--config`, `--openapi`, a scenario file): regular files
//! only, and never more than a limit.
//!
//! A FIFO would block the open (and the read) forever, and `/dev/zero` or `/proc` files report
//! a size of 0 while producing without end, so neither the size in the metadata nor a plain
//! `read_to_string` bounds anything. The file is opened without blocking, checked on the open
//! handle (no window for a swap between the check and the read), and read through
//! [`Read::take`].

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;
use std::time::SystemTime;

/// Reads the UTF-8 text of the regular file at `path`, refusing anything else (a directory, a
/// FIFO, a device, a socket) and anything longer than `max_bytes`. Error messages are whole
/// clauses meant to follow the file's name ("cannot read config file X: …").
pub fn read_text(path: &Path, max_bytes: u64) -> io::Result<String> {
    UserFile::open(path, max_bytes)?.read_text()
}

/// A regular file the user named, open and checked ([`UserFile::open`]), whose text can be
/// read whole and then read again in parts ([`UserFile::read_range`]): a large definition
/// need not be held in memory while it is imported. Every read goes through the handle
/// opened and checked once, so the path cannot be swapped for a FIFO or a device in between;
/// a file changed in place since it was opened is refused.
pub struct UserFile {
    file: File,
    /// Length and modification time when opened.
    len: u64,
    modified: Option<SystemTime>,
    max_bytes: u64,
}

impl UserFile {
    /// Opens the regular file at `path` without blocking, refusing anything else and anything
    /// longer than `max_bytes`.
    pub fn open(path: &Path, max_bytes: u64) -> io::Result<UserFile> {
        let file = open_nonblocking(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "it is {}, not a regular file; save the content to a file and name that file",
                    describe(&meta.file_type())
                ),
            ));
        }
        if meta.len() > max_bytes {
            return Err(too_large(max_bytes));
        }
        Ok(UserFile {
            file,
            len: meta.len(),
            modified: meta.modified().ok(),
            max_bytes,
        })
    }

    /// The whole file as UTF-8 text, from its start, never more than the limit.
    pub fn read_text(&self) -> io::Result<String> {
        let mut f = &self.file;
        f.seek(SeekFrom::Start(0))?;
        // Sized once (the length is at most `max_bytes`): growing by doubling would hold up
        // to twice a large file at the moment it is copied.
        let mut bytes =
            Vec::with_capacity(usize::try_from(self.len).unwrap_or(0).saturating_add(1));
        f.take(self.max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > self.max_bytes {
            return Err(too_large(self.max_bytes));
        }
        utf8(bytes, 0)
    }

    /// A reader of the file from its start, never more than the limit plus one byte (so that
    /// a caller counting bytes sees a file grown past the limit since it was opened): for a
    /// file parsed as it streams in, never held whole.
    pub fn reader(&self) -> io::Result<impl Read + '_> {
        let mut f = &self.file;
        f.seek(SeekFrom::Start(0))?;
        Ok(f.take(self.max_bytes.saturating_add(1)))
    }

    /// The bytes `range` of the file as UTF-8 text, after checking that the file is still
    /// the one that was read (same length and modification time).
    pub fn read_range(&self, range: Range<u64>) -> io::Result<String> {
        self.check_unchanged()?;
        if range.start > range.end || range.end > self.len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "bytes {}..{} are outside the file ({} bytes)",
                    range.start, range.end, self.len
                ),
            ));
        }
        let want =
            usize::try_from(range.end - range.start).map_err(|_| too_large(self.max_bytes))?;
        let mut bytes = vec![0; want];
        read_exact_at(&self.file, &mut bytes, range.start).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                changed()
            } else {
                e
            }
        })?;
        utf8(bytes, range.start)
    }

    /// Whether the file still has the length and modification time it had when opened.
    pub fn check_unchanged(&self) -> io::Result<()> {
        let meta = self.file.metadata()?;
        if meta.len() != self.len || meta.modified().ok() != self.modified {
            return Err(changed());
        }
        Ok(())
    }
}

/// Reads `buf.len()` bytes at `offset` (one `pread` on Unix: no seek, the handle's position
/// untouched).
#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_exact_at(mut file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

fn utf8(bytes: Vec<u8>, offset: u64) -> io::Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
                offset + e.utf8_error().valid_up_to() as u64
            ),
        )
    })
}

fn changed() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "it changed while it was being read; run the command again once it is saved",
    )
}

fn too_large(max_bytes: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "it is larger than {}, more than such a file can be; check that it is the right file",
            human_size(max_bytes)
        ),
    )
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes % (1 << 10) == 0 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer.
    // It has no effect on regular files, the only kind read further.
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

fn describe(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "hello").unwrap();
        assert_eq!(read_text(&p, 5).unwrap(), "hello");
        let err = read_text(&p, 4).unwrap_err().to_string();
        assert!(err.contains("larger than 4 bytes"), "{err}");
    }

    #[test]
    fn refuses_devices_directories_and_fifos_without_blocking() {
        let err = read_text(Path::new("/dev/zero"), 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("it is a device, not a regular file"),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let err = read_text(dir.path(), 10).unwrap_err().to_string();
        assert!(err.starts_with("it is a directory"), "{err}");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let err = read_text(&fifo, 10).unwrap_err().to_string();
        assert!(err.starts_with("it is a named pipe (FIFO)"), "{err}");
    }

    #[test]
    fn refuses_endless_files_that_report_size_zero() {
        // /proc files report a length of 0; reading stops at the limit.
        let p = Path::new("/proc/self/status");
        if p.exists() {
            let err = read_text(p, 16).unwrap_err().to_string();
            assert!(err.contains("larger than 16 bytes"), "{err}");
        }
    }

    #[test]
    fn names_invalid_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.bin");
        std::fs::write(&p, b"ab\xffcd").unwrap();
        let err = read_text(&p, 100).unwrap_err().to_string();
        assert!(err.contains("offset 2"), "{err}");
    }

    #[test]
    fn reads_ranges_again_and_refuses_a_file_changed_since() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.json");
        std::fs::write(&p, "{\"a\": \"é\"}").unwrap();
        let f = UserFile::open(&p, 100).unwrap();
        assert_eq!(f.read_text().unwrap(), "{\"a\": \"é\"}");
        assert_eq!(f.read_range(6..10).unwrap(), "\"é\"");
        assert_eq!(f.read_text().unwrap(), "{\"a\": \"é\"}");
        let err = f.read_range(6..20).unwrap_err().to_string();
        assert!(err.contains("outside the file"), "{err}");
        // Cut inside `é`: not text.
        let err = f.read_range(6..8).unwrap_err().to_string();
        assert!(err.contains("offset 7"), "{err}");

        std::fs::write(&p, "{\"a\": \"changed\"}").unwrap();
        let err = f.read_range(6..10).unwrap_err().to_string();
        assert!(err.contains("changed while it was being read"), "{err}");
        assert!(f.check_unchanged().is_err());
    }
}
