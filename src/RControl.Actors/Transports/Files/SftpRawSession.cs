using System.Buffers;
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
    private static readonly ConstructorInfo SetStatRequestConstructor = Internal("Renci.SshNet.Sftp.Requests.SftpSetStatRequest")
        .GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Single(c => c.GetParameters().Length == 6);
    private static readonly FieldInfo EncodingField = SessionType.GetField("_encoding", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new MissingFieldException(SessionType.FullName, "_encoding");
    private static readonly Type HandleResponseType = Internal("Renci.SshNet.Sftp.Responses.SftpHandleResponse");
    private static readonly Type OpenFlagsType = Internal("Renci.SshNet.Sftp.Flags");
    private static readonly ConstructorInfo OpenRequestConstructor = Internal("Renci.SshNet.Sftp.Requests.SftpOpenRequest")
        .GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Single(c => c.GetParameters().Length == 7);
    private static readonly ConstructorInfo CloseRequestConstructor = Internal("Renci.SshNet.Sftp.Requests.SftpCloseRequest")
        .GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Single(c => c.GetParameters().Length == 4);
    private static readonly PropertyInfo HandleProperty = HandleResponseType.GetProperty("Handle") ?? throw new MissingMemberException(HandleResponseType.FullName, "Handle");
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
    private readonly Func<uint, byte[], uint> _onePacketWriteLength;
    private readonly System.Text.Encoding _encoding;

    public SftpRawSession(SftpClient client)
    {
        _client = client;
        _session = SessionProperty.GetValue(client) ?? throw new SshConnectionException("the SFTP client is not connected");
        _nextRequestId = Bind<Func<uint>>(SessionType.GetProperty("NextRequestId", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!.GetMethod!);
        _protocolVersion = Bind<Func<uint>>(SessionType.GetProperty("ProtocolVersion", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!.GetMethod!);
        _encoding = (System.Text.Encoding)EncodingField.GetValue(_session)!;
        _onePacketWriteLength = Bind<Func<uint, byte[], uint>>(SessionMethod("CalculateOptimalWriteLength", 2));
        if (WriteBufferHandleOffset != 13)
        {
            throw new MissingMemberException(WriteBufferType.FullName, $"HandleOffset is {WriteBufferHandleOffset}, expected 13 (an SSH.NET update changed the write request layout)");
        }
    }

    /// <summary>True while the SFTP connection is up (requests on a dead one would never be answered).</summary>
    public bool IsConnected => _client.IsConnected;

    /// <summary>Opens a file; <paramref name="flags"/> are SFTP v3 <c>SSH_FXF_*</c> bits. Returns the handle.</summary>
    public async Task<byte[]> OpenAsync(string path, SftpOpenFlags flags, CancellationToken cancellationToken)
    {
        var answered = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var onHandle = Delegate.CreateDelegate(HandleActionType, (Action<byte[]>)(handle => answered.TrySetResult(handle)), HandleThunk);
        var onStatus = Delegate.CreateDelegate(StatusActionType, (Action<StatusCode, object>)((_, response) => answered.TrySetException(ToException(response, path))), StatusThunk);
        Send(OpenRequestConstructor.Invoke([_protocolVersion(), _nextRequestId(), path, _encoding, Enum.ToObject(OpenFlagsType, (uint)flags), onHandle, onStatus]));
        await WhileConnectedAsync(answered.Task, cancellationToken).ConfigureAwait(false);
        return await answered.Task.ConfigureAwait(false);
    }

    public Task CloseAsync(byte[] handle, CancellationToken cancellationToken) =>
        StatusRequestAsync(onStatus => CloseRequestConstructor.Invoke([_protocolVersion(), _nextRequestId(), handle, onStatus]), "close", cancellationToken);

    /// <summary>
    /// The data length near <paramref name="target"/> whose write request fills whole SSH packets: SSH.NET splits a
    /// request at the server's packet size (32 KiB for OpenSSH), and 64 KiB of data would leave a third, tiny packet.
    /// </summary>
    public int WholePacketsWriteLength(int target, byte[] handle)
    {
        var onePacket = _onePacketWriteLength(uint.MaxValue, handle);
        var packet = onePacket + 25 + (uint)handle.Length; // SSH.NET: data = packet size - (25 + handle length)
        var packets = Math.Max(1, (uint)target / packet);
        return (int)((packets * packet) - 25 - (uint)handle.Length);
    }

    /// <summary>
    /// Sends a read request. The data callback of <paramref name="callbacks"/> gets the data (valid only during the
    /// call: copy it); its status callback gets a status answer (<see cref="StatusCode.Eof"/> at end of file, or an
    /// error). Both run on SSH.NET's receive thread: keep them short.
    /// </summary>
    public void SendRead(byte[] handle, ulong offset, uint length, SftpCallbacks callbacks)
    {
        Send(ReadRequestConstructor.Invoke([_protocolVersion(), _nextRequestId(), handle, offset, length, callbacks.OnData, callbacks.OnStatus]));
    }

    /// <summary>Sends a request whose answer is a status (OK, or an error thrown as SSH.NET's own calls would).</summary>
    private async Task StatusRequestAsync(Func<Delegate, object> build, string path, CancellationToken cancellationToken)
    {
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var onStatus = Delegate.CreateDelegate(StatusActionType, (Action<StatusCode, object>)((status, response) =>
        {
            if (status == StatusCode.Ok)
            {
                answered.TrySetResult();
            }
            else
            {
                answered.TrySetException(ToException(response, path));
            }
        }), StatusThunk);
        Send(build(onStatus));
        await WhileConnectedAsync(answered.Task, cancellationToken).ConfigureAwait(false);
        await answered.Task.ConfigureAwait(false);
    }

    private void Send(object request) =>
        SendRequestMethod.Invoke(_session, BindingFlags.DoNotWrapExceptions, binder: null, [request], culture: null);

    /// <summary>A reusable write request for <paramref name="handle"/> with room for <paramref name="capacity"/> bytes of data.</summary>
    public SftpWriteBuffer CreateWriteBuffer(byte[] handle, int capacity)
    {
        // SSH.NET's SftpWriteRequestBuffer, laid out as its constructor does (which takes spans, out of reflection's
        // reach): [length 4][type 1][request id 4][handle length 4][handle][offset 8][data length 4][data].
        // The bytes are pooled (many small files in flight would otherwise allocate one each): return with Return.
        var dataStart = WriteBufferHandleOffset + handle.Length + 8 + 4;
        var bytes = ArrayPool<byte>.Shared.Rent(dataStart + capacity);
        bytes[4] = 6; // SSH_FXP_WRITE
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(9), handle.Length);
        handle.CopyTo(bytes, WriteBufferHandleOffset);
        var native = RuntimeHelpers.GetUninitializedObject(WriteBufferType);
        WriteBufferArray.SetValue(native, bytes);
        return new SftpWriteBuffer(native, bytes, dataStart, capacity);
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
        Delegate.CreateDelegate(DataActionType, onData, DataThunk),
        Delegate.CreateDelegate(StatusActionType, onStatus, StatusThunk));

    /// <summary>The exception SSH.NET's own calls throw for an error status (not found, permission denied, …).</summary>
    public static SftpException ToException(object statusResponse, string path) =>
        (SftpException)ExceptionMethod.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, [statusResponse, path], culture: null)!;

    /// <summary><c>setstat</c> with the permission bits only (one request; SSH.NET's public API stats first).</summary>
    public Task SetModeAsync(string path, UnixFileMode mode) =>
        StatusRequestAsync(onStatus => SetStatRequestConstructor.Invoke([_protocolVersion(), _nextRequestId(), path, _encoding, SftpModes.PermissionsOnly(mode), onStatus]), path, CancellationToken.None);

    /// <summary>Waits for an answer; fails if the connection is lost meanwhile (the answer would never come).</summary>
    public async Task WhileConnectedAsync(Task answer, CancellationToken cancellationToken = default)
    {
        while (!answer.IsCompleted)
        {
            try
            {
                await answer.WaitAsync(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException) when (IsConnected)
            {
            }
            catch (TimeoutException e)
            {
                throw new SshConnectionException("the SFTP connection was lost", e);
            }
        }
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

    private static readonly MethodInfo DataThunk = Thunk(nameof(OnDataThunk), DataResponseType);
    private static readonly MethodInfo StatusThunk = Thunk(nameof(OnStatusThunk), StatusResponseType);
    private static readonly MethodInfo HandleThunk = Thunk(nameof(OnHandleThunk), HandleResponseType);
    private static readonly Type DataActionType = typeof(Action<>).MakeGenericType(DataResponseType);
    private static readonly Type StatusActionType = typeof(Action<>).MakeGenericType(StatusResponseType);
    private static readonly Type HandleActionType = typeof(Action<>).MakeGenericType(HandleResponseType);

    private static void OnHandleThunk<TResponse>(Action<byte[]> handler, TResponse response) =>
        handler((byte[])HandleProperty.GetValue(response)!);

    private static MethodInfo Thunk(string name, Type responseType) =>
        typeof(SftpRawSession).GetMethod(name, BindingFlags.Static | BindingFlags.NonPublic)!.MakeGenericMethod(responseType);

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
internal sealed record SftpWriteBuffer(object Native, byte[] Bytes, int DataStart, int Capacity)
{
    public Memory<byte> Data => Bytes.AsMemory(DataStart, Capacity);

    /// <summary>Gives the bytes back to the pool; only once nothing will be sent from this buffer again.</summary>
    public void Return() => ArrayPool<byte>.Shared.Return(Bytes);
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
