using System.Runtime.CompilerServices;

namespace RControl.Files;

/// <summary>The original's <c>walk</c> (Python's <c>os.walk</c>) over any file system.</summary>
internal static class FileTreeWalker
{
    public static async IAsyncEnumerable<(string Dir, IReadOnlyList<string> Dirs, IReadOnlyList<string> Files)> WalkAsync(
        FileEndpoint endpoint,
        string top,
        bool topDown,
        Action<Exception>? onError,
        bool followLinks,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IReadOnlyList<FileEntry> entries;
        try
        {
            entries = await endpoint.ListAsync(top, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // As os.walk: an unreadable directory is reported to the callback (if any) and skipped.
            onError?.Invoke(e);
            yield break;
        }

        var dirs = new List<string>();
        var files = new List<string>();
        var linkedDirs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var isDir = entry.Stat.Kind == FileKind.Directory;
            if (entry.Stat.Kind == FileKind.SymbolicLink)
            {
                // As os.walk: a link to a directory is listed among the directories, entered only when following links.
                var target = await endpoint.TryStatAsync(PosixPath.Join(top, entry.Name), followLinks: true, cancellationToken).ConfigureAwait(false);
                isDir = target?.Kind == FileKind.Directory;
                if (isDir)
                {
                    linkedDirs.Add(entry.Name);
                }
            }

            (isDir ? dirs : files).Add(entry.Name);
        }

        if (topDown)
        {
            yield return (top, dirs, files);
        }

        foreach (var dir in dirs)
        {
            if (!followLinks && linkedDirs.Contains(dir))
            {
                continue;
            }

            await foreach (var item in WalkAsync(endpoint, PosixPath.Join(top, dir), topDown, onError, followLinks, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }

        if (!topDown)
        {
            yield return (top, dirs, files);
        }
    }
}
