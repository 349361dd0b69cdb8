using System.Globalization;
using System.Text.RegularExpressions;
using RControl.Files;

namespace RControl.Host.Cli.Running;

/// <summary>Copies between sessions (<c>session:path</c> to <c>session:path</c>) for <c>rcontrol copy</c> and plan copy tasks.</summary>
public static partial class Copies
{
    /// <summary>
    /// Splits <c>session:path</c> (the session may be <c>user@host</c>, or <c>user@host:port</c> when a port
    /// comes before the path); throws <see cref="UsageException"/> when it is not that.
    /// </summary>
    public static (string Session, string Path) Split(string endpoint)
    {
        var withPort = WithPort().Match(endpoint);
        if (withPort.Success)
        {
            return (withPort.Groups[1].Value, withPort.Groups[2].Value);
        }

        var colon = endpoint.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < endpoint.Length - 1
            ? (endpoint[..colon], endpoint[(colon + 1)..])
            : throw new UsageException($"'{endpoint}' is not session:path");
    }

    /// <summary>Copies a file, or a directory recursively, reporting progress on the unit; ends with a line counting what was copied.</summary>
    public static async Task CopyAsync(SessionPool sessions, string from, string to, RunUnit unit, CancellationToken cancellationToken)
    {
        var (fromSession, fromPath) = Split(from);
        var (toSession, toPath) = Split(to);
        var source = await sessions.GetAsync(fromSession, cancellationToken).ConfigureAwait(false);
        var destination = await sessions.GetAsync(toSession, cancellationToken).ConfigureAwait(false);
        var files = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        var options = new CopyOptions
        {
            OnProgress = p =>
            {
                files.Add(p.Path);
                bytes = p.TotalBytesCopied;
                unit.ReportProgress(p.FileSize > 0 ? (double)p.FileBytesCopied / p.FileSize : 1.0, $"{p.Path} ({Bytes(p.TotalBytesCopied)})");
            },
        };
        if (await source.IsDirAsync(fromPath, cancellationToken).ConfigureAwait(false))
        {
            await source.CopyDirAsync(fromPath, destination, toPath, options, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await source.CopyFileAsync(fromPath, destination, toPath, options, cancellationToken).ConfigureAwait(false);
        }

        unit.AddLine(Protocol.OutputStream.Stdout, $"copied {files.Count} file(s), {Bytes(bytes)} to {to}");
    }

    private static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{(n / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} KiB",
        _ => $"{(n / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} MiB",
    };

    [GeneratedRegex(@"^([^:/]+:\d+):(.+)$")]
    private static partial Regex WithPort();
}
