namespace RControl.Transports.Ssh;

/// <summary>
/// Runs SSH.NET calls that wait synchronously inside (channel open and close, key exchange and authentication)
/// on a dedicated thread, so they never hold a thread-pool thread: the pool also runs the actors, and starving it
/// would stall every session.
/// </summary>
internal static class Blocking
{
    public static Task<T> Run<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);

    public static Task Run(Action work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
}
