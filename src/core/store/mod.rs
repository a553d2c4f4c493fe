//! The id store: a text file of processed event ids, locked while a run uses it.

mod format;

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

pub use format::{StoredIds, push_store_line};

use crate::core::escape::escape_path;

/// How often a run checks whether another process has released the store's lock.
const LOCK_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Options for opening a store.
#[derive(Debug, Clone, Copy, Default)]
pub struct StoreOptions {
    /// Read the store under a shared lock and never write or create it.
    pub dry_run: bool,
    /// How long to wait for another process's conflicting lock before failing.
    pub wait_lock: Duration,
}

/// A store failure. Each message names the store and the next step to take.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {path} is {kind}, not a regular file; pass --store with the path of a file")]
    NotAFile { path: String, kind: &'static str },

    #[error("cannot open store {path}: {source}; {hint}")]
    Open {
        path: String,
        source: io::Error,
        hint: &'static str,
    },

    #[error(
        "store {path} is locked: another process is using it; wait for it to finish, or pass --wait-lock SECONDS to wait for it"
    )]
    Locked { path: String },

    #[error(
        "store {path} is still locked by another process after waiting {seconds} s; wait for that process to finish, or pass a longer --wait-lock"
    )]
    StillLocked { path: String, seconds: f64 },

    #[error("cannot lock store {path}: {source}; check that its file system supports file locks")]
    Lock { path: String, source: io::Error },

    #[error("cannot read store {path}: {source}; fix the file or its permissions and run again")]
    Read { path: String, source: io::Error },

    #[error("store {path} is larger than 4 GiB; split it or start a new store with --store")]
    TooLarge { path: String },

    #[error(
        "cannot write store {path}: {source}; free some space or raise the file size limit, then run again{cleanup}"
    )]
    Write {
        path: String,
        source: io::Error,
        /// A note on the partial line, when cutting it off failed too.
        cleanup: String,
    },

    #[error(
        "cannot sync store {path} to disk: {source}; the ids written may not survive a power loss, so check the disk"
    )]
    Sync { path: String, source: io::Error },

    #[error(
        "store {path} was replaced or removed while this run held it; nothing more is written to it, so check which process changed it"
    )]
    Replaced { path: String },

    #[error("store {path} changed outside this session ({detail}); step back is refused and the file is left as it is")]
    ChangedOutside { path: String, detail: String },
}

/// Bytes a run appended to the store, as returned by [`Store::append`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// File length before the append.
    pub start: u64,
    /// File length after the append.
    pub end: u64,
    /// Whether a `\n` was written first because the file did not end with one.
    pub added_newline: bool,
}

/// A failed append, after any partial line was cut off again.
#[derive(Debug)]
pub struct AppendError {
    /// Bytes of the appended lines, counted from their start, that are in the
    /// file as whole lines. A line is either in the file whole or not at all.
    pub complete_bytes: usize,
    pub error: StoreError,
}

/// An open store. A live store holds the file's exclusive lock until dropped; a
/// dry-run store holds a shared lock, or nothing when the file does not exist.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    file: Option<File>,
    dry_run: bool,
    created: bool,
    len: u64,
    ends_with_newline: bool,
}

impl Store {
    /// Opens and locks the store at `path`, then reads every id in it.
    ///
    /// A live run creates a missing file. A file that exists but cannot be opened,
    /// locked or read is an error, never an empty store, because starting from
    /// scratch would process every event again.
    pub fn open(path: &Path, options: StoreOptions) -> Result<(Store, StoredIds), StoreError> {
        reject_non_regular(path, std::fs::metadata(path))?;

        let opened = if options.dry_run {
            open_existing_read_only(path)?
        } else {
            Some(open_or_create(path)?)
        };
        let Some((mut file, created)) = opened else {
            let store = Store {
                path: path.to_owned(),
                file: None,
                dry_run: true,
                created: false,
                len: 0,
                ends_with_newline: true,
            };
            return Ok((store, StoredIds::default()));
        };
        reject_non_regular(path, file.metadata())?;

        lock(&file, path, options)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|source| StoreError::Read {
            path: escape_path(path),
            source,
        })?;
        let len = bytes.len() as u64;
        let ends_with_newline = bytes.last().is_none_or(|&b| b == b'\n');
        let ids = StoredIds::parse(bytes).map_err(|_| StoreError::TooLarge {
            path: escape_path(path),
        })?;

