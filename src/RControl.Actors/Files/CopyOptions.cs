namespace RControl.Files;

/// <summary>How a file or directory is copied. Immutable; build variants with <c>with</c>.</summary>
public sealed record CopyOptions
{
    /// <summary>The defaults: 256 KiB chunks, modes preserved, links recreated as links, files overwritten.</summary>
    public static CopyOptions Default { get; } = new();

    /// <summary>Bytes read and written at a time; a file being copied holds two chunks (the next is read while one is written).</summary>
    public int ChunkSize { get; init; } = 256 * 1024;

    /// <summary>
    /// <c>CopyDir</c>: files and links copied at once (default 8). Many small files then cost a few round trips in
    /// total rather than a few each; memory grows with it (a large file in flight holds two chunks plus, over SFTP, up to 1 MiB of read answers).
    /// </summary>
    public int FilesInFlight { get; init; } = 8;

    /// <summary>Copy what symbolic links point to instead of recreating the links (default false).</summary>
    public bool FollowLinks { get; init; }

    /// <summary>Give the copies the permission bits of the originals (default true: an executable stays executable).</summary>
    public bool PreserveMode { get; init; } = true;

    /// <summary>
    /// <c>CopyFile</c> only: replace an existing destination file (default true, as the original rcontrol).
    /// When false an existing destination is an error. <c>CopyDir</c> never overwrites.
    /// </summary>
    public bool Overwrite { get; init; } = true;

    /// <summary>
    /// Continue a copy that was cut off (default false). The copy is written under a fixed partial name beside the
    /// destination (<c>.name.rcontrol-partial</c>) that is kept when the copy fails. A later copy with
    /// <c>Resume</c> appends to a partial file from its size when that file can be the start of the source: it is no
    /// larger than the source and was last written no earlier than the source was last modified (compared to the
    /// second); otherwise the file is copied from the start. In a tree, complete files are skipped by the same rule.
    /// Add <see cref="Checksum"/> to verify what was kept.
    /// </summary>
    public bool Resume { get; init; }

    /// <summary>
    /// Verify each copied file by its SHA-256, computed on both ends (<c>sha256sum</c> over SSH, .NET locally) before
    /// the copy takes the destination name (default false). A difference fails the copy with
    /// <see cref="FileErrorKind.ChecksumMismatch"/> naming the file, and the copy (a partial one too) is removed.
    /// </summary>
    public bool Checksum { get; init; }

    /// <summary>How a directory tree moves (default <see cref="CopyMethod.Auto"/>); <c>CopyFile</c> always copies file by file.</summary>
    public CopyMethod Method { get; init; } = CopyMethod.Auto;

    /// <summary>
    /// Called after each chunk with the bytes copied so far, one call at a time (totals only grow). Runs on a copying
    /// thread; keep it quick.
    /// </summary>
    public Action<CopyProgress>? OnProgress { get; init; }

    internal void Validate()
    {
        if (ChunkSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "ChunkSize must be positive");
        }

        if (FilesInFlight <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FilesInFlight), FilesInFlight, "FilesInFlight must be positive");
        }

        if (Method == CopyMethod.Tar && (Resume || Checksum || FollowLinks || !PreserveMode))
        {
            throw new ArgumentException("CopyMethod.Tar copies a tree as it is: it cannot Resume, Checksum, FollowLinks or drop modes (use Auto or FileByFile)", nameof(Method));
        }
    }
}

/// <summary>Progress of a copy.</summary>
/// <param name="Path">The source file being copied.</param>
/// <param name="FileBytesCopied">Bytes of that file copied so far.</param>
/// <param name="FileSize">The size of that file when the copy started.</param>
/// <param name="TotalBytesCopied">Bytes copied so far by the whole operation (all files of a directory copy).</param>
public sealed record CopyProgress(string Path, long FileBytesCopied, long FileSize, long TotalBytesCopied);

/// <summary>How <c>CopyDir</c> moves a tree.</summary>
public enum CopyMethod
{
    /// <summary>
    /// <see cref="Tar"/> when one end is an SSH host, both ends have <c>tar</c>, the options allow it (no
    /// <c>Resume</c>, <c>Checksum</c> or <c>FollowLinks</c>, modes kept) and the tree's files average under 64 KiB
    /// (counted by one <c>find</c> on the source host: many small files); otherwise <see cref="FileByFile"/>.
    /// </summary>
    Auto,

    /// <summary>Each file opened and streamed on its own (SFTP over SSH), several at once (<see cref="CopyOptions.FilesInFlight"/>).</summary>
    FileByFile,

    /// <summary>
    /// One <c>tar</c> on each end, the archive streamed from one to the other through this process: many small files
    /// cost no round trips each. Modes and links are kept. Fails when an end has no <c>tar</c>.
    /// </summary>
    Tar,
}
