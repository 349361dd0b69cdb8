using System.Diagnostics;
using RControl.Protocol;
using RControl.Remote.Tests.Support;
using Xunit.Abstractions;

namespace RControl.Remote.Tests;

/// <summary>Every facade feature across Akka.Remote: two actor systems in this process, on loopback.</summary>
public sealed class RemoteSessionTests(EngineFixture engine, ITestOutputHelper output) : IClassFixture<EngineFixture>
{
    private RemoteEngine Client => engine.Client;

    [Fact]
    public async Task Named_session_runs_a_command_with_callbacks_in_the_client()
    {
        var session = await Client.GetSessionAsync("local");
        var lines = new List<string>();
        var errors = new List<string>();
        var finished = 0;
        var task = session.Execute("echo out1; echo err1 >&2; echo out2; exit 4", new CommandOptions
        {
            ExpectedExitCode = 4,
            OnStdout = (_, l) => lines.Add(l),
            OnStderr = (_, l) => errors.Add(l),
            OnFinished = _ => finished++,
        });

        Assert.Equal(4, await task.WaitAsync());
        Assert.Equal(["out1", "out2"], lines);
        Assert.Equal(["err1"], errors);
        Assert.Equal(1, finished);
        Assert.Equal(engine.Address, session.SessionActor.Path.Address.ToString());
        Assert.Empty(await session.WaitForTasksAsync());
    }

    [Fact]
    public async Task Unexpected_exit_code_is_an_error_and_null_accepts_any_code()
    {
        var session = await Client.GetSessionAsync("local");
        var bad = session.Execute("exit 3");
        var error = await Assert.ThrowsAsync<ExitCodeException>(() => bad.WaitAsync());
        Assert.Equal(3, error.ExitCode);
        Assert.Contains("[local] exit 3: bad exit code: Got 3", error.Message);

        var any = session.Execute("exit 5", new CommandOptions { ExpectedExitCode = null });
        Assert.Equal(5, await any.WaitAsync());
    }

    [Fact]
    public async Task Total_and_output_timeouts_kill_the_command_and_call_on_timeout()
    {
        var session = await Client.GetSessionAsync("local");
        var timedOut = new List<string>();
        var totalMarker = new TestSupport.SleepMarker(30);
        var idleMarker = new TestSupport.SleepMarker(30);
        var total = session.Execute(totalMarker.Command, new CommandOptions { Timeout = TimeSpan.FromMilliseconds(500), OnTimeout = t => timedOut.Add(t.Command) });
        var idle = session.Execute($"echo start; {idleMarker.Command}", new CommandOptions { OutputTimeout = TimeSpan.FromMilliseconds(500), OnTimeout = t => timedOut.Add(t.Command) });

        var e1 = await Assert.ThrowsAsync<TaskTimeoutException>(() => total.WaitAsync());
        var e2 = await Assert.ThrowsAsync<TaskTimeoutException>(() => idle.WaitAsync());
        Assert.Contains("timed out after 0.5s", e1.Message);
        Assert.Contains("no output for 0.5s", e2.Message);
        Assert.True(total.TimedOut && idle.TimedOut);
        Assert.Null(total.ExitCode);
        Assert.Equal(new[] { $"echo start; {idleMarker.Command}", totalMarker.Command }.Order(), timedOut.Order());
        await totalMarker.WaitGoneAsync(TimeSpan.FromSeconds(10)); // killed on the engine's host, not only reported
        await idleMarker.WaitGoneAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Kill_ends_a_running_remote_command()
    {
        var session = await Client.GetSessionAsync("local");
        var marker = new TestSupport.SleepMarker();
        var started = new TaskCompletionSource();
        var task = session.Execute($"echo ready; {marker.Command}", new CommandOptions { OnStdout = (_, _) => started.TrySetResult() });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await marker.WaitSleepingAsync(1, TimeSpan.FromSeconds(10));
        var watch = Stopwatch.StartNew();
        await task.KillAsync();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"kill took {watch.Elapsed}");
        Assert.IsType<TaskCancelledException>(task.Error);
        await Assert.ThrowsAsync<TaskCancelledException>(() => task.WaitAsync());
        await marker.WaitGoneAsync(TimeSpan.FromSeconds(5)); // the process on the engine's host, not only the task
    }

