namespace RControl.Files;

/// <summary>What <c>stat</c> says about a path: kind, size, permission bits and modification time.</summary>
/// <param name="Kind">File, directory or (when links are not followed) symbolic link.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Mode">Permission bits (including setuid/setgid/sticky).</param>
/// <param name="ModifiedAt">Last modification time.</param>
public sealed record FileStat(FileKind Kind, long Size, UnixFileMode Mode, DateTimeOffset ModifiedAt)
{
    /// <summary>True for a directory.</summary>
    public bool IsDirectory => Kind == FileKind.Directory;

    /// <summary>True for a symbolic link.</summary>
    public bool IsSymbolicLink => Kind == FileKind.SymbolicLink;
}

/// <summary>A directory entry: its name (not a path) and its <c>lstat</c>.</summary>
public sealed record FileEntry(string Name, FileStat Stat);
