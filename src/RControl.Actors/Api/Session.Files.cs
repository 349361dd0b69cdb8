using System.Runtime.CompilerServices;
using RControl.Files;
using RControl.Protocol;
using RControl.Transports.Files;

namespace RControl;

/// <summary>File operations and copies (the original's <c>open</c>, <c>walk</c>, <c>mkdir</c>, <c>copy_file</c> …).</summary>
public abstract partial class Session
{
    private readonly object _filesGate = new();
    private IFileSystem? _fileSystem;

    /// <summary>The spec the session was created from (gives it its file system).</summary>
    internal SessionSpec? OriginSpec { get; private set; }

    /// <summary>
    /// The session's file system, created on first use from its spec (local disk, or an SFTP connection of its own).
    /// Tests may set another before first use.
    /// </summary>
    internal IFileSystem FileSystem
    {
        get
        {
            lock (_filesGate)
            {
                ThrowIfClosed();
                return _fileSystem ??= (OriginSpec is { } spec ? SessionFactory.CreateFileSystem(spec, Configuration.RControlSettings.Get(System.ActorSystem).SshConnects) : null)
                    ?? throw new SessionException($"session '{Name}' has no file access (it was not created from a session spec)");
            }
        }

        set
        {
            lock (_filesGate)
            {
                _fileSystem = value;
            }
        }
    }

    private FileEndpoint Files => new(Name, FileSystem);

    /// <summary>Opens a file of this session as a stream (the original's <c>open</c>). Dispose the stream to close it.</summary>
    /// <exception cref="FileOperationException">The file is missing, not accessible, or a directory.</exception>
    public Task<Stream> OpenAsync(string path, FileOpenMode mode = FileOpenMode.Read, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Files.Guard("open", path, fs => fs.OpenAsync(path, mode, cancellationToken));
    }

    /// <summary>
    /// Walks a directory tree like Python's <c>os.walk</c> (the original's <c>walk</c>): one
    /// <c>(Dir, Dirs, Files)</c> per directory, parents before children when <paramref name="topDown"/>, children
    /// first otherwise. Links to directories are listed in <c>Dirs</c> and entered only when
    /// <paramref name="followLinks"/>. A directory that cannot be listed is passed to <paramref name="onError"/>
    /// (ignored when null) and skipped.
    /// </summary>
    public IAsyncEnumerable<(string Dir, IReadOnlyList<string> Dirs, IReadOnlyList<string> Files)> WalkAsync(
        string top,
        bool topDown = true,
        Action<Exception>? onError = null,
        bool followLinks = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(top);
        return FileTreeWalker.WalkAsync(Files, top, topDown, onError, followLinks, cancellationToken);
    }

