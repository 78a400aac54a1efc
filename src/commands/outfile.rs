//! Files opweek writes for `-o FILE` (`export`, `report`): never over the
//! database or its journal files, never over an existing file without
//! `--force`, and never half a file: the content goes to a temporary file
//! beside the target, is synced, and is renamed into place when complete.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use tempfile::NamedTempFile;

/// Refuses, before anything is read or written, a file written over the
/// database itself or its `-wal`/`-shm` (even with `--force`; compared by
/// file identity, so a symlink or hard link to them is caught too), over
/// anything that is not a regular file, and over an existing file unless
/// `force`.
pub(crate) fn check_target(path: &Path, db: &Path, force: bool) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let file = crate::store::journal_file(db, suffix);
        if same_file(path, &file) {
            bail!(
                "{} is the opweek database{}: opweek never writes over it; choose another file",
                path.display(),
                if suffix.is_empty() {
                    String::new()
                } else {
                    format!("'s {suffix} file")
                }
            );
        }
    }
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if !force {
        bail!(
            "{} already exists: choose a new file, or add --force to replace it",
            path.display()
        );
    }
    // A symlink is replaced, never followed; a device or directory is left
    // alone (`-o /dev/null` must not replace the device).
    if !(meta.is_file() || meta.file_type().is_symlink()) {
        bail!(
            "{} is not a regular file: opweek replaces only a file (leave out -o to write to stdout)",
            path.display()
        );
    }
    Ok(())
}

/// Whether `a` and `b` are the same file: the same device and inode when
/// both exist (so hard links and symlinks match), else the same path once
/// the directories' symlinks and `..` are resolved.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        use std::os::unix::fs::MetadataExt;
        return ma.dev() == mb.dev() && ma.ino() == mb.ino();
    }
    match (resolved(a), resolved(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The path with every symlink and `..` resolved; for a file that does not
/// exist, its resolved directory joined with its name.
fn resolved(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = p.canonicalize() {
        return Some(c);
    }
    let dir = parent_dir(p).canonicalize().ok()?;
    Some(dir.join(p.file_name()?))
}

fn parent_dir(p: &Path) -> &Path {
    p.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes a file's content, durably, to a new owner-only temporary file in
/// the target's directory, through `write` (which returns how many records
/// it wrote); dropped on any failure, it leaves nothing behind.
pub(crate) fn write_temporary(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<u64>,
) -> Result<(NamedTempFile, u64)> {
    let dir = parent_dir(path);
    if !dir.is_dir() {
        bail!(
            "cannot create {}: there is no directory {}",
            path.display(),
            dir.display()
        );
    }
    let file = tempfile::Builder::new()
        .prefix(".opweek-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::new(file);
    let rows = write(&mut w)
        .and_then(|rows| w.flush().map(|()| rows).map_err(anyhow::Error::from))
        .and_then(|rows| {
            w.get_ref()
                .as_file()
                .sync_all()
                .map(|()| rows)
                .map_err(anyhow::Error::from)
        })
        .with_context(|| format!("cannot write {}", path.display()))?;
    let file = w
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok((file, rows))
}

/// Puts the finished file in place by renaming it over `path`: never
/// over an existing file without `force`, even one that appeared meanwhile.
pub(crate) fn place(file: NamedTempFile, path: &Path, force: bool) -> Result<()> {
    let placed = if force {
        file.persist(path)
    } else {
        file.persist_noclobber(path)
    };
    placed
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
