using System.Collections.Concurrent;
using Akka.Actor;
using RControl.Protocol;

namespace RControl.Bench.Harness;

/// <summary>
/// Collects the engine's <see cref="CommandTaskEnded"/> events of one session: <see cref="CommandTaskEnded.Duration"/>
/// is the command-task actor's own lifetime (transport start, readers, exit), so a caller's time per command minus
/// it is the messaging around the task actor (facade, supervisor, handle and session actors, settling the handle).
/// </summary>
public sealed class TaskDurations
{
    private readonly ConcurrentQueue<double> _milliseconds = new();

    private TaskDurations()
    {
    }

    public static TaskDurations Watch(RControlSystem rc, string session)
    {
        var durations = new TaskDurations();
        var listener = rc.ActorSystem.ActorOf(Props.Create(() => new Listener(session, durations._milliseconds)));
        rc.ActorSystem.EventStream.Subscribe(listener, typeof(CommandTaskEnded));
        return durations;
    }

    /// <summary>The median task-actor lifetime in ms since the last call, and clears the samples.</summary>
    public double TakeMedianMs()
    {
        var samples = new List<double>();
        while (_milliseconds.TryDequeue(out var ms))
        {
            samples.Add(ms);
        }

        return Stats.Median(samples);
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(string session, ConcurrentQueue<double> into) =>
            Receive<CommandTaskEnded>(e => e.Session == session, e => into.Enqueue(e.Duration.TotalMilliseconds));
    }
}
