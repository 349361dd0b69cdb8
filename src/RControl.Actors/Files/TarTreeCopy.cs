using System.Buffers;
using System.Runtime.CompilerServices;
using RControl.Transports.Files;

namespace RControl.Files;

/// <summary>
/// <see cref="CopyMethod.Tar"/>: a tree copied as one archive, <c>tar -c</c> on the source host streamed through this
/// process into <c>tar -x</c> on the destination host (one exec channel each over SSH). Modes and links are kept;
/// owners and modification times are not (as a file-by-file copy).
/// </summary>
internal sealed class TarTreeCopy
{
    private static readonly ConditionalWeakTable<IFileSystem, Task<bool>> HasTar = new();

    private readonly FileEndpoint _source;
    private readonly FileEndpoint _destination;
    private readonly int _chunkSize;

    private TarTreeCopy(FileEndpoint source, FileEndpoint destination, int chunkSize)
    {
        _source = source;
        _destination = destination;
        _chunkSize = chunkSize;
    }

    /// <summary>
    /// <see cref="CopyMethod.Auto"/> takes tar for a tree whose files average less than this: measured on loopback, a
    /// file costs a few milliseconds of round trips file by file, and a MiB costs about ten times more CPU through an exec
    /// channel than through pipelined SFTP writes, which breaks even near 100 KiB a file.
    /// </summary>
    internal const long AutoTarAverageFileSize = 64 * 1024;

    /// <summary>The tar copy to use for the tree <paramref name="sourcePath"/> under <paramref name="options"/>, or null to copy file by file.</summary>
    public static async Task<TarTreeCopy?> ChooseAsync(FileEndpoint source, string sourcePath, FileEndpoint destination, CopyOptions options, CancellationToken cancellationToken)
    {
        switch (options.Method)
        {
            case CopyMethod.FileByFile:
                return null;
            case CopyMethod.Auto when options.Resume || options.Checksum || options.FollowLinks || !options.PreserveMode:
                return null;
            case CopyMethod.Auto when source.FileSystem is not SftpFileSystem && destination.FileSystem is not SftpFileSystem:
                return null; // no round trips to save
        }

        foreach (var end in new[] { source, destination })
        {
            if (!await end.Guard("tar", ".", fs => HasTarAsync(fs, cancellationToken)).ConfigureAwait(false))
            {
                return options.Method == CopyMethod.Auto
                    ? null
                    : throw new FileOperationException(end.SessionName, "tar", ".", FileErrorKind.Failure, "tar is not available on this host (CopyMethod.Tar needs it on both ends)");
            }
        }

        if (options.Method == CopyMethod.Auto && !await ManySmallFilesAsync(source.FileSystem, sourcePath).ConfigureAwait(false))
        {
            return null;
        }

        return new TarTreeCopy(source, destination, options.ChunkSize);
    }

