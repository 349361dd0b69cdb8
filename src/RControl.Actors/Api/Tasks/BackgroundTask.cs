namespace RControl;

/// <summary>
/// A background operation registered with a session like any task (the original's <c>ThreadableTask</c>):
/// file copies and user delegates.
/// </summary>
public sealed class BackgroundTask : RControlTask
{
    internal BackgroundTask(Session session, string description, Func<BackgroundTask, CancellationToken, Task> work, Action<BackgroundTask>? onDone)
        : base(session, onDone is not null)
    {
        Description = description;
        Work = work;
        OnDone = onDone;
    }

    /// <inheritdoc />
    public override string Description { get; }

    internal Func<BackgroundTask, CancellationToken, Task> Work { get; }

    internal Action<BackgroundTask>? OnDone { get; }
}
