using RControl.Diagnostics;
using RControl.Protocol;
using RControl.TestSupport;

namespace RControl.Tests.Diagnostics;

/// <summary>The engine's instruments (meter "RControl") seen through a <see cref="System.Diagnostics.Metrics.MeterListener"/>.</summary>
public sealed class EngineMetricsTests : IAsyncLifetime
{
    private readonly RControlSystem _system = RControlSystem.Create();
    private readonly MetricsRecorder _metrics = new();

    // Unique per test: concurrent tests in this process measure into the same meter.
    private readonly string _session = $"metrics-{Guid.NewGuid():N}";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _metrics.Dispose();
        await _system.DisposeAsync();
    }

    [Fact]
    public async Task Tasks_are_counted_by_outcome_with_their_duration_and_output()
    {
        await using var session = _system.CreateLocalSession(_session);
        Assert.Equal(0, await session.Execute("printf 'a\\nbc\\n'; echo é >&2", new CommandOptions { CombineStderr = false }).WaitAsync());
        Assert.Equal(3, await session.Execute("exit 3", new CommandOptions { ExpectedExitCode = null }).WaitAsync());
        var slow = session.Execute("sleep 30", new CommandOptions { Timeout = TimeSpan.FromMilliseconds(300) });
        await slow.WaitAsync(raiseIfError: false);
        Assert.True(slow.TimedOut);

        var tag = ("session", _session);
        Assert.Equal(3, _metrics.Sum("rcontrol.tasks.started", tag));
        Assert.Equal(1, _metrics.Sum("rcontrol.tasks.ended", tag, ("outcome", "ok")));
        Assert.Equal(1, _metrics.Sum("rcontrol.tasks.ended", tag, ("outcome", "exit_nonzero")));
        Assert.Equal(1, _metrics.Sum("rcontrol.tasks.ended", tag, ("outcome", "timed_out")));
        Assert.Equal(0, _metrics.Sum("rcontrol.tasks.running", tag)); // +1 at each start, -1 at each end

        Assert.Equal(2, _metrics.Sum("rcontrol.output.lines", tag, ("stream", "stdout")));
        Assert.Equal(1, _metrics.Sum("rcontrol.output.lines", tag, ("stream", "stderr")));
        Assert.Equal("a\nbc\n".Length, _metrics.Sum("rcontrol.output.bytes", tag, ("stream", "stdout")));
        Assert.Equal(3, _metrics.Sum("rcontrol.output.bytes", tag, ("stream", "stderr"))); // "é" is 2 bytes in UTF-8, plus the line end

        var timedOut = Assert.Single(_metrics.Of("rcontrol.task.duration", tag, ("outcome", "timed_out")));
        Assert.InRange(timedOut.Value, 0.3, 20);
        Assert.Equal(3, _metrics.Of("rcontrol.task.duration", tag).Count);
    }

    [Fact]
    public async Task Running_tasks_go_up_while_they_run_and_queue_waits_are_measured()
    {
        await using var session = _system.CreateLocalSession(_session);
        var marker = new SleepMarker();
        var running = session.Execute(marker.Command);
        await Poll.UntilAsync(() => _metrics.Sum("rcontrol.tasks.running", ("session", _session)) == 1, TimeSpan.FromSeconds(10), "one running task");
        Assert.NotEmpty(_metrics.Of("rcontrol.task.queue_wait", ("stage", "session")));

        // Counted as running once started; the shell may not have exec'd the sleep yet.
        await Poll.UntilAsync(() => marker.Sleeping == 1, TimeSpan.FromSeconds(10), "the sleep running");
        await running.KillAsync();
        await Poll.UntilAsync(() => marker.Sleeping == 0, TimeSpan.FromSeconds(10), "the killed sleep gone from /proc");
        Assert.Equal(0, _metrics.Sum("rcontrol.tasks.running", ("session", _session)));
        Assert.Equal(1, _metrics.Sum("rcontrol.tasks.ended", ("session", _session), ("outcome", "killed")));
    }

    [Fact]
    public void Jobs_gauge_reports_what_the_hook_gives_and_nothing_without_one()
    {
        try
        {
            RControlMetrics.SetJobsByState(() => [new("running", 2), new("succeeded", 5)]);
            _metrics.Observe();
            Assert.Equal(2, Assert.Single(_metrics.Of("rcontrol.jobs", ("state", "running"))).Value);
            Assert.Equal(5, Assert.Single(_metrics.Of("rcontrol.jobs", ("state", "succeeded"))).Value);

            RControlMetrics.SetJobsByState(null);
            _metrics.Measurements.Clear();
            _metrics.Observe();
            Assert.Empty(_metrics.Of("rcontrol.jobs"));
        }
        finally
        {
            RControlMetrics.SetJobsByState(null);
        }
    }

    [Theory]
    [InlineData(CommandEnd.Exited, 0, "ok")]
    [InlineData(CommandEnd.Exited, 1, "exit_nonzero")]
    [InlineData(CommandEnd.Killed, null, "killed")]
    [InlineData(CommandEnd.TimedOut, null, "timed_out")]
    [InlineData(CommandEnd.OutputTimedOut, null, "output_timed_out")]
    [InlineData(CommandEnd.Failed, null, "failed")]
    public void Outcome_tags(CommandEnd end, int? exitCode, string expected) =>
        Assert.Equal(expected, EngineInstruments.Outcome(end, exitCode));
}
