using Akka.Actor;
using RControl.Protocol;

namespace RControl.Actors;

/// <summary>
/// The caller's side of one command task (child of the session's <see cref="TaskSupervisorActor"/>):
/// asks the session actor — local or across Akka.Remote — to run the command, runs the user's
/// callbacks one at a time in line order, gives the task its <see cref="CommandResult"/> and reports the end
/// to the supervisor, which settles the task. A callback that throws becomes the task's error; later lines still arrive.
/// </summary>
internal sealed class CommandHandleActor : ReceiveActor
{
    private readonly CommandTask _task;
    private readonly IActorRef _sessionActor;
    private BaseTaskException? _callbackError;

    public CommandHandleActor(CommandTask task, IActorRef sessionActor)
    {
        _task = task;
        _sessionActor = sessionActor;
        Receive<CommandOutput>(OnOutput);
        Receive<CommandCompleted>(OnCompleted);
        Receive<TaskSupervisorActor.KillTask>(_ => _sessionActor.Tell(new KillCommand(_task.Id)));
        Receive<Terminated>(t =>
        {
            if (_task.Session.IsClosed)
            {
                Finish(CommandEnd.Killed, null, CommandCompleted.SessionClosedReason);
            }
            else if (t.ActorRef.Path.Address.HasGlobalScope)
            {
                Finish(CommandEnd.Failed, null, $"session '{_task.Session.Name}' is closed or unreachable: the engine at {t.ActorRef.Path.Address} restarted, stopped or was cut off");
            }
            else
            {
                Finish(CommandEnd.Failed, null, $"session '{_task.Session.Name}' is closed or unreachable");
            }
        });
    }

    public static Props Props(CommandTask task, IActorRef sessionActor) =>
        Akka.Actor.Props.Create(() => new CommandHandleActor(task, sessionActor));

    protected override void PreStart()
    {
        // The supervisor sends the Execute on this actor's behalf, in call order.
        Context.Watch(_sessionActor);
    }

    private void OnOutput(CommandOutput output)
    {
        var callback = output.Stream == OutputStream.Stderr ? _task.Options.OnStderr : _task.Options.OnStdout;
        if (callback is not null)
        {
            // No closure per line (this is the hot path): the same error handling as Run.
            foreach (var line in output.Lines)
            {
                try
                {
                    callback(_task, line);
                }
                catch (Exception e)
                {
                    _callbackError ??= CallbackError("output callback", e);
                }
            }

            if (_task.Options.OnOutputBatchEnd is { } batchEnd)
            {
                try
                {
                    batchEnd(_task, output.Stream);
                }
                catch (Exception e)
                {
                    _callbackError ??= CallbackError("output callback", e);
                }
            }
        }

        Sender.Tell(new CommandOutputAck(output.TaskId, output.Stream));
    }

    private void OnCompleted(CommandCompleted completed) =>
        Finish(completed.End, completed.ExitCode, completed.Error, completed.Cause);

    private void Finish(CommandEnd end, int? exitCode, string? failure, Exception? cause = null)
    {
        var session = _task.Session;
        var options = _task.Options;

        BaseTaskException? error = end switch
        {
            CommandEnd.TimedOut => new TaskTimeoutException(session, _task, $"timed out after {Format(_task.Spec.Timeout)}"),
            CommandEnd.OutputTimedOut => new TaskTimeoutException(session, _task, $"no output for {Format(_task.Spec.OutputTimeout)}"),
            CommandEnd.Killed => failure is null ? new TaskCancelledException(session, _task) : new TaskCancelledException(session, _task, failure),
            CommandEnd.Failed => new TaskException(session, _task, failure ?? "failed", cause),
            _ => _callbackError ?? (options.ExpectedExitCode is { } expected && exitCode != expected
                ? new ExitCodeException(session, _task, exitCode ?? -1)
                : null),
        };

        // Callbacks see the result; an exception in one becomes the error if there is none yet.
        var result = new CommandResult(end, exitCode, _task.StartedAt, DateTimeOffset.UtcNow, error);
        _task.End(result);
        if (end == CommandEnd.Exited && options.OnFinished is { } onFinished)
        {
            Run(() => onFinished(_task), "on-finished callback");
        }

        if (result.TimedOut && options.OnTimeout is { } onTimeout)
        {
            Run(() => onTimeout(_task), "on-timeout callback");
        }

        // A kill asked for is handled; an error of the on-done callback itself is not (nothing else would report it).
        var handled = options.OnDone is not null || (end == CommandEnd.Killed && _task.CancelRequested);
        var finalError = error ?? _callbackError;
        if (options.OnDone is { } onDone)
        {
            try
            {
                onDone(_task);
            }
            catch (Exception e)
            {
                finalError = CallbackError("on-done callback", e);
                handled = false;
            }
        }

        Context.Parent.Tell(new TaskSupervisorActor.TaskEnded(_task, finalError, handled));
        Context.Stop(Self);
    }

    private void Run(Action callback, string what)
    {
        try
        {
            callback();
        }
        catch (Exception e)
        {
            _callbackError ??= CallbackError(what, e);
        }
    }

    private TaskException CallbackError(string what, Exception e) =>
        new(_task.Session, _task, $"{what} threw {e.GetType().Name}: {e.Message}", e);

    private static string Format(TimeSpan? duration) => duration is { } d ? $"{d.TotalSeconds:0.###}s" : "?";
}
