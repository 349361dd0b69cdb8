namespace RControl.Transports.Ssh;

/// <summary>
/// Runs SSH.NET calls that wait synchronously inside (channel open and close, key exchange and authentication)
/// on threads of their own, so they never hold a thread-pool thread: the pool also runs the actors, and starving it
/// would stall every session.
/// <para>
/// The threads are kept for a while after their call and reused: a thread made per call (a long-running task) cost
/// a thread creation and start on every channel open and close, the hot path of sequential commands. The pool grows
/// without limit (each call that finds no idle thread gets a new one, so a slow call never delays another) and
/// shrinks by itself: a thread idle for <see cref="IdleLifetime"/> ends.
/// </para>
/// </summary>
internal static class Blocking
{
    private static readonly TimeSpan IdleLifetime = TimeSpan.FromSeconds(10);
    private static readonly object Gate = new();
    private static readonly Queue<Action> Work = new();
    private static int _idle;

    public static Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() =>
        {
            try
            {
                done.TrySetResult(work());
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        return done.Task;
    }

    public static Task Run(Action work) =>
        Run<bool>(() =>
        {
            work();
            return true;
        });

    /// <summary>Threads waiting for a call now (for tests and diagnostics).</summary>
    internal static int IdleThreads
    {
        get
        {
            lock (Gate)
            {
                return _idle;
            }
        }
    }

    private static void Enqueue(Action item)
    {
        lock (Gate)
        {
            Work.Enqueue(item);
            // Every queued call needs an idle thread of its own; a waking thread counts as idle until it takes one.
            if (_idle >= Work.Count)
            {
                Monitor.Pulse(Gate);
                return;
            }
        }

        var thread = new Thread(Serve) { IsBackground = true, Name = "rcontrol-ssh-blocking" };
        thread.Start();
    }

    private static void Serve()
    {
        while (true)
        {
            Action item;
            lock (Gate)
            {
                while (Work.Count == 0)
                {
                    _idle++;
                    var woken = Monitor.Wait(Gate, IdleLifetime);
                    _idle--;
                    if (!woken && Work.Count == 0)
                    {
                        return;
                    }
                }

                item = Work.Dequeue();
            }

            item();
        }
    }
}
