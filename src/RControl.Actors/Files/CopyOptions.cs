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
    }
}

/// <summary>Progress of a copy.</summary>
/// <param name="Path">The source file being copied.</param>
/// <param name="FileBytesCopied">Bytes of that file copied so far.</param>
/// <param name="FileSize">The size of that file when the copy started.</param>
/// <param name="TotalBytesCopied">Bytes copied so far by the whole operation (all files of a directory copy).</param>
public sealed record CopyProgress(string Path, long FileBytesCopied, long FileSize, long TotalBytesCopied);
