using Renci.SshNet;
using RControl.Protocol;
using RControl.TestSupport;
using RControl.Transports.Ssh;

namespace RControl.Ssh.Tests.Faults;

/// <summary>
/// The kill of a command registered with its connection's guardian, which prints no ids: found by its nonce, killed
/// with its whole group, killable even before it has registered, and never a stranger that holds no registration.
/// </summary>
public sealed class KillRegisteredTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan LeftBound = TimeSpan.FromSeconds(5);

    [Fact]
    public Task A_registered_command_prints_no_ids_and_its_nonce_finds_and_kills_its_whole_group() => WithReadyGuardianAsync(async (server, client, guardian, sleep) =>
    {
        var nonce = SshCommandLine.NewNonce();
        using var command = client.CreateCommand(SshCommandLine.Build(new CommandSpec($"{sleep.Command} & {sleep.Command}"), null, nonce, guardian.Directory, guardian.LoginShellIsSh));
        var run = command.ExecuteAsync();
        await sleep.WaitSleepingAsync(2, Bound);

        Assert.Equal(0, await KillAsync(client, SshCommandLine.KillRegistered(nonce, guardian.Directory!)));
        await sleep.WaitGoneAsync(LeftBound);
        await run.WaitAsync(Bound);
        Assert.Equal("KILL", command.ExitSignal);
        Assert.Equal("", command.Error);
        Assert.False(File.Exists($"{guardian.Directory}/{nonce}{SshCommandLine.KillMark}"), "the kill's mark is removed once the command was found");
    });

    [Fact]
    public Task A_kill_that_comes_before_the_registration_ends_the_command_when_it_registers() => WithReadyGuardianAsync(async (server, client, guardian, sleep) =>
    {
        var nonce = SshCommandLine.NewNonce();

        // Nothing registered yet: the kill says so and leaves its mark.
        Assert.Equal(3, await KillAsync(client, SshCommandLine.KillRegistered(nonce, guardian.Directory!)));
        Assert.True(File.Exists($"{guardian.Directory}/{nonce}{SshCommandLine.KillMark}"));

        // The command starts only now: it registers, sees the mark and never runs its command.
        using var command = client.CreateCommand(SshCommandLine.Build(new CommandSpec($"echo ran; {sleep.Command}"), null, nonce, guardian.Directory, guardian.LoginShellIsSh));
        await command.ExecuteAsync().WaitAsync(Bound);
        Assert.Equal("KILL", command.ExitSignal);
        Assert.Equal("", command.Result);
        Assert.Equal(0, sleep.Sleeping);

        // The guardian's prune keeps marks (a command may still be on its way) and sweeps the ended registration.
        for (var i = 0; i < SshGuardian.PruneEvery; i++)
        {
            guardian.CommandStarted();
        }

        await Poll.UntilAsync(() => Directory.GetFiles(guardian.Directory!).Length == 1, Bound, "the ended registration pruned");
        Assert.EndsWith(SshCommandLine.KillMark, Assert.Single(Directory.GetFiles(guardian.Directory!)));
    });

    [Fact]
    public async Task Through_the_transport_a_kill_right_after_the_start_leaves_nothing()
    {
        await using var server = await SshServer.StartAsync();
        await using var transport = new SshTransport(server.Spec());

        // The connection's guardian is ready once a command has registered (its descriptor 7 is a registration).
        await Poll.UntilAsync(async () =>
        {
            await using var probe = await transport.StartAsync(new CommandSpec("readlink /proc/$$/fd/7 || true"), CancellationToken.None);
            using var reader = new StreamReader(probe.StandardOutput);
            var line = await reader.ReadToEndAsync();
            await probe.ExitCode;
            return line.StartsWith("/dev/shm/rcontrol-g.", StringComparison.Ordinal);
        }, Bound, "a command registered with the guardian");

        for (var i = 0; i < 10; i++)
        {
            var sleep = new SleepMarker();
            try
            {
                var command = await transport.StartAsync(new CommandSpec($"{sleep.Command} & {sleep.Command}"), CancellationToken.None);
                await command.KillAsync(CancellationToken.None).WaitAsync(Bound);
                await sleep.WaitGoneAsync(LeftBound);
            }
            finally
            {
                await sleep.KillLeftAsync();
            }
        }
    }

    [Fact]
    public Task The_kill_by_nonce_never_kills_a_process_that_does_not_hold_the_registration() => WithReadyGuardianAsync(async (server, client, guardian, stranger) =>
    {

        // A live process of the same user (a command of another connection) named by an entry it does not hold, as
        // after its pid was reused.
        using var other = await SshConnector.ConnectAsync(server.Spec(), CancellationToken.None);
        var strangerRun = other.CreateCommand(SshCommandLine.Build(new CommandSpec(stranger.Command), null, SshCommandLine.NewNonce())).ExecuteAsync();
        await stranger.WaitSleepingAsync(1, Bound);
        var strangerPid = (await stranger.LeftAsync()).First(pid => ProcessTree.Name(pid) == "sleep");
        var nonce = SshCommandLine.NewNonce();
        var entry = $"{guardian.Directory}/{ProcessTree.Parent(strangerPid)}.{nonce}";
        await File.WriteAllTextAsync(entry, "");
        await ProcessRunner.RunCheckedAsync("chown", server.User.Name, entry);

        // Found (exit 0: the entry exists), but its pid does not hold it: nothing killed.
        Assert.Equal(0, await KillAsync(client, SshCommandLine.KillRegistered(nonce, guardian.Directory!)));
        Assert.Equal(1, stranger.Sleeping);
        GC.KeepAlive(strangerRun);
    });

    private static async Task<int?> KillAsync(SshClient client, string text)
    {
        using var kill = client.CreateCommand(text);
        await kill.ExecuteAsync().WaitAsync(Bound);
        return kill.ExitStatus;
    }

    /// <summary>Runs <paramref name="test"/> on a fresh sshd with a connection whose guardian is ready; kills what the marker left.</summary>
    private static async Task WithReadyGuardianAsync(Func<SshServer, SshClient, SshGuardian, SleepMarker, Task> test)
    {
        await using var server = await SshServer.StartAsync();
        var sleep = new SleepMarker();
        try
        {
            using var client = await SshConnector.ConnectAsync(server.Spec(), CancellationToken.None);
            await test(server, client, await ReadyGuardian.StartAsync(client), sleep);
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }
}