    /// <summary>
    /// Whether the tree's files average less than <see cref="AutoTarAverageFileSize"/>: one <c>find</c> on the source
    /// host counts them and their bytes (no round trip per directory). When it cannot tell, file by file it is.
    /// </summary>
    private static async Task<bool> ManySmallFilesAsync(IFileSystem fileSystem, string sourcePath)
    {
        const string Count = "find \"$1\" -type f -printf '%s\\n' | awk '{ n++; s += $1 } END { print n + 0, s + 0 }'";
        var process = await fileSystem.StartProcessAsync(["sh", "-c", Count, "sh", sourcePath], CancellationToken.None).ConfigureAwait(false);
        if (process is null)
        {
            return false;
        }

        await using (process.ConfigureAwait(false))
        {
            await process.Input.DisposeAsync().ConfigureAwait(false);
            var answer = new byte[64];
            var read = await process.Output.ReadAtLeastAsync(answer, answer.Length, throwOnEndOfStream: false).ConfigureAwait(false);
            await process.Output.CopyToAsync(Stream.Null).ConfigureAwait(false);
            var (exitCode, _) = await process.Exited.ConfigureAwait(false);
            var parts = System.Text.Encoding.ASCII.GetString(answer, 0, read).Split(' ', '\n');
            return exitCode == 0 && parts.Length >= 2
                && long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var files)
                && long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes)
                && bytes < files * AutoTarAverageFileSize;
        }
    }

    /// <summary>
    /// Streams the tree <paramref name="sourcePath"/> into the existing directory <paramref name="destinationPath"/>;
    /// <paramref name="onBytes"/> gets the archive bytes moved. A tar that fails names its host, path and what it said.
    /// </summary>
    public async Task CopyAsync(string sourcePath, string destinationPath, Func<string, string> display, Action<int> onBytes, CancellationToken cancellationToken)
    {
        var shown = display(destinationPath);
        // The copy's own temporary directory is left out when a tree is copied into itself (as file by file).
        var exclude = "--exclude=" + PosixPath.GetFileName(destinationPath);
        var reader = await Start(_source, sourcePath, ["tar", "-C", sourcePath, exclude, "-cf", "-", "."], cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var writer = await Start(_destination, shown, ["tar", "-C", destinationPath, "-xpmf", "-", "--no-same-owner"], cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                Exception? pumpFailure = null;
                try
                {
                    await PumpAsync(reader.Output, writer.Input, onBytes, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    pumpFailure = e; // one tar ended early: its own words say why
                }

                await Check(_source, sourcePath, "tar -c", reader, pumpFailure, cancellationToken).ConfigureAwait(false);
                await Check(_destination, shown, "tar -x", writer, pumpFailure, cancellationToken).ConfigureAwait(false);
                if (pumpFailure is not null)
                {
                    throw new FileOperationException(_destination.SessionName, "copy to", shown, FileErrorKind.Failure, $"tar stream broken: {pumpFailure.Message}", pumpFailure);
                }
            }
        }
    }

    private static async Task<bool> HasTarAsync(IFileSystem fileSystem, CancellationToken cancellationToken)
    {
        var probe = HasTar.GetValue(fileSystem, fs => ProbeAsync(fs));
        if (probe.IsFaulted)
        {
            HasTar.Remove(fileSystem); // a lost connection is not an answer: ask again next time
        }

        return await probe.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> ProbeAsync(IFileSystem fileSystem)
    {
        var process = await fileSystem.StartProcessAsync(["tar", "--version"], CancellationToken.None).ConfigureAwait(false);
        if (process is null)
        {
            return false;
        }

        await using (process.ConfigureAwait(false))
        {
            await process.Input.DisposeAsync().ConfigureAwait(false);
            var drain = process.Output.CopyToAsync(Stream.Null);
            var (exitCode, _) = await process.Exited.ConfigureAwait(false);
            await drain.ConfigureAwait(false);
            return exitCode == 0;
        }
    }

    private static async Task<IHostProcess> Start(FileEndpoint end, string path, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        await end.Guard("tar", path, fs => fs.StartProcessAsync(arguments, cancellationToken)).ConfigureAwait(false)
        ?? throw new FileOperationException(end.SessionName, "tar", path, FileErrorKind.Failure, "this host cannot run tar");

    private async Task PumpAsync(Stream from, Stream to, Action<int> onBytes, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_chunkSize);
        try
        {
            int read;
            // Whole chunks: each write to an SSH channel costs a thread hop (SSH.NET waits for the window synchronously).
            while ((read = await from.ReadAtLeastAsync(buffer.AsMemory(0, _chunkSize), _chunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                onBytes(read);
            }

            await to.DisposeAsync().ConfigureAwait(false); // end of archive: tar -x finishes
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task Check(FileEndpoint end, string path, string what, IHostProcess process, Exception? pumpFailure, CancellationToken cancellationToken)
    {
        if (pumpFailure is not null)
        {
            // The other tar may wait for us forever: give the one that failed a moment to say why, no more.
            await Task.WhenAny(process.Exited, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)).ConfigureAwait(false);
            if (!process.Exited.IsCompletedSuccessfully)
            {
                return;
            }
        }

        int exitCode;
        string error;
        try
        {
            (exitCode, error) = await process.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new FileOperationException(end.SessionName, what, path, FileErrorKind.Failure, $"{what} lost: {e.Message}", e);
        }

        if (exitCode != 0)
        {
            throw new FileOperationException(end.SessionName, what, path, FileErrors.FromTarMessage(error), $"{what} failed (exit {exitCode}): {error}");
        }
    }
}