    /// <summary>Creates a directory (the original's <c>mkdir</c>); with <paramref name="parents"/> also missing parents, and an existing directory is fine.</summary>
    /// <exception cref="FileOperationException">The path exists (without <paramref name="parents"/>), the parent is missing, or permission is denied.</exception>
    public async Task MkdirAsync(string path, bool parents = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var files = Files;
        if (!parents)
        {
            await files.Guard("mkdir", path, fs => fs.CreateDirectoryAsync(path, cancellationToken)).ConfigureAwait(false);
            return;
        }

        var existing = await files.TryStatAsync(path, followLinks: true, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            if (existing.Kind != FileKind.Directory)
            {
                throw FileErrors.Of(FileErrorKind.AlreadyExists, "mkdir", path, Name);
            }

            return;
        }

        var parent = PosixPath.GetDirectoryName(path);
        if (parent != PosixPath.TrimEnd(path))
        {
            await MkdirAsync(parent, parents: true, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await files.Guard("mkdir", path, fs => fs.CreateDirectoryAsync(path, cancellationToken)).ConfigureAwait(false);
        }
        catch (FileOperationException e) when (e.Kind == FileErrorKind.AlreadyExists)
        {
            // Created meanwhile by someone else: fine with parents, if it is a directory.
            if (!await IsDirAsync(path, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }
        }
    }

    /// <summary>True when the path exists (a link counts when its target exists).</summary>
    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        await Files.TryStatAsync(path, followLinks: true, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>True when the path is a directory or a link to one.</summary>
    public async Task<bool> IsDirAsync(string path, CancellationToken cancellationToken = default) =>
        (await Files.TryStatAsync(path, followLinks: true, cancellationToken).ConfigureAwait(false))?.Kind == FileKind.Directory;

    /// <summary>True when the path is a symbolic link (even a dangling one).</summary>
    public async Task<bool> IsLinkAsync(string path, CancellationToken cancellationToken = default) =>
        (await Files.TryStatAsync(path, followLinks: false, cancellationToken).ConfigureAwait(false))?.Kind == FileKind.SymbolicLink;

    /// <summary><c>stat</c> (or <c>lstat</c> when not following links): kind, size, mode, modification time.</summary>
    /// <exception cref="FileOperationException">The path does not exist.</exception>
    public Task<FileStat> StatAsync(string path, bool followLinks = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Files.StatAsync(path, followLinks, cancellationToken);
    }

    /// <summary>The entries of a directory, each with its <c>lstat</c>, sorted by name.</summary>
    public Task<IReadOnlyList<FileEntry>> ListDirAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Files.ListAsync(path, cancellationToken);
    }

    /// <summary>
    /// Removes a file or link, an empty directory, or with <paramref name="recursive"/> a whole tree (links inside
    /// are removed, never followed).
    /// </summary>
    /// <exception cref="FileOperationException">The path is missing, a directory is not empty (without <paramref name="recursive"/>), or permission is denied.</exception>
    public async Task RemoveAsync(string path, bool recursive = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var files = Files;
        var stat = await files.StatAsync(path, followLinks: false, cancellationToken).ConfigureAwait(false);
        if (stat.Kind != FileKind.Directory)
        {
            await files.Guard("remove", path, fs => fs.RemoveFileAsync(path, cancellationToken)).ConfigureAwait(false);
        }
        else if (recursive)
        {
            await files.RemoveTreeAsync(path, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await files.Guard("rmdir", path, fs => fs.RemoveDirectoryAsync(path, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Renames (moves within the session) a file or directory; an existing destination file is replaced.</summary>
    public Task RenameAsync(string from, string to, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentException.ThrowIfNullOrEmpty(to);
        return Files.Guard("rename", from, fs => fs.RenameAsync(from, to, cancellationToken));
    }

    /// <summary>Sets the permission bits of a path.</summary>
    public Task ChmodAsync(string path, UnixFileMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Files.Guard("chmod", path, fs => fs.ChmodAsync(path, mode, cancellationToken));
    }

    /// <summary>Creates a symbolic link at <paramref name="path"/> pointing to <paramref name="target"/> (stored as given).</summary>
    public Task SymlinkAsync(string target, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Files.Guard("symlink", path, fs => fs.CreateSymbolicLinkAsync(path, target, cancellationToken));
    }

    /// <summary>The target of a symbolic link, as stored.</summary>
    public Task<string> ReadLinkAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Files.Guard("readlink", path, fs => fs.ReadLinkAsync(path, cancellationToken));
    }

    /// <summary>
    /// Copies a file of this session to <paramref name="destinationPath"/> on <paramref name="destination"/>
    /// (any session, this one included) and waits (the original's <c>s_copy_file</c>). When the destination is a
    /// directory the file goes into it under its own name. Data is streamed in chunks through memory, written
    /// under a temporary name and renamed at the end; mode bits are kept. Returns the path written.
    /// </summary>
    /// <exception cref="FileOperationException">The source is missing or a directory, the destination exists with <see cref="CopyOptions.Overwrite"/> off, permission is denied, or a read/write failed; the message names session and path.</exception>
    public Task<string> CopyFileAsync(string sourcePath, Session destination, string destinationPath, CopyOptions? options = null, CancellationToken cancellationToken = default)
    {
        var copier = Copier(sourcePath, destination, destinationPath, options);
        return copier.CopyFileAsync(sourcePath, destinationPath, cancellationToken);
    }

    /// <summary>
    /// Copies a directory tree of this session to <paramref name="destinationPath"/> on
    /// <paramref name="destination"/>, which must not exist (the original's <c>s_copy_dir</c>). Nested and empty
    /// directories, mode bits and symbolic links (recreated as links unless <see cref="CopyOptions.FollowLinks"/>)
    /// are copied; the tree is built under a temporary name and renamed at the end.
    /// </summary>
    /// <exception cref="FileOperationException">The source is missing or not a directory, the destination exists, permission is denied, or a read/write failed.</exception>
    public Task CopyDirAsync(string sourcePath, Session destination, string destinationPath, CopyOptions? options = null, CancellationToken cancellationToken = default)
    {
        var copier = Copier(sourcePath, destination, destinationPath, options);
        return copier.CopyDirAsync(sourcePath, destinationPath, cancellationToken);
    }

    /// <summary>
    /// Starts <see cref="CopyFileAsync"/> as a background task of this (the source) session (the original's
    /// <c>copy_file</c>): wait-for-tasks waits for it and reports its error, unless <paramref name="onDone"/> is given.
    /// </summary>
    public BackgroundTask CopyFile(string sourcePath, Session destination, string destinationPath, CopyOptions? options = null, Action<BackgroundTask>? onDone = null)
    {
        Copier(sourcePath, destination, destinationPath, options);
        return StartBackground(
            $"copy file {Name}:{sourcePath} -> {destination.Name}:{destinationPath}",
            (_, ct) => CopyFileAsync(sourcePath, destination, destinationPath, options, ct),
            onDone);
    }

    /// <summary>
    /// Starts <see cref="CopyDirAsync"/> as a background task of this (the source) session (the original's
    /// <c>copy_dir</c>): wait-for-tasks waits for it and reports its error, unless <paramref name="onDone"/> is given.
    /// </summary>
    public BackgroundTask CopyDir(string sourcePath, Session destination, string destinationPath, CopyOptions? options = null, Action<BackgroundTask>? onDone = null)
    {
        Copier(sourcePath, destination, destinationPath, options);
        return StartBackground(
            $"copy dir {Name}:{sourcePath} -> {destination.Name}:{destinationPath}",
            (_, ct) => CopyDirAsync(sourcePath, destination, destinationPath, options, ct),
            onDone);
    }

    internal Session WithSpec(SessionSpec spec)
    {
        OriginSpec = spec;
        return this;
    }

    private FileCopier Copier(string sourcePath, Session destination, string destinationPath, CopyOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePath);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        return new FileCopier(Files, destination.Files, options ?? CopyOptions.Default);
    }

    private async Task CloseFileSystemAsync()
    {
        IFileSystem? fileSystem;
        lock (_filesGate)
        {
            fileSystem = _fileSystem;
            _fileSystem = null;
        }

        if (fileSystem is not null)
        {
            await fileSystem.DisposeAsync().ConfigureAwait(false);
        }
    }
}
