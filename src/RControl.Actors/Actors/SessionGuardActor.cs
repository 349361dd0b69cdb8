using System.Diagnostics;
using Akka.Actor;
using RControl.Actors;
using RControl.Protocol;
using RControl.Security;

namespace RControl.Actors;

/// <summary>
/// One client's view of one session (child of its <see cref="ClientConnectionActor"/>, unguessable name): what the client
/// holds instead of the session actor. Authorizes <see cref="ExecuteCommand"/> (exec) and <see cref="KillCommand"/>
/// (its own tasks, or any with kill/admin), audits each command's start and end, and relays the task's output and
/// acknowledgements, so the client never learns the session's or the task's actor. When it stops (client gone,
/// logged out), the client's commands are killed.
/// </summary>
internal sealed class SessionGuardActor : ReceiveActor
{
    /// <summary>Whose view of which session.</summary>
    public sealed record Settings(Grant Grant, string SessionName, IActorRef Session, AuditLog Audit, string Source);

    private sealed class Running(IActorRef subscriber, string command)
    {
        public IActorRef Subscriber { get; } = subscriber;

        public string Command { get; } = command;

        public IActorRef? TaskActor { get; set; }

        public Stopwatch Clock { get; } = Stopwatch.StartNew();
    }

    private readonly Settings _settings;
    private readonly Dictionary<string, Running> _tasks = new(StringComparer.Ordinal);

    public SessionGuardActor(Settings settings)
    {
        _settings = settings;
        var grant = settings.Grant;
        var name = settings.SessionName;
        Receive<ExecuteCommand>(execute =>
        {
            if (!grant.Allows(Operation.Exec, name))
            {
                var reason = grant.Refusal(Operation.Exec, name);
                settings.Audit.Denied(grant.Identity, settings.Source, $"{reason}: {execute.Spec.Command}");
                Sender.Tell(new CommandCompleted(execute.TaskId, CommandEnd.Failed, null, reason));
                return;
            }

            if (_tasks.ContainsKey(execute.TaskId))
            {
                Sender.Tell(new CommandCompleted(execute.TaskId, CommandEnd.Failed, null, $"task id '{execute.TaskId}' is already running in session '{name}'"));
                return;
            }

            _tasks[execute.TaskId] = new Running(Sender, execute.Spec.Command);
            settings.Audit.CommandStarted(grant.Identity, settings.Source, name, execute.TaskId, execute.Spec.Command);
            settings.Session.Tell(execute, Self);
        });
        Receive<CommandOutput>(output =>
        {
            if (_tasks.TryGetValue(output.TaskId, out var running))
            {
                running.TaskActor ??= Sender;
                running.Subscriber.Tell(output, Self);
            }
        });
        Receive<CommandOutputAck>(ack =>
        {
            if (_tasks.TryGetValue(ack.TaskId, out var running) && running.Subscriber.Equals(Sender))
            {
                running.TaskActor?.Tell(ack, Self);
            }
        });
        Receive<CommandCompleted>(completed =>
        {
            if (_tasks.Remove(completed.TaskId, out var running))
            {
                running.Subscriber.Tell(completed, Self);
                settings.Audit.CommandEnded(grant.Identity, settings.Source, name, completed.TaskId, Outcome(completed), running.Clock.Elapsed, running.Command);
            }
        });
        Receive<KillCommand>(kill =>
        {
            // Every task in this guard is this client's (a guard serves one login).
            var own = _tasks.ContainsKey(kill.TaskId);
            if (!own && !grant.Allows(Operation.Kill, name))
            {
                settings.Audit.Denied(grant.Identity, settings.Source, $"{grant.Refusal(Operation.Kill, name)} (task {kill.TaskId} is not its own)");
                return;
            }

            settings.Audit.Kill(grant.Identity, settings.Source, name, kill.TaskId, own);
            settings.Session.Tell(kill, Self);
        });
        Receive<Terminated>(t => t.ActorRef.Equals(settings.Session), _ =>
        {
            foreach (var (taskId, running) in _tasks)
            {
                running.Subscriber.Tell(new CommandCompleted(taskId, CommandEnd.Failed, null, $"session '{name}' was closed"), Self);
            }

            _tasks.Clear();
            Context.Stop(Self);
        });
    }

    public static Props Props(Settings settings) => Akka.Actor.Props.Create(() => new SessionGuardActor(settings));

    protected override void PreStart() => Context.Watch(_settings.Session);

    protected override void PostStop()
    {
        // The client is gone (or logged out): its commands do not outlive it.
        foreach (var taskId in _tasks.Keys)
        {
            _settings.Session.Tell(new KillCommand(taskId));
        }
    }

    private static string Outcome(CommandCompleted completed) => completed.End switch
    {
        CommandEnd.Exited => $"exit code {completed.ExitCode}",
        CommandEnd.Failed => $"failed: {completed.Error}",
        CommandEnd.TimedOut => "timed out",
        CommandEnd.OutputTimedOut => "timed out (no output)",
        CommandEnd.Killed => "killed",
        _ => completed.End.ToString(),
    };
}
