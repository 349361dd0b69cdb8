using RControl.Cli.Tests.Support;
using RControl.TestSupport;

namespace RControl.Cli.Tests.Commands;

/// <summary>exec and run against a real OpenSSH sshd on loopback.</summary>
public sealed class SshTests : IClassFixture<SshdFixture>
{
    private readonly SshServer _sshd;

    public SshTests(SshdFixture fixture)
    {
        _sshd = fixture.Server;
    }

    private string UserAtHost => $"{_sshd.User.Name}@{_sshd.Host}:{_sshd.Port}";

    /// <summary>The body of an inventory/plan session for the test sshd.</summary>
    private string RemoteSession =>
        $"type = ssh, host = \"{_sshd.Host}\", port = {_sshd.Port}, user = \"{_sshd.User.Name}\", " +
        $"identity-files = [\"{_sshd.ClientKey.PrivateKeyFile}\"], known-hosts = \"{_sshd.KnownHostsFile}\", ssh-config = \"{_sshd.SshConfigFile}\"";

    private string[] SshOptions => ["--identity", _sshd.ClientKey.PrivateKeyFile, "--known-hosts", _sshd.KnownHostsFile, "--ssh-config", _sshd.SshConfigFile];

    [Fact]
    public async Task Exec_on_user_at_host_port_streams_the_remote_output()
    {
        var r = await CliProcess.RunAsync(["exec", "-t", UserAtHost, .. SshOptions, "--", "echo hello from $(whoami); exit 0"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{UserAtHost}: hello from {_sshd.User.Name}", r.StdoutLines[0]);
        Assert.DoesNotContain('\u001b', r.Stdout);
    }

    [Fact]
    public async Task Exec_on_a_host_range_and_local_with_json()
    {
        var range = $"{_sshd.User.Name}@127.0.0.[1-1]:{_sshd.Port}";
        var r = await CliProcess.RunAsync(["exec", "-t", range, "-t", "local", .. SshOptions, "--json", "--", "echo $((6 * 7))"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        var sessions = r.Json.Select(o => (o.GetProperty("session").GetString(), o.GetProperty("output")[0].GetString())).Order().ToArray();
        Assert.Equal([("local", "42"), ($"{_sshd.User.Name}@127.0.0.1:{_sshd.Port}", "42")], sessions);
    }

    [Fact]
    public async Task Exec_on_an_inventory_group_mixing_ssh_and_local_sessions()
    {
        using var dir = new Support.TempDir();
        var inventory = dir.Write("inventory.hocon", $$"""
            sessions {
              remote { {{RemoteSession}} }
              here { type = local }
            }
            groups { all = [remote, here] }
            """);
        var r = await CliProcess.RunAsync("exec", "--inventory", inventory, "-t", "all", "-b", "--", "echo same");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("remote,here (2)", r.Stdout);
    }

    [Fact]
    public async Task Exec_on_an_ssh_config_alias()
    {
        using var dir = new Support.TempDir();
        var config = dir.Write("ssh_config", $"""
            Host gondor
              HostName {_sshd.Host}
              Port {_sshd.Port}
              User {_sshd.User.Name}
              IdentityFile {_sshd.ClientKey.PrivateKeyFile}
            """);
        var r = await CliProcess.RunAsync("exec", "-t", "gondor", "--ssh-config", config, "--known-hosts", _sshd.KnownHostsFile, "--", "echo via alias");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("gondor: via alias", r.StdoutLines[0]);
    }

    [Fact]
    public async Task A_remote_timeout_exits_3_and_a_remote_failure_exits_1()
    {
        var timeout = CliProcess.RunAsync(["exec", "-t", UserAtHost, .. SshOptions, "--timeout", "8s", "--", "sleep 60"]);
        var failure = CliProcess.RunAsync(["exec", "-t", UserAtHost, .. SshOptions, "--json", "--", "exit 6"]);
        var t = await timeout;
        Assert.True(t.ExitCode == 3, t.ToString());
        var f = await failure;
        Assert.True(f.ExitCode == 1, f.ToString());
        Assert.Equal(6, f.Json.Single().GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task An_unknown_host_key_is_refused_by_default()
    {
        using var dir = new Support.TempDir();
        var emptyKnownHosts = dir.Write("known_hosts", string.Empty);
        var r = await CliProcess.RunAsync("exec", "-t", UserAtHost, "--identity", _sshd.ClientKey.PrivateKeyFile, "--known-hosts", emptyKnownHosts,
            "--ssh-config", _sshd.SshConfigFile, "--json", "--", "touch /tmp/should-not-run");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("host key", r.Json.Single().GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_plan_runs_tasks_on_an_ssh_session_after_a_local_one()
    {
        using var dir = new Support.TempDir();
        var plan = dir.Write("plan.hocon", $$"""
            sessions {
              remote { {{RemoteSession}} }
            }
            tasks = [
              { name = prepare, session = local, run = "echo prepared" }
              { name = deploy, session = remote, after = [prepare], run = "echo deployed on $(hostname)" }
            ]
            """);
        var r = await CliProcess.RunAsync("run", plan, "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var tasks = r.Json.ToDictionary(o => o.GetProperty("task").GetString()!);
        Assert.Equal("remote", tasks["deploy"].GetProperty("session").GetString());
        Assert.StartsWith("deployed on ", tasks["deploy"].GetProperty("output")[0].GetString());
        Assert.True(tasks["deploy"].GetProperty("startedAt").GetDateTimeOffset() >= tasks["prepare"].GetProperty("endedAt").GetDateTimeOffset());
    }
}
