using System.Collections.Concurrent;
using Akka.Actor;
using RControl.Files;
using RControl.Protocol;
using RControl.Transports.Files;
using static RControl.Protocol.FileProtocol;
using RControl.Configuration;

namespace RControl.Actors;

/// <summary>
/// The engine side of remote file access (<c>/user/rcontrol-files</c>; a private engine's has a random suffix): runs the <see cref="FileProtocol"/> requests of
/// remote clients on the engine's named sessions (their local disk or SFTP, built from the spec the engine holds,
/// secrets included) and serves opened files in chunks. Each request gets its own answer or <see cref="Failed"/>.
/// </summary>
internal sealed class FileServiceActor : ReceiveActor, IWithTimers
{
    /// <summary>The actor's name next to the actor system's engine (a private engine's: this and a random suffix).</summary>
    public const string ActorName = "rcontrol-files";

    private readonly IActorRef _engine;
    private readonly ActorSystem _system = Context.System;
    private readonly RControlSettings _settings;
    private readonly ConcurrentDictionary<string, Lazy<Task<IFileSystem>>> _fileSystems = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, OpenedFile> _open = new();
    private readonly TimeSpan _idleTimeout;
    private long _lastHandle;

    public FileServiceActor(IActorRef engine)
    {
        _engine = engine;
        _settings = RControlSettings.Get(_system);
        _idleTimeout = _settings.FileIdleTimeout;
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
        Receive<ForSession>(onNode =>
        {
            // A cluster node serving a session it hosts: the spec comes with the request (a session opened elsewhere).
            var sender = Sender;
            _fileSystems.TryAdd(onNode.Session, new Lazy<Task<IFileSystem>>(() => Task.FromResult(SessionFactory.CreateFileSystem(onNode.Spec, _settings.SshConnects))));
            RunAsync(onNode.Request).PipeTo(sender, success: r => r, failure: e => ToFailure(onNode.Request, e));
        });
        Receive<IRequest>(request =>
        {
            var sender = Sender;
            RunAsync(request).PipeTo(sender, success: r => r, failure: e => ToFailure(request, e));
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

    private Task<object> RunAsync(IRequest request) => request switch
    {
        IHandleRequest onFile => RunOnFileAsync(onFile),
        IPathRequest onPath => RunOnPathAsync(onPath),
        _ => throw new NotSupportedException($"unknown file request {request.GetType().Name}"),
    };

    private async Task<object> RunOnFileAsync(IHandleRequest request)
    {
        switch (request)
        {
            case ReadChunk read:
                var buffer = new byte[Math.Clamp(read.MaxBytes, 1, ChunkSize)];
                var count = await Stream(read).ReadAsync(buffer).ConfigureAwait(false);
                return new Chunk(count == buffer.Length ? buffer : buffer[..count]);
            case WriteChunk write:
                await Stream(write).WriteAsync(write.Data).ConfigureAwait(false);
                return Done.Instance;
            case CloseFile close:
                if (_open.TryRemove(close.Handle, out var closing))
                {
                    await closing.Stream.DisposeAsync().ConfigureAwait(false);
                }

                return Done.Instance;
            default:
                throw new NotSupportedException($"unknown file request {request.GetType().Name}");
        }
    }

    private async Task<object> RunOnPathAsync(IPathRequest request)
    {
        var fs = await FileSystemAsync(request.Session).ConfigureAwait(false);
        var none = CancellationToken.None;
        switch (request)
        {
            case StatPath stat:
                return new StatAnswer(await fs.TryStatAsync(stat.Path, stat.FollowLinks, none).ConfigureAwait(false));
            case ListDirectory list:
                return new DirectoryListing(await fs.ListAsync(list.Path, none).ConfigureAwait(false));
            case MakeDirectory mkdir:
                await fs.CreateDirectoryAsync(mkdir.Path, none).ConfigureAwait(false);
                break;
            case RemoveFile remove:
                await fs.RemoveFileAsync(remove.Path, none).ConfigureAwait(false);
                break;
            case RemoveDirectory remove:
                await fs.RemoveDirectoryAsync(remove.Path, none).ConfigureAwait(false);
                break;
            case RenamePath rename:
                await fs.RenameAsync(rename.Path, rename.Destination, none).ConfigureAwait(false);
                break;
            case ReadLink link:
                return new LinkTarget(await fs.ReadLinkAsync(link.Path, none).ConfigureAwait(false));
            case CreateSymlink symlink:
                await fs.CreateSymbolicLinkAsync(symlink.Path, symlink.Target, none).ConfigureAwait(false);
                break;
            case ChangeMode chmod:
                await fs.ChmodAsync(chmod.Path, chmod.Mode, none).ConfigureAwait(false);
                break;
            case OpenFile open:
                var opened = await fs.OpenAsync(open.Path, open.Mode, none).ConfigureAwait(false);
                var handle = Interlocked.Increment(ref _lastHandle);
                _open[handle] = new OpenedFile(opened);
                return new FileOpened(handle);
            default:
                throw new NotSupportedException($"unknown file request {request.GetType().Name}");
        }

        return Done.Instance;
    }

    private Stream Stream(IHandleRequest request)
    {
        if (_open.TryGetValue(request.Handle, out var file))
        {
            file.LastUsed = Environment.TickCount64;
            return file.Stream;
        }

        throw new FileOperationException(null, request.Operation, request.Path, FileErrorKind.Failure, "the file is not open (closed, idle too long, or the engine restarted)");
    }

    private Task<IFileSystem> FileSystemAsync(string session) =>
        _fileSystems.GetOrAdd(session, name => new Lazy<Task<IFileSystem>>(async () =>
        {
            var answer = await _engine.Ask<object>(new GetSession(name), _settings.AskTimeout).ConfigureAwait(false);
            return answer switch
            {
                SessionFound found => SessionFactory.CreateFileSystem(found.Spec, _settings.SshConnects),
                _ => throw new UnknownSessionException(name, answer is SessionNotFound nf ? nf.Known : []),
            };
        })).Value;

    private static Failed ToFailure(IRequest request, Exception e)
    {
        var error = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : e;
        if (error is UnknownSessionException unknown)
        {
            return new Failed(FileErrorKind.Failure, request.Operation, request.Path, unknown.Message);
        }

        var wrapped = FileErrors.Wrap(error, null, request.Operation, request.Path) as FileOperationException;
        return wrapped is null
            ? new Failed(FileErrorKind.Failure, request.Operation, request.Path, error.Message)
            : new Failed(wrapped.Kind, wrapped.Operation, wrapped.Path, wrapped.Reason);
    }

    /// <summary>A request on a session this node hosts in a cluster, with the session's spec (local only: from its entity).</summary>
    public sealed record ForSession(string Session, SessionSpec Spec, IRequest Request);

    private sealed record SweepIdle
    {
        public static SweepIdle Instance { get; } = new();
    }

    private sealed class OpenedFile(Stream stream)
    {
        public Stream Stream { get; } = stream;

        public long LastUsed { get; set; } = Environment.TickCount64;
    }
}
