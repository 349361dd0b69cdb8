using RControl.TestSupport;
using RControl.Transports.Ssh;

namespace RControl.Ssh.Tests.Transport;

/// <summary>
/// SSH.NET's synchronous waits (channel open and close, connect) run on threads of their own, never on the thread
/// pool; a call never waits for another, and the threads are reused instead of made per call.
/// </summary>
public sealed class BlockingCallsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_call_runs_off_the_thread_pool_and_returns_its_value_or_its_exception()
    {
        var (pooled, name, value) = await Blocking.Run(() => (Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name, 42));

        Assert.False(pooled);
        Assert.Equal("rcontrol-ssh-blocking", name);
        Assert.Equal(42, value);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Blocking.Run(() => throw new InvalidOperationException("channel open failed")));
        Assert.Equal("channel open failed", error.Message);
    }

    [Fact]
    public async Task Calls_that_wait_for_each_other_all_run_at_once()
    {
        const int calls = 6;
        using var allStarted = new CountdownEvent(calls);

        // Each call blocks until every call has started: a pool that ran them one after another would never get there.
        var results = await Task.WhenAll(Enumerable.Range(0, calls).Select(_ => Blocking.Run(() =>
        {
            allStarted.Signal();
            return allStarted.Wait(Bound);
        })));

        Assert.All(results, Assert.True);
    }

    [Fact]
    public async Task A_thread_left_idle_by_a_call_runs_the_next_call()
    {
        // A set of its own: the shared one is also used by the other tests running in parallel.
        var threads = new BlockingThreads(Bound, "test-blocking");
        var seen = new HashSet<int>();
        for (var i = 0; i < 10; i++)
        {
            // The previous call's thread goes back to waiting just after the call's result is set.
            await Poll.UntilAsync(() => threads.IdleThreads > 0 || seen.Count == 0, Bound, "an idle blocking-call thread");
            seen.Add(await threads.Run(() => Environment.CurrentManagedThreadId));
        }

        Assert.Single(seen);
        Assert.Equal(1, threads.Threads);
    }

    [Fact]
    public async Task A_thread_idle_for_its_lifetime_ends()
    {
        var threads = new BlockingThreads(TimeSpan.FromMilliseconds(50), "test-blocking");
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => threads.Run(() => Thread.CurrentThread.Name)));

        await Poll.UntilAsync(() => threads.Threads == 0, Bound, "the idle blocking-call threads to end");
        Assert.Equal("test-blocking", await threads.Run(() => Thread.CurrentThread.Name));
    }
}
