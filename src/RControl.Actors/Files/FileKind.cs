namespace RControl.Files;

/// <summary>What a path is.</summary>
public enum FileKind
{
    /// <summary>A regular file (or anything else that is not a directory or a link).</summary>
    File,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link (only when links are not followed).</summary>
    SymbolicLink,
}
