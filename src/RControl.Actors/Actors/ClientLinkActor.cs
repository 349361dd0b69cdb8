using Akka.Actor;

namespace RControl.Actors;

/// <summary>
/// The client's anchor for a login (in the client's actor system): the engine watches it to end the login — and kill
/// the client's commands — when the client goes; it watches the engine's connection to notice a lost or restarted engine.
/// </summary>
internal sealed class ClientLinkActor : ReceiveActor
{
    public sealed record WatchConnection(IActorRef Connection);

    public ClientLinkActor(Action<IActorRef> onLost)
    {
        Receive<WatchConnection>(w => Context.Watch(w.Connection));
        Receive<Terminated>(t => onLost(t.ActorRef));
    }

    public static Props Props(Action<IActorRef> onLost) => Akka.Actor.Props.Create(() => new ClientLinkActor(onLost));
}
