namespace RControl.Files;

/// <summary>POSIX path helpers shared by local and SFTP paths ('/' separated).</summary>
internal static class PosixPath
{
    /// <summary>Joins a directory and a name.</summary>
    public static string Join(string directory, string name) =>
        directory.Length == 0 ? name : directory.EndsWith('/') ? directory + name : directory + "/" + name;

    /// <summary>The last component (<c>/a/b/</c> → <c>b</c>).</summary>
    public static string GetFileName(string path)
    {
        var trimmed = TrimEnd(path);
        var slash = trimmed.LastIndexOf('/');
        return slash < 0 ? trimmed : trimmed[(slash + 1)..];
    }

    /// <summary>The parent directory (<c>/a/b</c> → <c>/a</c>, <c>b</c> → <c>.</c>, <c>/a</c> → <c>/</c>).</summary>
    public static string GetDirectoryName(string path)
    {
        var trimmed = TrimEnd(path);
        var slash = trimmed.LastIndexOf('/');
        return slash < 0 ? "." : slash == 0 ? "/" : trimmed[..slash];
    }

    /// <summary>Removes trailing slashes (but keeps <c>/</c>).</summary>
    public static string TrimEnd(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed.Length == 0 && path.Length > 0 ? "/" : trimmed;
    }
}
