using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using RControl.Readers;

namespace RControl.Files;

/// <summary>
/// The copy engine: moves data in chunks from a source stream to a destination stream (two chunks per file in
/// memory, the next read while the current is written; never through the local disk unless one side is local),
/// copies several files of a tree at once, keeps permission bits, recreates links, and writes under a temporary
/// name renamed at the end, so a failed copy leaves nothing under the destination name.
/// </summary>
internal sealed class FileCopier
{
    private readonly FileEndpoint _source;
    private readonly FileEndpoint _destination;
    private readonly CopyOptions _options;
    private readonly Lock _progressLock = new();
    private long _total;
    private string? _tempRoot;
    private string? _finalRoot;

    public FileCopier(FileEndpoint source, FileEndpoint destination, CopyOptions options)
    {
        options.Validate();
        _source = source;
        _destination = destination;
        _options = options;
    }

    /// <summary>
    /// Copies one file. When <paramref name="destinationPath"/> is a directory the file goes into it under its
    /// own name. Returns the path written.
    /// </summary>
    public async Task<string> CopyFileAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken)
    {
        var stat = await _source.StatAsync(sourcePath, followLinks: true, cancellationToken).ConfigureAwait(false);
        if (stat.Kind == FileKind.Directory)
        {
            throw new FileOperationException(_source.SessionName, "copy", sourcePath, FileErrorKind.IsADirectory, "is a directory (use CopyDir)");
        }

        var target = destinationPath;
        var existing = await _destination.TryStatAsync(target, followLinks: true, cancellationToken).ConfigureAwait(false);
        if (existing?.Kind == FileKind.Directory)
        {
            target = PosixPath.Join(destinationPath, PosixPath.GetFileName(sourcePath));
            existing = await _destination.TryStatAsync(target, followLinks: true, cancellationToken).ConfigureAwait(false);
        }

        if (existing is not null && (!_options.Overwrite || existing.Kind == FileKind.Directory))
        {
            throw new FileOperationException(
                _destination.SessionName, "copy to", target, existing.Kind == FileKind.Directory ? FileErrorKind.IsADirectory : FileErrorKind.AlreadyExists,
                existing.Kind == FileKind.Directory ? "is a directory" : "destination exists");
        }

        var temp = UseTemp(target);
        try
        {
            await CopyContentAsync(sourcePath, stat, temp, cancellationToken).ConfigureAwait(false);
            await Dst("rename", target, fs => fs.RenameAsync(temp, target, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await CleanUpAsync(temp, e).ConfigureAwait(false);
            throw;
        }

        return target;
    }

    /// <summary>
    /// Copies a directory tree to <paramref name="destinationPath"/>, which must not exist (its parent must).
    /// The tree is built under a temporary sibling name and renamed at the end.
    /// </summary>
    public async Task CopyDirAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken)
    {
        var stat = await _source.StatAsync(sourcePath, followLinks: true, cancellationToken).ConfigureAwait(false);
        if (stat.Kind != FileKind.Directory)
        {
            throw FileErrors.Of(FileErrorKind.NotADirectory, "copy", sourcePath, _source.SessionName);
        }

        if (await _destination.TryStatAsync(destinationPath, followLinks: false, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new FileOperationException(_destination.SessionName, "copy to", destinationPath, FileErrorKind.AlreadyExists, "destination exists (CopyDir needs a new directory)");
        }

        var tar = await TarTreeCopy.ChooseAsync(_source, sourcePath, _destination, _options, cancellationToken).ConfigureAwait(false);
        var temp = UseTemp(destinationPath);
        await CreateDirectoryAsync(temp, cancellationToken).ConfigureAwait(false);
        try
        {
            if (tar is not null)
            {
                await tar.CopyAsync(sourcePath, temp, Display, added => ReportArchive(sourcePath, added), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await CopyTreeAsync(sourcePath, temp, cancellationToken).ConfigureAwait(false);
            }

            await SetModeAsync(temp, stat.Mode, cancellationToken).ConfigureAwait(false);
            await Dst("rename", destinationPath, fs => fs.RenameAsync(temp, destinationPath, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await CleanUpAsync(temp, e).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Walks the source tree, creating each destination directory before its entries are handed out, while up to
    /// <see cref="CopyOptions.FilesInFlight"/> files and links are copied at once. Directory modes are set last,
    /// deepest first (a read-only directory is filled before it becomes read-only). The first failure stops the rest.
    /// </summary>
    private async Task CopyTreeAsync(string sourceRoot, string destinationRoot, CancellationToken cancellationToken)
    {
        var directories = new List<(string Path, UnixFileMode Mode)>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.FilesInFlight, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(WalkAsync(sourceRoot, destinationRoot, directories, cancellationToken), parallel, async (item, token) =>
        {
            if (item.LinkTarget is { } target)
            {
                if (_options.Resume)
                {
                    await _destination.RemoveTreeAsync(item.To, token).ConfigureAwait(false);
                }

                await Dst("symlink", item.To, fs => fs.CreateSymbolicLinkAsync(item.To, target, token)).ConfigureAwait(false);
            }
            else
            {
                await CopyContentAsync(item.From, item.Stat, item.To, token).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

        for (var i = directories.Count - 1; i >= 0; i--)
        {
            await SetModeAsync(directories[i].Path, directories[i].Mode, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The files and links under <paramref name="sourceDir"/>, depth first; creates the destination directories on the way.</summary>
    private async IAsyncEnumerable<TreeItem> WalkAsync(
        string sourceDir, string destinationDir, List<(string Path, UnixFileMode Mode)> directories, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var entry in await _source.ListAsync(sourceDir, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Name == PosixPath.GetFileName(_tempRoot ?? string.Empty))
            {
                continue; // the copy itself, when a directory is copied into itself
            }

            var from = PosixPath.Join(sourceDir, entry.Name);
            var to = PosixPath.Join(destinationDir, entry.Name);
            var stat = entry.Stat;
            if (stat.Kind == FileKind.SymbolicLink)
            {
                if (!_options.FollowLinks)
                {
                    var target = await _source.Guard("readlink", from, fs => fs.ReadLinkAsync(from, cancellationToken)).ConfigureAwait(false);
                    yield return new TreeItem(from, stat, to, target);
                    continue;
                }

                stat = await _source.StatAsync(from, followLinks: true, cancellationToken).ConfigureAwait(false);
            }

            if (stat.Kind == FileKind.Directory)
            {
                await CreateDirectoryAsync(to, cancellationToken).ConfigureAwait(false);
                directories.Add((to, stat.Mode));
                await foreach (var item in WalkAsync(from, to, directories, cancellationToken).ConfigureAwait(false))
                {
                    yield return item;
                }
            }
            else
            {
                yield return new TreeItem(from, stat, to, null);
            }
        }
    }

    private async Task CopyContentAsync(string sourcePath, FileStat stat, string destinationPath, CancellationToken cancellationToken)
    {
        var kept = _options.Resume ? await KeptBytesAsync(stat, destinationPath, cancellationToken).ConfigureAwait(false) : 0;
        if (kept < stat.Size || stat.Size == 0)
        {
            await MoveBytesAsync(sourcePath, stat, destinationPath, kept, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            Report(sourcePath, kept, stat.Size, 0);
        }

        if (_options.Checksum)
        {
            await VerifyAsync(sourcePath, destinationPath, cancellationToken).ConfigureAwait(false);
        }

        await SetModeAsync(destinationPath, stat.Mode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="CopyOptions.Resume"/>: how much of an earlier partial copy at <paramref name="destinationPath"/> can
    /// be kept. A regular file no larger than the source, written no earlier than the source was last modified (to the
    /// second: SFTP gives whole seconds), can be the start of the source; anything else is copied again from the start.
    /// </summary>
    private async Task<long> KeptBytesAsync(FileStat source, string destinationPath, CancellationToken cancellationToken)
    {
        var partial = await _destination.TryStatAsync(destinationPath, followLinks: false, cancellationToken).ConfigureAwait(false);
        return partial is { Kind: FileKind.File } && partial.Size <= source.Size &&
               partial.ModifiedAt.ToUnixTimeSeconds() >= source.ModifiedAt.ToUnixTimeSeconds()
            ? partial.Size
            : 0;
    }

    /// <summary><see cref="CopyOptions.Checksum"/>: the SHA-256 of source and copy, each computed on its own host, at once.</summary>
    private async Task VerifyAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken)
    {
        var source = _source.Guard("sha256", sourcePath, fs => fs.Sha256Async(sourcePath, cancellationToken));
        var copy = Dst("sha256", destinationPath, fs => fs.Sha256Async(destinationPath, cancellationToken));
        await Task.WhenAll(source, copy).ConfigureAwait(false);
        if (!string.Equals(source.Result, copy.Result, StringComparison.Ordinal))
        {
            throw new FileOperationException(
                _destination.SessionName, "copy to", Display(destinationPath), FileErrorKind.ChecksumMismatch,
                $"checksum mismatch: SHA-256 of the source {_source.SessionName}:{sourcePath} is {source.Result}, of the copy {copy.Result} (did the source change during the copy?)");
        }
    }

    /// <summary>Streams the source from <paramref name="kept"/> (appending to what the destination has) or from the start.</summary>
    private async Task MoveBytesAsync(string sourcePath, FileStat stat, string destinationPath, long kept, CancellationToken cancellationToken)
    {
        var input = await _source.Guard("open", sourcePath, fs => kept > 0 ? fs.OpenReadAsync(sourcePath, kept, cancellationToken) : fs.OpenAsync(sourcePath, FileOpenMode.Read, cancellationToken)).ConfigureAwait(false);
        await using (input.ConfigureAwait(false))
        {
            var mode = kept > 0 ? FileOpenMode.Append : _options.Resume ? FileOpenMode.Write : FileOpenMode.CreateNew;
            var output = await Dst("create", destinationPath, fs => fs.OpenAsync(destinationPath, mode, cancellationToken)).ConfigureAwait(false);
            try
            {
                await PumpAsync(input, sourcePath, stat.Size, kept, output, destinationPath, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await DisposeQuietlyAsync(output).ConfigureAwait(false);
                throw;
            }

            // Closing flushes the last writes: a failure there is a write failure.
            await Dst("write", destinationPath, async _ => await output.DisposeAsync().ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Moves the data in whole chunks, reading the next chunk while the current one is written (two chunks in
    /// memory), so that the source's disk or network and the destination's overlap.
    /// </summary>
    private async Task PumpAsync(Stream input, string sourcePath, long size, long kept, Stream output, string destinationPath, CancellationToken cancellationToken)
    {
        var buffers = new[] { ArrayPool<byte>.Shared.Rent(_options.ChunkSize), ArrayPool<byte>.Shared.Rent(_options.ChunkSize) };
        Task<int>? reading = null;
        try
        {
            var copied = kept;
            var current = 0;
            reading = ReadChunkAsync(buffers[current]);
            while (true)
            {
                var read = await reading.ConfigureAwait(false);
                reading = null;
                if (read == 0)
                {
                    break;
                }

                reading = ReadChunkAsync(buffers[1 - current]);
                var chunk = buffers[current].AsMemory(0, read);
                await Dst("write", destinationPath, _ => WriteChunkAsync(chunk)).ConfigureAwait(false);
                copied += read;
                Report(sourcePath, copied, size, read);
                current = 1 - current;
            }

            if (copied == kept)
            {
                Report(sourcePath, copied, size, 0);
            }
        }
        finally
        {
            if (reading is not null)
            {
                // A write failed while the next chunk was being read: let the read end before its buffer goes back.
                await Task.WhenAny(reading).ConfigureAwait(false);
                _ = reading.Exception;
            }

            ArrayPool<byte>.Shared.Return(buffers[0]);
            ArrayPool<byte>.Shared.Return(buffers[1]);
        }

        // A whole chunk per read: SFTP reads answer 64 KiB at a time. A local file is read and written on this thread:
        // its async calls are the same blocking calls run on another thread, and that hand-over per chunk cost more
        // CPU than the copy itself (the SFTP side is asynchronous and keeps the network busy meanwhile).
        Task<int> ReadChunkAsync(byte[] buffer) =>
            _source.Guard("read", sourcePath, _ =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                return input is FileStream local
                    ? Task.FromResult(local.ReadAtLeast(buffer.AsSpan(0, _options.ChunkSize), _options.ChunkSize, throwOnEndOfStream: false))
                    : input.ReadAtLeastAsync(buffer.AsMemory(0, _options.ChunkSize), _options.ChunkSize, throwOnEndOfStream: false, cancellationToken).AsTask();
            });

        Task WriteChunkAsync(ReadOnlyMemory<byte> chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (output is FileStream local)
            {
                local.Write(chunk.Span);
                return Task.CompletedTask;
            }

            return output.WriteAsync(chunk, cancellationToken).AsTask();
        }
    }

    /// <summary>Counts and reports progress; files copied at once report one at a time, totals in order.</summary>
    private void Report(string sourcePath, long copied, long size, int added)
    {
        lock (_progressLock)
        {
            _total += added;
            _options.OnProgress?.Invoke(new CopyProgress(sourcePath, copied, size, _total));
        }

        GarbagePacer.Moved(added);
    }

    /// <summary>Progress of a tar copy: the tree's archive bytes (file sizes are not known).</summary>
    private void ReportArchive(string sourcePath, int added)
    {
        lock (_progressLock)
        {
            _total += added;
            _options.OnProgress?.Invoke(new CopyProgress(sourcePath, _total, 0, _total));
        }

        GarbagePacer.Moved(added);
    }

    private Task SetModeAsync(string path, UnixFileMode mode, CancellationToken cancellationToken) =>
        _options.PreserveMode
            ? Dst("chmod", path, fs => fs.ChmodAsync(path, mode, cancellationToken))
            : Task.CompletedTask;

    /// <summary>Creates a directory of the copy; with <see cref="CopyOptions.Resume"/> one kept from an earlier copy is used as it is.</summary>
    private async Task CreateDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        if (_options.Resume && (await _destination.TryStatAsync(path, followLinks: false, cancellationToken).ConfigureAwait(false))?.Kind == FileKind.Directory)
        {
            return;
        }

        await Dst("mkdir", path, fs => fs.CreateDirectoryAsync(path, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Removes the temporary copy after a failure, except a partial copy kept for <see cref="CopyOptions.Resume"/>.</summary>
    private async Task CleanUpAsync(string temp, Exception failure)
    {
        if (_options.Resume && failure is not FileOperationException { Kind: FileErrorKind.ChecksumMismatch })
        {
            return;
        }

        try
        {
            await _destination.RemoveTreeAsync(temp, CancellationToken.None, makeWritable: true).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Best effort: the copy's own error is what the caller must see. The temporary name is never the destination's.
        }
    }

    /// <summary>Picks the temporary name for <paramref name="destination"/>; errors then name the destination instead.</summary>
    private string UseTemp(string destination)
    {
        _finalRoot = destination;
        _tempRoot = _options.Resume ? PartialName(destination) : TempName(destination);
        return _tempRoot;
    }

    /// <summary>A path under the temporary name as the user knows it: under the destination name.</summary>
    private string Display(string path) =>
        _tempRoot is { } temp && path.StartsWith(temp, StringComparison.Ordinal) ? _finalRoot + path[temp.Length..] : path;

    /// <summary>A destination call whose errors name the destination path, not the temporary one.</summary>
    private async Task<T> Dst<T>(string operation, string path, Func<Transports.Files.IFileSystem, Task<T>> call)
    {
        try
        {
            return await _destination.Guard(operation, path, call).ConfigureAwait(false);
        }
        catch (FileOperationException e) when (Display(e.Path) != e.Path)
        {
            throw new FileOperationException(e.SessionName, e.Operation, Display(e.Path), e.Kind, e.Reason, e.InnerException);
        }
    }

    private Task Dst(string operation, string path, Func<Transports.Files.IFileSystem, Task> call) =>
        Dst<bool>(operation, path, async fs =>
        {
            await call(fs).ConfigureAwait(false);
            return true;
        });

    private static async Task DisposeQuietlyAsync(Stream stream)
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The error that made us stop is the one to report.
        }
    }

    /// <summary>A hidden sibling of the destination, unique per copy.</summary>
    private static string TempName(string destination)
    {
        var directory = PosixPath.GetDirectoryName(destination);
        var name = PosixPath.GetFileName(destination);
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        return PosixPath.Join(directory, $".{name}.rcontrol-{suffix}.tmp");
    }

    /// <summary>The fixed name of a resumable copy of <paramref name="destination"/>: a later copy with Resume finds it.</summary>
    private static string PartialName(string destination) =>
        PosixPath.Join(PosixPath.GetDirectoryName(destination), $".{PosixPath.GetFileName(destination)}.rcontrol-partial");

    /// <summary>A file or link of a tree copy: source, its stat, destination, and for a link its target text.</summary>
    private sealed record TreeItem(string From, FileStat Stat, string To, string? LinkTarget);
}
