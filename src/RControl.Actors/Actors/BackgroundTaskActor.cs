using Akka.Actor;

namespace RControl.Actors;

/// <summary>Runs a <see cref="BackgroundTask"/>'s delegate off the actor thread, then settles it and reports to the supervisor.</summary>
internal sealed class BackgroundTaskActor : ReceiveActor
{
    private sealed record WorkEnded(Exception? Error);

    private readonly BackgroundTask _task;
    private readonly CancellationTokenSource _cancel = new();

    public BackgroundTaskActor(BackgroundTask task)
    {
        _task = task;
        Receive<WorkEnded>(OnWorkEnded);
        Receive<TaskSupervisorActor.KillTask>(_ => _cancel.Cancel());
    }

    public static Props Props(BackgroundTask task) => Akka.Actor.Props.Create(() => new BackgroundTaskActor(task));

    protected override void PreStart()
    {
        var task = _task;
        var token = _cancel.Token;
        Task.Run(() => task.Work(task, token), token)
            .PipeTo(Self, success: () => new WorkEnded(null), failure: e => new WorkEnded(e));
    }

    private void OnWorkEnded(WorkEnded ended)
    {
        BaseTaskException? error = ended.Error switch
        {
            null => null,
            AggregateException { InnerExceptions.Count: 1 } a => Wrap(a.InnerException!),
            var e => Wrap(e),
        };
        _task.SetError(error);
        var handled = _task.ErrorHandled;
        if (_task.OnDone is { } onDone)
        {
            try
            {
                onDone(_task);
            }
            catch (Exception e)
            {
                // Not handled: nothing but wait-for-tasks would ever report it.
                error = new TaskException(_task.Session, _task, $"on-done callback threw {e.GetType().Name}: {e.Message}", e);
                handled = false;
            }
        }

        Context.Parent.Tell(new TaskSupervisorActor.TaskEnded(_task, error, handled));
        Context.Stop(Self);
    }

    private BaseTaskException Wrap(Exception e) => e switch
    {
        BaseTaskException own => own,
        OperationCanceledException => new TaskException(_task.Session, _task, "cancelled", e),
        _ => new TaskException(_task.Session, _task, e.Message, e),
    };

    protected override void PostStop() => _cancel.Cancel();
}