        let store = Store {
            path: path.to_owned(),
            file: Some(file),
            dry_run: options.dry_run,
            created,
            len,
            ends_with_newline,
        };
        Ok((store, ids))
    }

    /// Returns the store's path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns whether this store is never written.
    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }

    /// Current length of the file in bytes, as this run wrote it.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// File offset at which the next appended line will start, after the `\n`
    /// that [`Store::append`] adds when the file does not end with one.
    pub fn append_offset(&self) -> u64 {
        self.len + u64::from(!self.ends_with_newline)
    }

    /// Returns whether the file is empty or missing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends whole store lines (each ended by `\n`) in one `write` call where
    /// the kernel takes it all, so that a line is never split between two writes
    /// of this run and other readers see whole lines.
    ///
    /// On failure any partial line is cut off again, and the error counts the
    /// bytes of `lines` that are in the file as whole lines. In a dry run nothing
    /// is written.
    pub fn append(&mut self, lines: &[u8]) -> Result<Appended, AppendError> {
        if self.dry_run || lines.is_empty() {
            return Ok(Appended {
                start: self.len,
                end: self.len,
                added_newline: false,
            });
        }
        let fail = |error| AppendError {
            complete_bytes: 0,
            error,
        };
        let file_len = self.check_not_replaced().map_err(fail)?;
        if file_len != self.len {
            // A process that ignores the lock changed the file: append after
            // what it wrote, on a new line, instead of onto its last line.
            self.resync_end(file_len).map_err(fail)?;
        }
        let start = self.len;
        let Some(file) = self.file.as_ref() else {
            return Err(fail(self.write_error(io::ErrorKind::NotFound.into())));
        };

        let added_newline = !self.ends_with_newline;
        let mut buffer = Vec::with_capacity(lines.len() + 1);
        if added_newline {
            buffer.push(b'\n');
        }
        buffer.extend_from_slice(lines);

        let (written, failure) = write_all_counted(file, &buffer);
        if let Some(error) = failure {
            return Err(self.cut_partial_write(start, &buffer, written, error));
        }

        self.len = start + buffer.len() as u64;
        self.ends_with_newline = true;
        Ok(Appended {
            start,
            end: self.len,
            added_newline,
        })
    }

    /// Cuts the file back to its last whole line after a write that reached the
    /// file only in part, and builds the error to return.
    fn cut_partial_write(&mut self, start: u64, buffer: &[u8], written: usize, error: io::Error) -> AppendError {
        let prefix = usize::from(!self.ends_with_newline);
        let whole = buffer[..written]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |at| at + 1);
        let keep = if whole > prefix { whole } else { 0 };
        let keep_len = start + keep as u64;

        let mut cleanup = String::new();
        let mut file_len = start + written as u64;
        if written > keep {
            match self.file.as_ref().map(|file| file.set_len(keep_len)) {
                Some(Ok(())) => file_len = keep_len,
                Some(Err(cut_error)) => {
                    cleanup = format!(
                        " (cutting off the partial line failed too: {cut_error}; the next run reads the store with a warning about its last line)"
                    );
                }
                None => {}
            }
        }
        self.len = file_len;
        // The file now ends with the last byte of the buffer that is still in it:
        // a whole line's `\n` after a cut, or the partial line when the cut failed.
        let in_file = (file_len - start) as usize;
        if in_file > 0 {
            self.ends_with_newline = buffer[in_file - 1] == b'\n';
        }

        AppendError {
            complete_bytes: keep.saturating_sub(prefix),
            error: StoreError::Write {
                path: escape_path(&self.path),
                source: error,
                cleanup,
            },
        }
    }

    /// Syncs the file to disk, and its directory too when this run created it, so
    /// that the ids written survive a power loss. Does nothing in a dry run.
    pub fn sync(&mut self) -> Result<(), StoreError> {
        let Some(file) = self.file.as_ref().filter(|_| !self.dry_run) else {
            return Ok(());
        };
        let sync_error = |source| StoreError::Sync {
            path: escape_path(&self.path),
            source,
        };
        file.sync_all().map_err(sync_error)?;
        if self.created {
            let parent = match self.path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            };
            File::open(parent).and_then(|dir| dir.sync_all()).map_err(sync_error)?;
            self.created = false;
        }
        Ok(())
    }

    /// Undoes an append: cuts the file back to `appended.start`, after checking
    /// that the file still has exactly that length plus the bytes the append wrote
    /// (`lines`, after a `\n` when the append added one). When anything else
    /// changed the file, returns [`StoreError::ChangedOutside`] and changes nothing.
    pub fn undo_append(&mut self, appended: Appended, lines: &[u8]) -> Result<(), StoreError> {
        if self.dry_run || appended.start == appended.end {
            return Ok(());
        }
        self.check_not_replaced()?;
        let Some(file) = self.file.as_ref() else {
            return Err(StoreError::Replaced {
                path: escape_path(&self.path),
            });
        };
        let changed = |detail: String| StoreError::ChangedOutside {
            path: escape_path(&self.path),
            detail,
        };

        let mut expected = Vec::with_capacity(lines.len() + 1);
        if appended.added_newline {
            expected.push(b'\n');
        }
        expected.extend_from_slice(lines);
        if appended.end - appended.start != expected.len() as u64 {
            return Err(changed("the step's record does not match its line".to_owned()));
        }

        let read_error = |source| StoreError::Read {
            path: escape_path(&self.path),
            source,
        };
        let actual_len = file.metadata().map_err(read_error)?.len();
        if actual_len != appended.end {
            return Err(changed(format!(
                "its length is {actual_len} bytes, expected {}",
                appended.end
            )));
        }
        let mut tail = vec![0; expected.len()];
        std::os::unix::fs::FileExt::read_exact_at(file, &mut tail, appended.start).map_err(read_error)?;
        if tail != expected {
            return Err(changed("its last line is not the one this step wrote".to_owned()));
        }

        file.set_len(appended.start).map_err(|source| StoreError::Write {
            path: escape_path(&self.path),
            source,
            cleanup: String::new(),
        })?;
        self.len = appended.start;
        if appended.added_newline {
            self.ends_with_newline = false;
        }
        Ok(())
    }

    fn write_error(&self, source: io::Error) -> StoreError {
        StoreError::Write {
            path: escape_path(&self.path),
            source,
            cleanup: String::new(),
        }
    }

    /// Takes the file's length and last byte from the file itself.
    fn resync_end(&mut self, file_len: u64) -> Result<(), StoreError> {
        let mut last = [b'\n'];
        if let (Some(file), Some(last_offset)) = (&self.file, file_len.checked_sub(1)) {
            std::os::unix::fs::FileExt::read_exact_at(file, &mut last, last_offset).map_err(|source| {
                StoreError::Read {
                    path: escape_path(&self.path),
                    source,
                }
            })?;
        }
        self.len = file_len;
        self.ends_with_newline = last[0] == b'\n';
        Ok(())
    }

    /// Checks that the path still names the file this store opened, and returns
    /// that file's current length.
    fn check_not_replaced(&self) -> Result<u64, StoreError> {
        let (Some(file), Ok(on_disk)) = (&self.file, std::fs::metadata(&self.path)) else {
            return Err(StoreError::Replaced {
                path: escape_path(&self.path),
            });
        };
        let ours = file.metadata().map_err(|source| StoreError::Read {
            path: escape_path(&self.path),
            source,
        })?;
        if ours.dev() != on_disk.dev() || ours.ino() != on_disk.ino() {
            return Err(StoreError::Replaced {
                path: escape_path(&self.path),
            });
        }
        Ok(ours.len())
    }
}