    [Fact]
    public async Task Wait_for_tasks_aggregates_errors_including_tasks_started_from_callbacks()
    {
        var session = await Client.GetSessionAsync("local");
        CommandTask? child = null;
        _ = session.Execute("echo go", new CommandOptions
        {
            OnStdout = (t, _) => child = t.Session.Execute("sleep 0.3; exit 7"),
        });
        _ = session.Execute("exit 2");
        _ = session.Execute("true");
        _ = session.Execute("exit 9", new CommandOptions { OnDone = _ => { } }); // handled: not reported

        var errors = await Assert.ThrowsAsync<TaskErrorsException>(() => session.WaitForTasksAsync());
        Assert.Equal(2, errors.Errors.Count);
        Assert.Equal([2, 7], errors.Errors.Cast<ExitCodeException>().Select(e => e.ExitCode).Order());
        Assert.NotNull(child);
        Assert.False(child!.IsRunning);
        Assert.Empty(await session.WaitForTasksAsync());
    }

    [Fact]
    public async Task Session_manager_over_named_sessions_waits_across_sessions()
    {
        var manager = await Client.GetSessionManagerAsync(["local", "tmp"]);
        Assert.Equal(["local", "tmp"], manager.Names);
        var pwd = new List<string>();
        _ = manager["local"].Execute("echo one", new CommandOptions { OnStdout = (_, _) => manager["tmp"].Execute("pwd", new CommandOptions { OnStdout = (_, l) => pwd.Add(l) }) });
        _ = manager["tmp"].Execute("exit 1");
        var errors = await manager.WaitForTasksAsync(raiseIfError: false);
        Assert.Single(errors);
        Assert.Equal(["/tmp"], pwd);
        Assert.Contains("local", await Client.ListSessionsAsync());
    }

    [Fact]
    public async Task A_session_can_be_opened_remotely_from_a_spec_and_closed()
    {
        var dir = Directory.CreateTempSubdirectory("rcontrol-remote-").FullName;
        try
        {
            var name = $"opened-{Guid.NewGuid():N}";
            var session = await Client.OpenSessionAsync(name, new LocalSessionSpec { WorkingDirectory = dir });
            Assert.Equal(new LocalSessionSpec { WorkingDirectory = dir }, session.Spec);
            var lines = new List<string>();
            await session.Execute("pwd", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync();
            Assert.Equal([dir], lines);
            Assert.Contains(name, await Client.ListSessionsAsync());

            var again = await Client.GetSessionAsync(name);
            Assert.Equal(session.SessionActor, again.SessionActor);
            await Client.CloseSessionAsync(name);
            Assert.DoesNotContain(name, await Client.ListSessionsAsync());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Unknown_session_names_the_known_ones()
    {
        var error = await Assert.ThrowsAsync<UnknownSessionException>(() => Client.GetSessionAsync("nope"));
        Assert.Contains("unknown session 'nope'", error.Message);
        Assert.Contains("local", error.Message);
    }

    [Fact]
    public async Task Closing_a_remote_session_detaches_the_client_but_keeps_the_engine_session()
    {
        var session = await Client.GetSessionAsync("local");
        var marker = new TestSupport.SleepMarker(30);
        var running = session.Execute(marker.Command);
        await marker.WaitSleepingAsync(1, TimeSpan.FromSeconds(10));
        await session.CloseAsync();
        Assert.IsType<TaskCancelledException>(running.Error);
        await marker.WaitGoneAsync(TimeSpan.FromSeconds(10)); // detaching killed the client's command on the host
        Assert.Throws<SessionException>(() => session.Execute("true"));
        var other = await Client.GetSessionAsync("local");
        Assert.Equal(0, await other.Execute("true").WaitAsync());
    }

    [Fact]
    public async Task A_million_lines_cross_the_wire_complete_and_in_order()
    {
        var session = await Client.GetSessionAsync("local");
        long count = 0;
        long outOfOrder = 0;
        var watch = Stopwatch.StartNew();
        var task = session.Execute("seq 1 1000000", new CommandOptions
        {
            OnStdout = (_, line) =>
            {
                count++;
                if (line != count.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    outOfOrder++;
                }
            },
        });
        Assert.Equal(0, await task.WaitAsync());
        watch.Stop();
        Assert.Equal(1_000_000, count);
        Assert.Equal(0, outOfOrder);
        output.WriteLine($"1,000,000 lines through a remote session in {watch.Elapsed.TotalSeconds:0.00}s: {count / watch.Elapsed.TotalSeconds:N0} lines/s");
    }

    [Fact]
    public async Task A_one_MiB_line_fits_in_a_frame()
    {
        var session = await Client.GetSessionAsync("local");
        var lengths = new List<int>();
        var first = "";
        var task = session.Execute("yes 'é' 2>/dev/null | head -n 1048576 | tr -d '\\n'; echo; echo tail", new CommandOptions
        {
            OnStdout = (_, l) =>
            {
                if (lengths.Count == 0)
                {
                    first = l;
                }

                lengths.Add(l.Length);
            },
        });
        Assert.Equal(0, await task.WaitAsync());
        Assert.Equal([1_048_576, 4], lengths);
        Assert.True(first.All(c => c == 'é'), "the long line was altered");
    }
}
