using System.Buffers;
using System.Reflection;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Sftp;

namespace RControl.Transports.Files;

/// <summary>
/// The SFTP requests that <see cref="SftpClient"/>'s public API does not offer as needed, straight on SSH.NET's
/// (internal) SFTP session:
/// <list type="bullet">
/// <item>path requests without the <c>realpath</c> that the public API does first — it follows symbolic links, so
/// <c>lstat</c>, <c>remove</c>, <c>rename</c> and <c>rmdir</c> of a link would act on its target, and <c>symlink</c>
/// would store an absolute target;</item>
/// <item>raw <c>open</c> / <c>read</c> / <c>write</c> / <c>close</c> on a handle, each returning a task as soon as
/// the request is sent, so that <see cref="SftpReadStream"/> and <see cref="SftpWriteStream"/> keep several requests
/// in flight (SFTP pipelining, as OpenSSH's <c>sftp</c>/<c>scp</c> do); <see cref="SftpFileStream"/> waits for each
/// write's answer before sending the next.</item>
/// </list>
/// SSH.NET is pinned (2026.0.0); the members are looked up once and checked, so an incompatible update fails loudly
/// on first use.
/// </summary>
internal sealed class SftpRawSession
{
    private static readonly PropertyInfo SessionProperty =
        typeof(SftpClient).GetProperty("SftpSession", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new MissingMemberException(nameof(SftpClient), "SftpSession");

    private readonly SftpClient _client;
    private readonly object _session;
    private readonly Func<byte[], ulong, byte[], int, int, CancellationToken, Task> _write;
    private readonly Func<byte[], ulong, uint, CancellationToken, Task> _read;
    private readonly Func<Task, IMemoryOwner<byte>> _readResult;
    private readonly Func<byte[], CancellationToken, Task> _close;
    private readonly Action<string, SftpFileAttributes> _setStat;

    public SftpRawSession(SftpClient client)
    {
        _client = client;
        _session = SessionProperty.GetValue(client) ?? throw new SshConnectionException("the SFTP client is not connected");
        _write = Bind<Func<byte[], ulong, byte[], int, int, CancellationToken, Task>>("RequestWriteAsync");
        _close = Bind<Func<byte[], CancellationToken, Task>>("RequestCloseAsync");
        _setStat = Bind<Action<string, SftpFileAttributes>>("RequestSetStat");

        // Task<ReadOnlyMemoryOwner> (an internal, pooled buffer): bound as Task, its result read through IMemoryOwner.
        var read = Method("RequestReadAsync", 4);
        _read = (Func<byte[], ulong, uint, CancellationToken, Task>)Delegate.CreateDelegate(typeof(Func<byte[], ulong, uint, CancellationToken, Task>), _session, read);
        var owner = read.ReturnType.GetGenericArguments().Single();
        _readResult = typeof(SftpRawSession).GetMethod(nameof(ResultOf), BindingFlags.Static | BindingFlags.NonPublic)!
            .MakeGenericMethod(owner).CreateDelegate<Func<Task, IMemoryOwner<byte>>>();
    }

    /// <summary>True while the SFTP connection is up (requests on a dead one would never be answered).</summary>
    public bool IsConnected => _client.IsConnected;

    /// <summary>Opens a file; <paramref name="flags"/> are SFTP v3 <c>SSH_FXF_*</c> bits. Returns the handle.</summary>
    public Task<byte[]> OpenAsync(string path, SftpOpenFlags flags, CancellationToken cancellationToken)
    {
        var method = Method("RequestOpenAsync", 3);
        var typed = Enum.ToObject(method.GetParameters()[1].ParameterType, (uint)flags);
        return Invoke<Task<byte[]>>("RequestOpenAsync", path, typed, cancellationToken);
    }

    /// <summary>Sends a write request; the data is copied into the SSH packet before this returns. The task ends with the server's answer.</summary>
    public Task WriteAsync(byte[] handle, ulong offset, byte[] data, int start, int length, CancellationToken cancellationToken) =>
        _write(handle, offset, data, start, length, cancellationToken);

    /// <summary>Sends a read request; the task's data (<see cref="ReadResult"/>) is empty at end of file.</summary>
    public Task ReadAsync(byte[] handle, ulong offset, uint length, CancellationToken cancellationToken) =>
        _read(handle, offset, length, cancellationToken);

    /// <summary>The data of a completed <see cref="ReadAsync"/> task: a pooled buffer, to dispose.</summary>
    public IMemoryOwner<byte> ReadResult(Task completedRead) => _readResult(completedRead);

    public Task CloseAsync(byte[] handle, CancellationToken cancellationToken) => _close(handle, cancellationToken);

    /// <summary><c>setstat</c> with the permission bits only (one request; SSH.NET's public API stats first).</summary>
    public Task SetModeAsync(string path, UnixFileMode mode)
    {
        var attributes = SftpModes.PermissionsOnly(mode);
        return Task.Run(() => _setStat(path, attributes));
    }

    public Task<SftpFileAttributes> LStatAsync(string path, CancellationToken cancellationToken) =>
        Invoke<Task<SftpFileAttributes>>("RequestLStatAsync", path, cancellationToken);

    public Task<SftpFileAttributes> StatAsync(string path) =>
        Task.Run(() => Invoke<SftpFileAttributes>("RequestStat", path));

    public Task MkDirAsync(string path, CancellationToken cancellationToken) =>
        Invoke<Task>("RequestMkDirAsync", path, cancellationToken);

    public Task RemoveAsync(string path, CancellationToken cancellationToken) =>
        Invoke<Task>("RequestRemoveAsync", path, cancellationToken);

    public Task RmDirAsync(string path, CancellationToken cancellationToken) =>
        Invoke<Task>("RequestRmDirAsync", path, cancellationToken);

    /// <summary>POSIX rename (replaces an existing destination file) through the posix-rename@openssh.com extension.</summary>
    public Task PosixRenameAsync(string from, string to) =>
        Task.Run(() => Invoke<object?>("RequestPosixRename", from, to));

    public Task<string> ReadLinkAsync(string path) =>
        Task.Run(() =>
        {
            var result = Invoke<KeyValuePair<string, SftpFileAttributes>[]?>("RequestReadLink", path, false);
            return result is { Length: > 0 } ? result[0].Key : throw new SftpException(StatusCode.Failure, "empty readlink answer");
        });

    /// <summary>Creates <paramref name="linkPath"/> pointing to <paramref name="target"/> (OpenSSH takes the target first).</summary>
    public Task SymLinkAsync(string target, string linkPath) =>
        Task.Run(() => Invoke<object?>("RequestSymLink", target, linkPath));

    private static IMemoryOwner<byte> ResultOf<T>(Task task)
        where T : IMemoryOwner<byte> =>
        ((Task<T>)task).Result;

    private MethodInfo Method(string name, int parameterCount) =>
        _session.GetType().GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .FirstOrDefault(m => m.Name == name && m.GetParameters().Length == parameterCount)
        ?? throw new MissingMethodException(_session.GetType().FullName, name);

    private TDelegate Bind<TDelegate>(string name)
        where TDelegate : Delegate =>
        (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), _session, Method(name, typeof(TDelegate).GetMethod("Invoke")!.GetParameters().Length));

    private T Invoke<T>(string name, params object?[] arguments) =>
        (T)Method(name, arguments.Length).Invoke(_session, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null)!;
}

/// <summary>SFTP v3 open flags (<c>SSH_FXF_*</c>).</summary>
[Flags]
internal enum SftpOpenFlags : uint
{
    Read = 0x01,
    Write = 0x02,
    Append = 0x04,
    Create = 0x08,
    Truncate = 0x10,
    Exclusive = 0x20,
}