/// Writes all of `buffer`, retrying short writes, and returns how many bytes
/// reached the file along with the error that stopped it, if any.
fn write_all_counted(mut file: &File, buffer: &[u8]) -> (usize, Option<io::Error>) {
    let mut written = 0;
    while written < buffer.len() {
        match file.write(&buffer[written..]) {
            Ok(0) => return (written, Some(io::ErrorKind::WriteZero.into())),
            Ok(n) => written += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return (written, Some(error)),
        }
    }
    (written, None)
}

/// Rejects a path that exists but is not a regular file, before anything is read.
fn reject_non_regular(path: &Path, metadata: io::Result<std::fs::Metadata>) -> Result<(), StoreError> {
    let Ok(metadata) = metadata else {
        return Ok(());
    };
    let file_type = metadata.file_type();
    let kind = if file_type.is_file() {
        return Ok(());
    } else if file_type.is_dir() {
        "a directory"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    };
    Err(StoreError::NotAFile {
        path: escape_path(path),
        kind,
    })
}

/// Opens the store for reading and appending, creating it when missing. Returns
/// the file and whether this call created it.
fn open_or_create(path: &Path) -> Result<(File, bool), StoreError> {
    loop {
        match options().read(true).append(true).open(path) {
            Ok(file) => return Ok((file, false)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(open_error(path, error, false)),
        }
        match options().read(true).append(true).create_new(true).open(path) {
            Ok(file) => return Ok((file, true)),
            // Another process created it between the two calls: open theirs.
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(open_error(path, error, false)),
        }
    }
}

fn open_existing_read_only(path: &Path) -> Result<Option<(File, bool)>, StoreError> {
    match options().read(true).open(path) {
        Ok(file) => Ok(Some((file, false))),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(open_error(path, error, true)),
    }
}

/// Open options shared by every store open. `O_NONBLOCK` keeps a FIFO swapped in
/// after the type check from blocking the open; it has no effect on regular files.
fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.custom_flags(libc::O_NONBLOCK);
    options
}

