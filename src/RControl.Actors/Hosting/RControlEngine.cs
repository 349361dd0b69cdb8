using Akka.Actor;
using RControl.Actors;
using RControl.Configuration;
using RControl.Protocol;

namespace RControl.Hosting;

/// <summary>
/// Marker type of the engine's <see cref="SessionManagerActor"/> in Akka.Hosting's <c>ActorRegistry</c>:
/// inject <c>IRequiredActor&lt;RControlEngine&gt;</c> to reach it. Also starts an engine under its
/// well-known name, <c>/user/rcontrol</c>, which remote clients look up (with its file service at <c>/user/rcontrol-files</c>).
/// </summary>
public sealed class RControlEngine
{
    /// <summary>The engine actor's name: its path is <c>akka.tcp://rcontrol@host:port/user/rcontrol</c>.</summary>
    public const string ActorName = "rcontrol";

    private RControlEngine()
    {
    }

    /// <summary>Starts the engine actor under <see cref="ActorName"/> and opens the inventory's sessions in it.</summary>
    public static IActorRef Start(ActorSystem system, Inventory? inventory = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        RControlConfig.EnsureReference(system);
        var engine = system.ActorOf(SessionManagerActor.Props(), ActorName);
        system.ActorOf(Actors.FileServiceActor.Props(engine), Actors.FileServiceActor.ActorName);
        foreach (var (name, spec) in inventory?.Sessions ?? new Dictionary<string, SessionSpec>())
        {
            engine.Tell(new SessionManagerActor.OpenSession(name, spec));
        }

        return engine;
    }
}
