namespace RControl.Files;

/// <summary>Why a file operation failed.</summary>
public enum FileErrorKind
{
    /// <summary>Anything else: I/O error, disk full, connection lost …</summary>
    Failure,

    /// <summary>The path (or a parent directory) does not exist.</summary>
    NotFound,

    /// <summary>The user may not do this.</summary>
    PermissionDenied,

    /// <summary>The destination exists already.</summary>
    AlreadyExists,

    /// <summary>A directory was expected.</summary>
    NotADirectory,

    /// <summary>A file was expected and a directory found.</summary>
    IsADirectory,

    /// <summary>A directory to remove is not empty.</summary>
    NotEmpty,

    /// <summary>A copy checked with <see cref="CopyOptions.Checksum"/> differs from its source (the source changed during the copy?).</summary>
    ChecksumMismatch,
}