fn open_error(path: &Path, source: io::Error, dry_run: bool) -> StoreError {
    let read_only_fs = source.raw_os_error() == Some(libc::EROFS);
    let hint = match source.kind() {
        _ if dry_run => "check that the file is readable",
        io::ErrorKind::PermissionDenied => "check its permissions, or pass --dry-run to replay without writing it",
        _ if read_only_fs => "pass --dry-run to replay without writing it, or choose a writable --store path",
        io::ErrorKind::NotFound => "create its directory first, or choose another --store path",
        _ => "check the path and its permissions",
    };
    StoreError::Open {
        path: escape_path(path),
        source,
        hint,
    }
}

fn lock(file: &File, path: &Path, options: StoreOptions) -> Result<(), StoreError> {
    let started = Instant::now();
    loop {
        let attempt = if options.dry_run {
            file.try_lock_shared()
        } else {
            file.try_lock()
        };
        match attempt {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(StoreError::Lock {
                    path: escape_path(path),
                    source,
                });
            }
        }

        let waited = started.elapsed();
        if waited >= options.wait_lock {
            return Err(if options.wait_lock.is_zero() {
                StoreError::Locked {
                    path: escape_path(path),
                }
            } else {
                StoreError::StillLocked {
                    path: escape_path(path),
                    seconds: options.wait_lock.as_secs_f64(),
                }
            });
        }
        thread::sleep(LOCK_POLL_INTERVAL.min(options.wait_lock - waited));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_live(path: &Path) -> Store {
        Store::open(path, StoreOptions::default()).unwrap().0
    }

    /// Appends bytes through a second handle, as another writer (or the part of a
    /// failed write that reached the file) would.
    fn append_elsewhere(path: &Path, bytes: &[u8]) {
        OpenOptions::new()
            .append(true)
            .open(path)
            .unwrap()
            .write_all(bytes)
            .unwrap();
    }

    fn write_failure() -> io::Error {
        io::Error::from_raw_os_error(libc::EFBIG)
    }

    #[test]
    fn append_adds_missing_final_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        std::fs::write(&path, "a").unwrap();
        let mut store = open_live(&path);

        let appended = store.append(b"b\n").unwrap();

        assert_eq!(std::fs::read(&path).unwrap(), b"a\nb\n");
        assert!(appended.added_newline);
        assert_eq!((appended.start, appended.end), (1, 4));
        assert_eq!(store.len(), 4);
    }

    #[test]
    fn append_after_outside_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        std::fs::write(&path, "a\n").unwrap();
        let mut store = open_live(&path);
        append_elsewhere(&path, b"hand-edit");

        let appended = store.append(b"b\n").unwrap();

        assert_eq!(std::fs::read(&path).unwrap(), b"a\nhand-edit\nb\n");
        assert!(appended.added_newline);
        assert_eq!((appended.start, appended.end), (11, 14));
        assert_eq!(store.len(), 14);
    }

    #[test]
    fn undo_append_cuts_back_an_unchanged_append() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        std::fs::write(&path, "a\n").unwrap();
        let mut store = open_live(&path);
        let appended = store.append(b"b\n").unwrap();

        store.undo_append(appended, b"b\n").unwrap();

        assert_eq!(std::fs::read(&path).unwrap(), b"a\n");
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn undo_append_restores_a_missing_final_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        std::fs::write(&path, "a").unwrap();
        let mut store = open_live(&path);
        let appended = store.append(b"b\n").unwrap();

        store.undo_append(appended, b"b\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"a");

        // The store records that the file lacks its final newline again, so ids never run together.
        store.append(b"c\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"a\nc\n");
    }

    #[test]
    fn undo_append_refuses_when_the_file_grew() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        let mut store = open_live(&path);
        let appended = store.append(b"b\n").unwrap();
        append_elsewhere(&path, b"other\n");

        let error = store.undo_append(appended, b"b\n").unwrap_err();

        assert!(
            matches!(&error, StoreError::ChangedOutside { detail, .. } if detail.contains("length is 8 bytes, expected 2")),
            "{error:?}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"b\nother\n");
    }

    #[test]
    fn undo_append_refuses_when_its_line_was_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        std::fs::write(&path, "a\n").unwrap();
        let mut store = open_live(&path);
        let appended = store.append(b"b\n").unwrap();
        std::fs::write(&path, "a\nc\n").unwrap();

        let error = store.undo_append(appended, b"b\n").unwrap_err();

        assert!(
            matches!(&error, StoreError::ChangedOutside { detail, .. } if detail.contains("not the one this step wrote")),
            "{error:?}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"a\nc\n");
    }

    #[test]
    fn undo_append_refuses_a_replaced_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        let mut store = open_live(&path);
        let appended = store.append(b"b\n").unwrap();
        let other = dir.path().join("other.txt");
        std::fs::write(&other, "b\n").unwrap();
        std::fs::rename(&other, &path).unwrap();

        let error = store.undo_append(appended, b"b\n").unwrap_err();

        assert!(matches!(error, StoreError::Replaced { .. }), "{error:?}");
        assert_eq!(std::fs::read(&path).unwrap(), b"b\n");
    }

    #[test]
    fn append_refuses_a_replaced_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        let mut store = open_live(&path);
        let other = dir.path().join("other.txt");
        std::fs::write(&other, "x\n").unwrap();
        std::fs::rename(&other, &path).unwrap();

        let failure = store.append(b"b\n").unwrap_err();

        assert!(
            matches!(failure.error, StoreError::Replaced { .. }),
            "{:?}",
            failure.error
        );
        assert_eq!(failure.complete_bytes, 0);
        assert_eq!(std::fs::read(&path).unwrap(), b"x\n");
    }

    #[test]
    fn partial_write_cuts_partial_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        std::fs::write(&path, "x\n").unwrap();
        let mut store = open_live(&path);
        let lines = b"evt-1\nevt-2\n";
        append_elsewhere(&path, &lines[..8]);

        let failure = store.cut_partial_write(2, lines, 8, write_failure());

        assert_eq!(failure.complete_bytes, 6);
        assert_eq!(std::fs::read(&path).unwrap(), b"x\nevt-1\n");
        assert_eq!(store.len(), 8);
        store.append(b"evt-2\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"x\nevt-1\nevt-2\n");
    }

    #[test]
    fn partial_first_line_restores_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        std::fs::write(&path, "x\n").unwrap();
        let mut store = open_live(&path);
        append_elsewhere(&path, b"evt");

        let failure = store.cut_partial_write(2, b"evt-1\n", 3, write_failure());

        assert_eq!(failure.complete_bytes, 0);
        assert_eq!(std::fs::read(&path).unwrap(), b"x\n");
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn partial_write_after_added_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        std::fs::write(&path, "x").unwrap();
        let mut store = open_live(&path);
        let buffer = b"\nevt-1\nevt-2\n";
        append_elsewhere(&path, &buffer[..9]);

        let failure = store.cut_partial_write(1, buffer, 9, write_failure());

        assert_eq!(failure.complete_bytes, 6, "the added newline is not part of the lines");
        assert_eq!(std::fs::read(&path).unwrap(), b"x\nevt-1\n");
        store.append(b"evt-2\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"x\nevt-1\nevt-2\n");
    }

    #[test]
    fn partial_write_cuts_lone_added_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        std::fs::write(&path, "x").unwrap();
        let mut store = open_live(&path);
        append_elsewhere(&path, b"\ne");

        let failure = store.cut_partial_write(1, b"\nevt-1\n", 2, write_failure());

        assert_eq!(failure.complete_bytes, 0);
        assert_eq!(std::fs::read(&path).unwrap(), b"x");
        store.append(b"evt-2\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"x\nevt-2\n");
    }

    /// Linux's append-only inode flag, as `chattr +a` sets it.
    const FS_APPEND_FL: libc::c_int = 0x20;

    /// An append-only mark on a file, removed again when dropped, so that cutting
    /// the file back fails while appends still work. Setting it needs root.
    struct AppendOnly {
        file: File,
        flags: libc::c_int,
    }

    impl AppendOnly {
        fn set(path: &Path) -> AppendOnly {
            use std::os::fd::AsRawFd;
            let file = File::open(path).unwrap();
            let mut flags: libc::c_int = 0;
            // SAFETY: both calls pass a pointer to a live c_int, as these requests expect.
            unsafe {
                assert_eq!(libc::ioctl(file.as_raw_fd(), libc::FS_IOC_GETFLAGS, &mut flags), 0);
                let marked = flags | FS_APPEND_FL;
                let set = libc::ioctl(file.as_raw_fd(), libc::FS_IOC_SETFLAGS, &marked);
                assert_eq!(
                    set,
                    0,
                    "cannot mark {} append-only: {}",
                    path.display(),
                    io::Error::last_os_error()
                );
            }
            AppendOnly { file, flags }
        }
    }

    impl Drop for AppendOnly {
        fn drop(&mut self) {
            use std::os::fd::AsRawFd;
            // SAFETY: the call passes a pointer to a live c_int, as the request expects.
            unsafe { libc::ioctl(self.file.as_raw_fd(), libc::FS_IOC_SETFLAGS, &self.flags) };
        }
    }

    #[test]
    fn failed_cut_leaves_no_merged_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        std::fs::write(&path, "x\n").unwrap();
        let mut store = open_live(&path);
        let lines = b"evt-1\nevt-2\n";
        append_elsewhere(&path, &lines[..8]);
        let append_only = AppendOnly::set(&path);

        let failure = store.cut_partial_write(2, lines, 8, write_failure());
        store.append(b"evt-3\n").unwrap();
        drop(append_only);

        assert_eq!(failure.complete_bytes, 6);
        let message = failure.error.to_string();
        assert!(message.contains("cutting off the partial line failed too"), "{message}");
        // The piece that could not be cut off stays on a line of its own.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x\nevt-1\nev\nevt-3\n");
    }

    #[test]
    fn write_error_names_the_store_and_the_cause() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        let mut store = open_live(&path);

        let failure = store.cut_partial_write(0, b"a\n", 0, write_failure());

        let message = failure.error.to_string();
        assert!(
            message.contains(&format!("cannot write store {}", path.display())),
            "{message}"
        );
        assert!(message.contains("File too large"), "{message}");
    }
}
