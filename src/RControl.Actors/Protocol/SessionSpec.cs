using Akka.Actor;
using RControl.Transports;

namespace RControl.Protocol;

/// <summary>
/// Describes a session: where commands run. Immutable; crosses Akka.Remote so a client can
/// ask an engine to open a session. Each kind knows how to build its transport.
/// </summary>
public abstract record SessionSpec : IRControlWireMessage
{
    /// <summary>Builds the transport that runs this session's commands. Called once, by the session actor.</summary>
    internal abstract ICommandTransport CreateTransport(ActorSystem system);

    /// <summary>Builds the caller-side facade over a session actor of this kind (local or remote).</summary>
    internal abstract Session CreateFacade(RControlSystem system, string name, IActorRef sessionActor);

    /// <summary>Builds the file system of this session's files (open, walk, copies). Called once per facade, on first use.</summary>
    internal virtual Transports.Files.IFileSystem CreateFileSystem(ActorSystem system) =>
        throw new NotSupportedException($"{GetType().Name} sessions have no file access");
}

/// <summary>A session on the local machine.</summary>
public sealed record LocalSessionSpec : SessionSpec
{
    /// <summary>Default working directory for commands (the process's current directory when null).</summary>
    public string? WorkingDirectory { get; init; }

    /// <inheritdoc />
    internal override ICommandTransport CreateTransport(ActorSystem system) => new Transports.Local.LocalTransport(this);

    internal override Session CreateFacade(RControlSystem system, string name, IActorRef sessionActor) =>
        new LocalSession(system, name, sessionActor);

    /// <inheritdoc />
    internal override Transports.Files.IFileSystem CreateFileSystem(ActorSystem system) => new Transports.Files.LocalFileSystem();
}
