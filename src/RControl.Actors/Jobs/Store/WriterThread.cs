namespace RControl.Jobs;

/// <summary>
/// The job store writer's own thread: compressing and committing output runs beside the job's path (its reader, its
/// actor), not on the pool threads the job's callbacks and actors use.
/// </summary>
/// <remarks>
/// <see cref="ThreadPriority.BelowNormal"/> is honoured by Windows only. On Linux the thread keeps the process's
/// niceness on purpose: a thread's niceness is inherited by every thread it creates, and .NET creates threads on
/// whichever thread needs one (the GC's background thread on the thread whose allocation starts a background GC,
/// thread-pool workers on the thread that queues work), so a writer at +10 would leave daemon threads at +10.
/// </remarks>
internal static class WriterThread
{
    /// <summary>Runs <paramref name="body"/> on a new background thread; completes when it returns.</summary>
    public static Task Start(string name, Action body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                body();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
            Priority = ThreadPriority.BelowNormal,
        };
        thread.Start();
        return done.Task;
    }
}
