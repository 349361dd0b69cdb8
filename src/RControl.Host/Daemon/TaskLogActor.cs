using Akka.Actor;
using Microsoft.Extensions.Logging;
using RControl.Protocol;

namespace RControl.Host.Daemon;

/// <summary>
/// Logs every command task's start and end (session, command, exit code, duration) from the event stream,
/// and keeps the running ones so that a shutdown can wait for them, then kill and report them.
/// </summary>
internal sealed class TaskLogActor : ReceiveActor
{
    /// <summary>Answered with <see cref="RunningTasks"/>.</summary>
    public sealed record GetRunning
    {
        public static GetRunning Instance { get; } = new();
    }

    public sealed record RunningTasks(IReadOnlyList<CommandTaskStarted> Tasks);

    /// <summary>Answered with <see cref="Idle"/> once no task runs.</summary>
    public sealed record WhenIdle
    {
        public static WhenIdle Instance { get; } = new();
    }

    public sealed record Idle
    {
        public static Idle Instance { get; } = new();
    }

    private readonly Dictionary<(string Session, string TaskId), CommandTaskStarted> _running = new();
    private readonly List<IActorRef> _idleWaiters = new();

    public TaskLogActor(ILogger logger)
    {
        Receive<CommandTaskStarted>(started =>
        {
            _running[(started.Session, started.TaskId)] = started;
            logger.LogInformation("task {TaskId} started on session {Session}: {Command}", started.TaskId, started.Session, started.Command);
        });
        Receive<CommandTaskEnded>(ended =>
        {
            _running.Remove((ended.Session, ended.TaskId));
            var duration = $"{ended.Duration.TotalSeconds:0.000}s";
            switch (ended.End)
            {
                case CommandEnd.Exited:
                    logger.LogInformation("task {TaskId} ended on session {Session}: exit code {ExitCode} after {Duration}: {Command}", ended.TaskId, ended.Session, ended.ExitCode, duration, ended.Command);
                    break;
                case CommandEnd.Failed:
                    logger.LogWarning("task {TaskId} failed on session {Session} after {Duration}: {Error}: {Command}", ended.TaskId, ended.Session, duration, ended.Error, ended.Command);
                    break;
                default:
                    logger.LogWarning("task {TaskId} {End} on session {Session} after {Duration}: {Command}", ended.TaskId, Describe(ended.End), ended.Session, duration, ended.Command);
                    break;
            }

            AnswerIdle();
        });
        Receive<GetRunning>(_ => Sender.Tell(new RunningTasks(_running.Values.ToArray())));
        Receive<WhenIdle>(_ =>
        {
            _idleWaiters.Add(Sender);
            AnswerIdle();
        });
    }

    public static Props Props(ILogger logger) => Akka.Actor.Props.Create(() => new TaskLogActor(logger));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(CommandTaskStarted));
        Context.System.EventStream.Subscribe(Self, typeof(CommandTaskEnded));
    }

    private void AnswerIdle()
    {
        if (_running.Count == 0)
        {
            _idleWaiters.ForEach(w => w.Tell(Idle.Instance));
            _idleWaiters.Clear();
        }
    }

    private static string Describe(CommandEnd end) => end switch
    {
        CommandEnd.TimedOut => "timed out",
        CommandEnd.OutputTimedOut => "timed out (no output)",
        CommandEnd.Killed => "was killed",
        _ => end.ToString(),
    };
}
