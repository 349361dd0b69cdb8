using System.Buffers.Binary;
using System.Reflection;
using System.Runtime.CompilerServices;
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
/// <item>raw <c>open</c> / <c>read</c> / <c>write</c> / <c>close</c> on a handle, reads and writes answered by
/// callbacks, so that <see cref="SftpReadStream"/> and <see cref="SftpWriteStream"/> keep several requests in flight
/// (SFTP pipelining, as OpenSSH's <c>sftp</c>/<c>scp</c> do) at little cost per request: SSH.NET's own task-returning
/// requests register three thread-pool waits each, and <see cref="SftpFileStream"/> waits for each write's answer.</item>
/// </list>
/// SSH.NET is pinned (2026.0.0); the members are looked up once and checked, so an incompatible update fails loudly
/// on first use.
/// </summary>
internal sealed class SftpRawSession
{
    private static readonly PropertyInfo SessionProperty =
        typeof(SftpClient).GetProperty("SftpSession", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new MissingMemberException(nameof(SftpClient), "SftpSession");

    private static readonly Type SessionType = typeof(SftpClient).Assembly.GetType("Renci.SshNet.Sftp.SftpSession", throwOnError: true)!;
    private static readonly Type ReadRequestType = Internal("Renci.SshNet.Sftp.Requests.SftpReadRequest");
    private static readonly Type WriteBufferType = Internal("Renci.SshNet.Sftp.Requests.SftpWriteRequestBuffer");
    private static readonly Type StatusResponseType = Internal("Renci.SshNet.Sftp.Responses.SftpStatusResponse");
    private static readonly Type DataResponseType = Internal("Renci.SshNet.Sftp.Responses.SftpDataResponse");
    private static readonly ConstructorInfo ReadRequestConstructor = ReadRequestType.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Single(c => c.GetParameters().Length == 7);
    private static readonly MethodInfo SendRequestMethod = SessionMethod("SendRequest", 1);
    private static readonly MethodInfo RequestWriteMethod = SessionType.GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
        .Single(m => m.Name == "RequestWrite" && m.GetParameters() is [{ ParameterType: var first }, { ParameterType: var second }] && first == WriteBufferType && second.IsGenericType);
    private static readonly MethodInfo ExceptionMethod = SessionType.GetMethod("GetSftpException", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [StatusResponseType, typeof(string)])
        ?? throw new MissingMethodException(SessionType.FullName, "GetSftpException");
    private static readonly PropertyInfo StatusCodeProperty = StatusResponseType.GetProperty("StatusCode") ?? throw new MissingMemberException(StatusResponseType.FullName, "StatusCode");
    private static readonly PropertyInfo DataProperty = DataResponseType.GetProperty("Data") ?? throw new MissingMemberException(DataResponseType.FullName, "Data");
    private static readonly FieldInfo WriteBufferArray = WriteBufferType.GetField("_buffer", BindingFlags.Instance | BindingFlags.NonPublic) ?? throw new MissingFieldException(WriteBufferType.FullName, "_buffer");
    private static readonly int WriteBufferHandleOffset = (int)(WriteBufferType.GetField("HandleOffset", BindingFlags.Static | BindingFlags.NonPublic)?.GetRawConstantValue()
        ?? throw new MissingFieldException(WriteBufferType.FullName, "HandleOffset"));

    private readonly SftpClient _client;
    private readonly object _session;
    private readonly Func<uint> _nextRequestId;
    private readonly Func<uint> _protocolVersion;
    private readonly Func<byte[], CancellationToken, Task> _close;
    private readonly Action<string, SftpFileAttributes> _setStat;

    public SftpRawSession(SftpClient client)
    {
        _client = client;
        _session = SessionProperty.GetValue(client) ?? throw new SshConnectionException("the SFTP client is not connected");
        _nextRequestId = Bind<Func<uint>>(SessionType.GetProperty("NextRequestId", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!.GetMethod!);
        _protocolVersion = Bind<Func<uint>>(SessionType.GetProperty("ProtocolVersion", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!.GetMethod!);
        _close = Bind<Func<byte[], CancellationToken, Task>>(SessionMethod("RequestCloseAsync", 2));
        _setStat = Bind<Action<string, SftpFileAttributes>>(SessionMethod("RequestSetStat", 2));
        if (WriteBufferHandleOffset != 13)
        {
            throw new MissingMemberException(WriteBufferType.FullName, $"HandleOffset is {WriteBufferHandleOffset}, expected 13 (an SSH.NET update changed the write request layout)");
        }
    }

    /// <summary>True while the SFTP connection is up (requests on a dead one would never be answered).</summary>
    public bool IsConnected => _client.IsConnected;

    /// <summary>Opens a file; <paramref name="flags"/> are SFTP v3 <c>SSH_FXF_*</c> bits. Returns the handle.</summary>
    public Task<byte[]> OpenAsync(string path, SftpOpenFlags flags, CancellationToken cancellationToken)
    {
        var method = SessionMethod("RequestOpenAsync", 3);
        var typed = Enum.ToObject(method.GetParameters()[1].ParameterType, (uint)flags);
        return Invoke<Task<byte[]>>("RequestOpenAsync", path, typed, cancellationToken);
    }

    public Task CloseAsync(byte[] handle, CancellationToken cancellationToken) => _close(handle, cancellationToken);

    /// <summary>
    /// Sends a read request. The data callback of <paramref name="callbacks"/> gets the data (valid only during the
    /// call: copy it); its status callback gets a status answer (<see cref="StatusCode.Eof"/> at end of file, or an
    /// error). Both run on SSH.NET's receive thread: keep them short.
    /// </summary>
    public void SendRead(byte[] handle, ulong offset, uint length, SftpCallbacks callbacks)
    {
        var request = ReadRequestConstructor.Invoke([_protocolVersion(), _nextRequestId(), handle, offset, length, callbacks.OnData, callbacks.OnStatus]);
        SendRequestMethod.Invoke(_session, BindingFlags.DoNotWrapExceptions, binder: null, [request], culture: null);
    }

    /// <summary>A reusable write request for <paramref name="handle"/> with room for <paramref name="capacity"/> bytes of data.</summary>
    public SftpWriteBuffer CreateWriteBuffer(byte[] handle, int capacity)
    {
        // SSH.NET's SftpWriteRequestBuffer, laid out as its constructor does (which takes spans, out of reflection's
        // reach): [length 4][type 1][request id 4][handle length 4][handle][offset 8][data length 4][data].
        var dataStart = WriteBufferHandleOffset + handle.Length + 8 + 4;
        var bytes = new byte[dataStart + capacity];
        bytes[4] = 6; // SSH_FXP_WRITE
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(9), handle.Length);
        handle.CopyTo(bytes, WriteBufferHandleOffset);
        var native = RuntimeHelpers.GetUninitializedObject(WriteBufferType);
        WriteBufferArray.SetValue(native, bytes);
        return new SftpWriteBuffer(native, bytes, dataStart);
    }

    /// <summary>
    /// Sends <paramref name="length"/> bytes from <see cref="SftpWriteBuffer.Data"/> at <paramref name="offset"/>;
    /// the buffer is reusable when this returns (SSH.NET copies it into packets). The answer goes to
    /// <paramref name="onStatus"/> (from <see cref="Callbacks"/>), on SSH.NET's receive thread.
    /// </summary>
    public void SendWrite(SftpWriteBuffer buffer, ulong offset, int length, Delegate onStatus)
    {
        var bytes = buffer.Bytes;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(buffer.DataStart - 12), offset);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(buffer.DataStart - 4), length);
        BinaryPrimitives.WriteInt32BigEndian(bytes, buffer.DataStart + length - 4);
        RequestWriteMethod.Invoke(_session, BindingFlags.DoNotWrapExceptions, binder: null, [buffer.Native, onStatus], culture: null);
    }

