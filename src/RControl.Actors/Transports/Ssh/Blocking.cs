namespace RControl.Transports.Ssh;

/// <summary>
/// Runs SSH.NET calls that wait synchronously inside (channel open and close, key exchange and authentication)
/// on threads of their own (<see cref="BlockingThreads"/>), so they never hold a thread-pool thread: the pool also
/// runs the actors, and starving it would stall every session.
/// </summary>
internal static class Blocking
{
    /// <summary>The threads every SSH transport shares.</summary>
    public static BlockingThreads Shared { get; } = new(TimeSpan.FromSeconds(10), "rcontrol-ssh-blocking");

    public static Task<T> Run<T>(Func<T> work) => Shared.Run(work);

    public static Task Run(Action work) => Shared.Run(work);
}

/// <summary>
/// Threads for blocking calls, kept for a while after their call and reused: a thread made per call (a long-running
/// task) cost a thread creation and start on every channel open and close, the hot path of sequential commands. The
/// set grows without limit (each call that finds no idle thread gets a new one, so a slow call never delays another)
/// and shrinks by itself: a thread idle for the idle lifetime ends.
/// </summary>
internal sealed class BlockingThreads(TimeSpan idleLifetime, string threadName)
{
    private readonly object _gate = new();
    private readonly Queue<Action> _work = new();
    private int _idle;
    private int _threads;

    /// <summary>Threads waiting for a call now.</summary>
    public int IdleThreads
    {
        get
        {
            lock (_gate)
            {
                return _idle;
            }
        }
    }

    /// <summary>Threads alive now (busy or idle).</summary>
    public int Threads => Volatile.Read(ref _threads);

    public Task<T> Run<T>(Func<T> work)
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

    public Task Run(Action work) =>
        Run<bool>(() =>
        {
            work();
            return true;
        });

    private void Enqueue(Action item)
    {
        lock (_gate)
        {
            _work.Enqueue(item);
            // Every queued call needs an idle thread of its own; a waking thread counts as idle until it takes one.
            if (_idle >= _work.Count)
            {
                Monitor.Pulse(_gate);
                return;
            }
        }

        Interlocked.Increment(ref _threads);
        var thread = new Thread(Serve) { IsBackground = true, Name = threadName };
        thread.Start();
    }

    private void Serve()
    {
        while (true)
        {
            Action item;
            lock (_gate)
            {
                while (_work.Count == 0)
                {
                    _idle++;
                    var woken = Monitor.Wait(_gate, idleLifetime);
                    _idle--;
                    if (!woken && _work.Count == 0)
                    {
                        Interlocked.Decrement(ref _threads);
                        return;
                    }
                }

                item = _work.Dequeue();
            }

            item();
        }
    }
}
