using Akka.Actor;

namespace RControl.Protocol;

// The session manager's protocol (the engine's registry of named sessions).

/// <summary>Open (or return the already open) session with this name. Answered with <see cref="SessionFound"/>.</summary>
public sealed record OpenSession(string Name, SessionSpec Spec) : IRControlWireMessage;

/// <summary>Find a session by name. Answered with <see cref="SessionFound"/> or <see cref="SessionNotFound"/>.</summary>
public sealed record GetSession(string Name) : IRControlWireMessage;

/// <summary>Close a session: its running commands are killed. Answered with <see cref="SessionClosed"/>.</summary>
public sealed record CloseSession(string Name) : IRControlWireMessage;

/// <summary>Answered with <see cref="SessionList"/>.</summary>
public sealed record ListSessions : IRControlWireMessage
{
    public static ListSessions Instance { get; } = new();
}

/// <summary>The session actor of a name, with the spec it was opened with.</summary>
public sealed record SessionFound(string Name, IActorRef Session, SessionSpec Spec) : IRControlWireMessage;

/// <summary>No session of this name; <paramref name="Known"/> lists the open ones.</summary>
public sealed record SessionNotFound(string Name, IReadOnlyList<string> Known) : IRControlWireMessage;

/// <summary>The answer to <see cref="CloseSession"/>.</summary>
public sealed record SessionClosed(string Name) : IRControlWireMessage;

/// <summary>The names of the open sessions, in order.</summary>
public sealed record SessionList(IReadOnlyList<string> Names) : IRControlWireMessage;
