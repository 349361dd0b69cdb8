using Akka.Actor;

namespace RControl;

/// <summary>A session on the local machine (the original's <c>LocalSession</c>).</summary>
public sealed class LocalSession : Session
{
    internal LocalSession(RControlSystem system, string name, IActorRef sessionActor)
        : base(system, name, sessionActor)
    {
    }
}
