using System.Collections.Concurrent;
using Akka.Actor;
using RControl.Actors;
using RControl.Files;
using RControl.Protocol;
using RControl.Transports.Files;

namespace RControl.Remote;

/// <summary>
/// The engine side of remote file access (<c>/user/rcontrol-files</c>): runs file operations of the engine's named
/// sessions (their local disk or SFTP, built from the spec the engine holds, secrets included) for remote clients,
/// and serves opened files in chunks. Each request is answered with <see cref="Result"/> or <see cref="Failed"/>.
/// </summary>
public sealed class FileServiceActor : ReceiveActor, IWithTimers
{
    /// <summary>The actor's name next to the engine.</summary>
    public const string ActorName = "rcontrol-files";

    /// <summary>Largest chunk read or written per message.</summary>
    public const int ChunkSize = 256 * 1024;

    /// <summary>What a <see cref="Call"/> asks for.</summary>
    public enum Op : byte
    {
        Stat, Lstat, List, Mkdir, RemoveFile, RemoveDirectory, Rename, ReadLink, Symlink, Chmod, Open, Read, Write, Close,
    }

    /// <summary>A file operation on a named session of the engine.</summary>
    /// <param name="Other">The second path (rename destination, symlink target).</param>
    /// <param name="Number">The open mode, the chmod mode, or the byte count of a read.</param>
    /// <param name="Handle">The open file of a read, write or close.</param>
    /// <param name="Data">The bytes of a write.</param>
    public sealed record Call(string Session, Op Op, string Path, string? Other = null, long Number = 0, long Handle = 0, byte[]? Data = null);

    /// <summary>The answer to a successful <see cref="Call"/>; only the fields of its operation are set.</summary>
    public sealed record Result(FileStat? Stat = null, IReadOnlyList<FileEntry>? Entries = null, string? Text = null, long Handle = 0, byte[]? Data = null);

    /// <summary>The answer to a failed <see cref="Call"/>.</summary>
    public sealed record Failed(FileErrorKind Kind, string Operation, string Path, string Reason);

    private readonly IActorRef _engine;
    private readonly ActorSystem _system = Context.System;
    private readonly ConcurrentDictionary<string, Lazy<Task<IFileSystem>>> _fileSystems = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, OpenFile> _open = new();
    private readonly TimeSpan _idleTimeout;
    private long _lastHandle;

    public FileServiceActor(IActorRef engine)
    {
        _engine = engine;
        _idleTimeout = _system.Settings.Config.GetTimeSpan("rcontrol.remote.file-idle-timeout", TimeSpan.FromMinutes(5));
        Receive<SweepIdle>(_ =>
        {
            // A client that died with files open leaves them here: close those unused for the idle timeout.
            var cutoff = Environment.TickCount64 - (long)_idleTimeout.TotalMilliseconds;
            foreach (var (handle, file) in _open)
            {
                if (file.LastUsed < cutoff && _open.TryRemove(handle, out var idle))
                {
                    idle.Stream.Dispose();
                }
            }
        });
        Receive<Call>(call =>
        {
            var sender = Sender;
            RunAsync(call).PipeTo(sender, success: r => r, failure: e => ToFailure(call, e));
        });
    }

    public static Props Props(IActorRef engine) => Akka.Actor.Props.Create(() => new FileServiceActor(engine));

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("sweep", SweepIdle.Instance, TimeSpan.FromSeconds(Math.Max(1, _idleTimeout.TotalSeconds / 5)));

