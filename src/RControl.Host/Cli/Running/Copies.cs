namespace RControl.Host.Cli.Running;

/// <summary>Copies between sessions (<c>session:path</c> to <c>session:path</c>) for <c>rcontrol copy</c> and plan copy tasks.</summary>
public static class Copies
{
    /// <summary>Splits <c>session:path</c>; throws <see cref="UsageException"/> when it is not that.</summary>
    public static (string Session, string Path) Split(string endpoint)
    {
        var colon = endpoint.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < endpoint.Length - 1
            ? (endpoint[..colon], endpoint[(colon + 1)..])
            : throw new UsageException($"'{endpoint}' is not session:path");
    }

    /// <summary>Copies a file or directory (recursively), reporting progress in <see cref="RunUnit.Progress"/>.</summary>
    public static Task CopyAsync(SessionPool sessions, string from, string to, RunUnit unit, CancellationToken cancellationToken)
    {
        _ = sessions;
        _ = from;
        _ = to;
        _ = unit;
        _ = cancellationToken;
        throw new NotSupportedException("copies are not available in this build yet");
    }
}
