using Akka.Actor;
using RControl.Files;
using RControl.Protocol;

namespace RControl.Cluster;

/// <summary>
/// One file request of a client on a session hosted by another node (or this one): sent to the session's entity, its
/// answer passed to the client's gate. Fails with <c>node lost: …</c> as soon as the entity's node is unreachable or
/// gone (checked every second: a copy should not wait for the node's removal, which takes longer than a client's ask
/// timeout with Akka's defaults), and names the node when no answer comes within the ask timeout.
/// </summary>
internal sealed class FileCallActor : ReceiveActor, IWithTimers
{
    private sealed record Check
    {
        public static Check Instance { get; } = new();
    }

    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>From the proxy: the session's entity is gone (its node lost, or the session moved).</summary>
    public sealed record SessionLost(IActorRef Session, string Reason);

    /// <summary>To the proxy: an <see cref="FileProtocol.OpenFile"/> succeeded on the entity; it hands out the client's handle.</summary>
    public sealed record Opened(long RemoteHandle, IActorRef Session, IActorRef ReplyTo);

    public FileCallActor(FileProtocol.IRequest request, IActorRef replyTo, IActorRef session, string name, TimeSpan timeout)
    {
        Receive<FileProtocol.FileOpened>(opened => request is FileProtocol.OpenFile, opened =>
        {
            Context.Parent.Tell(new Opened(opened.Handle, session, replyTo));
            Context.Stop(Self);
        });
        Receive<IRControlWireMessage>(answer =>
        {
            replyTo.Tell(answer);
            Context.Stop(Self);
        });
        Receive<SessionLost>(lost => lost.Session.Equals(session), lost => Fail(lost.Reason));
        Receive<ReceiveTimeout>(_ =>
            Fail($"session '{name}' on {session.Path.Address} did not answer within {timeout.TotalSeconds:0.#} s"));
        Receive<Check>(_ =>
        {
            if (session.Path.Address.HasGlobalScope && SessionProxyActor.IsLost(Context.System, session.Path.Address))
            {
                Fail($"node lost: {session.Path.Address} (session '{name}')");
            }
        });
        Context.SetReceiveTimeout(timeout);
        session.Tell(request, Self);

        void Fail(string reason)
        {
            // A file whose node is gone is closed with it: closing it is not a second error.
            replyTo.Tell(request is FileProtocol.CloseFile
                ? FileProtocol.Done.Instance
                : new FileProtocol.Failed(FileErrorKind.Failure, request.Operation, request.Path, reason));
            Context.Stop(Self);
        }
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("check", Check.Instance, CheckInterval);

    public static Props Props(FileProtocol.IRequest request, IActorRef replyTo, IActorRef session, string name, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new FileCallActor(request, replyTo, session, name, timeout));
}
