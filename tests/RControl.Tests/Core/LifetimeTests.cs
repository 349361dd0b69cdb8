using System.Diagnostics;
using RControl.Tests.Support;
using RControl.TestSupport;

namespace RControl.Tests.Core;

/// <summary>No local command outlives its controller: disposal, close, and a controller killed with SIGKILL.</summary>
public sealed class LifetimeTests
{
    [Fact]
    public async Task Disposing_the_system_kills_what_runs_before_it_returns()
    {
        var marker = Wait.UniqueSleep();
        var rc = RControlSystem.Create();
        var session = rc.CreateLocalSession();
        var tasks = new[]
        {
            session.Execute($"sleep {marker}"),
            session.Execute($"sleep {marker} & sleep {marker}; wait"),
            rc.CreateLocalSession("other").Execute($"trap '' TERM INT HUP; sleep {marker}"),
        };
        await Poll.UntilAsync(() => Wait.CountProcesses($"sleep {marker}") == 4, TimeSpan.FromSeconds(10), "the four sleeps to start");

        await rc.DisposeAsync();

        // The promise: when DisposeAsync returns, the kills were acknowledged (no polling after it).
        Assert.Equal(0, Wait.CountProcesses($"sleep {marker}"));
        Assert.True(rc.ActorSystem.WhenTerminated.IsCompleted);
        Assert.All(tasks, t => Assert.IsType<TaskCancelledException>(t.Error));
    }

    [Fact]
    public async Task Disposing_an_attached_system_kills_the_commands_of_its_sessions_and_leaves_the_host_running()
    {
        var marker = Wait.UniqueSleep();
        using var host = Akka.Actor.ActorSystem.Create("host-app", "akka.loglevel = WARNING");
        var rc = RControlSystem.Attach(host);
        var task = rc.CreateLocalSession().Execute($"sleep {marker}");
        await Poll.UntilAsync(() => Wait.CountProcesses($"sleep {marker}") == 1, TimeSpan.FromSeconds(10), "the sleep to start");

        await rc.DisposeAsync();

        Assert.Equal(0, Wait.CountProcesses($"sleep {marker}"));
        Assert.IsType<TaskCancelledException>(task.Error);
        Assert.False(host.WhenTerminated.IsCompleted);
    }

    [Fact]
    public async Task The_CLI_exits_after_a_timeout_only_once_the_kill_is_done()
    {
        var marker = Wait.UniqueSleep();
        using var cli = StartCli("exec", "-t", "local", "--timeout", "1s", "--", $"sleep {marker} & sleep {marker}; wait");
        try
        {
            await cli.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(3, cli.ExitCode);
            Assert.Equal(0, Wait.CountProcesses($"sleep {marker}"));
        }
        finally
        {
            await ProcessTree.KillMatchingAsync($"sleep {marker}");
        }
    }

    [Fact]
    public async Task The_CLI_exits_after_SIGTERM_only_once_the_kill_is_done()
    {
        var marker = Wait.UniqueSleep();
        using var cli = StartCli("exec", "-t", "local", "--", $"trap '' TERM; sleep {marker} & sleep {marker}; wait");
        try
        {
            await Poll.UntilAsync(() => Wait.CountProcesses($"sleep {marker}") == 2, TimeSpan.FromSeconds(60), "the CLI's two sleeps to start");
            Assert.Equal(0, Sigterm(cli.Id));
            await cli.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(130, cli.ExitCode);
            Assert.Equal(0, Wait.CountProcesses($"sleep {marker}"));
        }
        finally
        {
            await ProcessTree.KillMatchingAsync($"sleep {marker}");
        }
    }

    [Fact]
    public async Task A_controller_killed_with_SIGKILL_takes_its_local_commands_with_it()
    {
        var marker = Wait.UniqueSleep();
        using var controller = StartCli("exec", "-t", "local", "--", $"sleep {marker} & sleep {marker}; wait");
        try
        {
            await Poll.UntilAsync(() => Wait.CountProcesses($"sleep {marker}") == 2, TimeSpan.FromSeconds(60), "the controller's two sleeps to start");
            controller.Kill(entireProcessTree: false); // SIGKILL of the controller alone: its commands are in their own session.
            await controller.WaitForExitAsync();

            await Poll.UntilAsync(() => Wait.CountProcesses($"sleep {marker}") == 0, TimeSpan.FromSeconds(5), "the commands of the killed controller to end");
        }
        finally
        {
            await ProcessTree.KillMatchingAsync($"sleep {marker}");
        }
    }

    [Fact]
    public async Task A_killed_watcher_is_replaced_and_guards_the_commands_that_already_run()
    {
        await using var engine = new Engine();
        var first = Wait.UniqueSleep();
        _ = engine.Local.Execute($"sleep {first}");
        await Poll.UntilAsync(() => Wait.CountProcesses($"sleep {first}") == 1, TimeSpan.FromSeconds(10), "the first sleep to start");
        var watcher = RControl.Transports.Local.HostDeathGuard.WatcherPid;
        Assert.True(watcher > 0);
        ProcessTree.Kill(watcher);
        await Poll.UntilAsync(() => IsGone(watcher), TimeSpan.FromSeconds(5), "the watcher to die");

        // The next command notices and starts a new watcher, which is given every group still running.
        Assert.Equal(0, await engine.Local.Execute("true").WaitAsync());
        var replacement = RControl.Transports.Local.HostDeathGuard.WatcherPid;
        Assert.NotEqual(watcher, replacement);
        Assert.StartsWith("/bin/sh", File.ReadAllText($"/proc/{replacement}/cmdline"));
    }

    /// <summary>Starts the built CLI as a user would (<c>dotnet rcontrol.dll …</c>), its output redirected and not read.</summary>
    private static Process StartCli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rcontrol.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("cannot start rcontrol");
    }

    private static int Sigterm(int pid) => SysKill(pid, 15);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);

    /// <summary>Gone or a zombie (empty cmdline); it may vanish between looking and reading.</summary>
    private static bool IsGone(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Length == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
