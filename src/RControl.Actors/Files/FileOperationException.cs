namespace RControl.Files;

/// <summary>
/// A file operation failed. The message names the session, the operation and the path, e.g.
/// <c>[web1] open '/etc/shadow': permission denied</c>.
/// </summary>
public sealed class FileOperationException : IOException
{
    public FileOperationException(string? sessionName, string operation, string path, FileErrorKind kind, string reason, Exception? inner = null)
        : base(Format(sessionName, operation, path, reason), inner)
    {
        SessionName = sessionName;
        Operation = operation;
        Path = path;
        Kind = kind;
        Reason = reason;
    }

    /// <summary>The session the path belongs to (null when not known yet).</summary>
    public string? SessionName { get; }

    /// <summary>What was done: open, stat, mkdir, remove, rename, copy …</summary>
    public string Operation { get; }

    /// <summary>The path the operation failed on.</summary>
    public string Path { get; }

    /// <summary>Why it failed.</summary>
    public FileErrorKind Kind { get; }

    /// <summary>The reason without session, operation and path.</summary>
    public string Reason { get; }

    internal FileOperationException WithSession(string sessionName) =>
        SessionName is null ? new FileOperationException(sessionName, Operation, Path, Kind, Reason, InnerException) : this;

    private static string Format(string? sessionName, string operation, string path, string reason) =>
        (sessionName is null ? string.Empty : $"[{sessionName}] ") + $"{operation} '{path}': {reason}";
}
