namespace RControl.Files;

/// <summary>How <see cref="Session.OpenAsync"/> opens a file (the original's <c>open(path, mode)</c>).</summary>
public enum FileOpenMode
{
    /// <summary>Read an existing file (<c>"rb"</c>).</summary>
    Read,

    /// <summary>Create or truncate, then write (<c>"wb"</c>).</summary>
    Write,

    /// <summary>Create if missing, then write at the end (<c>"ab"</c>).</summary>
    Append,

    /// <summary>Create a new file; fails when the path exists (<c>"xb"</c>).</summary>
    CreateNew,
}

/// <summary>Maps <see cref="FileOpenMode"/> to .NET's file mode and access, for every file system.</summary>
internal static class FileOpenModes
{
    public static (FileMode Mode, FileAccess Access) ToFileModeAndAccess(this FileOpenMode mode) => mode switch
    {
        FileOpenMode.Read => (FileMode.Open, FileAccess.Read),
        FileOpenMode.Write => (FileMode.Create, FileAccess.Write),
        FileOpenMode.Append => (FileMode.Append, FileAccess.Write),
        FileOpenMode.CreateNew => (FileMode.CreateNew, FileAccess.Write),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown open mode"),
    };
}
