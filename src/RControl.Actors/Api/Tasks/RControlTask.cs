namespace RControl;

/// <summary>
/// A task running in a session (the original's <c>Task</c>): a command or a background operation.
/// Registered with its session when created; waited by <see cref="Session.WaitForTasksAsync"/>.
/// </summary>
public abstract class RControlTask
{
    private static long _lastSequence;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _errorClaimed;

    private protected RControlTask(Session session, bool errorHandled)
    {
        Session = session;
        ErrorHandled = errorHandled;
        // 128 random bits: ids of tasks from many clients on one engine never clash, and none can be guessed.
        Id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        Sequence = Interlocked.Increment(ref _lastSequence);
    }

    /// <summary>Unique id of the task: 32 random hexadecimal digits.</summary>
    public string Id { get; }

    /// <summary>The order in which tasks were created in this process.</summary>
    internal long Sequence { get; }

    /// <summary>The session the task belongs to.</summary>
    public Session Session { get; }

    /// <summary>A short text naming the task in errors and logs (the command line, for a command).</summary>
    public abstract string Description { get; }

    /// <summary>True until the task has ended and its callbacks have run.</summary>
    public bool IsRunning => !_done.Task.IsCompleted;

    /// <summary>The task's error once it has ended; null on success.</summary>
    public BaseTaskException? Error { get; private set; }

    /// <summary>
    /// True when the error is not for wait-for-tasks to report: an on-done callback was given (the error is the
    /// callback's to handle), or the task was killed on purpose (<see cref="CommandTask.KillAsync"/>,
    /// <see cref="CommandTask.Cancel"/>). False again when the on-done callback itself threw: that error is reported.
    /// </summary>
    public bool ErrorHandled { get; private set; }

    /// <summary>Completes when the task has ended (never faults).</summary>
    public Task Completion => _done.Task;

    /// <summary>Throws the task's error, if any.</summary>
    public void RaiseIfError()
    {
        if (Error is { } error)
        {
            throw error;
        }
    }

    /// <summary>
    /// Waits for the end of the task, then throws its error if asked to. Returns a command's exit code (null after a
    /// timeout or kill, and for a background task).
    /// </summary>
    public async Task<int?> WaitAsync(bool raiseIfError = true, CancellationToken cancellationToken = default)
    {
        await _done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        // A task waited explicitly has its error reported here, not again by wait-for-tasks.
        TryClaimErrorReport();
        if (raiseIfError)
        {
            RaiseIfError();
        }

        return WaitValue;
    }

    /// <summary>Blocking form of <see cref="WaitAsync"/>, for parity with the original. Never call it from a callback.</summary>
    public int? Wait(bool raiseIfError = true) => WaitAsync(raiseIfError).GetAwaiter().GetResult();

    /// <summary>What <see cref="WaitAsync"/> returns once the task has ended.</summary>
    private protected virtual int? WaitValue => null;

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}({Session.Name}: {Description})";

    /// <summary>Makes the error visible (to the end callbacks) without ending the task yet.</summary>
    internal void SetError(BaseTaskException? error) => Error = error;

    /// <summary>Ends the task, once, with its final error: waits return. Called by the session's supervisor only.</summary>
    internal virtual void Settle(BaseTaskException? error, bool errorHandled)
    {
        Error = error;
        ErrorHandled = errorHandled;
        _done.TrySetResult();
    }

    /// <summary>True for the first caller only: the error is then reported by that caller.</summary>
    internal bool TryClaimErrorReport() => Interlocked.Exchange(ref _errorClaimed, 1) == 0;
}