    protected override void PostStop()
    {
        foreach (var file in _open.Values)
        {
            file.Stream.Dispose();
        }

        foreach (var fs in _fileSystems.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully))
        {
            _ = fs.Value.Result.DisposeAsync().AsTask();
        }
    }

    private async Task<object> RunAsync(Call call)
    {
        switch (call.Op)
        {
            case Op.Read:
                var stream = Handle(call);
                var buffer = new byte[Math.Clamp(call.Number, 1, ChunkSize)];
                var read = await stream.ReadAsync(buffer).ConfigureAwait(false);
                return new Result(Data: read == buffer.Length ? buffer : buffer[..read]);
            case Op.Write:
                await Handle(call).WriteAsync(call.Data ?? []).ConfigureAwait(false);
                return new Result();
            case Op.Close:
                if (_open.TryRemove(call.Handle, out var closing))
                {
                    await closing.Stream.DisposeAsync().ConfigureAwait(false);
                }

                return new Result();
        }

        var fs = await FileSystemAsync(call.Session).ConfigureAwait(false);
        var none = CancellationToken.None;
        switch (call.Op)
        {
            case Op.Stat:
            case Op.Lstat:
                return new Result(Stat: await fs.TryStatAsync(call.Path, call.Op == Op.Stat, none).ConfigureAwait(false));
            case Op.List:
                return new Result(Entries: await fs.ListAsync(call.Path, none).ConfigureAwait(false));
            case Op.Mkdir:
                await fs.CreateDirectoryAsync(call.Path, none).ConfigureAwait(false);
                break;
            case Op.RemoveFile:
                await fs.RemoveFileAsync(call.Path, none).ConfigureAwait(false);
                break;
            case Op.RemoveDirectory:
                await fs.RemoveDirectoryAsync(call.Path, none).ConfigureAwait(false);
                break;
            case Op.Rename:
                await fs.RenameAsync(call.Path, call.Other!, none).ConfigureAwait(false);
                break;
            case Op.ReadLink:
                return new Result(Text: await fs.ReadLinkAsync(call.Path, none).ConfigureAwait(false));
            case Op.Symlink:
                await fs.CreateSymbolicLinkAsync(call.Path, call.Other!, none).ConfigureAwait(false);
                break;
            case Op.Chmod:
                await fs.ChmodAsync(call.Path, (UnixFileMode)call.Number, none).ConfigureAwait(false);
                break;
            case Op.Open:
                var opened = await fs.OpenAsync(call.Path, (FileOpenMode)call.Number, none).ConfigureAwait(false);
                var handle = Interlocked.Increment(ref _lastHandle);
                _open[handle] = new OpenFile(opened);
                return new Result(Handle: handle);
            default:
                throw new NotSupportedException($"unknown file operation {call.Op}");
        }

        return new Result();
    }

    private Stream Handle(Call call)
    {
        if (_open.TryGetValue(call.Handle, out var file))
        {
            file.LastUsed = Environment.TickCount64;
            return file.Stream;
        }

        throw new FileOperationException(null, call.Op.ToString().ToLowerInvariant(), call.Path, FileErrorKind.Failure, "the file is not open (closed, idle too long, or the engine restarted)");
    }

    private Task<IFileSystem> FileSystemAsync(string session) =>
        _fileSystems.GetOrAdd(session, name => new Lazy<Task<IFileSystem>>(async () =>
        {
            var answer = await _engine.Ask<object>(new SessionManagerActor.GetSession(name), TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            return answer switch
            {
                SessionManagerActor.SessionFound found => found.Spec.CreateFileSystem(_system),
                _ => throw new UnknownSessionException(name, answer is SessionManagerActor.SessionNotFound nf ? nf.Known : []),
            };
        })).Value;

    private sealed record SweepIdle
    {
        public static SweepIdle Instance { get; } = new();
    }

    private sealed class OpenFile(Stream stream)
    {
        public Stream Stream { get; } = stream;

        public long LastUsed { get; set; } = Environment.TickCount64;
    }

    private static Failed ToFailure(Call call, Exception e)
    {
        var error = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : e;
        var operation = call.Op.ToString().ToLowerInvariant();
        if (error is UnknownSessionException unknown)
        {
            return new Failed(FileErrorKind.Failure, operation, call.Path, unknown.Message);
        }

        var wrapped = FileErrors.Wrap(error, null, operation, call.Path) as FileOperationException;
        return wrapped is null
            ? new Failed(FileErrorKind.Failure, operation, call.Path, error.Message)
            : new Failed(wrapped.Kind, wrapped.Operation, wrapped.Path, wrapped.Reason);
    }
}
