using System.Reflection;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Sftp;

namespace RControl.Transports.Files;

/// <summary>
/// The SFTP requests that <see cref="SftpClient"/>'s public API only offers after resolving the path with
/// <c>realpath</c> — which follows symbolic links, so <c>lstat</c>, <c>remove</c>, <c>rename</c> and
/// <c>rmdir</c> of a link would act on its target, and <c>symlink</c> would store an absolute target. These go
/// straight to SSH.NET's (internal) SFTP session with the path as given. SSH.NET is pinned (2026.0.0); the
/// members are looked up once and checked, so an incompatible update fails loudly on first use.
/// </summary>
internal sealed class SftpRawSession
{
    private static readonly PropertyInfo SessionProperty =
        typeof(SftpClient).GetProperty("SftpSession", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new MissingMemberException(nameof(SftpClient), "SftpSession");

    private readonly object _session;

    public SftpRawSession(SftpClient client)
    {
        _session = SessionProperty.GetValue(client) ?? throw new SshConnectionException("the SFTP client is not connected");
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

    private T Invoke<T>(string name, params object?[] arguments)
    {
        var method = _session.GetType().GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .FirstOrDefault(m => m.Name == name && m.GetParameters().Length == arguments.Length)
            ?? throw new MissingMethodException(_session.GetType().FullName, name);
        return (T)method.Invoke(_session, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null)!;
    }
}
