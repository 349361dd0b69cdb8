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
    public async Task The_batch_end_follows_each_batch_of_lines_of_its_stream_one_at_a_time_with_the_lines()
    {
        // The CLI writes a batch of lines at once when the engine says the batch ended: every line is followed by a
        // batch end of its own stream before the task ends, and batch ends run one at a time with the line callbacks.
        var pending = new[] { 0, 0 };
        var batches = new[] { 0, 0 };
        var lines = new[] { 0, 0 };
        var inside = 0;
        var most = 0;
        void Enter() => InterlockedMax(ref most, Interlocked.Increment(ref inside));
        void Leave() => Interlocked.Decrement(ref inside);
        var task = Session.Execute(
            "seq 1 100000 & seq 1 50000 >&2; wait; printf last",
            new CommandOptions
            {
                OnStdout = (_, _) => { Enter(); pending[0]++; lines[0]++; Leave(); },
                OnStderr = (_, _) => { Enter(); pending[1]++; lines[1]++; Leave(); },
                OnOutputBatchEnd = (_, stream) =>
                {
                    Enter();
                    var i = stream == RControl.Protocol.OutputStream.Stderr ? 1 : 0;
                    Assert.True(pending[i] > 0, "a batch end without lines before it");
                    pending[i] = 0;
                    batches[i]++;
                    Leave();
                },
            });
        await task.WaitAsync();

        Assert.Equal([100_001, 50_000], lines);
        Assert.Equal([0, 0], pending);
        Assert.True(batches[0] > 1 && batches[1] > 1, $"{batches[0]} and {batches[1]} batches");
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
