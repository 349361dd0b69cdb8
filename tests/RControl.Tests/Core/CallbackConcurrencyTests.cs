using RControl.Tests.Support;

namespace RControl.Tests.Core;

/// <summary>Callbacks run one at a time per task; a task settles exactly once.</summary>
public sealed class CallbackConcurrencyTests : IAsyncLifetime
{
    private readonly Engine _engine = new();

    private LocalSession Session => _engine.Local;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Callbacks_of_one_task_never_run_at_the_same_time()
    {
        // Two fast streams read by two readers on two threads: if their lines reached the callbacks directly,
        // the probe would see two callbacks inside at once. Each callback stays inside a little to widen the window.
        var inside = 0;
        var most = 0;
        var calls = 0;
        void Probe()
        {
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref most, now);
            Thread.SpinWait(200);
            Interlocked.Increment(ref calls);
            Interlocked.Decrement(ref inside);
        }

        var task = Session.Execute(
            "seq 1 30000 & seq 1 30000 >&2; wait",
            new CommandOptions
            {
                OnStdout = (_, _) => Probe(),
                OnStderr = (_, _) => Probe(),
                OnFinished = _ => Probe(),
                OnDone = _ => Probe(),
            });
        await task.WaitAsync();

        Assert.Equal(60_002, calls);
        Assert.Equal(1, most);
    }

    [Fact]
    public async Task A_timeout_racing_a_normal_exit_settles_the_task_once_with_one_outcome()
    {
        // The exit and the timeout land within a few milliseconds of each other, on either side.
        var tasks = new List<(CommandTask Task, int[] Counts)>();
        for (var i = 0; i < 40; i++)
        {
            var counts = new int[3]; // finished, timeout, done
            tasks.Add((Session.Execute("sleep 0.05", new CommandOptions
            {
                Timeout = TimeSpan.FromMilliseconds(40 + (i % 20)),
                OnFinished = _ => Interlocked.Increment(ref counts[0]),
                OnTimeout = _ => Interlocked.Increment(ref counts[1]),
                OnDone = _ => Interlocked.Increment(ref counts[2]),
            }), counts));
        }

        await Task.WhenAll(tasks.Select(t => t.Task.Completion));
        foreach (var (task, counts) in tasks)
        {
            Assert.Equal(1, counts[2]);
            Assert.Equal(1, counts[0] + counts[1]);
            if (task.TimedOut)
            {
                Assert.Equal(1, counts[1]);
                Assert.IsType<TaskTimeoutException>(task.Error);
                Assert.Null(task.ExitCode);
            }
            else
            {
                Assert.Equal(1, counts[0]);
                Assert.Null(task.Error);
                Assert.Equal(0, task.ExitCode);
            }
        }

        // Handled by OnDone: nothing reported; and the supervisor saw each task end once (no task left, no hang).
        Assert.Empty(await Session.WaitForTasksAsync());
        Assert.Empty(Session.Tasks);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
