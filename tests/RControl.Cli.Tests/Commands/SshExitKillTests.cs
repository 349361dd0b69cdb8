using RControl.Cli.Tests.Support;
using RControl.TestSupport;

namespace RControl.Cli.Tests.Commands;

/// <summary>When rcontrol exits after a timeout, the remote commands it started are already gone from both hosts.</summary>
public sealed class SshExitKillTests : IAsyncLifetime
{
    private const int Repetitions = 20;
    private const int AtOnce = 4;

    private SshServer _first = null!;
    private SshServer _second = null!;
    private Support.TempDir _dir = null!;
    private string _knownHosts = null!;

    public async Task InitializeAsync()
    {
        _first = await SshServer.StartAsync();
        _second = await SshServer.StartAsync();
        // One key and one known_hosts file for both hosts, as a user with two servers has.
        await File.AppendAllTextAsync(_second.AuthorizedKeysFile, _first.ClientKey.PublicKeyLine + "\n");
        _dir = new Support.TempDir();
        _knownHosts = _dir.Write("known_hosts", string.Join('\n', _first.KnownHostsLines().Concat(_second.KnownHostsLines())) + "\n");
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Exec_with_a_timeout_on_two_ssh_hosts_leaves_no_process_behind_when_it_exits()
    {
        var timedOut = 0;
        for (var round = 0; round < Repetitions / AtOnce; round++)
        {
            var exits = await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(_ => RunOnceAsync()));
            timedOut += exits.Count(code => code == 3);
        }

        // Most runs really started both commands (a starved machine may fail a connect within the 6 s instead, which
        // is then reported as a connect failure, not as a timeout).
        Assert.True(timedOut >= Repetitions / 4, $"only {timedOut} of {Repetitions} runs timed out after starting their commands");
    }

    private async Task<int> RunOnceAsync()
    {
        var sleep = new SleepMarker(77);
        try
        {
            var r = await CliProcess.RunAsync(
                "exec", "-t", $"{_first.User.Name}@{_first.Host}:{_first.Port}", "-t", $"{_second.User.Name}@{_second.Host}:{_second.Port}",
                "--identity", _first.ClientKey.PrivateKeyFile, "--known-hosts", _knownHosts, "--ssh-config", _first.SshConfigFile,
                "--timeout", "6s", "--", sleep.Command);

            // Checked the moment the CLI has exited: "exited" means the kills were acknowledged.
            var left = await sleep.LeftAsync();
            Assert.True(left.Count == 0, $"{left.Count} process(es) running '{sleep.Command}' after rcontrol exited\n{r}");
            Assert.True(r.ExitCode == 3 || (r.ExitCode == 1 && r.Stdout.Contains("cannot connect", StringComparison.Ordinal)), r.ToString());
            return r.ExitCode;
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }
}
