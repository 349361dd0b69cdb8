namespace RControl.Files;

/// <summary>Turns the exceptions of file systems into <see cref="FileOperationException"/>s naming session, operation and path.</summary>
internal static class FileErrors
{
    private const int EPERM = 1, ENOENT = 2, EACCES = 13, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, ENOTEMPTY = 39;
    private const int HResultFileExists = unchecked((int)0x80070050);

    /// <summary>The usual text of each kind.</summary>
    public static string Reason(FileErrorKind kind) => kind switch
    {
        FileErrorKind.NotFound => "no such file or directory",
        FileErrorKind.PermissionDenied => "permission denied",
        FileErrorKind.AlreadyExists => "already exists",
        FileErrorKind.NotADirectory => "not a directory",
        FileErrorKind.IsADirectory => "is a directory",
        FileErrorKind.NotEmpty => "directory not empty",
        FileErrorKind.ChecksumMismatch => "checksum mismatch",
        _ => "failed",
    };

    /// <summary>The kind of error a <c>tar</c> message names (it prints <c>strerror</c> text).</summary>
    public static FileErrorKind FromTarMessage(string message) =>
        message.Contains("Permission denied", StringComparison.Ordinal) ? FileErrorKind.PermissionDenied
        : message.Contains("No such file or directory", StringComparison.Ordinal) ? FileErrorKind.NotFound
        : FileErrorKind.Failure;

    /// <summary>A new error of a known kind.</summary>
    public static FileOperationException Of(FileErrorKind kind, string operation, string path, string? sessionName = null, Exception? inner = null) =>
        new(sessionName, operation, path, kind, Reason(kind), inner);

    /// <summary>The kind of a POSIX errno.</summary>
    public static FileErrorKind FromErrno(int errno) => errno switch
    {
        ENOENT => FileErrorKind.NotFound,
        EPERM or EACCES => FileErrorKind.PermissionDenied,
        EEXIST => FileErrorKind.AlreadyExists,
        ENOTDIR => FileErrorKind.NotADirectory,
        EISDIR => FileErrorKind.IsADirectory,
        ENOTEMPTY => FileErrorKind.NotEmpty,
        _ => FileErrorKind.Failure,
    };

    /// <summary>
    /// Wraps an exception from a file system call; a <see cref="FileOperationException"/> only gains the session
    /// name. Cancellation goes through unchanged.
    /// </summary>
    public static Exception Wrap(Exception e, string? sessionName, string operation, string path)
    {
        if (e is OperationCanceledException)
        {
            return e;
        }

        if (e is FileOperationException own)
        {
            return sessionName is null ? own : own.WithSession(sessionName);
        }

        var kind = e switch
        {
            FileNotFoundException or DirectoryNotFoundException => FileErrorKind.NotFound,
            UnauthorizedAccessException => FileErrorKind.PermissionDenied,
            IOException { HResult: HResultFileExists } => FileErrorKind.AlreadyExists,
            IOException io when io.HResult is > 0 and < 200 => FromErrno(io.HResult),
            _ => FileErrorKind.Failure,
        };
        var reason = kind == FileErrorKind.Failure ? e.Message : Reason(kind);
        return new FileOperationException(sessionName, operation, path, kind, reason, e);
    }

    /// <summary>Runs a file system call and wraps what it throws.</summary>
    public static async Task<T> GuardAsync<T>(string? sessionName, string operation, string path, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var wrapped = Wrap(e, sessionName, operation, path);
            if (ReferenceEquals(wrapped, e))
            {
                throw;
            }

            throw wrapped;
        }
    }

    /// <summary>Runs a file system call and wraps what it throws.</summary>
    public static Task GuardAsync(string? sessionName, string operation, string path, Func<Task> call) =>
        GuardAsync<bool>(sessionName, operation, path, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });
}
