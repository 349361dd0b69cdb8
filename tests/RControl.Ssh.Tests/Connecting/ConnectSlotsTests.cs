using Akka.Configuration;
using RControl.Configuration;
using RControl.TestSupport;

namespace RControl.Ssh.Tests.Connecting;

/// <summary>
/// <c>rcontrol.ssh.max-connects-in-flight</c>: an engine runs at most that many SSH connects at once (a fan-out to many
/// hosts does not hold a thread per pending connect); a queued connect waits without its connect timeout running and
/// still gives up within its caller's deadline, saying it was waiting for a slot; a bad value is refused naming the key.
/// </summary>
public sealed class ConnectSlotsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sessions_connecting_at_once_never_open_more_connections_than_the_slots()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        proxy.Blackhole(true); // every connect hangs in its key exchange: the slots stay taken
        await using var rc = RControlSystem.Create("rcontrol.ssh.max-connects-in-flight = 3");
        var slots = RControlSettings.Get(rc.ActorSystem).SshConnects;
        var spec = server.Spec(proxy.Port) with { ConnectTimeout = TimeSpan.FromMinutes(1), ConnectBudget = TimeSpan.FromMinutes(1) };
        var sessions = Enumerable.Range(0, 10).Select(i => rc.CreateSshSession($"slots-{i}", spec)).ToArray();

        var tasks = sessions.Select(s => s.Execute("true")).ToArray();

        await Poll.UntilAsync(() => slots.InProgress == 3 && slots.Waiting == 7 && proxy.AcceptedConnections >= 3, Bound,
            $"3 connects running and 7 waiting (running {slots.InProgress}, waiting {slots.Waiting}, accepted {proxy.AcceptedConnections})");
        // Seen from the network: the server side was asked for exactly 3 connections, not 10.
        Assert.Equal(3, proxy.AcceptedConnections);
        Assert.All(tasks, t => Assert.True(t.IsRunning));
    }

    [Fact]
    public async Task Many_sessions_all_run_with_at_most_the_slots_connecting_at_once()
    {
        await using var server = await SshServer.StartAsync();
        await using var rc = RControlSystem.Create("rcontrol.ssh.max-connects-in-flight = 2");
        var slots = RControlSettings.Get(rc.ActorSystem).SshConnects;
        var sessions = Enumerable.Range(0, 8).Select(i => rc.CreateSshSession($"fan-{i}", server.Spec())).ToArray();

        var codes = await Task.WhenAll(sessions.Select(s => s.Execute("true").WaitAsync())).WaitAsync(Bound);

        Assert.All(codes, code => Assert.Equal(0, code));
        Assert.InRange(slots.PeakInProgress, 1, 2);
        Assert.Equal(0, slots.InProgress);
    }

    [Fact]
    public async Task A_queued_connect_gives_up_at_its_commands_timeout_saying_it_waited_for_a_slot()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        proxy.Blackhole(true);
        await using var rc = RControlSystem.Create("rcontrol.ssh.max-connects-in-flight = 1");
        var slots = RControlSettings.Get(rc.ActorSystem).SshConnects;
        var hung = server.Spec(proxy.Port) with { ConnectTimeout = TimeSpan.FromMinutes(1), ConnectBudget = TimeSpan.FromMinutes(1) };
        await using var holder = rc.CreateSshSession("holder", hung);
        _ = holder.Execute("true");
        await Poll.UntilAsync(() => slots.InProgress == 1, Bound, "the only slot taken");
        // Its own connect timeout (0.3 s) does not run while it waits for a slot: the command's timeout bounds the wait.
        await using var queued = rc.CreateSshSession("queued", hung with { ConnectTimeout = TimeSpan.FromMilliseconds(300) });

        var error = await Assert.ThrowsAsync<TaskException>(() =>
            queued.Execute("true", new CommandOptions { Timeout = TimeSpan.FromSeconds(1.5) }).WaitAsync().WaitAsync(Bound));

        Assert.IsNotType<TaskTimeoutException>(error);
        Assert.Contains("the command's 1.5s timeout", error.Message);
        Assert.Contains("still waiting for a connect slot (rcontrol.ssh.max-connects-in-flight = 1", error.Message);
        Assert.DoesNotContain("no answer within 0.3s", error.Message);
    }

    [Fact]
    public async Task A_queued_connect_whose_commands_all_gave_up_leaves_the_queue()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        proxy.Blackhole(true);
        await using var rc = RControlSystem.Create("rcontrol.ssh.max-connects-in-flight = 1");
        var slots = RControlSettings.Get(rc.ActorSystem).SshConnects;
        await using var holder = rc.CreateSshSession("holder", server.Spec(proxy.Port) with { ConnectTimeout = TimeSpan.FromMinutes(1), ConnectBudget = TimeSpan.FromMinutes(1) });
        _ = holder.Execute("true");
        await Poll.UntilAsync(() => slots.InProgress == 1, Bound, "the only slot taken");

        // Two commands share one queued connect (to the real sshd, which would answer): one times out, one is killed.
        await using var queued = rc.CreateSshSession("queued", server.Spec() with { MaxConnections = 1 });
        var timingOut = queued.Execute("true", new CommandOptions { Timeout = TimeSpan.FromSeconds(1) });
        var killed = queued.Execute("true");
        await Poll.UntilAsync(() => slots.Waiting == 1, Bound, "one connect waiting for the slot");
        await Assert.ThrowsAsync<TaskException>(() => timingOut.WaitAsync().WaitAsync(Bound));
        Assert.Equal(1, slots.Waiting); // the killed command's caller still waits for it
        await killed.KillAsync().WaitAsync(Bound);

        // Nobody waits for the connect any more: it leaves the queue instead of taking the slot later.
        await Poll.UntilAsync(() => slots.Waiting == 0, TimeSpan.FromSeconds(5), $"the abandoned connect out of the queue (waiting {slots.Waiting})");
        Assert.Equal(1, slots.InProgress);
        Assert.DoesNotContain("Accepted publickey", server.Log);

        // The session is not left backing off or failing: with the slot free again its next command connects and runs.
        proxy.Blackhole(false);
        proxy.CutAll();
        Assert.Equal(0, await queued.Execute("true").WaitAsync().WaitAsync(Bound));
    }

    [Fact]
    public async Task A_jobs_copy_connects_under_the_engines_bound_not_a_default_of_its_own()
    {
        await using var server = await SshServer.StartAsync();
        var slots = new Transports.Ssh.SshConnectSlots(1);
        var source = Path.Combine(Path.GetTempPath(), $"rcontrol-copy-slots-{Guid.NewGuid():N}.txt");
        var target = $"/tmp/rcontrol-copy-slots-{Guid.NewGuid():N}.txt";
        await File.WriteAllTextAsync(source, "hello");
        try
        {
            // A fan-out's connect holds the engine's only slot: the copy's SFTP connect must wait for it.
            var held = await slots.EnterAsync(CancellationToken.None);
            var copying = Jobs.JobCopier.RunAsync(new Jobs.JobCopy("local", source, "box", target), new Protocol.LocalSessionSpec(), server.Spec(), slots, CancellationToken.None);
            await Poll.UntilAsync(() => slots.Waiting == 1, Bound, "the copy's connect waiting for the engine's slot");
            Assert.False(copying.IsCompleted);

            held.Dispose();
            Assert.StartsWith("copied 1 file(s)", await copying.WaitAsync(Bound));
            Assert.Equal("hello", await File.ReadAllTextAsync(target));
            Assert.Equal(1, slots.PeakInProgress);
        }
        finally
        {
            File.Delete(source);
            File.Delete(target);
        }
    }

    [Fact]
    public async Task A_kill_does_not_wait_for_a_connect_slot()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        await using var rc = RControlSystem.Create("rcontrol.ssh.max-connects-in-flight = 1");
        var slots = RControlSettings.Get(rc.ActorSystem).SshConnects;
        await using var busy = rc.CreateSshSession("busy", server.Spec());
        var marker = $"sleep 1000.{Random.Shared.NextInt64(1_000_000_000, 9_999_999_999)}"; // unique among every test's processes
        var running = busy.Execute(marker);
        await Poll.UntilAsync(async () => (await ProcessRunner.PgrepAsync(marker)).Count > 0, Bound, "the remote sleep running");
        // Now a fan-out takes the only slot and keeps it (its host never answers).
        proxy.Blackhole(true);
        await using var holder = rc.CreateSshSession("holder", server.Spec(proxy.Port) with { ConnectTimeout = TimeSpan.FromMinutes(1), ConnectBudget = TimeSpan.FromMinutes(1) });
        _ = holder.Execute("true");
        await Poll.UntilAsync(() => slots.InProgress == 1, Bound, "the only slot taken");

        var maxWaiting = 0;
        var killing = running.KillAsync();
        while (!killing.IsCompleted)
        {
            maxWaiting = Math.Max(maxWaiting, slots.Waiting);
            await Task.WhenAny(killing, Task.Delay(5));
        }

        await killing.WaitAsync(Bound);
        Assert.Equal(0, maxWaiting); // the kill's control connection never queued behind the fan-out
        await Poll.UntilAsync(async () => (await ProcessRunner.PgrepAsync(marker)).Count == 0, Bound, "the remote sleep killed");
    }

    [Theory]
    [InlineData("0", "got '0'")]
    [InlineData("-4", "got '-4'")]
    [InlineData("lots", "got 'lots'")]
    [InlineData("2.5", "got '2.5'")]
    public void A_bad_value_is_refused_in_one_line_naming_the_key(string value, string detail)
    {
        var error = Assert.ThrowsAny<ConfigurationException>(() => RControlSystem.Create($"rcontrol.ssh.max-connects-in-flight = {value}"));

        Assert.StartsWith("rcontrol.ssh.max-connects-in-flight: must be a whole number of at least 1", error.Message);
        Assert.Contains(detail, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_typo_of_the_key_is_refused_naming_it_and_the_key_meant()
    {
        var user = RControlConfig.ParseUser("rcontrol.ssh { max-connect-in-flight = 8 }");

        var error = Assert.Throws<ConfigKeyException>(() => ReferenceKeys.Check(user));

        Assert.Equal(["rcontrol", "ssh", "max-connect-in-flight"], error.KeyPath);
        Assert.Contains("rcontrol.ssh: unknown key 'max-connect-in-flight' (did you mean 'max-connects-in-flight'?)", error.Message);
    }

    [Fact]
    public void The_default_is_128_connects_at_once()
    {
        Assert.Equal(128, RControlSettings.FromConfig(RControlConfig.ReferenceConfig).MaxConnectsInFlight);
        Assert.Equal(128, SshConnectSlotsDefault());
    }

    private static int SshConnectSlotsDefault() => Transports.Ssh.SshConnectSlots.Shared.Limit;
}
