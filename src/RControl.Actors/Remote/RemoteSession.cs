using Akka.Actor;
using RControl.Protocol;

namespace RControl.Remote;

/// <summary>
/// A session owned by an engine (across Akka.Remote, or in this process) and shared by name. Its
/// <see cref="Session.SessionActor"/> is the engine's session actor; task handles, callbacks and
/// wait-for-tasks live in this process, exactly as for a local session. File operations and copies run where the
/// session lives (through the engine's <see cref="Actors.FileServiceActor"/>). If the engine becomes
/// unreachable, pending waits fail (death watch) with an error naming the session.
/// </summary>
public sealed class RemoteSession : Session
{
    internal RemoteSession(RemoteEngine engine, string name, IActorRef sessionActor, SessionSpec spec)
        : base(engine.System, name, sessionActor)
    {
        Engine = engine;
        Spec = spec;
        FileSystem = new RemoteFileSystem(
            engine.FileService,
            name,
            engine.FileTimeout,
            engine.Address.ToString());
    }

    /// <summary>The engine the session lives in.</summary>
    public RemoteEngine Engine { get; }

    /// <summary>The session's spec as the engine reported it (without passwords or passphrases when it came over the wire).</summary>
    public SessionSpec Spec { get; }

    /// <summary>
    /// Detaches this client: kills the commands (and cancels the copies) this client started in the session and waits until they
    /// have ended. The engine's session stays open for other clients (close it there with
    /// <see cref="RemoteEngine.CloseSessionAsync"/>). Further <see cref="Session.Execute"/> calls throw.
    /// </summary>
    public override async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (!TryMarkClosed())
        {
            return;
        }

        foreach (var task in Tasks)
        {
            Supervisor.Tell(new Actors.TaskSupervisorActor.KillTask(task.Id)); // commands are killed, copies cancelled
        }

        await Supervisor.Ask<Actors.TaskSupervisorActor.Idle>(Actors.TaskSupervisorActor.WhenIdle.Instance, cancellationToken).ConfigureAwait(false);
    }
}