    /// <summary>SSH.NET's answer callbacks, calling <paramref name="onData"/> and <paramref name="onStatus"/> (with the answer, for <see cref="ToException"/>).</summary>
    public static SftpCallbacks Callbacks(Action<ArraySegment<byte>> onData, Action<StatusCode, object> onStatus) => new(
        Delegate.CreateDelegate(typeof(Action<>).MakeGenericType(DataResponseType), onData, DataThunk.MakeGenericMethod(DataResponseType)),
        Delegate.CreateDelegate(typeof(Action<>).MakeGenericType(StatusResponseType), onStatus, StatusThunk.MakeGenericMethod(StatusResponseType)));

    /// <summary>The exception SSH.NET's own calls throw for an error status (not found, permission denied, …).</summary>
    public static SftpException ToException(object statusResponse, string path) =>
        (SftpException)ExceptionMethod.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, [statusResponse, path], culture: null)!;

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

    private static MethodInfo DataThunk => typeof(SftpRawSession).GetMethod(nameof(OnDataThunk), BindingFlags.Static | BindingFlags.NonPublic)!;

    private static MethodInfo StatusThunk => typeof(SftpRawSession).GetMethod(nameof(OnStatusThunk), BindingFlags.Static | BindingFlags.NonPublic)!;

    private static void OnDataThunk<TResponse>(Action<ArraySegment<byte>> handler, TResponse response) =>
        handler((ArraySegment<byte>)DataProperty.GetValue(response)!);

    private static void OnStatusThunk<TResponse>(Action<StatusCode, object> handler, TResponse response) =>
        handler((StatusCode)StatusCodeProperty.GetValue(response)!, response!);

    private static Type Internal(string name) => typeof(SftpClient).Assembly.GetType(name, throwOnError: true)!;

    private static MethodInfo SessionMethod(string name, int parameterCount) =>
        SessionType.GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .FirstOrDefault(m => m.Name == name && m.GetParameters().Length == parameterCount)
        ?? throw new MissingMethodException(SessionType.FullName, name);

    private TDelegate Bind<TDelegate>(MethodInfo method)
        where TDelegate : Delegate =>
        (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), _session, method);

    private T Invoke<T>(string name, params object?[] arguments) =>
        (T)SessionMethod(name, arguments.Length).Invoke(_session, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null)!;
}

/// <summary>A read request's two answer callbacks, as SSH.NET's (internal) delegate types.</summary>
internal sealed record SftpCallbacks(Delegate OnData, Delegate OnStatus);

/// <summary>A reusable SFTP write request (SSH.NET's <c>SftpWriteRequestBuffer</c>) and where its data goes.</summary>
internal sealed record SftpWriteBuffer(object Native, byte[] Bytes, int DataStart)
{
    public Memory<byte> Data => Bytes.AsMemory(DataStart);
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
