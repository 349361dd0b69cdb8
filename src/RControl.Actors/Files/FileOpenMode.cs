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
